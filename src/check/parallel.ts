/**
 * Searches configurations of the guarantee matrix on all cores.
 *
 * The work is split into tasks (issue 7, item 2): the sample phase of each configuration in
 * chunks of SAMPLE_CHUNK_RUNS runs (search.ts sampleChunk), then, once all of a configuration's
 * chunks are back and merged (mergeChunks), the shrinking of each violated invariant's first
 * counterexample (shrinkCell), then assembleRow. Sample chunks go first, largest configuration
 * first: they are short and they reveal the shrink tasks, which are long and uneven (one
 * configuration's shrink may cost a tenth of the whole search), so by the time the workers run
 * out of chunks most shrink tasks are known and can go longest first (estimated by the events
 * and commands of the run to shrink), which keeps the tail short. Every task is a pure function
 * of its inputs (seeded, deterministic) and chunks are merged in run order, so the results are
 * the same whatever the number of workers; they are returned in the order of the rows given.
 *
 * N threads search: this one and N-1 worker threads (see searchRows). Workers run the search
 * code bundled once by esbuild (workerBundle.ts), not through tsx, and are started before the
 * first task is queued. Each thread's CPU time per task (threadCpu.ts) is summed per thread in
 * `stats`: on a shared machine, the busiest thread's CPU time says how well the work was
 * spread, whatever the other processes took.
 *
 * `shardRows` picks the rows of one CI shard (`--shard i/n`): row k goes to shard (k mod n) + 1.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { SimConfig } from '../sim/config.ts';
import type { MatrixRow } from './matrix.ts';
import { assembleRow, mergeChunks, sampleChunks, searchRow, type Counterexample, type RowResult, type SampledChunk, type SampledRow } from './search.ts';
import { runTask, type WorkerReply, type WorkerTask } from './task.ts';
import { bundledWorker } from './workerBundle.ts';

export interface ParallelOptions {
  readonly seed: number;
  readonly numRuns: number;
  readonly shrink?: boolean;
  /** Threads searching: this one plus `workers - 1` worker threads (1: this thread alone). Default: the machine's parallelism. */
  readonly workers?: number;
  /** The base config the rows were built from (workers rebuild the same matrix). */
  readonly base?: SimConfig | undefined;
  readonly onRowDone?: (result: RowResult) => void;
  /** Filled in when given: how the work went (for the benchmark). */
  readonly stats?: ParallelStats;
}

export interface ParallelStats {
  tasks: number;
  /** Per worker: the CPU time of its thread spent on tasks (null where it cannot be read, see threadCpu.ts). */
  workerCpuMs: (number | null)[];
  /** Per worker: the wall time it spent on tasks. */
  workerBusyMs: number[];
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
  /** The sample chunks, by index; the row is sampled when none is missing. */
  readonly chunks: (SampledChunk | undefined)[];
  chunksLeft: number;
  sampled: SampledRow | null;
  /** Shrink tasks not yet answered. */
  shrinksLeft: number;
  ms: number;
  readonly found: Map<string, Counterexample>;
}

type ShrinkTask = Extract<WorkerTask, { kind: 'shrink' }>;
type TaskReply = Exclude<WorkerReply, { kind: 'ready' }>;

/**
 * A rough cost of shrinking: fast-check tries about one candidate per command, each a run as long
 * as this one, and a violation that few runs showed keeps fewer of its candidates failing, so it
 * tries more of them: the cost grows with runs / violated runs. Measured on the matrix (seed 1,
 * 300 runs): without that factor, coop-mixed's atLeastOnce shrink (1 violated run in 300) was
 * ranked among the cheap ones and took 4.3 s, 23 % of the whole search, on this thread at the end
 * while the worker sat idle for 2.4 s; shrinks of violations seen in 100+ runs take 10-30 ms.
 * Only the order of the tasks depends on it, never the results.
 */
export const shrinkCost = (t: ShrinkTask): number =>
  t.tally.firstEvents * Math.max(1, t.tally.first?.commands.length ?? 1) * (t.numRuns / Math.max(1, t.tally.violated));

