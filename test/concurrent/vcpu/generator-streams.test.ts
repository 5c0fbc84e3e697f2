/**
 * Each seed's access stream stays what it was before blocks existed: the fixture holds,
 * per workload, the first 12 accesses and a digest of the first 100k as `next()` gave
 * them when it was the only way to generate (recorded from that code). `next()` and
 * `fill()` in blocks of any size must give exactly that stream, also across a save and
 * restore at any point and after a slice stopped part way through its block.
 */
import { describe, expect, it } from 'vitest';
import {
  ACCESS_WRITE,
  AccessBlock,
  AccessGenerator,
  GENERATOR_STATE_WORDS,
  type WorkloadDescription,
} from '../../../src/concurrent/vcpu/access-pattern.js';
import { type Access, Digest, recorded, text } from './fixtures/stream-digest.js';

/** Access i of a block; a value counts for writes only, its high half for 8-byte ones. */
function fromBlock(block: AccessBlock, i: number): Access {
  const isWrite = block.kind[i] === ACCESS_WRITE;
  const size = block.size[i]!;
  return {
    target: block.target[i]!,
    gpa: block.gpa[i]!,
    size,
    isWrite,
    value: isWrite ? block.value[i]! : 0,
    valueHigh: isWrite && size === 8 ? block.valueHigh[i]! : 0,
  };
}

/** The stream read through `fill` in blocks of `blockSize`. */
function blockStream(workload: WorkloadDescription, blockSize: number, n: number): Access[] {
  const gen = new AccessGenerator(workload);
  const block = new AccessBlock(blockSize);
  const out: Access[] = [];
  while (out.length < n) {
    gen.fill(block, Math.min(blockSize, n - out.length));
    for (let i = 0; i < block.length; i++) out.push(fromBlock(block, i));
  }
  return out;
}

describe.each(Object.entries(recorded))('the recorded stream of "%s"', (_name, rec) => {
  it('next() gives the recorded first accesses and 100k digest', () => {
    const gen = new AccessGenerator(rec.workload);
    const digest = new Digest();
    const first: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      gen.next();
      if (i < rec.first.length) first.push(text(gen));
      digest.add(gen);
    }
    expect(first).toEqual(rec.first);
    expect(digest.hex).toBe(rec.digest100k);
  });

  it.each([1, 7, 256, 1024])('fill() in blocks of %i gives the same stream', (blockSize) => {
    const stream = blockStream(rec.workload, blockSize, 100_000);
    const digest = new Digest();
    for (const a of stream) digest.add(a);
    expect(stream.slice(0, rec.first.length).map(text)).toEqual(rec.first);
    expect(digest.hex).toBe(rec.digest100k);
  });

  it('a slice that used 100 of a 256-block, saved and restored elsewhere, goes on at 101', () => {
    const expected = blockStream(rec.workload, 1024, 612);
    const gen = new AccessGenerator(rec.workload);
    const block = new AccessBlock(256);
    gen.fill(block, 256);
    gen.fill(block, 256);
    gen.rewindTo(100);
    const words = new Int32Array(GENERATOR_STATE_WORDS);
    gen.save(words, 0);
    const other = new AccessGenerator(rec.workload);
    other.restore(words, 0);
    other.fill(block, 256);
    const resumed = Array.from({ length: 256 }, (_, i) => fromBlock(block, i));
    expect(resumed.map(text)).toEqual(expected.slice(356, 612).map(text));
  });
});

describe('AccessBlock', () => {
  it('says uniformSize 4 after a seq fill, and 0 once a mixed workload filled it', () => {
    const block = new AccessBlock(16);
    new AccessGenerator(recorded['seq, 32 MiB part, the bench shape']!.workload).fill(block, 16);
    expect(block.uniformSize).toBe(4);
    expect([...block.size]).toEqual(Array(16).fill(4));
    new AccessGenerator(recorded['mixed, default weights']!.workload).fill(block, 16);
    expect(block.uniformSize).toBe(0);
  });
});

describe('AccessBlock and fill arguments', () => {
  it('refuses a block of capacity 0 and a fill past the capacity', () => {
    expect(() => new AccessBlock(0)).toThrow(/capacity must be a positive integer, got 0/);
    const gen = new AccessGenerator(recorded['random, 64 MiB, 4 bytes']!.workload);
    expect(() => gen.fill(new AccessBlock(4), 5)).toThrow(
      'cannot fill 5 accesses into a block of 4',
    );
  });

  it('refuses to rewind past the last block', () => {
    const gen = new AccessGenerator(recorded['random, 64 MiB, 4 bytes']!.workload);
    gen.fill(new AccessBlock(8), 8);
    expect(() => gen.rewindTo(9)).toThrow('cannot rewind to access 9 of a block of 8');
  });
});
