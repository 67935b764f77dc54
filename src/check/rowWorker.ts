/**
 * A worker thread that runs search tasks of the guarantee matrix on request (task.ts): a chunk of
 * the sample phase of a configuration, or the shrinking of one invariant's first counterexample.
 * It rebuilds the matrix from the base config it is given (rows carry no functions, only data),
 * so a task's result does not depend on which thread ran it.
 *
 * parallel.ts loads this file bundled by esbuild into one plain JavaScript module (no TypeScript
 * transform in the worker), or through tsx's loader (workerBoot.mjs) when esbuild is missing.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { SimConfig } from '../sim/config.ts';
import { buildMatrix, rowById } from './matrix.ts';
import { runTask, type WorkerReply, type WorkerTask } from './task.ts';

export type { WorkerReply, WorkerTask };

/** `replies`: the port the main thread reads replies from, even in the middle of its own task (parallel.ts). */
const { base, replies } = workerData as { base: SimConfig | undefined; replies?: MessagePort };
const matrix = buildMatrix(base);
const reply = (r: WorkerReply): void => (replies ?? parentPort)?.postMessage(r);

parentPort?.on('message', (task: WorkerTask | null) => {
  if (task === null) {
    replies?.close();
    parentPort?.close();
    return;
  }
  reply(runTask(rowById(task.rowId, matrix), task));
});
reply({ kind: 'ready' });
