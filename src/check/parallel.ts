/**
 * Searches configurations of the guarantee matrix on all cores: a pool of worker threads pulls
 * rows from a queue (the rows differ a lot in cost, so a queue balances better than a split).
 * Every row is seeded on its own, so the results are the same whatever the number of workers;
 * they are returned in the order of the rows given.
 *
 * `shardRows` picks the rows of one CI shard (`--shard i/n`): row k goes to shard (k mod n) + 1.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SimConfig } from '../sim/config.ts';
import type { MatrixRow } from './matrix.ts';
import { searchRow, type RowResult } from './search.ts';
import type { RowRequest } from './rowWorker.ts';

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
  const results = new Map<string, RowResult>();
  const queue = rows.map((r) => r.id);
  const pool = Array.from({ length: workers }, () => new Worker(new URL('./workerBoot.mjs', import.meta.url), { workerData: { module: new URL('./rowWorker.ts', import.meta.url).href, base: opts.base } }));
  try {
    await Promise.all(
      pool.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const next = (): void => {
              const rowId = queue.shift();
              if (rowId === undefined) {
                resolve();
                return;
              }
              const req: RowRequest = { rowId, seed: opts.seed, numRuns: opts.numRuns, shrink };
              w.postMessage(req);
            };
            w.on('message', (r: RowResult) => {
              results.set(r.row, r);
              opts.onRowDone?.(r);
              next();
            });
            w.on('error', reject);
            w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`a search worker exited with code ${code}`))));
            next();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return rows.map((r) => {
    const res = results.get(r.id);
    if (res === undefined) throw new Error(`no result for configuration ${r.id}`);
    return res;
  });
};
