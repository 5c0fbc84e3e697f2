/**
 * Self-checking guest memory (SPEC 11), in one thread: words stamped for their region,
 * verified accesses of 1, 2, 4 and 8 bytes at every alignment and across adjacent pieces,
 * and each way a word can contradict the translation that served the access (poison,
 * another region, another offset, a torn word, a lost write). Every strategy.
 */
import { describe, expect, test } from 'vitest';
import { SharedViewPublisher } from '../../../src/concurrent/publication/publisher.js';
import {
  OWNER_WRITER,
  regionTag,
  stampWords,
  TagFault,
  TagVerifier,
  tagHigh,
  tagLow,
  Verified,
} from '../../../src/concurrent/reader/memory-tags.js';
import { fillPoison } from '../../../src/concurrent/reader/poison.js';
import { type SharedViewReader, STRATEGIES } from '../../../src/concurrent/reader/reader-api.js';
import { SharedView } from '../../../src/concurrent/strategies/shared-view.js';
import { HostMemMapping } from '../../../src/host/mapping.js';
import { ioRegion, plainView, ramRegion } from '../publication/helpers.js';

function words(m: HostMemMapping, index: number): [number, number] {
  const v = new DataView(m.bytes.buffer);
  return [v.getUint32(index * 8, true), v.getUint32(index * 8 + 4, true)];
}

describe('tag encoding', () => {
  test('a stamped word names its region, the owner, version 0 and its index', () => {
    const m = HostMemMapping.create({ size: 64, name: 'm' });
    stampWords(m.bytes, 16, 40, 41);
    expect(words(m, 1)).toEqual([0, 0]);
    expect(words(m, 2)).toEqual([
      ((42 << 16) | (OWNER_WRITER << 10)) >>> 0,
      tagHigh(regionTag(41), 2) >>> 0,
    ]);
    expect(words(m, 4)).toEqual([tagLow(42, OWNER_WRITER, 0) >>> 0, tagHigh(42, 4) >>> 0]);
    expect(words(m, 5)).toEqual([0, 0]);
    expect(regionTag(0)).toBe(1);
    expect(regionTag(0xffff)).toBe(1);
  });
});

