/**
 * The exhaustive search: the step-level API agrees with the simulator it reuses (clones evolve
 * like the original, paths replay as commands + choices), the visited set is a set, and on
 * small scopes the BFS finds the known counterexamples (confirmed by the real invariants, no
 * longer than the random search's shrunk ones and shortest in steps), finds nothing on a clean
 * configuration, and symmetry reduction visits fewer states for the same findings.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { rowById, type MatrixRow } from '../check/matrix.ts';
import { searchRow } from '../check/search.ts';
import { checkInvariant } from '../check/checkHistory.ts';
import { INVARIANTS, invariantByName } from '../../properties/invariants/index.ts';
import type { Command } from '../sim/command.ts';
import { Simulation, simulate } from '../sim/simulate.ts';
import { defaultMonitors, explore, enabledSteps, type ExploreResult } from './bfs.ts';
import { FingerprintSet, fingerprint } from './fingerprint.ts';
import { applyStep, pathToScenario, type Step } from './path.ts';
import { environmentOf, scopeFor, type Budgets, type Scope } from './scope.ts';
import { invariantsMonitor, ledgerMonitor, type PathMonitor } from './monitor.ts';

/** A small deterministic generator (tests pin their seeds). */
const lcg = (seed: number): ((n: number) => number) => {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
};

const json = (v: object): string => JSON.stringify(v);
const textOf = (sim: Simulation): string => {
  const c = sim.canonical(json);
  return `${c.slots.join('\n')}\n${c.rest}`;
};

const FAULTS = { starts: 3, crashes: 1, pauses: 1, leaves: 1, records: 3, stalls: 0, drops: 0, moves: 0, adds: 0, seeks: 0 };

/** A random walk of the scope's enabled steps (commands within the budgets, not spent: any number of each). */
const randomPath = (scope: Scope, seed: number, length: number, budgets: Budgets = FAULTS): Step[] => {
  const pick = lcg(seed);
  const sim = new Simulation(scope.config, []);
  const env = environmentOf(scope);
  const steps: Step[] = [];
  for (let i = 0; i < length; i++) {
    const options = enabledSteps(sim, budgets, env);
    if (options.length === 0) break;
    const s = options[pick(options.length)] as Step;
    if (s.type === 'command' && !applyStep(sim, s)) continue;
    if (s.type !== 'command') applyStep(sim, s);
    steps.push(s);
  }
  return steps;
};

const nonWait = (commands: readonly Command[]): number => commands.filter((c) => c.type !== 'Wait').length;

describe('fingerprints', () => {
  it('keeps each fingerprint once, across growth, with dense ids', () => {
    const set = new FingerprintSet(2);
    for (let i = 0; i < 5000; i++) {
      const [lo, hi] = fingerprint(`state ${i}`);
      expect(set.add(lo, hi)).toBe(i);
    }
    for (let i = 0; i < 5000; i += 7) {
      const [lo, hi] = fingerprint(`state ${i}`);
      expect(set.add(lo, hi)).toBe(-1);
      expect(set.has(lo, hi)).toBe(true);
    }
    expect(set.size).toBe(5000);
    expect(set.has(...fingerprint('state 5000'))).toBe(false);
  });

  it('tells apart texts that differ in one character', () => {
    expect(fingerprint('c0#1|Fetching')).not.toEqual(fingerprint('c1#1|Fetching'));
  });
});

describe('hashed fingerprints tell apart exactly the states the canonical text does', () => {
  // The naive baseline keys states by their full canonical JSON text: a digest that left out a
  // component would merge states that the text tells apart (fewer states), a hash that broke
  // would split equal ones (more).
  it.each([
    ['batch', { members: 2, partitions: 2, records: 2, depth: 9 }],
    ['failover', { members: 1, partitions: 1, records: 1, depth: 12 }],
    ['seek', { members: 2, partitions: 1, records: 1, depth: 12 }],
  ] as const)('%s: same states and transitions as the baseline keyed by canonical text', (rowId, o) => {
    const scope = scopeFor(rowById(rowId), { ...o, symmetry: false });
    const opts = { monitors: [ledgerMonitor as PathMonitor], invariants: [] };
    const hashed = explore(scope, opts);
    const text = explore(scope, { ...opts, naive: true });
    expect(hashed.states).toBe(text.states);
    expect(hashed.transitions).toBe(text.transitions);
    expect(hashed.states).toBeGreaterThan(200);
  }, 120_000);
});

