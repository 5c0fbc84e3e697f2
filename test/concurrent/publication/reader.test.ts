/**
 * The reader against published tables, in one thread (reader and owner share the event
 * loop, so every step is deterministic): translation, access semantics, ioeventfds, MMIO
 * exits, table growth, adoption and errors. The same suite runs under every strategy.
 */
import { describe, expect, test } from 'vitest';
import { SharedViewPublisher } from '../../../src/concurrent/publication/publisher.js';
import { STRATEGIES, TableRegionType } from '../../../src/concurrent/reader/reader-api.js';
import { Translation } from '../../../src/concurrent/reader/translation.js';
import { SharedView } from '../../../src/concurrent/strategies/shared-view.js';
import { EventFd } from '../../../src/host/event-fd.js';
import { HostMemMapping } from '../../../src/host/mapping.js';
import { doorbell, ioRegion, plainView, ramRegion, romRegion } from './helpers.js';

function setup(strategy: (typeof STRATEGIES)[number]) {
  const publisher = new SharedViewPublisher({ strategy, batchLimit: 8 });
  // Readers match doorbells themselves, as under KVM (hyp_ioevtfd_enabled on).
  publisher.publishFlags({ hypIoeventfd: true, dirtyLog: false });
  const reader = SharedView.attach(publisher.readerHandle(publisher.allocateReader()));
  return { publisher, reader };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe.each(STRATEGIES)('reader under %s', (strategy) => {
  //   0        1000      2000      3000      4000
  //   |-ram1---|-ram2----|         |-io------|
  const m1 = HostMemMapping.create({ size: 1000, name: 'ram1' });
  const m2 = HostMemMapping.create({ size: 4000, name: 'ram2' });
  const ram1 = ramRegion(m1);
  const ram2 = ramRegion(m2);
  const io = ioRegion('uart');
  const rows = [
    [0, 1000, ram1, 0],
    [1000, 1000, ram2, 500],
    [3000, 1000, io, 0],
  ] as const;

  test('translate gives region, host address and generation of the adopted view', () => {
    const { publisher, reader } = setup(strategy);
    publisher.publish(plainView(7, rows));
    reader.online();
    const t = new Translation();
    expect(reader.translate(10, t)).toBe(true);
    expect([t.generation, t.regionId, t.hostAddress, t.start, t.end]).toEqual([
      7,
      ram1.id,
      m1.hostAddress + 10,
      0,
      1000,
    ]);
    expect(reader.translate(1500, t)).toBe(true);
    expect([t.regionId, t.hostAddress, t.offsetInRegion]).toEqual([
      ram2.id,
      m2.hostAddress + 1000,
      1000,
    ]);
    expect(reader.translate(3004, t)).toBe(true);
    expect([t.regionId, t.regionType, t.hostAddress]).toEqual([io.id, TableRegionType.IO, -1]);
    expect(reader.translate(2500, t)).toBe(false);
    expect(t.regionId).toBe(-1);
    reader.offline();
  });

  test('u8..u64 round-trip little-endian; a span crosses adjacent RAM pieces', () => {
    const { publisher, reader } = setup(strategy);
    publisher.publish(plainView(1, rows));
    reader.online();
    reader.writeU32(100, 0x11223344);
    expect(m1.bytes.slice(100, 104)).toEqual(new Uint8Array([0x44, 0x33, 0x22, 0x11]));
    expect(reader.readU16(101)).toBe(0x2233);
    reader.writeU64(996, 0x0102030405060708n);
    expect(reader.readU64(996)).toBe(0x0102030405060708n);
    expect(m1.bytes[999]).toBe(0x05);
    expect(m2.bytes[500]).toBe(0x04);
    const span = new Uint8Array(6);
    reader.read(997, span);
    expect(Array.from(span)).toEqual([0x07, 0x06, 0x05, 0x04, 0x03, 0x02]);
    reader.writeU8(1999, 0xab);
    expect(reader.readU8(1999)).toBe(0xab);
    reader.offline();
  });

  test('a write that leaves RAM fails whole and lands nothing', () => {
    const { publisher, reader } = setup(strategy);
    publisher.publish(plainView(1, rows));
    reader.online();
    reader.writeU8(1996, 0x5a);
    expect(codeOf(() => reader.writeU64(1996, 0xffffffffffffffffn))).toBe('RegionNotFound');
    expect(reader.readU8(1996)).toBe(0x5a);
    expect(codeOf(() => reader.readU32(2500))).toBe('RegionNotFound');
    reader.offline();
  });

  test('bad addresses are typed errors', () => {
    const { publisher, reader } = setup(strategy);
    publisher.publish(plainView(1, rows));
    reader.online();
    expect(codeOf(() => reader.readU32(1.5))).toBe('InvalidArgument');
    expect(codeOf(() => reader.readU32(-4))).toBe('InvalidArgument');
    expect(codeOf(() => reader.readU32(2 ** 53))).toBe('Overflow');
    reader.offline();
  });

  test('IO goes whole to the MMIO handler; without one it is RegionType', () => {
    const { publisher, reader } = setup(strategy);
    publisher.publish(plainView(1, rows));
    reader.online();
    expect(codeOf(() => reader.readU32(3008))).toBe('RegionType');
    const exits: string[] = [];
    reader.setMmioHandler((id, base, offset, data, isWrite) => {
      exits.push(`${id === io.id ? 'uart' : id} ${base} ${offset} ${data.length} ${isWrite}`);
      if (!isWrite) data.fill(0x7f);
      return offset !== 12;
    });
    expect(reader.readU16(3008)).toBe(0x7f7f);
    reader.writeU32(3004, 1);
    expect(codeOf(() => reader.writeU8(3012, 1))).toBe('IoAccess');
    expect(exits).toEqual(['uart 3000 8 2 false', 'uart 3000 4 4 true', 'uart 3000 12 1 true']);
    reader.offline();
  });

  test('an ioeventfd write signals its EventFd and makes no exit', () => {
    const { publisher, reader } = setup(strategy);
    const any = new EventFd();
    const match = new EventFd();
    publisher.publish(
      plainView(1, rows, [doorbell(3000, 4, any), doorbell(3008, 4, match, 0x42n)]),
    );
    reader.online();
    let exits = 0;
    reader.setMmioHandler(() => {
      exits += 1;
      return true;
    });
    reader.writeU32(3000, 99);
    reader.writeU32(3008, 0x42);
    reader.writeU32(3008, 0x43);
    reader.writeU16(3000, 1);
    expect([any.read(), match.read(), exits]).toEqual([1, 1, 2]);
    reader.offline();
  });

  test('the reader counts the writes an ioeventfd took and the accesses that exited', () => {
    const { publisher, reader } = setup(strategy);
    const fd = new EventFd();
    publisher.publish(plainView(1, rows, [doorbell(100, 4, fd, 5n), doorbell(3000, 4, fd)]));
    reader.online();
    reader.setMmioHandler((_id, _base, offset) => offset !== 12);
    expect([reader.ioeventfdSignals, reader.mmioExits]).toEqual([0, 0]);
    reader.writeU32(100, 5); // doorbell in RAM, data matches: signal
    reader.writeU32(100, 6); // data does not match: memory
    reader.writeU32(3000, 1); // doorbell in IO: signal
    reader.writeU16(3000, 1); // size does not match: exit
    reader.readU32(3004); // exit
    expect(codeOf(() => reader.writeU8(3012, 1))).toBe('IoAccess'); // an exit the device failed
    reader.writeU32(200, 1); // memory
    reader.readU32(100); // memory
    expect([reader.ioeventfdSignals, reader.mmioExits, fd.read()]).toEqual([2, 3, 2]);
    reader.offline();
  });

  test('u32 values >= 2**31 keep their bytes on every write path', () => {
    const { publisher, reader } = setup(strategy);
    const match = new EventFd();
    publisher.publish(plainView(1, rows, [doorbell(3008, 4, match, 0xdeadbeefn)]));
    reader.online();
    const exited: number[][] = [];
    reader.setMmioHandler((_id, _base, _offset, data) => {
      exited.push([...data]);
      return true;
    });
    reader.writeU32(1500, 0xcafef00d); // first write to ram2: fills the write cache
    reader.writeU32(1504, 0x80000001); // cached
    reader.writeU32(100, 0xfffffffe); // ram1: another range
    reader.writeU32(1508, 0x9abcdef0); // ram2 again: from the recent ranges
    reader.writeU16(1512, 0xbeef);
    reader.writeU8(1514, 0xff);
    reader.writeU32(3008, 0xdeadbeef); // ioeventfd with data match: signals, no exit
    reader.writeU32(3012, 0xfedcba98); // MMIO exit
    expect([...m2.bytes.slice(1000, 1015)]).toEqual([
      0x0d, 0xf0, 0xfe, 0xca, 0x01, 0x00, 0x00, 0x80, 0xf0, 0xde, 0xbc, 0x9a, 0xef, 0xbe, 0xff,
    ]);
    expect(reader.readU32(100)).toBe(0xfffffffe);
    expect([match.read(), exited]).toEqual([1, [[0x98, 0xba, 0xdc, 0xfe]]]);
    reader.offline();
  });

  test('an ioeventfd inside RAM still matches after other writes to that RAM', () => {
    const { publisher, reader } = setup(strategy);
    const fd = new EventFd();
    publisher.publish(plainView(1, rows, [doorbell(100, 4, fd, 5n)]));
    reader.online();
    reader.writeU32(200, 1);
    reader.writeU32(100, 5);
    reader.writeU32(100, 6);
    reader.writeU32(104, 7);
    expect([fd.read(), reader.readU32(100), reader.readU32(104)]).toEqual([1, 6, 7]);
    reader.offline();
  });

  test('accesses alternating between ranges read and write the right bytes', () => {
    const { publisher, reader } = setup(strategy);
    const pieces = Array.from({ length: 6 }, (_, i) =>
      HostMemMapping.create({ size: 64, name: `p${i}` }),
    );
    publisher.publish(
      plainView(
        1,
        pieces.map((m, i) => [i * 100, 64, ramRegion(m)] as const),
      ),
    );
    reader.online();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 6; i++) reader.writeU32(i * 100 + 4 * round, i * 10 + round);
    }
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) seen.push(reader.readU32(i * 100 + 8), reader.readU8(i * 100));
    expect(seen).toEqual([2, 0, 12, 10, 22, 20, 32, 30, 42, 40, 52, 50]);
    expect(new Uint32Array(pieces[5]!.buffer)[1]).toBe(51);
    publisher.publish(plainView(2, [[0, 64, ramRegion(pieces[1]!)]]));
    reader.quiescent();
    expect(reader.readU32(8)).toBe(12);
    expect(codeOf(() => reader.readU32(208))).toBe('RegionNotFound');
    reader.offline();
  });

  test('ROM device: romd reads memory, writes exit; romd off exits; read-only RAM refuses writes', () => {
    const { publisher, reader } = setup(strategy);
    const rom = HostMemMapping.create({ size: 100, name: 'rom' });
    const ro = HostMemMapping.create({ size: 100, name: 'ro', readOnly: true });
    rom.bytes[4] = 0x99;
    publisher.publish(
      plainView(1, [
        [0, 100, romRegion(rom, true)],
        [100, 100, romRegion(rom, false)],
        [200, 100, ramRegion(ro)],
      ]),
    );
    reader.online();
    const exits: string[] = [];
    reader.setMmioHandler((_id, _base, offset, data, isWrite) => {
      exits.push(`${offset} ${isWrite}`);
      data.fill(1);
      return true;
    });
    expect(reader.readU8(4)).toBe(0x99);
    reader.writeU8(4, 0);
    expect(reader.readU8(104)).toBe(1);
    expect(codeOf(() => reader.writeU8(204, 1))).toBe('RegionType');
    expect(exits).toEqual(['4 true', '4 false']);
    expect(rom.bytes[4]).toBe(0x99);
    reader.offline();
  });

  test('a new view is adopted within batchLimit accesses, at once at quiescent(); offline readers fault', () => {
    const { publisher, reader } = setup(strategy);
    const a = ramRegion(m1, 'a');
    const b = ramRegion(m2, 'b');
    publisher.publish(plainView(1, [[0, 1000, a]]));
    reader.online();
    const t = new Translation();
    reader.translate(0, t);
    expect(t.regionId).toBe(a.id);
    publisher.publish(plainView(2, [[0, 1000, b]]));
    for (let i = 0; i < 8; i++) reader.readU8(0);
    reader.translate(0, t);
    expect([t.generation, t.regionId]).toEqual([2, b.id]);
    publisher.publish(plainView(3, [[0, 1000, a]]));
    reader.quiescent();
    expect(reader.generation).toBe(3);
    reader.offline();
    expect(codeOf(() => reader.readU8(0))).toBe('ReaderFault');
  });

  test('tables grow past their capacity and readers follow through the directory', () => {
    const { publisher, reader } = setup(strategy);
    publisher.publish(plainView(1, rows));
    reader.online();
    const many = Array.from({ length: 300 }, (_, i) => [i * 10, 10, ram2, i * 10] as const);
    publisher.publish(plainView(2, many));
    reader.quiescent();
    const t = new Translation();
    expect(reader.translate(2995, t)).toBe(true);
    expect([t.generation, t.hostAddress]).toEqual([2, m2.hostAddress + 2995]);
    expect(publisher.stats().tables).toBeGreaterThanOrEqual(2);
    reader.offline();
  });
});