describe.each(STRATEGIES)('verified access under %s', (strategy) => {
  //   0        1024      2048      3072
  //   |-ram1---|-ram2----|-io------|
  function setup() {
    const m1 = HostMemMapping.create({ size: 1024, name: 'ram1' });
    const m2 = HostMemMapping.create({ size: 4096, name: 'ram2' });
    const ram1 = ramRegion(m1);
    const ram2 = ramRegion(m2);
    const io = ioRegion('uart');
    stampWords(m1.bytes, 0, 1024, ram1.id);
    stampWords(m2.bytes, 0, 4096, ram2.id);
    const publisher = new SharedViewPublisher({ strategy, batchLimit: 8 });
    publisher.publish(
      plainView(1, [
        [0, 1024, ram1, 0],
        [1024, 1024, ram2, 512],
        [2048, 1024, io, 0],
      ]),
    );
    const reader = SharedView.attach(publisher.readerHandle(publisher.allocateReader()));
    reader.online();
    const verify = (r: SharedViewReader, gpa: number, size: number, w: boolean, v: TagVerifier) =>
      r.verifiedAccess!(gpa, size, w, v);
    return { m1, m2, ram1, ram2, reader, verify, publisher };
  }

  test('1, 2, 4 and 8 bytes at every alignment verify, reads and writes', () => {
    const { reader, verify } = setup();
    const v = new TagVerifier(3);
    const results: number[] = [];
    for (const size of [1, 2, 4, 8]) {
      for (let gpa = 64; gpa < 80; gpa++) {
        results.push(verify(reader, gpa, size, false, v), verify(reader, gpa, size, true, v));
      }
    }
    expect(results.every((r) => r === Verified.Ok)).toBe(true);
    expect(results.length).toBe(128);
    reader.offline();
  });

  test('a write stores the writer and its version in lo, and leaves hi', () => {
    const { m1, ram1, reader, verify } = setup();
    const v = new TagVerifier(3);
    expect(verify(reader, 13, 4, true, v)).toBe(Verified.Ok); // bytes 13..16: words 1 and 2
    expect(words(m1, 1)).toEqual([
      tagLow(regionTag(ram1.id), 3, 0) >>> 0,
      tagHigh(regionTag(ram1.id), 1) >>> 0,
    ]);
    expect(words(m1, 2)[0]).toBe(tagLow(regionTag(ram1.id), 3, 0) >>> 0);
    expect(verify(reader, 8, 8, true, v)).toBe(Verified.Ok);
    expect(words(m1, 1)[0]).toBe(tagLow(regionTag(ram1.id), 3, 1) >>> 0);
    reader.offline();
  });

  test('a span across the adjacent piece checks each half in its own mapping', () => {
    const { m1, m2, ram1, ram2, reader, verify } = setup();
    const v = new TagVerifier(5);
    expect(verify(reader, 1020, 8, true, v)).toBe(Verified.Ok);
    // Bytes 1020..1023 are ram1's word 127; 1024 is byte 512 of ram2: its word 64.
    expect(words(m1, 127)[0]).toBe(tagLow(regionTag(ram1.id), 5, 0) >>> 0);
    expect(words(m2, 64)[0]).toBe(tagLow(regionTag(ram2.id), 5, 1) >>> 0);
    expect(verify(reader, 1021, 8, false, v)).toBe(Verified.Ok);
    reader.offline();
  });

  test('IO is not memory: nothing touched; an unmapped byte is RegionNotFound', () => {
    const { reader, verify } = setup();
    const v = new TagVerifier(0);
    expect(verify(reader, 2048, 4, true, v)).toBe(Verified.NotMemory);
    expect(() => verify(reader, 5000, 4, false, v)).toThrow(/Failed to find matched region/);
    expect(() => verify(reader, 2044, 8, false, v)).toThrow(/mismatch region type/);
    reader.offline();
  });

  test('poison, another region, another offset and a torn word are violations', () => {
    const { m1, ram1, reader, verify } = setup();
    const v = new TagVerifier(0);
    fillPoison(m1.bytes.subarray(32, 40));
    expect(verify(reader, 33, 2, false, v)).toBe(Verified.Violation);
    expect([v.lastFault, v.lastRegionId, v.lastOffset, v.lastLow]).toEqual([
      TagFault.Poison,
      ram1.id,
      32,
      0xdeadbeef,
    ]);
    stampWords(m1.bytes, 40, 48, ram1.id + 7); // reused by another region
    expect(verify(reader, 44, 4, true, v)).toBe(Verified.Violation);
    expect(v.lastFault).toBe(TagFault.WrongMapping);
    expect(words(m1, 5)[0] >>> 16).toBe(regionTag(ram1.id + 7)); // the write did not land
    m1.bytes.copyWithin(48, 80, 88); // word 10's tag at word 6
    expect(verify(reader, 48, 1, false, v)).toBe(Verified.Violation);
    expect(v.lastFault).toBe(TagFault.WrongOffset);
    new DataView(m1.bytes.buffer).setInt32(56, tagLow(regionTag(ram1.id + 7), 0, 0), true); // lo of another region over our hi
    expect(verify(reader, 56, 8, false, v)).toBe(Verified.Violation);
    expect(v.lastFault).toBe(TagFault.Torn);
    reader.offline();
  });

  test('an untagged word is unverified, and a write leaves it alone', () => {
    const { m1, reader, verify } = setup();
    const v = new TagVerifier(0);
    m1.bytes.fill(0, 96, 104);
    expect(verify(reader, 96, 4, true, v)).toBe(Verified.Unverified);
    expect(words(m1, 12)).toEqual([0, 0]);
    expect(verify(reader, 100, 8, true, v)).toBe(Verified.Unverified); // word 13 still written
    expect(words(m1, 13)[0] & 1023).toBe(1);
    reader.offline();
  });

  test('an older write of this vCPU where its newer one should be is a lost write', () => {
    const { m1, reader, verify } = setup();
    const v = new TagVerifier(9);
    expect(verify(reader, 200, 8, true, v)).toBe(Verified.Ok);
    const older = words(m1, 25)[0];
    expect(verify(reader, 200, 8, true, v)).toBe(Verified.Ok);
    new DataView(m1.bytes.buffer).setUint32(200, older, true);
    expect(verify(reader, 200, 8, false, v)).toBe(Verified.Violation);
    expect(v.lastFault).toBe(TagFault.LostWrite);
    v.resetShadow(); // a new slice: the shadow is forgotten, nothing to compare
    expect(verify(reader, 200, 8, false, v)).toBe(Verified.Ok);
    reader.offline();
  });
});