describe('step-level API over the simulator', () => {
  const scope = scopeFor(rowById('batch'), { members: 2, partitions: 2 });

  it.each([1, 2, 3, 4, 5])('a clone evolves exactly like the original (seed %i)', (seed) => {
    const steps = randomPath(scope, seed, 60);
    const a = new Simulation(scope.config, []);
    const half = Math.floor(steps.length / 2);
    for (const s of steps.slice(0, half)) applyStep(a, s);
    const b = a.clone();
    expect(textOf(b)).toBe(textOf(a));
    const before = a.history.length;
    for (const s of steps.slice(half)) {
      expect(applyStep(a, s)).toBe(applyStep(b, s));
      expect(textOf(b)).toBe(textOf(a));
    }
    expect(b.history).toEqual(a.history.slice(before));
  });

  it('a clone sets every field a constructed simulation has (no new state left out)', () => {
    const a = new Simulation(scope.config, []);
    expect(Object.keys(a.clone()).sort()).toEqual(Object.keys(a).sort());
  });

  it.each(Array.from({ length: 24 }, (_, i) => 11 + i))('a path replays as commands + choices through simulate (seed %i)', (seed) => {
    const steps = randomPath(scope, seed, 80);
    const sc = pathToScenario(scope.config, steps);
    const run = simulate(scope.config, sc.commands, sc.choices);
    const tail = run.history.findIndex((e) => e.type === 'Quiesce');
    if (sc.exact) expect(run.history.slice(0, tail)).toEqual(sc.history);
    else expect(run.history.slice(0, sc.history.length)).toEqual(sc.history);
    expect(sc.history.length).toBeGreaterThan(5);
    // The search's cheap screen: the replayed world's own tail is simulate's whole run (exact paths).
    if (sc.exact) {
      sc.sim.quiesce();
      expect(sc.sim.history).toEqual(run.history);
    }
  });

  it('simulate() is unchanged by the step API: the same run twice gives the same history', () => {
    const sc = pathToScenario(scope.config, randomPath(scope, 21, 50));
    expect(simulate(scope.config, sc.commands, sc.choices).history).toEqual(simulate(scope.config, sc.commands, sc.choices).history);
  });
});

/** Replays a BFS counterexample through simulate and the real invariant. */
const reproduces = (scope: Scope, r: ExploreResult, name: string, ctx = {}): void => {
  const cx = r.counterexamples.find((c) => c.invariant === name);
  expect(cx, `${name} found`).toBeDefined();
  const run = simulate(scope.config, cx!.commands, cx!.choices);
  expect(checkInvariant(invariantByName(name), run.history, ctx).validity).toBe(false);
};

const regression = (configuration: string, invariant: string): { commands: Command[] } => {
  const dir = join(import.meta.dirname, '..', '..', 'reports', 'regressions');
  for (const f of readdirSync(dir)) {
    const cx = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { configuration: string; invariant: string; commands: Command[] };
    if (cx.configuration === configuration && cx.invariant === invariant) return cx;
  }
  throw new Error(`no regression file for ${configuration} × ${invariant}`);
};

