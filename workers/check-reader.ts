/**
 * Worker entry of a reader thread of `checkStrategy` (addrspace/testing). Thin: it runs
 * `src/testing/reader-loop.ts` on its `workerData` and posts the result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckReaderData } from '../src/testing/check-protocol.js';
import { runCheckReader } from '../src/testing/reader-loop.js';

parentPort?.postMessage({ kind: 'done', result: runCheckReader(workerData as CheckReaderData) });
