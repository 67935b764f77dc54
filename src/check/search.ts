/**
 * The search: fast-check generates scenarios for one configuration, the simulator runs each,
 * every invariant judges each history, and each violated invariant's first counterexample is
 * shrunk to a minimal one by fast-check (house-style §3.4: commands are plain data and the
 * simulator is a fold, so the shrunk array *is* the counterexample).
 *
 * Two phases per configuration:
 * 1. sample: `numRuns` scenarios from `seed`; all invariants are checked on every run and the
 *    first violating scenario of each invariant is kept;
 * 2. shrink: for each violated invariant, fast-check replays the same seed up to that run and
 *    shrinks the failing scenario with the invariant as the property; `minimize` then drops
 *    every command and choice the violation does not need.
 */
import type { Command } from '../sim/command.ts';
import fc from 'fast-check';
import { INVARIANTS } from '../../properties/invariants/index.ts';
import { WITNESSES } from '../../properties/witnesses/index.ts';
import { scenarioArb, type Scenario } from '../gen/command.arb.ts';
import { simulate, type CoverageByMachine, type RunResult } from '../sim/simulate.ts';
import { compiled } from '../sim/compiled.ts';
import { machinesFor } from '../../models/zoo.ts';
import { checkInvariant } from './checkHistory.ts';
import type { CheckContext, Invariant, Violation } from './invariant.ts';
import type { Expect, MatrixRow } from './matrix.ts';

export interface Counterexample {
  readonly row: string;
  readonly invariant: string;
  readonly seed: number;
  /** fast-check's replay path of the shrunk case. */
  readonly path: string;
  readonly scenario: Scenario;
  readonly violations: readonly Violation[];
  readonly historyLength: number;
  readonly shrinks: number;
  /** Runs of the sample phase until the first violation (1-based). */
  readonly foundAfterRuns: number;
  readonly timeToFirstMs: number;
}

export interface CellResult {
  readonly invariant: string;
  readonly expect: Expect;
  readonly runs: number;
  readonly violatedRuns: number;
  readonly unknownRuns: number;
  /** Whether what was found meets the expectation. */
  readonly met: boolean;
  readonly counterexample: Counterexample | null;
}

export interface RowResult {
  readonly row: string;
  readonly title: string;
  readonly seed: number;
  readonly runs: number;
  readonly settledRuns: number;
  readonly events: number;
  readonly elapsedMs: number;
  readonly cells: readonly CellResult[];
  /** Per machine: the states and transitions the sampled runs reached, and what exists. */
  readonly coverage: Readonly<Record<string, MachineCoverage>>;
  /** Per witness: in how many runs it occurred, and how often in all. */
  readonly witnesses: Readonly<Record<string, { readonly runs: number; readonly occurrences: number }>>;
}

export interface MachineCoverage {
  readonly states: readonly string[];
  readonly transitions: readonly string[];
  readonly unreachedStates: readonly string[];
  readonly unreachedTransitions: readonly string[];
}

export interface SearchOptions {
  readonly seed: number;
  readonly numRuns: number;
  /** Called after each sampled run. */
  readonly onRun?: (done: number, total: number) => void;
  /** Check only these invariants (default: all in the row's expectations). */
  readonly invariants?: readonly string[];
  /** Skip shrinking (benchmarks of detection time). */
  readonly shrink?: boolean;
  /** Called after each run of a shrinking search (parallel.ts answers its workers from there). */
  readonly onStep?: () => void;
}

const contextOf = (row: MatrixRow): CheckContext => (row.duplicateBound === undefined ? {} : { duplicateBound: row.duplicateBound });

/** Runs one scenario of a configuration. */
export const runScenario = (row: MatrixRow, s: Scenario): RunResult => simulate(row.config, s.commands, s.choices);

const violates = (inv: Invariant, row: MatrixRow, s: Scenario, onStep?: () => void): Violation[] | null => {
  const r = checkInvariant(inv, runScenario(row, s).history, contextOf(row));
  onStep?.();
  return r.validity === false ? [...r.violations] : null;
};

