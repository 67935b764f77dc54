/**
 * A worker thread that runs search tasks of the guarantee matrix on request: the sample phase
 * of a configuration, or the shrinking of one invariant's first counterexample (search.ts). It
 * rebuilds the matrix from the base config it is given (rows carry no functions, only data), so
 * a task's result does not depend on which thread ran it.
 *
 * parallel.ts loads this file bundled by esbuild into one plain JavaScript module (no TypeScript
 * transform in the worker), or through tsx's loader (workerBoot.mjs) when esbuild is missing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SimConfig } from '../sim/config.ts';
import { buildMatrix, rowById } from './matrix.ts';
import { sampleRow, shrinkCell, type Counterexample, type SampledRow, type Tally } from './search.ts';

export type WorkerTask =
  | { readonly kind: 'sample'; readonly rowId: string; readonly seed: number; readonly numRuns: number; readonly shrink: boolean }
  | { readonly kind: 'shrink'; readonly rowId: string; readonly invariant: string; readonly tally: Tally; readonly seed: number; readonly numRuns: number; readonly shrink: boolean };

export type WorkerReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'sampled'; readonly rowId: string; readonly sampled: SampledRow; readonly ms: number }
  | { readonly kind: 'shrunk'; readonly rowId: string; readonly invariant: string; readonly counterexample: Counterexample; readonly ms: number };

const { base } = workerData as { base: SimConfig | undefined };
const matrix = buildMatrix(base);
const reply = (r: WorkerReply): void => parentPort?.postMessage(r);

parentPort?.on('message', (task: WorkerTask | null) => {
  if (task === null) {
    parentPort?.close();
    return;
  }
  const row = rowById(task.rowId, matrix);
  const t0 = performance.now();
  const opts = { seed: task.seed, numRuns: task.numRuns, shrink: task.shrink };
  if (task.kind === 'sample') reply({ kind: 'sampled', rowId: task.rowId, sampled: sampleRow(row, opts), ms: performance.now() - t0 });
  else reply({ kind: 'shrunk', rowId: task.rowId, invariant: task.invariant, counterexample: shrinkCell(row, task.invariant, task.tally, opts), ms: performance.now() - t0 });
});
reply({ kind: 'ready' });
