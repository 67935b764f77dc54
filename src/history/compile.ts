/**
 * A fast acceptance test compiled from the zod schemas of schema.ts, for reading big histories:
 * zod 3 spends about 7 µs on one event (it builds a copy, collects issues, freezes), which is
 * 7 s for a million-event history. The compiled check answers only "valid or not" with plain
 * closures (well under 1 µs); a line it rejects is handed to zod, whose issues make the message.
 *
 * It is derived from the zod definitions, not written beside them, so the two cannot drift:
 * compiling fails loudly on any zod construct not handled here, and schema.test.ts checks
 * that both accept and reject the same values on real and mutated events.
 */
import { z } from 'zod';

export type Check = (value: unknown) => boolean;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const stringCheck = (def: z.ZodStringDef): Check => {
  const tests: ((s: string) => boolean)[] = [];
  for (const c of def.checks) {
    if (c.kind === 'min') tests.push((s) => s.length >= c.value);
    else if (c.kind === 'max') tests.push((s) => s.length <= c.value);
    else if (c.kind === 'regex') {
      const re = new RegExp(c.regex.source, c.regex.flags.replace('g', ''));
      tests.push((s) => re.test(s));
    } else throw new Error(`compileCheck: string check "${c.kind}" is not supported`);
  }
  return (v) => typeof v === 'string' && tests.every((t) => t(v));
};

const numberCheck = (def: z.ZodNumberDef): Check => {
  let int = false;
  let finite = false;
  let min = -Infinity;
  let minInclusive = true;
  let max = Infinity;
  let maxInclusive = true;
  for (const c of def.checks) {
    if (c.kind === 'int') int = true;
    else if (c.kind === 'finite') finite = true;
    else if (c.kind === 'min') {
      min = c.value;
      minInclusive = c.inclusive;
    } else if (c.kind === 'max') {
      max = c.value;
      maxInclusive = c.inclusive;
    } else throw new Error(`compileCheck: number check "${c.kind}" is not supported`);
  }
  return (v) =>
    typeof v === 'number' &&
    !Number.isNaN(v) &&
    (!int || Number.isInteger(v)) &&
    (!finite || Number.isFinite(v)) &&
    (minInclusive ? v >= min : v > min) &&
    (maxInclusive ? v <= max : v < max);
};

/** Compiles a zod schema into an acceptance test. Throws on a construct it does not know. */
export const compileCheck = (schema: z.ZodTypeAny): Check => {
  const def = schema._def as { typeName: z.ZodFirstPartyTypeKind };
  switch (def.typeName) {
    case z.ZodFirstPartyTypeKind.ZodReadonly:
      return compileCheck((schema as z.ZodReadonly<z.ZodTypeAny>).unwrap());
    case z.ZodFirstPartyTypeKind.ZodString:
      return stringCheck((schema as z.ZodString)._def);
    case z.ZodFirstPartyTypeKind.ZodNumber:
      return numberCheck((schema as z.ZodNumber)._def);
    case z.ZodFirstPartyTypeKind.ZodBoolean:
      return (v) => typeof v === 'boolean';
    case z.ZodFirstPartyTypeKind.ZodLiteral: {
      const value: unknown = (schema as z.ZodLiteral<unknown>).value;
      return (v) => v === value;
    }
    case z.ZodFirstPartyTypeKind.ZodEnum: {
      const options = new Set<unknown>((schema as z.ZodEnum<[string, ...string[]]>).options);
      return (v) => options.has(v);
    }
    case z.ZodFirstPartyTypeKind.ZodNullable: {
      const inner = compileCheck((schema as z.ZodNullable<z.ZodTypeAny>).unwrap());
      return (v) => v === null || inner(v);
    }
    case z.ZodFirstPartyTypeKind.ZodArray: {
      const a = (schema as z.ZodArray<z.ZodTypeAny>)._def;
      if (a.minLength !== null || a.maxLength !== null || a.exactLength !== null) throw new Error('compileCheck: array length checks are not supported');
      const item = compileCheck(a.type);
      return (v) => Array.isArray(v) && v.every((x) => item(x));
    }
    case z.ZodFirstPartyTypeKind.ZodRecord: {
      const r = schema as z.ZodRecord<z.ZodString, z.ZodTypeAny>;
      const key = compileCheck(r.keySchema);
      const value = compileCheck(r.valueSchema);
      return (v) => {
        if (!isPlainObject(v)) return false;
        for (const k in v) if (Object.hasOwn(v, k) && (!key(k) || !value(v[k]))) return false;
        return true;
      };
    }
    case z.ZodFirstPartyTypeKind.ZodObject: {
      const o = schema as z.ZodObject<z.ZodRawShape>;
      if (o._def.unknownKeys !== 'strict') throw new Error('compileCheck: only strict objects are supported');
      // An optional field may be absent; a present one must pass its check (undefined is not JSON).
      const fields = Object.entries(o.shape).map(([k, s]) => {
        const optional = s.isOptional();
        const inner = optional ? compileCheck((s as z.ZodOptional<z.ZodTypeAny>).unwrap()) : compileCheck(s);
        return [k, inner, optional] as const;
      });
      const known = new Set(fields.map(([k]) => k));
      const required = fields.filter(([, , optional]) => !optional).length;
      return (v) => {
        if (!isPlainObject(v)) return false;
        let present = 0;
        for (const k in v) if (Object.hasOwn(v, k)) {
          if (!known.has(k)) return false;
          present++;
        }
        let seen = 0;
        for (const [k, check, optional] of fields) {
          if (!Object.hasOwn(v, k)) {
            if (!optional) return false;
            continue;
          }
          seen++;
          if (!check(v[k])) return false;
        }
        return seen === present && seen >= required;
      };
    }
    default:
      throw new Error(`compileCheck: zod type ${def.typeName} is not supported`);
  }
};