/**
 * `workers` compute threads: this thread and `workers - 1` worker threads. This thread takes its
 * tasks from the short end of the queue (the last sample chunks, then the cheapest shrinks) and
 * hands the workers the long end. Sample chunks come first on both ends, so every configuration's
 * shrinks are known early and the longest can start early (when this thread took shrinks before
 * samples, the smallest configurations were sampled last and a 4.3 s shrink started 3.9 s before
 * the end: 18.0-18.1 s against 17.4-17.7 s now, seed 1, 300 runs, two threads). Workers reply on a port of their own, which this thread also
 * reads synchronously after every run of its own task (receiveMessageOnPort), so a worker gets
 * its next task at once instead of waiting for this thread's task to end. One thread fewer than
 * workers means one V8 isolate fewer that must compile the whole search again (TurboFan's
 * background compilation is a third of a cold thread's CPU time, issue 7 notes).
 */
export const searchRows = async (rows: readonly MatrixRow[], opts: ParallelOptions): Promise<RowResult[]> => {
  const workers = Math.min(opts.workers ?? defaultWorkers(), rows.length);
  const shrink = opts.shrink !== false;
  const stats = opts.stats;
  if (stats !== undefined) {
    stats.tasks = 0;
    stats.workerCpuMs = [];
    stats.workerBusyMs = [];
  }
  if (workers <= 1) {
    return rows.map((row) => {
      const r = searchRow(row, { seed: opts.seed, numRuns: opts.numRuns, shrink });
      opts.onRowDone?.(r);
      return r;
    });
  }
  const byId = new Map(rows.map((r) => [r.id, r]));
  const entry = await workerEntry();
  const ports: MessagePort[] = [];
  const pool = Array.from({ length: workers - 1 }, () => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1);
    return new Worker(entry.url, { workerData: { module: entry.module, base: opts.base, replies: port2 }, transferList: [port2] });
  });
  // Thread 0 is this one; thread i > 0 is pool[i - 1].
  if (stats !== undefined) {
    stats.workerCpuMs = Array.from({ length: workers }, () => 0);
    stats.workerBusyMs = Array.from({ length: workers }, () => 0);
  }
  const results = new Map<string, RowResult>();
  const chunks = sampleChunks(opts.numRuns);
  const state = new Map<string, RowState>(
    rows.map((r) => [r.id, { chunks: chunks.map(() => undefined), chunksLeft: chunks.length, sampled: null, shrinksLeft: 0, ms: 0, found: new Map() }]),
  );
  // Largest configuration first; ties keep the given order (sort is stable); a row's chunks in run order.
  const samples: WorkerTask[] = [...rows]
    .sort((a, b) => estimatedCost(b) - estimatedCost(a))
    .flatMap((r) => chunks.map(([from, runs]): WorkerTask => ({ kind: 'sample', rowId: r.id, from, runs, seed: opts.seed, numRuns: opts.numRuns, shrink })));
  /** Longest first (shrinkCost); ties in the order they became known. */
  const shrinks: ShrinkTask[] = [];
  /** Tasks sent to each worker and not yet answered; a worker is ready once it said so. */
  const outstanding = pool.map(() => 0);
  const ready = pool.map(() => false);
  const searchOpts = { seed: opts.seed, numRuns: opts.numRuns };

  const finish = (rowId: string): void => {
    const s = state.get(rowId) as RowState;
    if (s.sampled === null || s.shrinksLeft > 0) return;
    const r = assembleRow(byId.get(rowId) as MatrixRow, s.sampled, s.found);
    const result: RowResult = { ...r, elapsedMs: s.ms };
    results.set(rowId, result);
    opts.onRowDone?.(result);
  };

  const sampled = (rowId: string, chunk: SampledChunk): void => {
    const s = state.get(rowId) as RowState;
    const k = chunks.findIndex(([from]) => from === chunk.from);
    if (k < 0 || s.chunks[k] !== undefined) throw new Error(`${rowId}: unexpected sample chunk from run ${chunk.from}`);
    s.chunks[k] = chunk;
    s.chunksLeft--;
    if (s.chunksLeft > 0) return;
    s.sampled = mergeChunks(byId.get(rowId) as MatrixRow, searchOpts, s.chunks as SampledChunk[]);
    for (const x of s.sampled.tallies) {
      if (x.tally.first === null) continue;
      const task: ShrinkTask = { kind: 'shrink', rowId, invariant: x.invariant, tally: x.tally, seed: opts.seed, numRuns: opts.numRuns, shrink };
      const cost = shrinkCost(task);
      let i = shrinks.length;
      while (i > 0 && shrinkCost(shrinks[i - 1] as ShrinkTask) < cost) i--;
      shrinks.splice(i, 0, task);
      s.shrinksLeft++;
    }
    finish(rowId);
  };

  /** Takes in what a thread (0: this one) did with one task. */
  const done = (thread: number, m: TaskReply): void => {
    const s = state.get(m.rowId) as RowState;
    s.ms += m.ms;
    if (stats !== undefined) {
      stats.tasks++;
      stats.workerBusyMs[thread] = (stats.workerBusyMs[thread] ?? 0) + m.ms;
      const cpu = stats.workerCpuMs[thread];
      stats.workerCpuMs[thread] = cpu === null || cpu === undefined || m.cpuMs === null ? null : cpu + m.cpuMs;
    }
    if (m.kind === 'sampled') sampled(m.rowId, m.chunk);
    else {
      s.found.set(m.invariant, m.counterexample);
      s.shrinksLeft--;
      finish(m.rowId);
    }
  };

  const longEnd = (): WorkerTask | undefined => samples.shift() ?? shrinks.shift();
  const shortEnd = (): WorkerTask | undefined => samples.pop() ?? shrinks.pop();

  try {
    await new Promise<void>((resolve, reject) => {
      let localScheduled = false;
      let settled = false;
      const fail = (err: unknown): void => {
        settled = true;
        reject(err);
      };
      const dispatch = (): void => {
        if (settled) return;
        if (results.size === rows.length) {
          settled = true;
          resolve();
          return;
        }
        for (let i = 0; i < pool.length; i++) {
          if (!ready[i] || (outstanding[i] as number) > 0) continue;
          const task = longEnd();
          if (task === undefined) break;
          outstanding[i] = 1;
          (pool[i] as Worker).postMessage(task);
        }
        if (!localScheduled && samples.length + shrinks.length > 0) {
          localScheduled = true;
          // After the pending worker messages (setImmediate runs after the poll phase).
          setImmediate(runLocal);
        }
      };
      const onReply = (i: number, m: WorkerReply): void => {
        if (m.kind === 'ready') ready[i] = true;
        else {
          outstanding[i] = 0;
          done(i + 1, m);
        }
        dispatch();
      };
      /** Between two runs of this thread's own task: take in what the workers finished, hand out more. */
      const tick = (): void => {
        for (let i = 0; i < ports.length; i++) {
          for (let r = receiveMessageOnPort(ports[i] as MessagePort); r !== undefined; r = receiveMessageOnPort(ports[i] as MessagePort)) onReply(i, r.message as WorkerReply);
        }
      };
      const runLocal = (): void => {
        localScheduled = false;
        if (settled) return;
        const task = shortEnd();
        try {
          if (task !== undefined) done(0, runTask(byId.get(task.rowId) as MatrixRow, task, tick));
          dispatch();
        } catch (err) {
          fail(err);
        }
      };
      pool.forEach((w, i) => {
        (ports[i] as MessagePort).on('message', (m: WorkerReply) => {
          try {
            onReply(i, m);
          } catch (err) {
            fail(err);
          }
        });
        w.on('error', fail);
        w.on('exit', (code) => {
          if (results.size < rows.length) fail(new Error(`a search worker exited with code ${code} before the search ended`));
        });
      });
      dispatch();
    });
  } finally {
    for (const p of ports) p.close();
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return rows.map((r) => {
    const res = results.get(r.id);
    if (res === undefined) throw new Error(`no result for configuration ${r.id}`);
    return res;
  });
};
