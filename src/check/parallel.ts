/**
 * Searches configurations of the guarantee matrix on all cores.
 *
 * The work is split into tasks (issue 7, item 2): the sample phase of each configuration, then,
 * as soon as it is known, the shrinking of each violated invariant's first counterexample
 * (search.ts: sampleRow, shrinkCell, assembleRow). Shrinking often costs more than sampling and
 * one configuration may have several counterexamples, so shrink tasks go to the front of the
 * queue and spread over the workers; sample tasks go largest first. Every task is a pure
 * function of its inputs (seeded, deterministic), so the results are the same whatever the
 * number of workers; they are returned in the order of the rows given.
 *
 * Workers run the search code bundled once by esbuild (workerBundle.ts), not through tsx, and
 * are started before the first task is queued.
 *
 * `shardRows` picks the rows of one CI shard (`--shard i/n`): row k goes to shard (k mod n) + 1.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SimConfig } from '../sim/config.ts';
import type { MatrixRow } from './matrix.ts';
import { assembleRow, searchRow, type Counterexample, type RowResult, type SampledRow } from './search.ts';
import type { WorkerReply, WorkerTask } from './rowWorker.ts';
import { bundledWorker } from './workerBundle.ts';

export interface ParallelOptions {
  readonly seed: number;
  readonly numRuns: number;
  readonly shrink?: boolean;
  /** Worker threads; 1 searches in this thread. Default: the machine's parallelism. */
  readonly workers?: number;
  /** The base config the rows were built from (workers rebuild the same matrix). */
  readonly base?: SimConfig | undefined;
  readonly onRowDone?: (result: RowResult) => void;
}

export const defaultWorkers = (): number => Math.max(1, availableParallelism());

export const shardRows = <T>(rows: readonly T[], shard: { index: number; count: number }): T[] =>
  rows.filter((_, k) => k % shard.count === shard.index - 1);

/** Parses `i/n` (1 ≤ i ≤ n). */
export const parseShard = (text: string): { index: number; count: number } => {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || count < 1 || index < 1 || index > count) throw new Error(`--shard must be i/n with 1 ≤ i ≤ n, got "${text}"`);
  return { index, count };
};

/**
 * A rough cost of a configuration's search, to start the largest first: events per run grow
 * about with the square of the consumers (each rebalance involves all of them), and faults
 * double it (more rebalances, and counterexamples to shrink).
 */
export const estimatedCost = (row: MatrixRow): number => {
  const members = row.config.groups.reduce((n, g) => n + g.members, 0);
  return members * members * (row.shape.faults ? 2 : 1);
};

/** How a worker thread is started: the esbuild bundle, else tsx's loader on the sources. */
const workerEntry = async (): Promise<{ url: URL; module?: string }> => {
  const source = new URL('./rowWorker.ts', import.meta.url);
  const bundle = await bundledWorker(source);
  return bundle !== null ? { url: bundle } : { url: new URL('./workerBoot.mjs', import.meta.url), module: source.href };
};

interface RowState {
  sampled: SampledRow | null;
  pending: number;
  ms: number;
  readonly found: Map<string, Counterexample>;
}

export const searchRows = async (rows: readonly MatrixRow[], opts: ParallelOptions): Promise<RowResult[]> => {
  const workers = Math.min(opts.workers ?? defaultWorkers(), rows.length);
  const shrink = opts.shrink !== false;
  if (workers <= 1) {
    return rows.map((row) => {
      const r = searchRow(row, { seed: opts.seed, numRuns: opts.numRuns, shrink });
      opts.onRowDone?.(r);
      return r;
    });
  }
  const byId = new Map(rows.map((r) => [r.id, r]));
  const entry = await workerEntry();
  const pool = Array.from({ length: workers }, () => new Worker(entry.url, { workerData: { module: entry.module, base: opts.base } }));
  const results = new Map<string, RowResult>();
  const state = new Map<string, RowState>(rows.map((r) => [r.id, { sampled: null, pending: 1, ms: 0, found: new Map() }]));
  // Largest first; ties keep the given order (sort is stable).
  const queue: WorkerTask[] = [...rows]
    .sort((a, b) => estimatedCost(b) - estimatedCost(a))
    .map((r) => ({ kind: 'sample', rowId: r.id, seed: opts.seed, numRuns: opts.numRuns, shrink }));
  const idle: Worker[] = [];

  const finish = (rowId: string): void => {
    const s = state.get(rowId) as RowState;
    if (s.pending > 0 || s.sampled === null) return;
    const r = assembleRow(byId.get(rowId) as MatrixRow, s.sampled, s.found);
    const result: RowResult = { ...r, elapsedMs: s.ms };
    results.set(rowId, result);
    opts.onRowDone?.(result);
  };

  try {
    await new Promise<void>((resolve, reject) => {
      const dispatch = (): void => {
        while (idle.length > 0 && queue.length > 0) (idle.pop() as Worker).postMessage(queue.shift());
        if (results.size === rows.length) resolve();
      };
      for (const w of pool) {
        w.on('message', (m: WorkerReply) => {
          try {
            if (m.kind === 'sampled') {
              const s = state.get(m.rowId) as RowState;
              s.sampled = m.sampled;
              s.ms += m.ms;
              s.pending--;
              // Shrink tasks first: they are the longest, and other workers can take them now.
              const shrinks: WorkerTask[] = m.sampled.tallies
                .filter((x) => x.tally.first !== null)
                .map((x) => ({ kind: 'shrink', rowId: m.rowId, invariant: x.invariant, tally: x.tally, seed: opts.seed, numRuns: opts.numRuns, shrink }));
              s.pending += shrinks.length;
              queue.unshift(...shrinks);
              finish(m.rowId);
            } else if (m.kind === 'shrunk') {
              const s = state.get(m.rowId) as RowState;
              s.found.set(m.invariant, m.counterexample);
              s.ms += m.ms;
              s.pending--;
              finish(m.rowId);
            }
            idle.push(w);
            dispatch();
          } catch (err) {
            reject(err);
          }
        });
        w.on('error', reject);
        w.on('exit', (code) => {
          if (results.size < rows.length) reject(new Error(`a search worker exited with code ${code} before the search ended`));
        });
      }
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return rows.map((r) => {
    const res = results.get(r.id);
    if (res === undefined) throw new Error(`no result for configuration ${r.id}`);
    return res;
  });
};