/** What the sample phase found for one invariant (plain data: it crosses worker threads). */
export interface Tally {
  violated: number;
  unknown: number;
  first: Scenario | null;
  firstRun: number;
  firstMs: number;
  /** Simulated events of the first violating run (with its commands, a rough cost of shrinking it). */
  firstEvents: number;
}

/** The sample phase of a configuration: everything but the shrunk counterexamples. */
export interface SampledRow {
  readonly result: Omit<RowResult, 'cells'>;
  /** Per invariant checked, in the row's order. */
  readonly tallies: readonly { readonly invariant: string; readonly tally: Tally }[];
}

/**
 * Both phases in this thread. parallel.ts runs the same two steps (sampleRow, then shrinkCell
 * for each violated invariant, then assembleRow) as separate tasks spread over worker threads.
 */
export const searchRow = (row: MatrixRow, opts: SearchOptions): RowResult => {
  const started = performance.now();
  const sampled = sampleRow(row, opts);
  const found = new Map<string, Counterexample>();
  for (const { invariant, tally } of sampled.tallies) if (tally.first !== null) found.set(invariant, shrinkCell(row, invariant, tally, opts));
  const r = assembleRow(row, sampled, found);
  return { ...r, elapsedMs: performance.now() - started };
};

/** The cells of a configuration from its sample phase and its shrunk counterexamples. */
export const assembleRow = (row: MatrixRow, sampled: SampledRow, found: ReadonlyMap<string, Counterexample>): RowResult => {
  const cells: CellResult[] = sampled.tallies.map(({ invariant, tally: t }) => {
    const expect = row.expect[invariant] as Expect;
    const counterexample = t.first === null ? null : (found.get(invariant) ?? null);
    if (t.first !== null && counterexample === null) throw new Error(`${row.id} × ${invariant}: violated but not shrunk`);
    const met = expect === 'report' || (expect === 'holds' ? t.violated === 0 : t.violated > 0);
    return { invariant, expect, runs: sampled.result.runs, violatedRuns: t.violated, unknownRuns: t.unknown, met, counterexample };
  });
  const { coverage, witnesses, ...rest } = sampled.result;
  return { ...rest, cells, witnesses, coverage };
};

/** Shrinks the first counterexample of one invariant (deterministic: same inputs, same result). */
export const shrinkCell = (row: MatrixRow, invariant: string, t: Tally, opts: SearchOptions): Counterexample => {
  const inv = INVARIANTS.find((i) => i.name === invariant);
  if (inv === undefined) throw new Error(`unknown invariant ${invariant}`);
  return shrinkCounterexample(row, inv, t, opts);
};

/**
 * Runs per sample task (issue 7, item 2): the sample phase of a configuration is cut into chunks
 * of this many runs, which parallel.ts spreads over the workers. Fixed, so that the chunks, and
 * hence the results, never depend on the number of workers.
 */
export const SAMPLE_CHUNK_RUNS = 25;

/** The [first run (0-based), runs] of each sample chunk of `numRuns` runs. */
export const sampleChunks = (numRuns: number, chunkRuns: number = SAMPLE_CHUNK_RUNS): [number, number][] => {
  if (!(chunkRuns >= 1)) throw new Error(`sample chunks need at least 1 run each, got ${chunkRuns}`);
  const out: [number, number][] = [];
  for (let from = 0; from < numRuns; from += chunkRuns) out.push([from, Math.min(chunkRuns, numRuns - from)]);
  // No runs still gives one (empty) chunk: the row's cells exist, with nothing found.
  return out.length > 0 ? out : [[0, 0]];
};

/** Runs `from` to `from + runs - 1` of a sample phase (plain data: it crosses worker threads). */
export interface SampledChunk {
  readonly from: number;
  readonly runs: number;
  readonly settled: number;
  readonly events: number;
  readonly elapsedMs: number;
  readonly witnesses: Readonly<Record<string, { readonly runs: number; readonly occurrences: number }>>;
  /** Per machine id: the states and transitions these runs reached. */
  readonly reached: Readonly<Record<string, { readonly states: readonly string[]; readonly transitions: readonly string[] }>>;
  /** Per invariant checked, in the row's order; `firstRun` counts from the phase's first run, `firstMs` from this chunk's start. */
  readonly tallies: readonly { readonly invariant: string; readonly tally: Tally }[];
}

