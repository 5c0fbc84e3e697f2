/**
 * The slice's fused path (`performRamBatch`) performs each seed's recorded stream, access
 * for access, through real raw guest memory, in runs of any length, and hands the stream
 * position back exact; it counts reads, writes, faults and exits as the block path does.
 */
import { describe, expect, it } from 'vitest';
import { AddressSpaceError } from '../../../src/base/errors.js';
import {
  AccessGenerator,
  type WorkloadDescription,
} from '../../../src/concurrent/vcpu/access-pattern.js';
import { createMmioMailbox, MmioMailboxClient } from '../../../src/concurrent/vcpu/mmio-mailbox.js';
import { RawGuestMemory } from '../../../src/concurrent/vcpu/raw-memory.js';
import {
  drainTranslationSamples,
  SampleKind,
  SampleRing,
  TRANSLATION_SAMPLE_WIDTH,
} from '../../../src/concurrent/vcpu/sampler.js';
import { type BatchSettings, BatchTally } from '../../../src/concurrent/vcpu/vcpu-batch.js';
import { performRamBatch } from '../../../src/concurrent/vcpu/vcpu-ram-batch.js';
import { type Access, Digest, recorded, text } from './fixtures/stream-digest.js';

/** Raw guest memory that also writes down every access it is asked for, in order. */
class RecordingMemory extends RawGuestMemory {
  readonly seen: Access[] = [];
  /** Called before each access; may throw (a fault) or bump the mailbox (an exit). */
  before: (gpa: number) => void = () => {};

  constructor(base: number, size: number) {
    super({ buffer: new SharedArrayBuffer(size), base });
  }
  override readU32(gpa: number): number {
    this.seen.push({ target: -1, gpa, size: 4, isWrite: false, value: 0, valueHigh: 0 });
    this.before(gpa);
    return super.readU32(gpa);
  }
  override writeU32(gpa: number, value: number): void {
    this.seen.push({ target: -1, gpa, size: 4, isWrite: true, value, valueHigh: 0 });
    this.before(gpa);
    super.writeU32(gpa, value);
  }
}

const OFF: BatchSettings = { sampleEvery: 0, poison: -1 };

/** One fused batch of `count` with a fresh mailbox and sample ring unless given. */
function batch(
  memory: RawGuestMemory,
  run: NonNullable<ReturnType<AccessGenerator['openRamRun']>>,
  count: number,
  tally: BatchTally,
  settings: BatchSettings = OFF,
  mailbox = new MmioMailboxClient(createMmioMailbox()),
  samples = SampleRing.create(4096, TRANSLATION_SAMPLE_WIDTH),
): number {
  return performRamBatch(memory, mailbox, samples, run, count, settings, tally);
}

/** Memory covering every range of `workload`. */
function memoryFor(workload: WorkloadDescription): RecordingMemory {
  const ram = workload.ram ?? [];
  const base = Math.min(...ram.map((r) => r.base));
  const end = Math.max(...ram.map((r) => r.base + r.size));
  return new RecordingMemory(base, end - base);
}

/** The first `n` accesses of `workload` as `next()` gives them. */
function nextStream(workload: WorkloadDescription, n: number): string[] {
  const gen = new AccessGenerator(workload);
  return Array.from({ length: n }, () => {
    gen.next();
    return text(gen);
  });
}

const FUSED = [
  'seq, two ranges, 4 bytes, 75% reads',
  'seq, 32 MiB part, the bench shape',
  'random, 64 MiB, 4 bytes',
  'hot, 16 pages of 64 MiB',
] as const;

/** The sweep without checks takes the int32 loop; these settings take the checking one. */
const CHECKING: BatchSettings = { sampleEvery: 1000, poison: 0xdeadbeef };

describe.each(FUSED)('the fused path on the recorded stream of "%s"', (name) => {
  const rec = recorded[name]!;

  it.each([
    [1, 'no checks', OFF],
    [7, 'no checks', OFF],
    [256, 'no checks', OFF],
    [1000, 'no checks', OFF],
    [256, 'samples and poison check', CHECKING],
  ])('performs the recorded stream in runs of %i (%s)', (runLength, _what, settings) => {
    const gen = new AccessGenerator(rec.workload);
    const memory = memoryFor(rec.workload);
    const mailbox = new MmioMailboxClient(createMmioMailbox());
    const samples = SampleRing.create(256, TRANSLATION_SAMPLE_WIDTH);
    const tally = new BatchTally();
    tally.reset(settings.sampleEvery);
    const run = gen.openRamRun()!;
    let consumed = 0;
    while (consumed < 100_000) {
      const n = Math.min(runLength, 100_000 - consumed);
      consumed += batch(memory, run, n, tally, settings, mailbox, samples);
      drainTranslationSamples(samples);
    }
    gen.closeRamRun();
    const digest = new Digest();
    for (const a of memory.seen) digest.add(a);
    expect(memory.seen.slice(0, rec.first.length).map(text)).toEqual(rec.first);
    expect(digest.hex).toBe(rec.digest100k);
    const writes = memory.seen.filter((a) => a.isWrite).length;
    expect(tally).toMatchObject({
      accesses: 100_000,
      ramAccesses: 100_000,
      reads: 100_000 - writes,
      writes,
      faults: 0,
      poisonReads: 0,
      samples: settings.sampleEvery === 0 ? 0 : 100,
    });
  });

  it('hands back the position: next() goes on at access 301 after a run of 300', () => {
    const gen = new AccessGenerator(rec.workload);
    const run = gen.openRamRun()!;
    batch(memoryFor(rec.workload), run, 300, new BatchTally());
    gen.closeRamRun();
    const after = Array.from({ length: 20 }, () => {
      gen.next();
      return text(gen);
    });
    expect(after).toEqual(nextStream(rec.workload, 320).slice(300));
  });
});