describe('bounded BFS on small scopes', () => {
  const small = { members: 1, partitions: 1, records: 1 };

  it('commit-before-process: finds the lost write and the commit ahead, shortest in steps, no longer than the random search', () => {
    const row = rowById('before-process');
    const scope = scopeFor(row, small);
    const invariants = ['atLeastOnce', 'committedNotAheadOfProcessed'];
    const r = explore(scope, { invariants, stopWhenFound: true });
    for (const n of invariants) reproduces(scope, r, n);
    const lost = r.counterexamples.find((c) => c.invariant === 'atLeastOnce')!;
    expect(nonWait(lost.commands)).toBeLessThanOrEqual(nonWait(regression('before-process', 'atLeastOnce').commands));
    // Shortest: one step less and the scope holds no counterexample of it.
    const shorter = explore({ ...scope, depthMax: lost.depth - 1 }, { invariants: ['atLeastOnce'] });
    expect(shorter.counterexamples).toEqual([]);
    expect(shorter.depthBounded).toBe(true);
  }, 240_000);

  it('commit-after-batch: finds the duplicate no longer than the shrunk random counterexample', () => {
    const row = rowById('batch');
    const scope = scopeFor(row, small);
    const r = explore(scope, { invariants: ['noDuplicateProcessing'], stopWhenFound: true, check: { duplicateBound: row.duplicateBound } });
    reproduces(scope, r, 'noDuplicateProcessing');
    const bfs = r.counterexamples[0]!;
    const random = searchRow({ ...row, config: scope.config }, { seed: 7, numRuns: 200, invariants: ['noDuplicateProcessing'] });
    const shrunk = random.cells.find((c) => c.invariant === 'noDuplicateProcessing')?.counterexample;
    expect(shrunk).toBeTruthy();
    expect(nonWait(bfs.commands)).toBeLessThanOrEqual(nonWait(shrunk!.scenario.commands));
    expect(bfs.commands.length).toBeLessThanOrEqual(shrunk!.scenario.commands.length + 2);
  }, 240_000);

  it('clean joins and leaves, commit after the batch: the bounded scope holds no violation', () => {
    const row = rowById('batch-clean');
    const scope = scopeFor(row, { members: 2, partitions: 1, records: 1, leaves: 1, depth: 16 });
    const r = explore(scope, { check: { duplicateBound: row.duplicateBound } });
    expect(r.counterexamples).toEqual([]);
    expect(r.states).toBeGreaterThan(500);
    expect(r.states).toBeLessThan(scope.statesMax);
  }, 240_000);

  it('symmetry over assign-mode slots: same findings at the same depths, fewer states', () => {
    const row = rowById('assign');
    const scope = scopeFor(row, { members: 2, partitions: 1, records: 1, depth: 12 });
    const opts = { invariants: ['noDuplicateProcessing', 'atLeastOnce', 'singleOwnerPerPartition'], check: { duplicateBound: row.duplicateBound } };
    const reduced = explore(scope, opts);
    const full = explore({ ...scope, symmetry: false }, opts);
    expect(reduced.symmetryPermutations).toBe(2);
    expect(reduced.states).toBeLessThan(full.states * 0.6);
    const found = (r: ExploreResult) => r.counterexamples.map((c) => [c.invariant, c.depth]);
    expect(found(reduced)).toEqual(found(full));
    expect(found(reduced).map(([n]) => n)).toContain('noDuplicateProcessing');
  }, 240_000);

  it('subscribe groups get no slot symmetry (assignors sort member ids)', () => {
    const scope = scopeFor(rowById('batch'), { members: 3, depth: 1 });
    expect(explore(scope).symmetryPermutations).toBe(1);
  });
});

/**
 * Random commands over every protocol feature (failover, drops, stalls, added partitions, static
 * members restarted while paused, cooperative and KIP-848 groups), with Waits that read choices:
 * a clone taken halfway evolves exactly like the original, through the liveness tail too, and
 * stepping the clone leaves the original untouched.
 */
