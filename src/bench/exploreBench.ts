/**
 * The exhaustive search's benchmark (issue #7 item 5): distinct states per second and bytes per
 * state of the BFS (fingerprinted visited set, cached value encodings) beside a naive baseline
 * measured in the same run: the same BFS with the visited set a Map keyed by each state's full
 * JSON text (xstate/graph style, anchors.md). Pure exploration: the ledger monitor folds its
 * state, nothing is confirmed. A third run adds every default screen (each always-invariant's own
 * monitor folded along every path, the fault tail) with its confirmations: what a real
 * `groupcheck explore` pays. Small fixed budgets: the machine is shared, so rates per CPU second
 * (time spent waiting for a core not counted) are given beside wall-clock rates.
 *
 * The same scope on 1 and 2 worker threads (exploreWorkersThroughput, parallel.ts) is measured
 * after them, alternated run by run.
 *
 * Standalone: `npx tsx src/bench/exploreBench.ts [states] [repeats] [worker states]` prints the
 * figures as JSON (worker states: default 4 × states).
 */
// First: V8 flags before the search code compiles (jit.ts).
import '../jit.ts';
import { rowById } from '../check/matrix.ts';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { explore, type ExploreOptions, type ExploreResult } from '../explore/bfs.ts';
import { ledgerMonitor, type PathMonitor } from '../explore/monitor.ts';
import { scopeFor, type Scope } from '../explore/scope.ts';
import { median } from './timing.ts';
import { exploreParallel, type MonitorSet, type ParallelExploreResult } from '../explore/parallel.ts';

export interface ExploreRun {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  /** Median over the repeats. */
  readonly statesPerSec: number;
  readonly minStatesPerSec: number;
  readonly maxStatesPerSec: number;
  /** Median distinct states per CPU second of this process (GC helper threads included). */
  readonly statesPerCpuSec: number;
  readonly bytesPerState: number;
  readonly frontierPeak: number;
}

export interface ExploreBench {
  readonly scope: string;
  readonly statesMax: number;
  readonly repeats: number;
  readonly fingerprinted: ExploreRun;
  readonly naive: ExploreRun;
  /** The fingerprinted search with every default screen and its confirmations. */
  readonly screened: ExploreRun & { readonly confirmations: number };
  /** assign row, 2 slots, exhausted to a depth: states with and without symmetry reduction. */
  readonly symmetry: { readonly scope: string; readonly reduced: number; readonly full: number };
  /** The same scope on 1 and 2 worker threads (exploreWorkersThroughput; async, so filled by the standalone run). */
  readonly workers?: ExploreWorkersBench;
}

/** One parallel run configuration, median over the repeats. */
export interface ExploreWorkersRun {
  readonly workers: number;
  readonly states: number;
  readonly transitions: number;
  /** Wall clock from the call to the result (worker start-up, module load and cold JIT included). */
  readonly statesPerSec: number;
  /** Wall clock of the search itself (the slowest worker's; start-up not counted). */
  readonly searchStatesPerSec: number;
  /** States per CPU second of the busiest worker thread (what N free cores would give). */
  readonly statesPerBusiestCpuSec: number | null;
  readonly workerExpanded: readonly number[];
  readonly workerReplayed: readonly number[];
  readonly bytesPerState: number;
}

export interface ExploreWorkersBench {
  readonly scope: string;
  readonly repeats: number;
  /** Per monitor set ('ledger': the fingerprinted run; 'default': every screen), 1 then 2 workers. */
  readonly runs: readonly { readonly monitors: string; readonly one: ExploreWorkersRun; readonly two: ExploreWorkersRun; readonly identical: boolean }[];
  readonly loadavg: { readonly before: readonly number[]; readonly after: readonly number[] };
}

interface Measured {
  readonly r: ExploreResult;
  readonly cpuMs: number;
}

const measured = (scope: Scope, opts: ExploreOptions): Measured => {
  const c0 = process.cpuUsage();
  const r = explore(scope, opts);
  const c = process.cpuUsage(c0);
  return { r, cpuMs: (c.user + c.system) / 1000 };
};

const summarise = (ms: readonly Measured[]): ExploreRun => {
  const rates = ms.map((m) => m.r.statesPerSecond);
  const r0 = (ms[0] as Measured).r;
  return {
    states: r0.states,
    transitions: r0.transitions,
    depth: r0.depth,
    statesPerSec: median(rates),
    minStatesPerSec: Math.min(...rates),
    maxStatesPerSec: Math.max(...rates),
    statesPerCpuSec: median(ms.map((m) => m.r.states / (m.cpuMs / 1000))),
    bytesPerState: r0.bytesPerState,
    frontierPeak: r0.frontierPeak,
  };
};

