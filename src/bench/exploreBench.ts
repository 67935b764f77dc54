/**
 * The exhaustive search's benchmark (issue #7 item 5): distinct states per second and bytes per
 * state of the BFS (fingerprinted visited set, cached value encodings) beside a naive baseline
 * measured in the same run: the same BFS with the visited set a Map keyed by each state's full
 * JSON text (xstate/graph style, anchors.md). Pure exploration: the ledger monitor folds its
 * state, nothing is confirmed. Small fixed budgets: the machine is shared.
 */
import { rowById } from '../check/matrix.ts';
import { explore, type ExploreResult } from '../explore/bfs.ts';
import { ledgerMonitor, type PathMonitor } from '../explore/monitor.ts';
import { scopeFor } from '../explore/scope.ts';
import { median } from './timing.ts';

export interface ExploreRun {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  /** Median over the repeats. */
  readonly statesPerSec: number;
  readonly minStatesPerSec: number;
  readonly maxStatesPerSec: number;
  readonly bytesPerState: number;
}

export interface ExploreBench {
  readonly scope: string;
  readonly statesMax: number;
  readonly repeats: number;
  readonly fingerprinted: ExploreRun;
  readonly naive: ExploreRun;
  /** assign row, 2 slots, exhausted to a depth: states with and without symmetry reduction. */
  readonly symmetry: { readonly scope: string; readonly reduced: number; readonly full: number };
}

const summarise = (rs: readonly ExploreResult[]): ExploreRun => {
  const rates = rs.map((r) => r.statesPerSecond);
  const r0 = rs[0] as ExploreResult;
  return { states: r0.states, transitions: r0.transitions, depth: r0.depth, statesPerSec: median(rates), minStatesPerSec: Math.min(...rates), maxStatesPerSec: Math.max(...rates), bytesPerState: r0.bytesPerState };
};

export const exploreThroughput = (statesMax: number, repeats: number): ExploreBench => {
  const row = rowById('batch');
  const scope = scopeFor(row, { members: 2, partitions: 2, records: 2, crashes: 1, depth: 60, states: statesMax });
  const opts = { monitors: [ledgerMonitor as PathMonitor], invariants: [] };
  const fast: ExploreResult[] = [];
  const naive: ExploreResult[] = [];
  explore({ ...scope, statesMax: Math.min(1000, statesMax) }, opts); // warm-up
  // Alternate the two so that load on a shared machine hits both alike.
  for (let i = 0; i < repeats; i++) {
    fast.push(explore(scope, opts));
    naive.push(explore(scope, { ...opts, naive: true }));
  }
  const assign = rowById('assign');
  const sym = scopeFor(assign, { members: 2, partitions: 1, records: 1, depth: 14 });
  return {
    scope: `batch: 2 members, 2 partitions, ≤2 records, ≤1 crash, ≤${statesMax} states`,
    statesMax,
    repeats,
    fingerprinted: summarise(fast),
    naive: summarise(naive),
    symmetry: {
      scope: 'assign: 2 slots, 1 partition, ≤1 record, ≤1 crash, depth ≤14',
      reduced: explore(sym, opts).states,
      full: explore({ ...sym, symmetry: false }, opts).states,
    },
  };
};
