/**
 * The JSON Schema (draft 2020-12) of one history event, generated from the zod schemas of
 * schema.ts so that the published file cannot drift from what groupcheck accepts.
 * docs/history.schema.json is this function's output; `npm run history:schema` rewrites it
 * and src/history/schema.test.ts fails when the committed file is stale.
 *
 * Only the zod constructs the history schemas use are translated; anything else throws.
 */
import { z } from 'zod';
import { HISTORY_EVENT_TYPES, historyEventSchemas } from './schema.ts';

export type JsonSchema = { readonly [key: string]: unknown };

/** A URN, not a URL: the schema is published in the package (docs/history.schema.json), not on a server. */
export const HISTORY_SCHEMA_ID = 'urn:groupcheck:history-event:v1';

const withDescription = (schema: z.ZodTypeAny, out: Record<string, unknown>): JsonSchema =>
  schema.description === undefined ? out : { description: schema.description, ...out };

/** Translates one zod schema (of the kinds used by the history schemas). */
export const toJsonSchema = (schema: z.ZodTypeAny): JsonSchema => {
  const def = schema._def as { typeName: z.ZodFirstPartyTypeKind };
  switch (def.typeName) {
    case z.ZodFirstPartyTypeKind.ZodReadonly: {
      const inner = toJsonSchema((schema as z.ZodReadonly<z.ZodTypeAny>).unwrap());
      return schema.description === undefined ? inner : { ...inner, description: schema.description };
    }
    case z.ZodFirstPartyTypeKind.ZodString: {
      const out: Record<string, unknown> = { type: 'string' };
      for (const c of (schema as z.ZodString)._def.checks) {
        if (c.kind === 'min') out.minLength = c.value;
        else if (c.kind === 'max') out.maxLength = c.value;
        else if (c.kind === 'regex') out.pattern = c.regex.source;
        else throw new Error(`toJsonSchema: string check "${c.kind}" is not supported`);
      }
      return withDescription(schema, out);
    }
    case z.ZodFirstPartyTypeKind.ZodNumber: {
      const out: Record<string, unknown> = { type: 'number' };
      for (const c of (schema as z.ZodNumber)._def.checks) {
        if (c.kind === 'int') out.type = 'integer';
        else if (c.kind === 'finite') continue; // JSON has no infinities
        else if (c.kind === 'min') out[c.inclusive ? 'minimum' : 'exclusiveMinimum'] = c.value;
        else if (c.kind === 'max') out[c.inclusive ? 'maximum' : 'exclusiveMaximum'] = c.value;
        else throw new Error(`toJsonSchema: number check "${c.kind}" is not supported`);
      }
      return withDescription(schema, out);
    }
    case z.ZodFirstPartyTypeKind.ZodBoolean:
      return withDescription(schema, { type: 'boolean' });
    case z.ZodFirstPartyTypeKind.ZodLiteral:
      return withDescription(schema, { const: (schema as z.ZodLiteral<unknown>).value });
    case z.ZodFirstPartyTypeKind.ZodEnum:
      return withDescription(schema, { enum: [...(schema as z.ZodEnum<[string, ...string[]]>).options] });
    case z.ZodFirstPartyTypeKind.ZodOptional:
      // Optionality is the parent object's `required` list; the field's own schema is the inner one.
      return toJsonSchema((schema as z.ZodOptional<z.ZodTypeAny>).unwrap());
    case z.ZodFirstPartyTypeKind.ZodNullable: {
      const inner = toJsonSchema((schema as z.ZodNullable<z.ZodTypeAny>).unwrap());
      const { description, ...rest } = inner as { description?: unknown };
      return { ...(description === undefined ? {} : { description }), anyOf: [rest, { type: 'null' }] };
    }
    case z.ZodFirstPartyTypeKind.ZodArray:
      return withDescription(schema, { type: 'array', items: toJsonSchema((schema as z.ZodArray<z.ZodTypeAny>).element) });
    case z.ZodFirstPartyTypeKind.ZodRecord: {
      const r = schema as z.ZodRecord<z.ZodString, z.ZodTypeAny>;
      const { description: _k, ...keys } = toJsonSchema(r.keySchema) as { description?: unknown };
      const out: Record<string, unknown> = { type: 'object', additionalProperties: toJsonSchema(r.valueSchema) };
      if (Object.keys(keys).some((k) => k !== 'type')) out.propertyNames = keys;
      return withDescription(schema, out);
    }
    case z.ZodFirstPartyTypeKind.ZodObject: {
      const o = schema as z.ZodObject<z.ZodRawShape>;
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      for (const [k, s] of Object.entries(o.shape)) {
        properties[k] = toJsonSchema(s);
        if (!s.isOptional()) required.push(k);
      }
      return withDescription(schema, {
        type: 'object',
        properties,
        required,
        additionalProperties: o._def.unknownKeys !== 'strict',
      });
    }
    default:
      throw new Error(`toJsonSchema: zod type ${def.typeName} is not supported`);
  }
};

/** The JSON Schema of one line of a history file: exactly one of the event types. */
export const historyJsonSchema = (): JsonSchema => {
  const defs: Record<string, JsonSchema> = {};
  for (const type of HISTORY_EVENT_TYPES) defs[type] = toJsonSchema(historyEventSchemas[type]);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: HISTORY_SCHEMA_ID,
    title: 'groupcheck history event (format version 1)',
    description:
      'One line of a groupcheck history file (JSON Lines): one event object, discriminated by "type". ' +
      'Generated from src/history/schema.ts; see docs/history.md for the semantics of each event.',
    oneOf: HISTORY_EVENT_TYPES.map((t) => ({ $ref: `#/$defs/${t}` })),
    $defs: defs,
  };
};

/** The file text of docs/history.schema.json. */
export const historyJsonSchemaText = (): string => `${JSON.stringify(historyJsonSchema(), null, 2)}\n`;
