/**
 * The history format as a contract: the zod schemas accept every event the simulator records
 * (and round-trip it through JSON unchanged), reject what models/history.ts does not allow,
 * agree with the compiled fast check, and the published JSON Schema lists exactly the same
 * event types and fields.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../models/history.ts';
import { rowById } from '../check/matrix.ts';
import { scenarioArb } from '../gen/command.arb.ts';
import { defaultSimConfig } from '../sim/config.ts';
import { simulate } from '../sim/simulate.ts';
import { compileCheck } from './compile.ts';
import { EVENT_EXAMPLES } from './examples.ts';
import { historyJsonSchema, historyJsonSchemaText } from './jsonSchema.ts';
import { HISTORY_EVENT_TYPES, historyEventSchema, historyEventSchemas, parseHistoryEvent, validateHistoryEvent } from './schema.ts';

const DOCS = join(import.meta.dirname, '..', '..', 'docs');

/** Histories of real simulator runs: random scenarios of several configurations, and a seek. */
const simulatorHistories = (): HistoryEvent[][] => {
  const out: HistoryEvent[][] = [];
  for (const id of ['per-message', 'auto-timer', 'assign', 'two-groups', 'latest', 'static', 'max-poll', 'add-partitions', 'coop-batch', 'consumer-per-message']) {
    const row = rowById(id);
    for (const s of fc.sample(scenarioArb(row.config, row.shape), { seed: 7, numRuns: 12 })) out.push(simulate(row.config, s.commands, s.choices).history);
  }
  const seek = simulate(defaultSimConfig('commit-per-message'), [
    { type: 'Start', consumer: 0 },
    { type: 'Produce', topic: 0, key: 0, count: 4 },
    { type: 'Wait', ms: 150 },
    { type: 'Seek', consumer: 0, partition: 0, offset: 1 },
    { type: 'Wait', ms: 2000 },
  ]);
  out.push(seek.history);
  // Coordinator failover and a lost commit response (issue 3): CoordinatorMoved, GroupLoaded, MessageDropped.
  const failover = simulate(defaultSimConfig('commit-after-batch'), [
    { type: 'Start', consumer: 0 },
    { type: 'Produce', topic: 0, key: 0, count: 2 },
    { type: 'Wait', ms: 100 },
    { type: 'Drop', message: 0 },
    { type: 'Wait', ms: 500 },
    { type: 'MoveCoordinator', group: 0 },
    { type: 'Wait', ms: 8000 },
  ]);
  out.push(failover.history);
  // A static member restarted while its old incarnation is paused: replacement and fencing.
  const zombie = simulate(rowById('static').config, [
    { type: 'Start', consumer: 0 },
    { type: 'Produce', topic: 0, key: 0, count: 4 },
    { type: 'Wait', ms: 150 },
    { type: 'Pause', consumer: 0, ms: 5000 },
    { type: 'Start', consumer: 0 },
    { type: 'Wait', ms: 8000 },
  ]);
  out.push(zombie.history);
  return out;
};

