import { Worker } from 'node:worker_threads';

/**
 * A worker thread running one of the local stack's TypeScript modules. The thread loads the module through tsx's
 * loader itself, so it starts the same way under `npm start` (tsx), the benchmarks and vitest (which loads modules its
 * own way and passes no loader to its threads). The module reads what it was given from `threadData()`.
 */

// a CommonJS eval'd worker, so no loader file of its own is needed
const BOOT =
  "const { workerData } = require('node:worker_threads'); import('tsx/esm/api').then(({ tsImport }) => tsImport(workerData.module, workerData.module));";

export function startTsThread(module: URL, data: unknown): Worker {
  return new Worker(BOOT, { eval: true, workerData: { module: module.href, data } });
}
