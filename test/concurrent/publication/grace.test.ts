/**
 * Grace periods, reclamation and history on one thread, step by step: the reader runs on
 * the owner's thread, so the test decides exactly when it passes a quiescent state.
 */
import { describe, expect, test } from 'vitest';
import { ViewHistory } from '../../../src/concurrent/publication/history.js';
import { SharedViewPublisher } from '../../../src/concurrent/publication/publisher.js';
import { fillPoison, POISON_U32 } from '../../../src/concurrent/reader/poison.js';
import { SharedView } from '../../../src/concurrent/strategies/shared-view.js';
import { HostMemMapping } from '../../../src/host/mapping.js';
import { plainView, ramRegion } from './helpers.js';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tracked(promise: Promise<void>): { done: boolean } {
  const state = { done: false };
  void promise.then(() => {
    state.done = true;
  });
  return state;
}

async function until(condition: () => boolean, ms = 2000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition() && performance.now() < deadline) await sleep(2);
}

describe.each(['rcu', 'seqlock'] as const)('grace periods under %s', (strategy) => {
  test('synchronize() waits for an online reader until it passes a quiescent state', async () => {
    const publisher = new SharedViewPublisher({ strategy, pollMs: 5 });
    const m = HostMemMapping.create({ size: 4096 });
    const reader = SharedView.attach(publisher.readerHandle(publisher.allocateReader()));
    publisher.publish(plainView(1, [[0, 4096, ramRegion(m)]]));
    reader.online();
    publisher.publish(plainView(2, [[0, 4096, ramRegion(m)]]));
    const grace = tracked(publisher.synchronize());
    await sleep(40);
    expect(grace.done).toBe(false);
    reader.quiescent();
    await until(() => grace.done);
    expect(grace.done).toBe(true);
    reader.offline();
    publisher.publish(plainView(3, [[0, 4096, ramRegion(m)]]));
    await publisher.synchronize();
    expect(publisher.stats().gracePeriods).toBeGreaterThanOrEqual(3);
  });

  test('a removed mapping is poisoned when its grace period ends, and not before', async () => {
    const publisher = new SharedViewPublisher({ strategy, pollMs: 5 });
    const gone = HostMemMapping.create({ size: 4096, name: 'gone' });
    const stays = HostMemMapping.create({ size: 4096, name: 'stays' });
    const reader = SharedView.attach(publisher.readerHandle(publisher.allocateReader()));
    publisher.publish(
      plainView(1, [
        [0, 4096, ramRegion(gone)],
        [4096, 4096, ramRegion(stays)],
      ]),
    );
    reader.online();
    reader.writeU32(0, 7);
    publisher.publish(plainView(2, [[4096, 4096, ramRegion(stays)]]));
    const reclaimed = tracked(new Promise<void>((r) => publisher.whenReclaimed(gone, r)));
    await sleep(30);
    expect([new Uint32Array(gone.buffer)[0], reclaimed.done]).toEqual([7, false]);
    reader.quiescent();
    await until(() => reclaimed.done);
    expect(new Uint32Array(gone.buffer)[0]).toBe(POISON_U32);
    expect(new Uint32Array(stays.buffer)[0]).toBe(0);
    expect(publisher.stats()).toMatchObject({ reclaimedMappings: 1, reclaimedBytes: 4096 });
    reader.offline();
  });

  test('a reader that stalls past the lease is evicted and faults at its next batch', async () => {
    const publisher = new SharedViewPublisher({ strategy, leaseMs: 30, pollMs: 5, batchLimit: 4 });
    const m = HostMemMapping.create({ size: 4096 });
    const reader = SharedView.attach(publisher.readerHandle(publisher.allocateReader()));
    publisher.publish(plainView(1, [[0, 4096, ramRegion(m)]]));
    reader.online();
    publisher.publish(plainView(2, [[0, 4096, ramRegion(m)]]));
    await publisher.synchronize();
    expect(publisher.stats().evictedReaders).toBe(1);
    expect(() => {
      for (let i = 0; i < 8; i++) reader.readU8(0);
    }).toThrow(/evicted/);
    reader.online();
    expect(reader.readU8(0)).toBe(0);
    expect(reader.generation).toBe(2);
    reader.offline();
  });
});