/**
 * Phase 1: `numRuns` scenarios, every invariant on every run, the first violation of each kept.
 * Run as chunks of SAMPLE_CHUNK_RUNS merged in order, the very steps parallel.ts spreads over
 * workers, so the two cannot differ.
 */
export const sampleRow = (row: MatrixRow, opts: SearchOptions, chunkRuns: number = SAMPLE_CHUNK_RUNS): SampledRow =>
  mergeChunks(
    row,
    opts,
    sampleChunks(opts.numRuns, chunkRuns).map(([from, runs]) => sampleChunk(row, opts, from, runs)),
  );

/**
 * The chunks of a sample phase (in run order, together covering it) as one SampledRow: counts
 * summed, the first violation of each invariant from the earliest chunk that has one, coverage
 * and witnesses merged.
 */
export const mergeChunks = (row: MatrixRow, opts: SearchOptions, chunks: readonly SampledChunk[]): SampledRow => {
  let runs = 0;
  let settled = 0;
  let events = 0;
  let elapsedMs = 0;
  const witnesses: Record<string, { runs: number; occurrences: number }> = Object.fromEntries(WITNESSES.map((w) => [w.name, { runs: 0, occurrences: 0 }]));
  const reached: CoverageByMachine = new Map();
  const tallies = new Map<string, Tally>();
  for (const c of chunks) {
    if (c.from !== runs) throw new Error(`${row.id}: sample chunk of runs ${c.from}.. merged out of order (expected ${runs})`);
    runs += c.runs;
    settled += c.settled;
    events += c.events;
    for (const [name, w] of Object.entries(c.witnesses)) {
      const t = witnesses[name] as { runs: number; occurrences: number };
      t.runs += w.runs;
      t.occurrences += w.occurrences;
    }
    for (const [id, r] of Object.entries(c.reached)) {
      let cov = reached.get(id);
      if (cov === undefined) {
        cov = { states: new Set(), transitions: new Set() };
        reached.set(id, cov);
      }
      for (const x of r.states) cov.states.add(x);
      for (const x of r.transitions) cov.transitions.add(x);
    }
    for (const { invariant, tally: t } of c.tallies) {
      const m = tallies.get(invariant);
      if (m === undefined) {
        tallies.set(invariant, { ...t, firstMs: t.first === null ? 0 : elapsedMs + t.firstMs });
        continue;
      }
      m.violated += t.violated;
      m.unknown += t.unknown;
      if (m.first === null && t.first !== null) {
        m.first = t.first;
        m.firstRun = t.firstRun;
        m.firstMs = elapsedMs + t.firstMs;
        m.firstEvents = t.firstEvents;
      }
    }
    elapsedMs += c.elapsedMs;
  }
  return {
    result: { row: row.id, title: row.title, seed: opts.seed, runs, settledRuns: settled, events, elapsedMs, witnesses, coverage: coverageOf(row, reached) },
    tallies: [...tallies].map(([invariant, tally]) => ({ invariant, tally })),
  };
};

