/**
 * A worker thread that runs search tasks of the guarantee matrix on request: a chunk of the
 * sample phase of a configuration, or the shrinking of one invariant's first counterexample
 * (search.ts). It rebuilds the matrix from the base config it is given (rows carry no functions,
 * only data), so a task's result does not depend on which thread ran it.
 *
 * parallel.ts loads this file bundled by esbuild into one plain JavaScript module (no TypeScript
 * transform in the worker), or through tsx's loader (workerBoot.mjs) when esbuild is missing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SimConfig } from '../sim/config.ts';
import { buildMatrix, rowById } from './matrix.ts';
import { sampleChunk, shrinkCell, type Counterexample, type SampledChunk, type Tally } from './search.ts';
import { threadCpuMs } from './threadCpu.ts';

export type WorkerTask =
  | {
      readonly kind: 'sample';
      readonly rowId: string;
      /** The chunk: runs `from` to `from + runs - 1` of the row's sample phase. */
      readonly from: number;
      readonly runs: number;
      readonly seed: number;
      readonly numRuns: number;
      readonly shrink: boolean;
    }
  | { readonly kind: 'shrink'; readonly rowId: string; readonly invariant: string; readonly tally: Tally; readonly seed: number; readonly numRuns: number; readonly shrink: boolean };

/** `cpuMs`: this thread's CPU time for the task (threadCpu.ts), null where it cannot be read. */
export type WorkerReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'sampled'; readonly rowId: string; readonly chunk: SampledChunk; readonly ms: number; readonly cpuMs: number | null }
  | { readonly kind: 'shrunk'; readonly rowId: string; readonly invariant: string; readonly counterexample: Counterexample; readonly ms: number; readonly cpuMs: number | null };

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
  const c0 = threadCpuMs();
  const cpu = (): number | null => {
    const c = threadCpuMs();
    return c === null || c0 === null ? null : c - c0;
  };
  const opts = { seed: task.seed, numRuns: task.numRuns, shrink: task.shrink };
  if (task.kind === 'sample') {
    const chunk = sampleChunk(row, opts, task.from, task.runs);
    reply({ kind: 'sampled', rowId: task.rowId, chunk, ms: performance.now() - t0, cpuMs: cpu() });
  } else {
    const counterexample = shrinkCell(row, task.invariant, task.tally, opts);
    reply({ kind: 'shrunk', rowId: task.rowId, invariant: task.invariant, counterexample, ms: performance.now() - t0, cpuMs: cpu() });
  }
});
reply({ kind: 'ready' });
