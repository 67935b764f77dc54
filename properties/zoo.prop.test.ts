/**
 * The bug zoo as tests: the default search must find every faulty variant's violation, name the
 * invariant that is meant to catch it, and shrink it to a short counterexample. This is the
 * evidence that a green guarantee matrix means something (issue 5; house rule: a property shows
 * its power by catching a deliberately broken variant).
 *
 * Only the entry's own invariant is checked (`invariants: [caughtBy]`), which keeps the whole
 * file to about a minute; reports/zoo.md lists the measured counterexample of each entry.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { INVARIANTS } from './invariants/index.ts';
import { REFERENCE_MACHINES } from '../models/machines.ts';
import { machinesFor, ZOO } from '../models/zoo.ts';
import { MATRIX, rowById, type MatrixRow } from '../src/check/matrix.ts';
import { searchRow, type RowResult } from '../src/check/search.ts';

const SEED = 42;
const RUNS = 300;
const COMMANDS_MAX = 10;

describe('bug zoo registry', () => {
  it('has at least 15 entries with unique ids', () => {
    expect(ZOO.length).toBeGreaterThanOrEqual(15);
    expect(new Set(ZOO.map((z) => z.id)).size).toBe(ZOO.length);
  });

  it.each(ZOO.map((z) => [z.id, z] as const))('%s names a matrix row, an invariant, a reference, and changes exactly one machine', (_id, z) => {
    expect(MATRIX.map((r) => r.id)).toContain(z.configuration);
    expect(INVARIANTS.map((i) => i.name)).toContain(z.caughtBy);
    expect(z.title.length).toBeGreaterThan(0);
    expect(z.reference).toMatch(/KAFKA-\d+|librdkafka #\d+|kafkajs #\d+|Jepsen|classic mistake/);
    const changed = (Object.keys(z.machines) as (keyof typeof REFERENCE_MACHINES)[]).filter((k) => z.machines[k] !== undefined);
    expect(changed).toHaveLength(1);
    const machines = machinesFor(z.id);
    for (const k of Object.keys(REFERENCE_MACHINES) as (keyof typeof REFERENCE_MACHINES)[]) {
      if (changed.includes(k)) expect(machines[k]).not.toBe(REFERENCE_MACHINES[k]);
      else expect(machines[k]).toBe(REFERENCE_MACHINES[k]);
    }
  });
});

describe.each(ZOO.map((z) => [z.id, z] as const))(`bug zoo: %s (seed ${SEED}, ${RUNS} runs)`, (_id, entry) => {
  const base = rowById(entry.configuration);
  const row: MatrixRow = { ...base, id: `${base.id}+${entry.id}`, config: { ...base.config, variant: entry.id } };
  let result: RowResult;
  beforeAll(() => {
    result = searchRow(row, { seed: SEED, numRuns: RUNS, invariants: [entry.caughtBy] });
  });

  it(`is caught by ${entry.caughtBy} with a short counterexample`, () => {
    const cell = result.cells[0];
    expect(cell?.invariant).toBe(entry.caughtBy);
    expect(cell?.violatedRuns).toBeGreaterThan(0);
    expect(cell?.counterexample?.scenario.commands.length).toBeLessThanOrEqual(COMMANDS_MAX);
  });

  it(`the reference models keep ${entry.caughtBy} in the same configuration`, () => {
    expect(base.expect[entry.caughtBy]).toBe('holds');
  });
});