describe('the zod schema accepts real histories', () => {
  const histories = simulatorHistories();
  const events = histories.flat();

  it('every event of the sampled simulator histories validates, and round-trips through JSON unchanged', () => {
    expect(events.length).toBeGreaterThan(2000);
    const bad: string[] = [];
    for (const e of events) {
      const wire: unknown = JSON.parse(JSON.stringify(e));
      const r = validateHistoryEvent(wire);
      if (!r.ok) bad.push(`${JSON.stringify(e)}: ${JSON.stringify(r.issues)}`);
      else expect(r.event).toEqual(e);
      expect(historyEventSchema.safeParse(wire).success).toBe(true);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('the sampled histories cover most event types', () => {
    const seen = new Set(events.map((e) => e.type));
    expect(seen.has('SeekRequested')).toBe(true);
    expect(HISTORY_EVENT_TYPES.filter((t) => !seen.has(t))).toEqual([]);
  });

  it('every documented example validates, one per event type', () => {
    expect(Object.keys(EVENT_EXAMPLES)).toEqual([...HISTORY_EVENT_TYPES]);
    for (const e of Object.values(EVENT_EXAMPLES)) expect(parseHistoryEvent(JSON.parse(JSON.stringify(e)))).toEqual(e);
  });

  it('every JSON line of docs/history.md is a valid event', () => {
    const md = readFileSync(join(DOCS, 'history.md'), 'utf8');
    const blocks = [...md.matchAll(/```jsonl\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    const lines = blocks.flatMap((b) => b.split('\n')).filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThanOrEqual(HISTORY_EVENT_TYPES.length);
    for (const l of lines) expect(validateHistoryEvent(JSON.parse(l)), l).toMatchObject({ ok: true });
    const types = new Set(lines.map((l) => (JSON.parse(l) as { type: string }).type));
    expect(HISTORY_EVENT_TYPES.filter((t) => !types.has(t))).toEqual([]);
  });
});

describe('the zod schema rejects what the types do not allow, naming the field', () => {
  it.each([
    ['a string offset', { ...EVENT_EXAMPLES.Processed, offset: '3' }, 'offset', /Expected number, received string/],
    ['a negative offset', { ...EVENT_EXAMPLES.Processed, offset: -1 }, 'offset', /greater than or equal to 0/],
    ['a fractional offset', { ...EVENT_EXAMPLES.Polled, offsets: [0, 1.5] }, 'offsets.1', /Expected integer/],
    ['a missing field', (({ member: _, ...rest }) => rest)(EVENT_EXAMPLES.Processed), 'member', /Required/],
    ['an unknown field', { ...EVENT_EXAMPLES.Crashed, reason: 'oom' }, 'reason', /unknown field for a Crashed event/],
    ['a topic-partition without partition', { ...EVENT_EXAMPLES.Assigned, partitions: ['accounts'] }, 'partitions.0', /expected "topic-N"/],
    ['a bad offsets key', { ...EVENT_EXAMPLES.CommitResult, offsets: { accounts: 3 } }, 'offsets.accounts', /expected "topic-N"/],
    ['an unknown commit error', { ...EVENT_EXAMPLES.CommitResult, error: 'OOPS' }, 'error', /Invalid enum value/],
    ['an unknown type', { type: 'Consumed', t: 0 }, 'type', /unknown event type "Consumed"/],
    ['a missing type', { t: 0 }, 'type', /Required/],
    ['a negative time', { ...EVENT_EXAMPLES.Quiesce, t: -5 }, 't', /greater than or equal to 0/],
    ['an empty member name', { ...EVENT_EXAMPLES.Crashed, member: '' }, 'member', /at least 1 character/],
  ])('%s', (_name, value, field, message) => {
    const r = validateHistoryEvent(value);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.field)).toContain(field);
    expect(r.issues.find((i) => i.field === field)?.message).toMatch(message);
  });

  it('a value that is not an object is refused as such', () => {
    expect(validateHistoryEvent([1, 2])).toMatchObject({ ok: false, issues: [{ field: '', message: expect.stringMatching(/JSON object.*an array/) }] });
    expect(validateHistoryEvent(null)).toMatchObject({ ok: false });
  });
});

describe('the compiled fast check accepts exactly what zod accepts', () => {
  const schemaOf = (v: unknown) => {
    const type = (v as { type?: unknown } | null)?.type;
    return typeof type === 'string' && type in historyEventSchemas ? historyEventSchemas[type as keyof typeof historyEventSchemas] : undefined;
  };
  const compiled = new Map(Object.entries(historyEventSchemas).map(([k, s]) => [k, compileCheck(s)]));
  const agree = (v: unknown): void => {
    const schema = schemaOf(v);
    if (schema === undefined) return;
    const fast = compiled.get((v as { type: string }).type)?.(v);
    expect(fast, JSON.stringify(v)).toBe(schema.safeParse(v).success);
  };

  it('on every example with each field removed, replaced by odd values, or an extra field added', () => {
    const odd: unknown[] = ['x', '', -1, 0, 1.5, 2 ** 53, Infinity, Number.NaN, null, true, [], [1], ['accounts-0'], {}, { 'accounts-0': 1 }, { accounts: 1 }];
    for (const e of Object.values(EVENT_EXAMPLES)) {
      agree(e);
      agree({ ...e, extra: 1 });
      for (const k of Object.keys(e)) {
        const { [k]: _, ...without } = e as Record<string, unknown>;
        agree(without);
        for (const v of odd) agree({ ...e, [k]: v });
      }
    }
  });

  it('on random values put into random fields (fast-check)', () => {
    const examples = Object.values(EVENT_EXAMPLES) as Record<string, unknown>[];
    fc.assert(
      fc.property(fc.constantFrom(...examples), fc.nat(), fc.jsonValue(), (e, i, v) => {
        const keys = Object.keys(e).filter((k) => k !== 'type');
        agree({ ...e, [keys[i % keys.length] as string]: v });
      }),
      { seed: 3, numRuns: 3000 },
    );
  });
});

describe('docs/history.schema.json is the JSON Schema of the zod schema', () => {
  const file = JSON.parse(readFileSync(join(DOCS, 'history.schema.json'), 'utf8')) as {
    oneOf: { $ref: string }[];
    $defs: Record<string, { properties: Record<string, { const?: unknown }>; required: string[]; additionalProperties: boolean }>;
  };

  it('lists exactly the same event types', () => {
    expect(file.oneOf.map((r) => r.$ref.replace('#/$defs/', ''))).toEqual([...HISTORY_EVENT_TYPES]);
    expect(Object.keys(file.$defs).sort()).toEqual([...HISTORY_EVENT_TYPES].sort());
  });

  it('requires exactly the non-optional fields of each zod object, allows no others, and pins the type', () => {
    for (const type of HISTORY_EVENT_TYPES) {
      const shape = historyEventSchemas[type].unwrap().shape as Record<string, { isOptional(): boolean }>;
      const def = file.$defs[type];
      const required = Object.keys(shape).filter((k) => !shape[k]?.isOptional());
      expect(def?.required.slice().sort(), type).toEqual(required.sort());
      expect(Object.keys(def?.properties ?? {}).sort(), type).toEqual(Object.keys(shape).sort());
      expect(def?.additionalProperties, type).toBe(false);
      expect(def?.properties.type?.const, type).toBe(type);
    }
  });

  it('is up to date with the generator (npm run history:schema rewrites it)', () => {
    expect(readFileSync(join(DOCS, 'history.schema.json'), 'utf8')).toBe(historyJsonSchemaText());
  });

  // ajv (a devDependency) judges the published JSON Schema: it must accept and reject the
  // examples and their mutations exactly as zod does.
  it('accepts and rejects what zod does, judged by a JSON Schema validator (ajv)', async () => {
    const name = 'ajv/dist/2020.js';
    const mod = (await import(name)) as { default: new (o: object) => { compile: (s: object) => (v: unknown) => boolean } };
    const validate = new mod.default({ strict: true, allErrors: false }).compile(historyJsonSchema());
    const samples: unknown[] = [];
    for (const e of Object.values(EVENT_EXAMPLES)) {
      samples.push(e, { ...e, extra: 1 });
      for (const k of Object.keys(e)) for (const v of ['x', -1, 1.5, null, [], {}, ['accounts'], { accounts: 1 }]) samples.push({ ...e, [k]: v });
    }
    for (const h of simulatorHistories().slice(0, 10)) samples.push(...h);
    for (const s of samples) expect(validate(s), JSON.stringify(s)).toBe(validateHistoryEvent(s).ok);
  });
});
