/** PCT: deterministic from the choices, highest priority first, demotion at change points. */
import { describe, expect, it } from 'vitest';
import { defaultSimConfig } from './config.ts';
import { PctScheduler } from './pct.ts';
import { simulate } from './simulate.ts';

describe('PctScheduler', () => {
  it('is a pure function of the choices', () => {
    const picks = (choices: number[]) => {
      const p = new PctScheduler(choices, 3, 20);
      return Array.from({ length: 20 }, () => p.pick(['a', 'b', 'c']));
    };
    expect(picks([1, 2, 3])).toEqual(picks([1, 2, 3]));
    const variety = new Set([[1], [2], [3], [4], [5], [6], [7], [8]].map((c) => JSON.stringify(picks(c))));
    expect(variety.size).toBeGreaterThan(1);
  });

  it('keeps picking the same highest-priority node until a change point demotes it', () => {
    const p = new PctScheduler([42], 1, 10); // depth 1: no change points
    const first = p.pick(['a', 'b', 'c']);
    for (let i = 0; i < 10; i++) expect(p.pick(['a', 'b', 'c'])).toBe(first);
  });

  it('demotes the node that ran at a change point below every other node', () => {
    // With depth 2 and a horizon of 1, the change point is the first step.
    const p = new PctScheduler([7], 2, 1);
    const first = p.pick(['a', 'b']);
    const second = p.pick(['a', 'b']);
    expect(second).not.toBe(first);
  });
});

describe('simulate with the PCT scheduler', () => {
  it('runs deterministically and differently from uniform choice', () => {
    const base = defaultSimConfig('commit-per-message');
    const pct = { ...base, scheduler: { kind: 'pct' as const, depth: 3, horizon: 50 } };
    const commands = [
      { type: 'Start', consumer: 0 },
      { type: 'Start', consumer: 1 },
      { type: 'Produce', topic: 0, key: 0, count: 4 },
      { type: 'Wait', ms: 3000 },
      { type: 'Start', consumer: 2 },
      { type: 'Wait', ms: 5000 },
    ] as const;
    const histories = [[1], [2], [3], [4], [5]].map((c) => JSON.stringify(simulate(pct, commands, c).history));
    expect(JSON.stringify(simulate(pct, commands, [1]).history)).toBe(histories[0]);
    expect(new Set(histories).size).toBeGreaterThan(1);
  });
});
