/**
 * A worker thread of the parallel exhaustive search (parallel.ts): runs its part of the search
 * over the shared buffers it is given and posts the result. Loaded bundled by esbuild, or
 * through tsx's loader (src/check/workerBoot.mjs).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { searchWorker, type WorkerInit, type WorkerMessage } from './parallel.ts';

const { init } = workerData as { init: WorkerInit };
const post = (m: WorkerMessage): void => parentPort?.postMessage(m);
try {
  post({ kind: 'done', result: searchWorker(init, post) });
} catch (err) {
  post({ kind: 'error', message: (err as Error).stack ?? String(err) });
}