describe('the fused path, float addresses', () => {
  it('sweeps ranges above 4 GiB with the same stream as next()', () => {
    const workload: WorkloadDescription = {
      kind: 'seq',
      seed: 11,
      ram: [
        { base: 2 ** 33, size: 4096 },
        { base: 2 ** 33 + 65536, size: 100 },
      ],
    };
    const gen = new AccessGenerator(workload);
    const run = gen.openRamRun()!;
    expect(run.int32Addresses).toBe(false);
    const memory = memoryFor(workload);
    batch(memory, run, 3000, new BatchTally());
    expect(memory.seen.map(text)).toEqual(nextStream(workload, 3000));
  });
});

describe('the fused path, what it counts', () => {
  const workload = recorded['seq, two ranges, 4 bytes, 75% reads']!.workload;

  it('counts a RegionNotFound as a fault and goes on', () => {
    const run = new AccessGenerator(workload).openRamRun()!;
    const memory = memoryFor(workload);
    let calls = 0;
    memory.before = (gpa) => {
      if (++calls === 5) throw AddressSpaceError.regionNotFound(gpa);
    };
    const tally = new BatchTally();
    expect(batch(memory, run, 10, tally)).toBe(10);
    expect(tally).toMatchObject({ accesses: 10, ramAccesses: 9, faults: 1, notFoundFaults: 1 });
    expect(tally.reads + tally.writes).toBe(9);
  });

  it('ends at a ReaderFault: that access is consumed but not counted', () => {
    const gen = new AccessGenerator(workload);
    const run = gen.openRamRun()!;
    const memory = memoryFor(workload);
    let calls = 0;
    memory.before = () => {
      if (++calls === 4) throw new AddressSpaceError('ReaderFault', 'Reader fault: test');
    };
    const tally = new BatchTally();
    expect(batch(memory, run, 10, tally)).toBe(4);
    expect(tally).toMatchObject({ accesses: 3, ramAccesses: 3, readerFault: true, faults: 0 });
    gen.closeRamRun();
    gen.next();
    expect(text(gen)).toBe(nextStream(workload, 5)[4]);
  });

  it('ends after an access that exited to the owner; that one is no RAM access', () => {
    const run = new AccessGenerator(workload).openRamRun()!;
    const memory = memoryFor(workload);
    const mailbox = new MmioMailboxClient(createMmioMailbox());
    let calls = 0;
    memory.before = () => {
      if (++calls === 6) mailbox.exits++;
    };
    const tally = new BatchTally();
    expect(batch(memory, run, 10, tally, OFF, mailbox)).toBe(6);
    expect(tally).toMatchObject({ accesses: 6, ramAccesses: 5, faults: 0 });
  });

  it('counts a read of the poison word and records it as a Poison sample', () => {
    const memory = memoryFor(workload);
    const first = nextStream(workload, 40).findIndex((a) => a.endsWith(':r'));
    const gpa = Number.parseInt(nextStream(workload, 40)[first]!.split(':')[1]!, 16);
    memory.writeU32(gpa, 0xdeadbeef);
    memory.seen.length = 0;
    const samples = SampleRing.create(16, TRANSLATION_SAMPLE_WIDTH);
    const tally = new BatchTally();
    tally.reset(1000);
    const run = new AccessGenerator(workload).openRamRun()!;
    batch(memory, run, 40, tally, CHECKING, undefined, samples);
    expect(tally).toMatchObject({ accesses: 40, poisonReads: 1, samples: 1 });
    expect(drainTranslationSamples(samples)).toMatchObject([
      { gpa, kind: SampleKind.Poison, regionId: 0 },
    ]);
  });
});

describe('AccessGenerator.openRamRun', () => {
  it.each([
    ['1-byte accesses', 'hot, 1-byte, 3 pages, 50% hot'],
    ['mmio', 'mmio, weighted UART and doorbell'],
    ['mixed', 'mixed, default weights'],
    ['an all-write workload', 'seq, 8-byte writes only'],
  ])('lends nothing for %s (it fills blocks)', (_what, name) => {
    expect(new AccessGenerator(recorded[name]!.workload).openRamRun()).toBeUndefined();
  });

  it('refuses to close a run it did not open', () => {
    const gen = new AccessGenerator(recorded['random, 64 MiB, 4 bytes']!.workload);
    expect(() => gen.closeRamRun()).toThrow('no RAM run is open on this generator');
  });
});