export const exploreThroughput = (statesMax: number, repeats: number): ExploreBench => {
  const row = rowById('batch');
  const scope = scopeFor(row, { members: 2, partitions: 2, records: 2, crashes: 1, depth: 60, states: statesMax });
  const opts: ExploreOptions = { monitors: [ledgerMonitor as PathMonitor], invariants: [] };
  const all: ExploreOptions = { check: { duplicateBound: row.duplicateBound } };
  const fast: Measured[] = [];
  const naive: Measured[] = [];
  const screened: Measured[] = [];
  explore({ ...scope, statesMax: Math.min(1000, statesMax) }, opts); // warm-up
  // Alternate them so that load on a shared machine hits all alike.
  for (let i = 0; i < repeats; i++) {
    fast.push(measured(scope, opts));
    naive.push(measured(scope, { ...opts, naive: true }));
    screened.push(measured(scope, all));
  }
  const assign = rowById('assign');
  const sym = scopeFor(assign, { members: 2, partitions: 1, records: 1, depth: 14 });
  const confirmations = Object.values((screened[0] as Measured).r.confirmations).reduce((a, b) => a + b, 0);
  return {
    scope: `batch: 2 members, 2 partitions, ≤2 records, ≤1 crash, ≤${statesMax} states`,
    statesMax,
    repeats,
    fingerprinted: summarise(fast),
    naive: summarise(naive),
    screened: { ...summarise(screened), confirmations },
    symmetry: {
      scope: 'assign: 2 slots, 1 partition, ≤1 record, ≤1 crash, depth ≤14',
      reduced: explore(sym, opts).states,
      full: explore({ ...sym, symmetry: false }, opts).states,
    },
  };
};

const workersRun = (rs: readonly ParallelExploreResult[]): ExploreWorkersRun => {
  const r0 = rs[0] as ParallelExploreResult;
  const busiest = rs.map((r) => (r.workerCpuMs.some((c) => c === null) ? null : Math.max(...(r.workerCpuMs as number[]))));
  return {
    workers: r0.workers,
    states: r0.states,
    transitions: r0.transitions,
    statesPerSec: median(rs.map((r) => r.statesPerSecond)),
    searchStatesPerSec: median(rs.map((r) => r.states / (r.searchMs / 1000))),
    statesPerBusiestCpuSec: busiest.some((c) => c === null) ? null : median(busiest.map((c) => r0.states / ((c as number) / 1000))),
    workerExpanded: r0.workerExpanded,
    workerReplayed: r0.workerReplayed,
    bytesPerState: r0.bytesPerState,
  };
};

/**
 * The bench scope searched by 1 and 2 worker threads (parallel.ts), alternated run by run, for
 * the fingerprinted run (ledger only) and with every screen. Both sides run in worker threads
 * (start-up and cold JIT alike); `identical` checks that they found the same states,
 * transitions and counterexamples.
 */
export const exploreWorkersThroughput = async (statesMax: number, repeats: number): Promise<ExploreWorkersBench> => {
  const row = rowById('batch');
  const scope = scopeFor(row, { members: 2, partitions: 2, records: 2, crashes: 1, depth: 60, states: statesMax });
  const before = loadavg();
  const runs: ExploreWorkersBench['runs'][number][] = [];
  for (const monitorSet of ['ledger', 'default'] as MonitorSet[]) {
    const opts = { monitorSet, check: { duplicateBound: row.duplicateBound }, ...(monitorSet === 'ledger' ? { invariants: [] } : {}) };
    const one: ParallelExploreResult[] = [];
    const two: ParallelExploreResult[] = [];
    for (let i = 0; i < repeats; i++) {
      one.push(await exploreParallel(scope, { ...opts, workers: 1 }));
      two.push(await exploreParallel(scope, { ...opts, workers: 2 }));
    }
    const key = (r: ParallelExploreResult): string => JSON.stringify([r.states, r.transitions, r.levels, r.counterexamples.map((c) => [c.invariant, c.steps])]);
    runs.push({ monitors: monitorSet === 'ledger' ? 'fingerprinted (ledger)' : 'every screen', one: workersRun(one), two: workersRun(two), identical: [...one, ...two].every((r) => key(r) === key(one[0] as ParallelExploreResult)) });
  }
  return { scope: `batch: 2 members, 2 partitions, ≤2 records, ≤1 crash, ≤${statesMax} states`, repeats, runs, loadavg: { before, after: loadavg() } };
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const states = Number(process.argv[2] ?? 10_000);
  const repeats = Number(process.argv[3] ?? 3);
  // The worker threads on a larger budget by default: each isolate starts cold (module load and
  // JIT), which weighs on a 10k-state search that takes a second.
  const workerStates = Number(process.argv[4] ?? 4 * states);
  const inThread = exploreThroughput(states, repeats);
  const workers = await exploreWorkersThroughput(workerStates, repeats);
  process.stdout.write(`${JSON.stringify({ loadavg: loadavg(), ...inThread, workers }, null, 2)}\n`);
}