/** Runs `from` to `from + count - 1` of the sample phase (fast-check's `path` starts at run `from`). */
export const sampleChunk = (row: MatrixRow, opts: SearchOptions, from: number, count: number): SampledChunk => {
  const started = performance.now();
  const ctx = contextOf(row);
  const invariants = INVARIANTS.filter((i) => row.expect[i.name] !== undefined && (opts.invariants === undefined || opts.invariants.includes(i.name)));
  const tallies = new Map<string, Tally>(invariants.map((i) => [i.name, { violated: 0, unknown: 0, first: null, firstRun: 0, firstMs: 0, firstEvents: 0 }]));
  let runs = from;
  let settled = 0;
  let events = 0;
  const witnesses: Record<string, { runs: number; occurrences: number }> = Object.fromEntries(WITNESSES.map((w) => [w.name, { runs: 0, occurrences: 0 }]));
  const arb = scenarioArb(row.config, row.shape);

  const coverage: CoverageByMachine = new Map();
  fc.check(
    fc.property(arb, (s) => {
      runs++;
      const r = simulate(row.config, s.commands, s.choices, machinesFor(row.config.variant), undefined, coverage);
      events += r.stats.events;
      if (r.settled) settled++;
      for (const w of WITNESSES) {
        const n = w.count(r.history);
        if (n > 0) {
          const tally = witnesses[w.name] as { runs: number; occurrences: number };
          tally.runs++;
          tally.occurrences += n;
        }
      }
      for (const inv of invariants) {
        const res = checkInvariant(inv, r.history, ctx);
        const t = tallies.get(inv.name) as Tally;
        if (res.validity === 'unknown') t.unknown++;
        else if (res.validity === false) {
          t.violated++;
          if (t.first === null) {
            t.first = s;
            t.firstRun = runs;
            t.firstMs = performance.now() - started;
            t.firstEvents = r.stats.events;
          }
        }
      }
      opts.onRun?.(runs, opts.numRuns);
      return true;
    }),
    // `path` replays from run `from`: the same scenarios, in the same order, as one check of all runs.
    { seed: opts.seed, numRuns: count, ...(from > 0 ? { path: String(from) } : {}) },
  );

  const reached: Record<string, { states: string[]; transitions: string[] }> = {};
  for (const [id, c] of coverage) reached[id] = { states: [...c.states], transitions: [...c.transitions] };
  return {
    from,
    runs: runs - from,
    settled,
    events,
    elapsedMs: performance.now() - started,
    witnesses,
    reached,
    tallies: invariants.map((inv) => ({ invariant: inv.name, tally: tallies.get(inv.name) as Tally })),
  };
};

/** What the sampled runs reached, against every state and transition each machine defines. */
const coverageOf = (row: MatrixRow, reached: CoverageByMachine): Record<string, MachineCoverage> => {
  const machines = machinesFor(row.config.variant);
  const out: Record<string, MachineCoverage> = {};
  // The machines of the protocols the row's groups use (group.protocol, classic by default).
  const protocols = new Set(row.config.groups.map((g) => g.protocol ?? 'classic'));
  const used = [
    ...(protocols.has('classic') ? [machines.consumer, machines.coordinator, machines.leader] : []),
    ...(protocols.has('consumer') ? [machines.consumer848, machines.coordinator848] : []),
  ];
  for (const m of used) {
    const c = compiled(m);
    if (c === null) continue;
    const got = reached.get(c.id) ?? { states: new Set<string>(), transitions: new Set<string>() };
    out[c.id] = {
      states: c.allStates.filter((x) => got.states.has(x)),
      transitions: c.allTransitions.filter((x) => got.transitions.has(x)),
      unreachedStates: c.allStates.filter((x) => !got.states.has(x)),
      unreachedTransitions: c.allTransitions.filter((x) => !got.transitions.has(x)),
    };
  }
  return out;
};

/**
 * Whether a scenario violates the invariant, each distinct scenario run once. A run is a pure
 * function of its scenario, so a verdict can be reused: fast-check's shrinker tries the same
 * candidate many times over (different shrinks of a command list often give the same list; at
 * seed 1, coop-mixed's atLeastOnce shrink tried 7,381 candidates, 3,997 of them distinct, and
 * consumer-static's noDuplicateProcessing 2,939, 2,182 distinct). The key is the scenario's JSON
 * text (a few µs against a run's 0.4-0.6 ms).
 */
export const memoViolates = (inv: Invariant, row: MatrixRow, onStep?: () => void): ((s: Scenario) => boolean) => {
  const seen = new Map<string, boolean>();
  return (s) => {
    const key = JSON.stringify(s);
    let v = seen.get(key);
    if (v === undefined) {
      v = violates(inv, row, s, onStep) !== null;
      seen.set(key, v);
    }
    return v;
  };
};

