import { describe, expect, it } from 'vitest';
import {
  drainTranslationSamples,
  pushTranslationSample,
  SampleKind,
  SampleRing,
  TRANSLATION_SAMPLE_WIDTH,
} from '../../../src/concurrent/vcpu/sampler.js';

describe('SampleRing', () => {
  it('hands records over in order and counts what a full ring drops', () => {
    const ring = SampleRing.create(4, 1);
    for (let i = 1; i <= 6; i++) ring.push1(i * 10);
    expect([ring.pending, ring.dropped]).toEqual([4, 2]);
    const got: number[] = [];
    expect(ring.drain((v, at) => got.push(v[at]!))).toBe(4);
    expect(got).toEqual([10, 20, 30, 40]);
    ring.push1(70);
    got.length = 0;
    ring.drain((v, at) => got.push(v[at]!));
    expect(got).toEqual([70]);
  });

  it('keeps working across many wraps of its indices', () => {
    const ring = SampleRing.create(8, 1);
    let expected = 0;
    let wrong = 0;
    for (let round = 0; round < 10_000; round++) {
      for (let i = 0; i < 5; i++) ring.push1(round * 5 + i);
      ring.drain((v, at) => {
        if (v[at] !== expected++) wrong++;
      });
    }
    expect([wrong, expected, ring.dropped]).toEqual([0, 50_000, 0]);
  });

  it('is rebuilt from its buffer in another thread with the same shape', () => {
    const ring = SampleRing.create(16, TRANSLATION_SAMPLE_WIDTH);
    const other = new SampleRing(ring.buffer);
    expect([other.capacity, other.width]).toEqual([16, 9]);
  });

  it.each([
    [3, 1],
    [0, 1],
    [8, 0],
  ])('refuses capacity %d / width %d', (capacity, width) => {
    expect(() => SampleRing.create(capacity, width)).toThrowError(
      expect.objectContaining({ code: 'InvalidArgument' }),
    );
  });
});

describe('translation samples', () => {
  it('carry (generation, gpa, regionId, hostAddress or -1, kind)', () => {
    const ring = SampleRing.create(4, TRANSLATION_SAMPLE_WIDTH);
    pushTranslationSample(ring, 3, 0x1000, 12, 2 ** 32 + 0x1000, SampleKind.Read);
    pushTranslationSample(ring, 4, 0xd000_0050, 40, -1, SampleKind.MmioExit);
    expect(drainTranslationSamples(ring)).toEqual([
      {
        generation: 3,
        gpa: 0x1000,
        regionId: 12,
        hostAddress: 2 ** 32 + 0x1000,
        kind: SampleKind.Read,
      },
      { generation: 4, gpa: 0xd000_0050, regionId: 40, hostAddress: -1, kind: SampleKind.MmioExit },
    ]);
  });
});
