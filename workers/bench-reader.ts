/**
 * Worker entry of the reader micro benchmarks (bench/reader-micro.ts): times the jobs in
 * `workerData` on this thread and posts the rows back. Thin: the work is in the bench.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type ReaderWorkerData, runReaderJobs } from '../src/bench/reader-micro.js';

parentPort!.postMessage(await runReaderJobs(workerData as ReaderWorkerData));
