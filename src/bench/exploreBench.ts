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
 * Standalone: `npx tsx src/bench/exploreBench.ts [states] [repeats]` prints the figures as JSON.
 */
import { rowById } from '../check/matrix.ts';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { explore, type ExploreOptions, type ExploreResult } from '../explore/bfs.ts';
import { ledgerMonitor, type PathMonitor } from '../explore/monitor.ts';
import { scopeFor, type Scope } from '../explore/scope.ts';
import { median } from './timing.ts';

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

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const states = Number(process.argv[2] ?? 10_000);
  const repeats = Number(process.argv[3] ?? 3);
  process.stdout.write(`${JSON.stringify({ loadavg: loadavg(), ...exploreThroughput(states, repeats) }, null, 2)}\n`);
}
