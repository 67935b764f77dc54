/**
 * The shrinking search reuses the verdict of a scenario it already ran (memoViolates): a run is a
 * pure function of its scenario, so the reuse must not change a verdict, and each distinct
 * scenario must run once.
 */
import { describe, expect, it } from 'vitest';
import { INVARIANTS } from '../../properties/invariants/index.ts';
import type { Command } from '../sim/command.ts';
import { rowById } from './matrix.ts';
import { memoViolates, minimize, runScenario } from './search.ts';
import type { Scenario } from '../gen/command.arb.ts';
import { checkInvariant } from './checkHistory.ts';

const row = rowById('before-process');
const inv = INVARIANTS.find((i) => i.name === 'atLeastOnce');
if (inv === undefined) throw new Error('atLeastOnce is not registered');
// Commit before processing, then a crash before the record is processed: it is lost.
const crash: Command[] = [
  { type: 'Start', consumer: 0 },
  { type: 'Produce', topic: 0, key: 0, count: 1 },
  { type: 'Wait', ms: 0 },
  { type: 'Crash', consumer: 0 },
];
const clean: Command[] = [
  { type: 'Start', consumer: 0 },
  { type: 'Produce', topic: 0, key: 0, count: 1 },
];
const truth = (commands: Command[], choices: number[] = []): boolean => checkInvariant(inv, runScenario(row, { commands, choices }).history, {}).validity === false;

describe('memoViolates', () => {
  it('gives the verdict of a fresh run, and runs each distinct scenario once', () => {
    let runs = 0;
    const violated = memoViolates(inv, row, () => runs++);
    for (const commands of [crash, clean]) {
      const expected = truth(commands);
      // Equal content in different objects is the same scenario.
      expect(violated({ commands: structuredClone(commands), choices: [] })).toBe(expected);
      expect(violated({ commands: structuredClone(commands), choices: [] })).toBe(expected);
    }
    expect(runs).toBe(2);
    // Different choices are a different scenario.
    violated({ commands: clean, choices: [0] });
    expect(runs).toBe(3);
  });

  it('minimize with and without a shared memo returns the same scenario', () => {
    // The crash scenario with a no-op (a Leave of a consumer that never started) and split waits.
    const padded: Command[] = [{ type: 'Leave', consumer: 2 }, ...crash.slice(0, 2), { type: 'Wait', ms: 0 }, { type: 'Wait', ms: 0 }, crash[3] as Command];
    if (!truth(padded)) throw new Error('the padded scenario must violate atLeastOnce');
    expect(truth(clean)).toBe(false);
    const a = minimize(row, inv, { commands: padded, choices: [] });
    let runs = 0;
    const shared = memoViolates(inv, row, () => runs++);
    const b = minimize(row, inv, { commands: padded, choices: [] }, undefined, shared);
    expect(b).toEqual(a);
    expect(b.commands.length).toBeLessThan(padded.length);
    const before = runs;
    // Again with the same memo: every candidate is known, nothing runs.
    expect(minimize(row, inv, { commands: padded, choices: [] }, undefined, shared)).toEqual(a);
    expect(runs).toBe(before);
  });

  it('minimize folds Produces of one key into the earliest when the verdict survives, and keeps them apart otherwise', () => {
    const split: Command[] = [
      { type: 'Start', consumer: 0 },
      { type: 'Produce', topic: 0, key: 0, count: 1 },
      { type: 'Wait', ms: 5 },
      { type: 'Produce', topic: 0, key: 1, count: 4 },
      { type: 'Produce', topic: 0, key: 0, count: 2 },
      { type: 'Crash', consumer: 0 },
    ];
    // A verdict that needs 3 records of key 0 and the crash: no Produce of key 0 can be dropped, but the two fold into one.
    const produced = (cs: readonly Command[], key: number) => cs.reduce((n, c) => n + (c.type === 'Produce' && c.key === key ? c.count : 0), 0);
    const needs = (x: Scenario) => produced(x.commands, 0) >= 3 && x.commands.some((c) => c.type === 'Crash');
    const folded = minimize(row, inv, { commands: split, choices: [] }, undefined, needs);
    expect(folded.commands).toEqual([
      { type: 'Produce', topic: 0, key: 0, count: 3 },
      { type: 'Crash', consumer: 0 },
    ]);
    // Produces of different keys are not folded together: a verdict that needs key 1's records keeps its own command.
    const both = (x: Scenario) => needs(x) && produced(x.commands, 1) >= 4;
    expect(minimize(row, inv, { commands: split, choices: [] }, undefined, both).commands).toEqual([
      { type: 'Produce', topic: 0, key: 0, count: 3 },
      { type: 'Produce', topic: 0, key: 1, count: 4 },
      { type: 'Crash', consumer: 0 },
    ]);
    // Nothing is kept that the verdict did not accept.
    expect(minimize(row, inv, { commands: split, choices: [] }, undefined, () => false)).toEqual({ commands: split, choices: [] });
  });
});
