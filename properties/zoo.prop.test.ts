/**
 * The bug zoo as tests: the default search must find every faulty variant's violation, name the
 * invariant that is meant to catch it, and shrink it to a short counterexample. This is the
 * evidence that a green guarantee matrix means something (issue 5; house rule: a property shows
 * its power by catching a deliberately broken variant).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ZOO } from '../models/zoo.ts';
import { rowById, type MatrixRow } from '../src/check/matrix.ts';
import { searchRow, type RowResult } from '../src/check/search.ts';

const SEED = 42;
const RUNS = 300;
const COMMANDS_MAX = 10;

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
