/**
 * The parallel search (parallel.ts) against the sequential one (bfs.ts): the same states per
 * level, transitions, depth, frontier and counterexamples (same paths) with 1, 2 and 3
 * workers, on scopes that stop at a confirmation, hit the state budget, the depth bound, or use
 * symmetry reduction; and the shared visited set's rules on its own.
 */
import { describe, expect, it } from 'vitest';
import { rowById } from '../check/matrix.ts';
import { explore, type ExploreOptions, type ExploreResult } from './bfs.ts';
import { ledgerMonitor, type PathMonitor } from './monitor.ts';
import { exploreParallel, ownerOf, type MonitorSet } from './parallel.ts';
import { scopeFor, type ScopeOptions } from './scope.ts';
import { SharedVisited } from './shared.ts';

const summary = (r: ExploreResult): unknown => ({
  states: r.states,
  transitions: r.transitions,
  depth: r.depth,
  exhausted: r.exhausted,
  depthBounded: r.depthBounded,
  frontierPeak: r.frontierPeak,
  counterexamples: r.counterexamples.map((c) => ({ invariant: c.invariant, depth: c.depth, steps: c.steps, commands: c.commands, choices: c.choices })),
});

describe('parallel BFS: the sequential search, level by level, whatever the number of workers', () => {
  const cases: [string, string, ScopeOptions, { monitorSet?: MonitorSet; invariants?: string[]; stopWhenFound?: boolean }][] = [
    ['stops at the confirmations', 'before-process', { members: 1, partitions: 1, records: 1 }, { stopWhenFound: true, invariants: ['atLeastOnce', 'committedNotAheadOfProcessed'] }],
    ['state budget, every screen', 'batch', { members: 2, partitions: 2, records: 1, states: 2500 }, {}],
    ['depth bound, leaves', 'batch-clean', { members: 2, partitions: 1, records: 1, leaves: 1, depth: 11 }, {}],
    ['symmetry, ledger only', 'assign', { members: 2, partitions: 1, records: 1, depth: 13 }, { monitorSet: 'ledger', invariants: [] }],
  ];
  it.each(cases)('%s (%s)', async (_what, rowId, o, p) => {
    const row = rowById(rowId);
    const scope = scopeFor(row, o);
    const check = { duplicateBound: row.duplicateBound };
    const levels: number[] = [];
    const seqOpts: ExploreOptions = {
      check,
      ...(p.invariants === undefined ? {} : { invariants: p.invariants }),
      ...(p.stopWhenFound === undefined ? {} : { stopWhenFound: p.stopWhenFound }),
      ...(p.monitorSet === 'ledger' ? { monitors: [ledgerMonitor as PathMonitor] } : {}),
      onLevel: (_d, states) => levels.push(states),
    };
    const seq = explore(scope, seqOpts);
    expect(seq.states).toBeGreaterThan(150);
    for (const workers of [1, 2, 3]) {
      const par = await exploreParallel(scope, { workers, check, ...p });
      expect(summary(par), `${workers} workers`).toEqual(summary(seq));
      // States after each complete level (onLevel), as the sequential search counted them.
      let n = 0;
      const cumulative = par.levels.map((x) => (n += x)).slice(1, levels.length + 1);
      expect(cumulative).toEqual(levels);
      expect(par.workerExpanded.length).toBe(workers);
      if (workers > 1) {
        // The levels are evened out (deterministically) by replaying some states' paths elsewhere.
        const mean = par.workerExpanded.reduce((a, b) => a + b, 0) / workers;
        expect(Math.max(...par.workerExpanded)).toBeLessThan(mean * 1.25);
        // Every case but the smallest rebuilds some states (the plan is deterministic).
        if (seq.states > 1000) expect(par.workerReplayed.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      }
    }
  }, 240_000);
});

describe('parallel BFS: small state budgets cut where the sequential search does', () => {
  it('budgets of 1, 2 and 50 states', async () => {
    const row = rowById('batch');
    for (const states of [1, 2, 50]) {
      const scope = scopeFor(row, { members: 2, partitions: 2, records: 2, states });
      expect(summary(await exploreParallel(scope, { workers: 2 })), `${states} states`).toEqual(summary(explore(scope)));
    }
  }, 120_000);
});

describe('shared visited set', () => {
  const make = (capacity: number): SharedVisited => new SharedVisited(SharedVisited.buffer(capacity), new Int32Array(new SharedArrayBuffer(16)), 0);

  it('a state first reached in an earlier level is known; in the same level the least priority owns it', () => {
    const v = make(64);
    const a = v.insert(7, 9, 2, 500);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(v.insert(7, 9, 3, 1)).toBe(-1); // next level: known
    expect(v.insert(7, 9, 2, 800)).toBe(-1); // same level, higher priority: not its owner
    expect(v.insert(7, 9, 2, 300)).toBe(a); // same level, lower priority: takes it over
    expect(v.owns(a, 500)).toBe(false);
    expect(v.owns(a, 300)).toBe(true);
    expect(v.insert(7 + 64, 9, 2, 0)).not.toBe(a); // same home slot, another fingerprint
  });

  it('says clearly when the table is full', () => {
    const v = make(16);
    for (let i = 0; i < 8; i++) v.insert(i, 1, 2, 0);
    expect(() => v.insert(100, 1, 2, 0)).toThrow(/visited set is full.*--states/);
  });

  it('splits a level between workers about evenly', () => {
    const counts = [0, 0];
    for (let i = 0; i < 1000; i++) counts[ownerOf(i, 2)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(400);
  });
});