describe('clones cover the whole simulator state', () => {
  /** The LCG's high bits (its low bits have short periods, which would tie the slot to the command). */
  const picker = (seed: number): ((n: number) => number) => {
    const next = lcg(seed);
    return (n) => (next(0x10000000) >>> 12) % n;
  };
  const commandsFor = (seed: number, n: number): Command[] => {
    const pick = picker(seed);
    const out: Command[] = [];
    for (let i = 0; i < n; i++) {
      const c = pick(12);
      const slot = pick(4);
      if (c === 0 || c === 1) out.push({ type: 'Start', consumer: slot });
      else if (c === 2) out.push({ type: 'Produce', topic: 0, key: pick(8), count: 1 + pick(2) });
      else if (c === 3) out.push({ type: 'MoveCoordinator', group: 0 });
      else if (c === 4) out.push({ type: 'Drop', message: pick(16) });
      else if (c === 5) out.push({ type: 'Stall', consumer: slot, ms: 100 + pick(3000) });
      else if (c === 6) out.push({ type: 'AddPartitions', topic: 0, count: 1 });
      else if (c === 7) out.push({ type: 'Pause', consumer: slot, ms: 500 + pick(8000) });
      else if (c === 8) out.push({ type: 'Crash', consumer: slot });
      else if (c === 9) out.push({ type: 'Leave', consumer: slot });
      else out.push({ type: 'Wait', ms: 50 + pick(6000) });
    }
    return out;
  };
  const choicesFor = (seed: number): number[] => {
    const pick = picker(seed * 7 + 3);
    return Array.from({ length: 4000 }, () => pick(1000));
  };

  const rows = ['failover', 'static', 'max-poll', 'add-partitions', 'coop-mixed', 'consumer-batch', 'two-groups'];
  /** What happened after the clone point, over all cases (the last test checks it is not vacuous). */
  const seen = new Set<string>();
  it.each(rows.flatMap((row, r) => [1, 2, 3].map((seed) => [row, 10 * r + seed] as const)))('%s, seed %i', (rowId, seed) => {
    const config = rowById(rowId).config;
    const commands = commandsFor(seed, 50);
    const a = new Simulation(config, choicesFor(seed));
    const half = commands.length / 2;
    for (const c of commands.slice(0, half)) a.apply(c);
    const b = a.clone();
    const frozen = a.clone();
    expect(textOf(b)).toBe(textOf(a));
    const before = a.history.length;
    for (const c of commands.slice(half)) {
      expect(b.apply(c)).toBe(a.apply(c));
      expect(textOf(b)).toBe(textOf(a));
    }
    expect(a.quiesce()).toBe(b.quiesce());
    expect(textOf(b)).toBe(textOf(a));
    expect(b.history).toEqual(a.history.slice(before));
    for (const e of b.history) seen.add(e.type);
    // The frozen copy was not moved by either: stepping it now replays the same future.
    const c2 = frozen.clone();
    for (const c of commands.slice(half)) c2.apply(c);
    c2.quiesce();
    expect(c2.history).toEqual(a.history.slice(before));
  });

  it('the cases above ran the new features after the clone point', () => {
    for (const type of ['CoordinatorMoved', 'GroupLoaded', 'MessageDropped', 'Stalled', 'PartitionsAdded', 'StaticMemberReplaced', 'AssignorRan', 'MemberEpochAssigned', 'Resumed']) {
      expect(seen.has(type), type).toBe(true);
    }
  });
});

/**
 * The environment beyond Start, Crash, Pause, Leave and Produce: Stall, Drop, MoveCoordinator,
 * AddPartitions and Seek, where the row's shape has them. Paths with them replay exactly
 * through simulate, and the search finds the zoo variants that only these commands expose.
 */
