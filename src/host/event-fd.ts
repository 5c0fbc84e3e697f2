/**
 * `EventFd`: a counter in shared memory that any thread can signal (SPEC 5, ioeventfds).
 *
 * Modelled on Linux eventfd in counter mode: `signal()` adds one, `read()` returns the
 * count and clears it. Waiting is `Atomics.wait` (worker threads) or
 * `Atomics.waitAsync` (any thread, never blocks). An EventFd crosses threads as its
 * `describe()` object and comes back with `EventFd.fromShared`.
 */
import { AddressSpaceError } from '../base/errors.js';

const kCount = 0;
/** Bumped on every signal: waiters sleep on it so a read() cannot hide a signal from them. */
const kSeq = 1;
const WORDS = 2;

/** The plain data that recreates an `EventFd` in another thread (its shared buffer). */
export interface SharedEventFdDescriptor {
  readonly id: number;
  readonly buffer: SharedArrayBuffer;
}

let nextId = 1;

/**
 * An eventfd on shared memory: a counter that `signal()` adds one to (from any thread),
 * `read()` takes and resets and `peek()` looks at; `wait(timeoutMs)` / `waitAsync(timeoutMs)`
 * block until it is non-zero. `describe()` gives the plain data another thread passes to
 * `EventFd.fromShared`.
 */
export class EventFd {
  readonly id: number;
  readonly buffer: SharedArrayBuffer;
  private readonly words: Int32Array;

  constructor() {
    this.id = nextId++;
    this.buffer = new SharedArrayBuffer(WORDS * Int32Array.BYTES_PER_ELEMENT);
    this.words = new Int32Array(this.buffer);
  }

  /** Rebuilds a handle on an EventFd created in another thread. */
  static fromShared(d: SharedEventFdDescriptor): EventFd {
    if (!(d?.buffer instanceof SharedArrayBuffer) || d.buffer.byteLength !== WORDS * 4) {
      throw AddressSpaceError.invalidArgument('not a shared EventFd descriptor');
    }
    const fd = Object.create(EventFd.prototype) as {
      id: number;
      buffer: SharedArrayBuffer;
      words: Int32Array;
    };
    fd.id = d.id;
    fd.buffer = d.buffer;
    fd.words = new Int32Array(d.buffer);
    return fd as unknown as EventFd;
  }

  describe(): SharedEventFdDescriptor {
    return { id: this.id, buffer: this.buffer };
  }

  /** Adds one to the counter and wakes waiters. */
  signal(): void {
    Atomics.add(this.words, kCount, 1);
    Atomics.add(this.words, kSeq, 1);
    Atomics.notify(this.words, kSeq);
  }

  /** Returns the count and clears it (0 when nothing was signalled). */
  read(): number {
    return Atomics.exchange(this.words, kCount, 0);
  }

  /** The count, without clearing it. */
  peek(): number {
    return Atomics.load(this.words, kCount);
  }

  /**
   * Blocks until the counter is non-zero or `timeoutMs` passes; returns whether it is
   * non-zero. Not allowed on a thread that may not block (a browser main thread).
   */
  wait(timeoutMs = Number.POSITIVE_INFINITY): boolean {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const seq = Atomics.load(this.words, kSeq);
      if (Atomics.load(this.words, kCount) !== 0) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.words, kSeq, seq, left);
    }
  }

  /** Resolves `true` once the counter is non-zero, `false` after `timeoutMs`. Never blocks. */
  async waitAsync(timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const seq = Atomics.load(this.words, kSeq);
      if (Atomics.load(this.words, kCount) !== 0) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      const r = Atomics.waitAsync(
        this.words,
        kSeq,
        seq,
        left === Number.POSITIVE_INFINITY ? undefined : left,
      );
      if (r.async) await r.value;
    }
  }
}