test('a mapping back in the view before its grace period ends is not poisoned', async () => {
  const publisher = new SharedViewPublisher({ pollMs: 5 });
  const m = HostMemMapping.create({ size: 4096 });
  m.bytes[0] = 1;
  publisher.publish(plainView(1, [[0, 4096, ramRegion(m)]]));
  publisher.publish(plainView(2, []));
  publisher.publish(plainView(3, [[8192, 4096, ramRegion(m)]]));
  await publisher.synchronize();
  expect([m.bytes[0], publisher.stats().reclaimedMappings]).toEqual([1, 0]);
});

test('keepContents exempts a mapping from poison, not from reclamation', async () => {
  const publisher = new SharedViewPublisher();
  const rom = HostMemMapping.create({ size: 4096, name: 'rom-image' });
  rom.bytes[0] = 0x55;
  publisher.keepContents(rom);
  publisher.publish(plainView(1, [[0, 4096, ramRegion(rom)]]));
  publisher.publish(plainView(2, []));
  await publisher.synchronize();
  expect([rom.bytes[0], publisher.stats().reclaimedMappings]).toEqual([0x55, 1]);
});

test('without check mode reclaimed memory is counted but not poisoned', async () => {
  const publisher = new SharedViewPublisher({ check: false });
  const m = HostMemMapping.create({ size: 4096 });
  publisher.publish(plainView(1, [[0, 4096, ramRegion(m)]]));
  publisher.publish(plainView(2, []));
  await publisher.synchronize();
  expect([m.bytes[0], publisher.stats().reclaimedMappings, publisher.history]).toEqual([
    0,
    1,
    undefined,
  ]);
});

test('retired tables are reused: 200 publishes with a quiescent reader need few tables', async () => {
  const publisher = new SharedViewPublisher({ pollMs: 1 });
  const m = HostMemMapping.create({ size: 4096 });
  const reader = SharedView.attach(publisher.readerHandle(publisher.allocateReader()));
  publisher.publish(plainView(1, [[0, 4096, ramRegion(m)]]));
  reader.online();
  for (let g = 2; g <= 200; g++) {
    publisher.publish(plainView(g, [[0, 4096, ramRegion(m)]]));
    reader.quiescent();
    await publisher.synchronize();
  }
  expect(publisher.stats().tables).toBeLessThanOrEqual(3);
  expect(publisher.stats().adoptLatencyUs.length).toBeGreaterThan(100);
  reader.offline();
});

test('the history answers per generation and forgets trimmed ones', () => {
  const history = new ViewHistory();
  const a = HostMemMapping.create({ size: 4096 });
  const ram = ramRegion(a);
  history.record(plainView(1, [[0x1000, 0x1000, ram, 0x10]]));
  history.record(plainView(2, []));
  expect(history.expected(1, 0x1800)).toEqual({
    regionId: ram.id,
    hostAddress: a.hostAddress + 0x810,
  });
  expect(history.expected(2, 0x1800)).toBeUndefined();
  expect(
    history.matches({
      generation: 1,
      gpa: 0x1004,
      regionId: ram.id,
      hostAddress: a.hostAddress + 0x14,
    }),
  ).toBe(true);
  expect(history.matches({ generation: 2, gpa: 0x1004, regionId: -1, hostAddress: -1 })).toBe(true);
  history.trimBefore(2);
  expect([history.has(1), history.has(2), history.size]).toEqual([false, true, 1]);
});

test('the poison pattern is 0xDEADBEEF little-endian from the first byte, odd lengths too', () => {
  const bytes = new Uint8Array(11);
  fillPoison(bytes);
  expect(Array.from(bytes)).toEqual([
    0xef, 0xbe, 0xad, 0xde, 0xef, 0xbe, 0xad, 0xde, 0xef, 0xbe, 0xad,
  ]);
});

test('a released mapping leaves the directory once no reader can reach it', async () => {
  const publisher = new SharedViewPublisher();
  const index = publisher.allocateReader();
  const m = HostMemMapping.create({ size: 4096 });
  const mappingsShared = () =>
    publisher.readerHandle(index).directory.entries.filter((e) => e.kind === 'mapping').length;
  publisher.publish(plainView(1, [[0, 4096, ramRegion(m)]]));
  expect(mappingsShared()).toBe(1);
  publisher.publish(plainView(2, []));
  await new Promise<void>((resolve) =>
    publisher.whenReclaimed(m, () => {
      m.release();
      resolve();
    }),
  );
  await sleep(0);
  expect(mappingsShared()).toBe(0);
});