describe('stalls, drops, coordinator moves, added partitions and seeks', () => {
  const rows: readonly [string, Partial<Budgets>][] = [
    ['failover', { moves: 1, drops: 1 }],
    ['group-drops', { drops: 1 }],
    ['max-poll', { stalls: 1 }],
    ['add-partitions', { adds: 1 }],
    ['seek', { seeks: 1 }],
  ];
  const seen = new Set<string>();
  it.each(rows.flatMap(([row, b]) => [1, 2, 3, 4].map((seed) => [row, seed, b] as const)))('%s: a path replays as commands + choices (seed %i)', (rowId, seed, b) => {
    const scope = scopeFor(rowById(rowId), { members: 2, partitions: 2 });
    const steps = randomPath(scope, 100 + seed, 80, { ...FAULTS, crashes: 0, pauses: 0, ...b });
    for (const s of steps) if (s.type === 'command') seen.add(s.command.type);
    const sc = pathToScenario(scope.config, steps);
    const run = simulate(scope.config, sc.commands, sc.choices);
    const tail = run.history.findIndex((e) => e.type === 'Quiesce');
    if (sc.exact) expect(run.history.slice(0, tail)).toEqual(sc.history);
    else expect(run.history.slice(0, sc.history.length)).toEqual(sc.history);
  });

  it('the paths above used every new command', () => {
    for (const type of ['Stall', 'Drop', 'MoveCoordinator', 'AddPartitions', 'Seek']) expect(seen.has(type), type).toBe(true);
  });

  it('a scope takes them only where the row models them', () => {
    expect(scopeFor(rowById('failover')).budgets).toMatchObject({ moves: 1, drops: 1, stalls: 0, adds: 0, seeks: 0 });
    expect(scopeFor(rowById('batch')).budgets).toMatchObject({ moves: 0, drops: 0, stalls: 0, adds: 0, seeks: 0 });
    expect(() => scopeFor(rowById('batch'), { moves: 1 })).toThrow(/does not model coordinator failover/);
    expect(() => scopeFor(rowById('batch-clean'), { stalls: 1 })).toThrow(/does not model stalls/);
  });

  const variantOf = (rowId: string, variant: string): MatrixRow => {
    const row = rowById(rowId);
    return { ...row, config: { ...row.config, variant } };
  };

  it('MoveCoordinator: finds the coordinator that stores commits after unloading the group; the reference model holds', () => {
    const o = { members: 1, partitions: 1, records: 1, crashes: 0, drops: 0 };
    const scope = scopeFor(variantOf('failover', 'coordinator-stores-after-unload'), o);
    const r = explore(scope, { invariants: ['fencedCommitRejected'], stopWhenFound: true });
    reproduces(scope, r, 'fencedCommitRejected');
    const cx = r.counterexamples[0]!;
    expect(cx.commands.map((c) => c.type)).toContain('MoveCoordinator');
    const reference = explore({ ...scopeFor(rowById('failover'), o), depthMax: cx.depth + 2 }, { invariants: ['fencedCommitRejected'] });
    expect(reference.counterexamples).toEqual([]);
    expect(reference.suspects.fencedCommitRejected ?? 0).toBeGreaterThan(0);
  }, 240_000);

  it('AddPartitions: finds the consumer that ignores partition changes (the group never settles)', () => {
    const scope = scopeFor(variantOf('add-partitions', 'consumer-ignores-partition-changes'), { members: 1, partitions: 1, records: 0 });
    const r = explore(scope, { invariants: ['groupSettles'], stopWhenFound: true });
    reproduces(scope, r, 'groupSettles');
    expect(r.counterexamples[0]!.commands.map((c) => c.type)).toContain('AddPartitions');
  }, 240_000);
});

describe('every always-invariant on every state', () => {
  it('folding the invariants\' own monitors alone finds a poll that skips a record, shortest; the reference model shows none', () => {
    const inv = invariantByName('orderedWithinOwnership');
    const monitors = [invariantsMonitor([inv], {}) as PathMonitor];
    const o = { members: 1, partitions: 1, records: 2, depth: 16 };
    const base = rowById('per-message-clean');
    const scope = scopeFor({ ...base, config: { ...base.config, variant: 'consumer-poll-skips-first-record' } }, o);
    const r = explore(scope, { monitors, stopWhenFound: true });
    reproduces(scope, r, inv.name);
    // Shortest: the first state whose prefix violates it, so one step less shows nothing.
    const depth = r.counterexamples[0]!.depth;
    expect(explore({ ...scope, depthMax: depth - 1 }, { monitors }).counterexamples).toEqual([]);
    const reference = explore(scopeFor(base, o), { monitors });
    expect(reference.counterexamples).toEqual([]);
    expect(reference.states).toBeGreaterThan(r.states);
  }, 240_000);

  it('the default screens judge every always-invariant on every state and the eventually-claims after interventions', () => {
    const screens = defaultMonitors().map((m) => [m.name, m.screens] as const);
    const always = INVARIANTS.filter((i) => i.expectation === 'always').map((i) => i.name);
    expect(screens[0]).toEqual(['invariants', always]);
    expect(new Set(screens.flatMap(([, s]) => s))).toEqual(new Set(INVARIANTS.map((i) => i.name)));
  });
});
