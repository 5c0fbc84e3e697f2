import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { EventFd } from '../../src/host/event-fd.js';

describe('EventFd', () => {
  it('counts signals and clears on read', () => {
    const fd = new EventFd();
    expect(fd.read()).toBe(0);
    fd.signal();
    fd.signal();
    expect(fd.peek()).toBe(2);
    expect(fd.read()).toBe(2);
    expect(fd.read()).toBe(0);
  });

  it('wait times out when nothing was signalled', () => {
    const fd = new EventFd();
    expect(fd.wait(5)).toBe(false);
    fd.signal();
    expect(fd.wait(5)).toBe(true);
  });

  it('is signalled from another thread and wakes waitAsync', async () => {
    const fd = new EventFd();
    const waiting = fd.waitAsync(10_000);
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       const w = new Int32Array(workerData.buffer);
       Atomics.add(w, 0, 1); Atomics.add(w, 1, 1); Atomics.notify(w, 1);`,
      { eval: true, workerData: fd.describe() },
    );
    // Listened for at once: the worker may exit before the wait below resolves.
    const exited = new Promise((r) => worker.once('exit', r));
    expect(await waiting).toBe(true);
    expect(fd.read()).toBe(1);
    await exited;
  });

  it('round-trips through its shared descriptor', () => {
    const fd = new EventFd();
    const copy = EventFd.fromShared(fd.describe());
    copy.signal();
    expect(fd.read()).toBe(1);
    expect(copy.id).toBe(fd.id);
  });
});
