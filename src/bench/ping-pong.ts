/**
 * The floor under an MMIO exit: a bare cross-thread round trip. Two worker threads share
 * one Int32Array; the pinger stores a sequence number and notifies, the ponger (blocked
 * in `Atomics.wait`) wakes, stores the same number back and notifies, and the pinger
 * (blocked in `Atomics.wait` too) wakes: one round trip, timed by the pinger. No device,
 * no mailbox fields, no event loop: an exit can only be slower than this.
 *
 * Shared words (Int32): 0 ping seq (pinger), 1 pong seq (ponger), 2 stop flag (owner),
 * 3 samples written (pinger). Round trips in µs go to a Float64Array ring of
 * `PING_PONG_CAPACITY`. The owner only starts, stops and reads.
 */
import { Worker } from 'node:worker_threads';
import { sleep } from './timing.js';

export const kPing = 0;
export const kPong = 1;
export const kStop = 2;
export const kCount = 3;
export const PING_PONG_CAPACITY = 1 << 16;

export interface PingPongData {
  readonly role: 'ping' | 'pong';
  readonly words: SharedArrayBuffer;
  readonly samples: SharedArrayBuffer;
}

/** In a worker: plays `data.role` until the stop flag is set. */
export function runPingPong(data: PingPongData): void {
  const w = new Int32Array(data.words);
  if (data.role === 'pong') {
    let seen = 0;
    while (Atomics.load(w, kStop) === 0) {
      Atomics.wait(w, kPing, seen, 100);
      const seq = Atomics.load(w, kPing);
      if (seq === seen) continue;
      seen = seq;
      Atomics.store(w, kPong, seq);
      Atomics.notify(w, kPong);
    }
    return;
  }
  const samples = new Float64Array(data.samples);
  let seq = 0;
  while (Atomics.load(w, kStop) === 0) {
    seq = (seq + 1) | 0;
    const t0 = performance.now();
    Atomics.store(w, kPing, seq);
    Atomics.notify(w, kPing);
    while (Atomics.load(w, kPong) !== seq && Atomics.load(w, kStop) === 0) {
      Atomics.wait(w, kPong, seq - 1, 100);
    }
    const n = Atomics.load(w, kCount);
    samples[n % PING_PONG_CAPACITY] = (performance.now() - t0) * 1000;
    Atomics.store(w, kCount, n + 1);
  }
  // Wake the ponger for its stop check.
  Atomics.notify(w, kPing);
}

const WORKER = new URL('../../workers/bench-ping-pong.js', import.meta.url);

/**
 * Runs the two threads for `warmupMs`, then returns the round trips (µs) of the next
 * `measureMs` (the latest `PING_PONG_CAPACITY` of them).
 */
export async function measurePingPong(warmupMs: number, measureMs: number): Promise<number[]> {
  const words = new SharedArrayBuffer(4 * 4);
  const samples = new SharedArrayBuffer(PING_PONG_CAPACITY * 8);
  const w = new Int32Array(words);
  const workers = (['pong', 'ping'] as const).map(
    (role) => new Worker(WORKER, { workerData: { role, words, samples } satisfies PingPongData }),
  );
  const exited = workers.map(
    (worker) =>
      new Promise<void>((resolve, reject) => {
        worker.once('error', reject);
        worker.once('exit', () => resolve());
      }),
  );
  try {
    await sleep(warmupMs);
    const from = Atomics.load(w, kCount);
    await sleep(measureMs);
    const to = Atomics.load(w, kCount);
    const ring = new Float64Array(samples);
    const out: number[] = [];
    for (let n = Math.max(from, to - PING_PONG_CAPACITY); n < to; n++) {
      out.push(ring[n % PING_PONG_CAPACITY]!);
    }
    return out;
  } finally {
    Atomics.store(w, kStop, 1);
    Atomics.notify(w, kPing);
    Atomics.notify(w, kPong);
    await Promise.all(exited);
  }
}
