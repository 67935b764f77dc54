// Boots a worker thread on the TypeScript sources when parallel.ts could not bundle them:
// registers tsx's loader, then imports the module named in workerData (worker threads do not
// inherit the parent's loader).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
