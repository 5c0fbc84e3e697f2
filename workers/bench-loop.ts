/**
 * Worker entry of the bare reader loops (bench/reader-loop.ts): runs this thread's loop
 * from `workerData` until the owner says exit. Thin: the loop is in the bench.
 */
import { workerData } from 'node:worker_threads';
import { type LoopWorkerData, runLoopWorker } from '../src/bench/reader-loop.js';

runLoopWorker(workerData as LoopWorkerData);
