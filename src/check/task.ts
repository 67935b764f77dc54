/**
 * One task of the parallel search (parallel.ts), run the same way by a worker thread
 * (rowWorker.ts) and by the main thread: a chunk of a configuration's sample phase, or the
 * shrinking of one invariant's first counterexample (search.ts). Plain data in, plain data out.
 */
import type { MatrixRow } from './matrix.ts';
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

/** `cpuMs`: the running thread's CPU time for the task (threadCpu.ts), null where it cannot be read. */
export type WorkerReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'sampled'; readonly rowId: string; readonly chunk: SampledChunk; readonly ms: number; readonly cpuMs: number | null }
  | { readonly kind: 'shrunk'; readonly rowId: string; readonly invariant: string; readonly counterexample: Counterexample; readonly ms: number; readonly cpuMs: number | null };

/** Runs one task; `tick`, when given, is called after every simulated run (the main thread polls its workers there). */
export const runTask = (row: MatrixRow, task: WorkerTask, tick?: () => void): Exclude<WorkerReply, { kind: 'ready' }> => {
  const t0 = performance.now();
  const c0 = threadCpuMs();
  const cpu = (): number | null => {
    const c = threadCpuMs();
    return c === null || c0 === null ? null : c - c0;
  };
  const opts = { seed: task.seed, numRuns: task.numRuns, shrink: task.shrink, ...(tick === undefined ? {} : { onRun: tick, onStep: tick }) };
  if (task.kind === 'sample') {
    const chunk = sampleChunk(row, opts, task.from, task.runs);
    return { kind: 'sampled', rowId: task.rowId, chunk, ms: performance.now() - t0, cpuMs: cpu() };
  }
  const counterexample = shrinkCell(row, task.invariant, task.tally, opts);
  return { kind: 'shrunk', rowId: task.rowId, invariant: task.invariant, counterexample, ms: performance.now() - t0, cpuMs: cpu() };
};
