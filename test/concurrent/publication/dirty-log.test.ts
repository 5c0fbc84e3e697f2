/**
 * Dirty logging from reader threads (SPEC 10) and the hyp_ioevtfd flag that readers see
 * with the table (SPEC 5): a reader marks every write once the address space has started
 * logging and the grace period has passed, through every write path (first-level cache,
 * recent ranges, spans, u64), and no write that starts after `startDirtyLog()` resolved
 * goes unmarked while a worker writes flat out as logging turns on.
 */
import { describe, expect, it } from 'vitest';
import { SharedViewPublisher } from '../../../src/concurrent/publication/publisher.js';
import { SharedView } from '../../../src/concurrent/strategies/shared-view.js';
import { AddressSpace } from '../../../src/core/address-space.js';
import { Region } from '../../../src/core/region.js';
import { EventFd } from '../../../src/host/event-fd.js';
import { HostMemMapping } from '../../../src/host/mapping.js';
import { ReaderThread } from './helpers.js';

const MiB = 2 ** 20;
const SAFE = ['rcu', 'seqlock', 'mutex'] as const;

function machine(strategy: (typeof SAFE)[number] | 'none' = 'rcu', hyp = true) {
  const root = Region.initContainerRegion(64 * MiB, 'root');
  const ram = HostMemMapping.create({ size: MiB, name: 'ram' });
  const ram2 = HostMemMapping.create({ size: MiB, name: 'ram2' });
  root.addSubregion(Region.initRamRegion(ram, 'ram'), 0);
  root.addSubregion(Region.initRamRegion(ram2, 'ram2'), MiB); // adjacent: spans cross
  const kick = new EventFd();
  const log: number[] = [];
  const bell = Region.initIoRegion(
    0x100,
    {
      read: () => true,
      write: (data) => {
        log.push(data[0]!);
        return true;
      },
    },
    'bell',
  );
  bell.setIoeventfds([{ addrRange: { base: 0, size: 4 }, dataMatch: false, data: 0n, fd: kick }]);
  root.addSubregion(bell, 32 * MiB);
  const as = new AddressSpace(root, 'memory');
  as.setIoevtfdEnabled(hyp);
  const publisher = SharedViewPublisher.attachTo(as, { strategy, maxReaders: 4 });
  const reader = SharedView.attach(publisher.readerHandle(publisher.allocateReader()));
  return { as, publisher, reader, kick, log };
}

function pagesOf(log: ReturnType<AddressSpace['syncDirtyLog']>) {
  return log.mappings.map((m) => [m.name, [...m.pages]]);
}

describe('dirty logging from a reader', () => {
  for (const strategy of [...SAFE, 'none'] as const) {
    it(`${strategy}: every write path marks its pages once logging is on`, async () => {
      const { as, publisher, reader } = machine(strategy);
      reader.online();
      reader.writeU32(0x1000, 1); // before: fills the unmarked write cache
      reader.quiescent();
      const started = as.startDirtyLog();
      reader.quiescent(); // a slice boundary: adopts the view with the flag
      await started;
      reader.writeU32(0x1004, 2); // the cached range of before must not skip the mark
      reader.writeU8(0x3000, 3);
      reader.writeU16(0x5ffe, 4);
      reader.writeU32(0x6ffe, 5); // unaligned across pages 6 and 7
      reader.writeU64(0x8000, 6n);
      reader.write(MiB - 2, new Uint8Array([1, 2, 3, 4])); // across the two mappings
      reader.readU32(0x9000); // reads mark nothing
      const log = as.syncDirtyLog();
      expect(pagesOf(log)).toEqual([
        ['ram', [1, 3, 5, 6, 7, 8, 255]],
        ['ram2', [0]],
      ]);
      expect(log.total).toBe(8);
      expect(reader.readU32(0x1004)).toBe(2);
      as.stopDirtyLog();
      reader.quiescent();
      await as.synchronize();
      reader.writeU32(0x2000, 1);
      expect(as.syncDirtyLog().total).toBe(0);
      reader.offline();
      reader.close();
      publisher.close();
    });
  }

  for (const strategy of SAFE) {
    it(`${strategy}: no write after startDirtyLog() resolved goes unmarked (worker writing flat out)`, async () => {
      const { as, publisher } = machine(strategy);
      const span = MiB;
      const thread = new ReaderThread({
        handle: publisher.readerHandle(publisher.allocateReader()),
        loop: 'pages',
        span,
        seed: 1,
      });
      await thread.online;
      await new Promise((r) => setTimeout(r, 20));
      await as.startDirtyLog();
      // What every page held when logging became binding.
      const before = new Uint32Array(span / 4096);
      for (let p = 0; p < before.length; p++) before[p] = as.readU32(p * 4096 + 4);
      await new Promise((r) => setTimeout(r, 50));
      const result = await thread.finish();
      const dirty = new Set(
        as.syncDirtyLog().mappings.flatMap((m) => (m.name === 'ram' ? m.pages : [])),
      );
      const changed: number[] = [];
      for (let p = 0; p < before.length; p++) {
        if (as.readU32(p * 4096 + 4) !== before[p]) changed.push(p);
      }
      expect(result.accesses).toBeGreaterThan(0);
      expect(changed.length).toBeGreaterThan(0);
      expect(changed.filter((p) => !dirty.has(p))).toEqual([]);
      publisher.close();
    });
  }
});

describe('hyp_ioevtfd_enabled as readers see it (SPEC 5)', () => {
  it('on: a reader write matching the doorbell signals in the reader and makes no exit', () => {
    const { publisher, reader, kick, log } = machine('rcu', true);
    let exits = 0;
    reader.setMmioHandler(() => {
      exits++;
      return true;
    });
    reader.online();
    reader.writeU32(32 * MiB, 9);
    expect([kick.read(), exits, reader.ioeventfdSignals, log]).toEqual([1, 0, 1, []]);
    reader.offline();
    reader.close();
    publisher.close();
  });

  it('off: the same write exits; the owner matches it (matchExitedWrite) and signals', () => {
    const { as, publisher, reader, kick, log } = machine('rcu', false);
    reader.setMmioHandler((_id, base, offset, data, isWrite) => {
      if (isWrite && as.matchExitedWrite(base + offset, data)) return true;
      log.push(data[0]!);
      return true;
    });
    reader.online();
    reader.writeU32(32 * MiB, 9);
    expect([kick.read(), reader.mmioExits, reader.ioeventfdSignals, log]).toEqual([1, 1, 0, []]);
    reader.writeU32(32 * MiB + 8, 7); // no doorbell there: the device gets it
    expect([kick.read(), reader.mmioExits, log]).toEqual([0, 2, [7]]);
    reader.offline();
    reader.close();
    publisher.close();
  });

  it("owner's write*: off signals, on goes to the device", () => {
    const off = machine('rcu', false);
    off.as.writeU32(32 * MiB, 1, 'MMIO');
    expect([off.kick.read(), off.log]).toEqual([1, []]);
    const on = machine('rcu', true);
    on.as.writeU32(32 * MiB, 1, 'MMIO');
    expect([on.kick.read(), on.log]).toEqual([0, [1]]);
    off.publisher.close();
    on.publisher.close();
  });
});