describe('publisher options', () => {
  test.each([
    [
      { strategy: 'bogus' },
      'publisher.strategy: must be one of rcu, seqlock, mutex, rwlock, refcount, hazard, ebr, leftright, none or a module path such as ./my-strategy.js, got "bogus"',
    ],
    [{ maxReaders: 0 }, 'publisher.maxReaders: must be an integer from 1 to 4096, got 0'],
    [{ leaseMs: -1 }, 'publisher.leaseMs: must be a positive number, got -1'],
    [{ batchLimit: 1.5 }, 'publisher.batchLimit: must be an integer from 1 to 1048576, got 1.5'],
    [{ check: 'yes' }, 'publisher.check: must be a boolean, got yes'],
  ])('%o is refused', (options, message) => {
    expect(() => new SharedViewPublisher(options as never)).toThrow(message);
  });

  test('an unsorted view is refused with UpdateTopology and publishes nothing', () => {
    const publisher = new SharedViewPublisher();
    const m = HostMemMapping.create({ size: 100 });
    const r = ramRegion(m);
    expect(
      codeOf(() =>
        publisher.publish(
          plainView(1, [
            [50, 10, r],
            [0, 10, r],
          ]),
        ),
      ),
    ).toBe('UpdateTopology');
    expect(publisher.currentEpoch).toBe(0);
  });

  test('reader slots are allocated lowest first and refused when all are taken', () => {
    const publisher = new SharedViewPublisher({ maxReaders: 2 });
    expect([publisher.allocateReader(), publisher.allocateReader()]).toEqual([0, 1]);
    expect(codeOf(() => publisher.allocateReader())).toBe('InvalidArgument');
    publisher.releaseReader(0);
    expect(publisher.allocateReader()).toBe(0);
    expect(codeOf(() => publisher.readerHandle(5))).toBe('InvalidArgument');
  });
});
