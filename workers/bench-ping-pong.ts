/**
 * Worker entry of the bench's ping-pong (bench/ping-pong.ts): plays the role named in
 * `workerData` until the owner sets the stop flag. Thin: the loop is in the bench.
 */
import { workerData } from 'node:worker_threads';
import { type PingPongData, runPingPong } from '../src/bench/ping-pong.js';

runPingPong(workerData as PingPongData);
