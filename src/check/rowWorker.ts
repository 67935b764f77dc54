/**
 * A worker thread that searches configurations of the guarantee matrix on request. It rebuilds
 * the matrix from the base config it is given (rows carry no functions, only data), so a
 * row's result does not depend on which thread ran it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SimConfig } from '../sim/config.ts';
import { buildMatrix, rowById } from './matrix.ts';
import { searchRow } from './search.ts';

export interface RowRequest {
  readonly rowId: string;
  readonly seed: number;
  readonly numRuns: number;
  readonly shrink: boolean;
}

const { base } = workerData as { base: SimConfig | undefined; module: string };
const matrix = buildMatrix(base);
parentPort?.on('message', (req: RowRequest | null) => {
  if (req === null) {
    parentPort?.close();
    return;
  }
  const result = searchRow(rowById(req.rowId, matrix), { seed: req.seed, numRuns: req.numRuns, shrink: req.shrink });
  parentPort?.postMessage(result);
});