const shrinkCounterexample = (row: MatrixRow, inv: Invariant, t: Tally, opts: SearchOptions): Counterexample => {
  const first = t.first as Scenario;
  let scenario = first;
  let path = '';
  let shrinks = 0;
  const violated = memoViolates(inv, row, opts.onStep);
  if (opts.shrink !== false) {
    // Same seed, same arbitrary: run number firstRun is the same scenario, and fast-check
    // shrinks it with the generation context it needs (examples alone cannot shrink mapped values).
    // `path` starts at that run: the runs before it (all passing) are not simulated again.
    const result = fc.check(
      fc.property(scenarioArb(row.config, row.shape), (s) => !violated(s)),
      { seed: opts.seed, numRuns: t.firstRun, path: String(t.firstRun - 1) },
    );
    if (result.failed && result.counterexample !== null) {
      scenario = result.counterexample[0];
      path = result.counterexamplePath ?? '';
      shrinks = result.numShrinks;
    }
  }
  if (opts.shrink !== false) scenario = minimize(row, inv, scenario, opts.onStep, violated);
  const violations = violates(inv, row, scenario) ?? [];
  return {
    row: row.id,
    invariant: inv.name,
    seed: opts.seed,
    path,
    scenario,
    violations,
    historyLength: runScenario(row, scenario).history.length,
    shrinks,
    foundAfterRuns: t.firstRun,
    timeToFirstMs: t.firstMs,
  };
};

/**
 * A last deterministic pass after fast-check's shrinking, which removes array items mostly from
 * the front: drop each command that is not needed (no-ops such as a Leave of a consumer that is
 * not running included), merge adjacent waits, then drop the scheduling choices the run never
 * consumed.
 */
export const minimize = (row: MatrixRow, inv: Invariant, s: Scenario, onStep?: () => void, violated: (s: Scenario) => boolean = memoViolates(inv, row, onStep)): Scenario => {
  let best = s;
  // Passes until none changes anything (each only removes or merges commands, so at most one round per command).
  for (let round = 0; round <= s.commands.length; round++) {
    const before = best;
    best = dropCommands(best, violated);
    best = mergeWaits(best, violated);
    best = mergeProduces(best, violated);
    if (best === before) break;
  }
  const used = runScenario(row, best).stats.choicesUsed;
  if (used < best.choices.length) {
    const trimmed: Scenario = { commands: best.commands, choices: best.choices.slice(0, used) };
    if (violated(trimmed)) best = trimmed;
  }
  return best;
};

/** Drops each command that is not needed (no-ops such as a Leave of a consumer that is not running included). */
const dropCommands = (s: Scenario, violated: (s: Scenario) => boolean): Scenario => {
  let best = s;
  for (let i = best.commands.length - 1; i >= 0; i--) {
    if (best.commands.length <= 1) break;
    const candidate: Scenario = { commands: best.commands.filter((_, j) => j !== i), choices: best.choices };
    if (violated(candidate)) best = candidate;
  }
  return best;
};

/** Adjacent waits read better as one; a merge is kept only when the violation survives it. */
const mergeWaits = (s: Scenario, violated: (s: Scenario) => boolean): Scenario => {
  let best = s;
  for (let i = best.commands.length - 1; i > 0; i--) {
    const a = best.commands[i - 1];
    const b = best.commands[i];
    if (a?.type !== 'Wait' || b?.type !== 'Wait') continue;
    const merged = [...best.commands.slice(0, i - 1), { type: 'Wait' as const, ms: a.ms + b.ms }, ...best.commands.slice(i + 1)];
    const candidate: Scenario = { commands: merged, choices: best.choices };
    if (violated(candidate)) best = candidate;
  }
  return best;
};

/**
 * Produces of the same key and topic folded into the earliest of them (its count grown), kept only
 * when the violation survives: fast-check shrinks each Produce's count but cannot move records from
 * one command to another, so a loss that needs enough records in flight kept several Produces.
 */
const mergeProduces = (s: Scenario, violated: (s: Scenario) => boolean): Scenario => {
  let best = s;
  for (let i = best.commands.length - 1; i > 0; i--) {
    const b = best.commands[i];
    if (b?.type !== 'Produce') continue;
    const j = best.commands.findIndex((a, k) => k < i && a.type === 'Produce' && a.topic === b.topic && a.key === b.key);
    if (j < 0) continue;
    const a = best.commands[j] as Extract<Command, { type: 'Produce' }>;
    const merged = best.commands.flatMap((c, k): Command[] => (k === i ? [] : k === j ? [{ ...a, count: a.count + b.count }] : [c]));
    const candidate: Scenario = { commands: merged, choices: best.choices };
    if (violated(candidate)) best = candidate;
  }
  return best;
};
