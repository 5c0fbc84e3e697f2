/**
 * StratoVirt's `GuestAddress`/`AddressRange` helpers (SPEC 1): the SPEC's examples, bad
 * arguments, and fast-check properties against a reference model in BigInt arithmetic,
 * where nothing can lose precision or wrap.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ADDRESS_LIMIT,
  type AddressRange,
  alignDown,
  alignUp,
  checkedAdd,
  checkedSub,
  compareRanges,
  findIntersection,
  offsetFrom,
  rangeEnd,
} from '../../src/index.js';
import { catchError } from '../core/helpers.js';

const LIMIT = BigInt(ADDRESS_LIMIT);

// ---- the reference model: exact integers, StratoVirt's definitions ----

function refAdd(a: bigint, b: bigint): bigint | undefined {
  return a + b > LIMIT ? undefined : a + b;
}

function refSub(a: bigint, b: bigint): bigint | undefined {
  return a - b < 0n ? undefined : a - b;
}

function refIsPowerOfTwo(n: bigint): boolean {
  return n > 0n && (n & (n - 1n)) === 0n;
}

function refAlignUp(a: bigint, align: bigint): bigint | undefined {
  if (!refIsPowerOfTwo(align)) return undefined;
  const up = (a + align - 1n) & ~(align - 1n);
  return up > LIMIT ? undefined : up;
}

function refAlignDown(a: bigint, align: bigint): bigint | undefined {
  return refIsPowerOfTwo(align) ? a & ~(align - 1n) : undefined;
}

/** StratoVirt's `find_intersection`, with an empty overlap as `undefined` (SPEC 1). */
function refIntersection(
  a: AddressRange,
  b: AddressRange,
): { base: bigint; size: bigint } | undefined {
  const [ab, ae] = [BigInt(a.base), BigInt(a.base) + BigInt(a.size)];
  const [bb, be] = [BigInt(b.base), BigInt(b.base) + BigInt(b.size)];
  if (ae <= bb || be <= ab) return undefined;
  const base = ab > bb ? ab : bb;
  const end = ae < be ? ae : be;
  return end > base ? { base, size: end - base } : undefined;
}

function refCompare(x: bigint, y: bigint): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

const toNumber = (v: bigint | undefined) => (v === undefined ? undefined : Number(v));

// ---- generators: values near 0, near the limit and anywhere between ----

const address = fc.oneof(
  fc.integer({ min: 0, max: 1 << 16 }),
  fc.integer({ min: ADDRESS_LIMIT - (1 << 16), max: ADDRESS_LIMIT }),
  fc.maxSafeInteger().map((n) => Math.abs(n)),
  fc.constant(ADDRESS_LIMIT),
);
const alignment = fc.oneof(
  fc.nat(53).map((k) => 2 ** k),
  fc.integer({ min: 0, max: 1 << 20 }),
  fc.constant(ADDRESS_LIMIT),
);
const range = fc
  .tuple(address, address)
  .map(([base, size]) => ({ base, size: Math.min(size, ADDRESS_LIMIT - base) }));
const smallRange = fc.record({ base: fc.nat(64), size: fc.nat(64) });

describe('SPEC 1 examples', () => {
  it('findIntersection', () => {
    expect(findIntersection({ base: 0, size: 8 }, { base: 8, size: 1 })).toBeUndefined();
    expect(findIntersection({ base: 0, size: 8 }, { base: 0, size: 0 })).toBeUndefined();
    expect(findIntersection({ base: 0, size: 8 }, { base: 5, size: 9 })).toEqual({
      base: 5,
      size: 3,
    });
    expect(findIntersection({ base: 5, size: 9 }, { base: 0, size: 8 })).toEqual({
      base: 5,
      size: 3,
    });
  });

  it('checkedAdd and checkedSub are undefined past the limit and below 0', () => {
    expect(checkedAdd(0x1000, 0x2000)).toBe(0x3000);
    expect(checkedAdd(ADDRESS_LIMIT - 1, 1)).toBe(ADDRESS_LIMIT);
    expect(checkedAdd(ADDRESS_LIMIT, 1)).toBeUndefined();
    expect(checkedSub(0x3000, 0x1000)).toBe(0x2000);
    expect(checkedSub(0x1000, 0x1000)).toBe(0);
    expect(checkedSub(0x1000, 0x1001)).toBeUndefined();
  });

  it('alignUp and alignDown; undefined when the alignment is not a power of two', () => {
    expect(alignUp(0x1001, 0x1000)).toBe(0x2000);
    expect(alignUp(0x1000, 0x1000)).toBe(0x1000);
    expect(alignDown(0x1fff, 0x1000)).toBe(0x1000);
    expect(alignUp(ADDRESS_LIMIT - 1, 0x1000)).toBe(ADDRESS_LIMIT);
    expect(alignUp(1, ADDRESS_LIMIT)).toBe(ADDRESS_LIMIT);
    expect(alignUp(0x1001, 1)).toBe(0x1001);
    expect(alignUp(0x1001, 0)).toBeUndefined();
    expect(alignUp(0x1001, 0x1800)).toBeUndefined();
    expect(alignDown(0x1001, 3)).toBeUndefined();
  });

  it('offsetFrom, rangeEnd and compareRanges', () => {
    expect(offsetFrom(0x1234, 0x1000)).toBe(0x234);
    expect(rangeEnd({ base: 0x1000, size: 0x200 })).toBe(0x1200);
    expect(rangeEnd({ base: ADDRESS_LIMIT, size: 0 })).toBe(ADDRESS_LIMIT);
    expect(compareRanges({ base: 1, size: 9 }, { base: 2, size: 1 })).toBe(-1);
    expect(compareRanges({ base: 2, size: 2 }, { base: 2, size: 1 })).toBe(1);
    expect(compareRanges({ base: 2, size: 1 }, { base: 2, size: 1 })).toBe(0);
  });
});

describe('bad arguments are typed errors', () => {
  const BAD: [unknown, string][] = [
    [Number.NaN, 'InvalidArgument'],
    [-1, 'InvalidArgument'],
    [1.5, 'InvalidArgument'],
    ['16', 'InvalidArgument'],
    [16n, 'InvalidArgument'],
    [undefined, 'InvalidArgument'],
    [ADDRESS_LIMIT + 2, 'Overflow'],
    [Number.POSITIVE_INFINITY, 'Overflow'],
  ];
  const n = (v: unknown) => v as number;
  const r = (v: unknown) => v as AddressRange;

  it.each(BAD)('a number argument %s is %s', (bad, code) => {
    const calls: (() => unknown)[] = [
      () => checkedAdd(n(bad), 1),
      () => checkedAdd(1, n(bad)),
      () => checkedSub(n(bad), 1),
      () => checkedSub(1, n(bad)),
      () => alignUp(n(bad), 8),
      () => alignUp(8, n(bad)),
      () => alignDown(n(bad), 8),
      () => alignDown(8, n(bad)),
      () => offsetFrom(n(bad), 0),
      () => offsetFrom(8, n(bad)),
      () => rangeEnd({ base: n(bad), size: 1 }),
      () => rangeEnd({ base: 1, size: n(bad) }),
      () => findIntersection({ base: n(bad), size: 1 }, { base: 0, size: 1 }),
      () => findIntersection({ base: 0, size: 1 }, { base: 0, size: n(bad) }),
      () => compareRanges({ base: n(bad), size: 1 }, { base: 0, size: 1 }),
      () => compareRanges({ base: 0, size: 1 }, { base: 0, size: n(bad) }),
    ];
    for (const call of calls) expect(catchError(call).code).toBe(code);
  });

  it('a range that is not an object, or ends past the limit', () => {
    for (const bad of [null, undefined, 5, 'range', {}]) {
      expect(catchError(() => rangeEnd(r(bad))).code).toBe('InvalidArgument');
      expect(catchError(() => findIntersection(r(bad), { base: 0, size: 1 })).code).toBe(
        'InvalidArgument',
      );
      expect(catchError(() => compareRanges({ base: 0, size: 1 }, r(bad))).code).toBe(
        'InvalidArgument',
      );
    }
    const past = { base: ADDRESS_LIMIT - 1, size: 2 };
    expect(catchError(() => rangeEnd(past)).code).toBe('Overflow');
    expect(catchError(() => findIntersection(past, { base: 0, size: 1 })).code).toBe('Overflow');
  });

  it('offsetFrom below the base is Overflow, never a wrap', () => {
    const err = catchError(() => offsetFrom(0x1000, 0x1001));
    expect(err.code).toBe('Overflow');
    expect(err.message).toBe(
      'Address overflows, addr is 0x1000: offset from base 0x1001 would be below 0',
    );
  });
});

describe('properties against the BigInt model', () => {
  it('checkedAdd and checkedSub', () => {
    fc.assert(
      fc.property(address, address, (a, b) => {
        expect(checkedAdd(a, b)).toBe(toNumber(refAdd(BigInt(a), BigInt(b))));
        expect(checkedSub(a, b)).toBe(toNumber(refSub(BigInt(a), BigInt(b))));
      }),
      { numRuns: 2000 },
    );
  });

  it('alignUp and alignDown', () => {
    fc.assert(
      fc.property(address, alignment, (a, align) => {
        expect(alignUp(a, align)).toBe(toNumber(refAlignUp(BigInt(a), BigInt(align))));
        expect(alignDown(a, align)).toBe(toNumber(refAlignDown(BigInt(a), BigInt(align))));
      }),
      { numRuns: 2000 },
    );
  });

  it('offsetFrom is exact where the model is non-negative and refused elsewhere', () => {
    fc.assert(
      fc.property(address, address, (a, b) => {
        const expected = refSub(BigInt(a), BigInt(b));
        if (expected === undefined)
          expect(catchError(() => offsetFrom(a, b)).code).toBe('Overflow');
        else expect(offsetFrom(a, b)).toBe(Number(expected));
      }),
      { numRuns: 2000 },
    );
  });

  it('findIntersection, rangeEnd and compareRanges', () => {
    fc.assert(
      fc.property(fc.oneof(fc.tuple(range, range), fc.tuple(smallRange, smallRange)), ([a, b]) => {
        const ref = refIntersection(a, b);
        expect(findIntersection(a, b)).toEqual(
          ref === undefined ? undefined : { base: Number(ref.base), size: Number(ref.size) },
        );
        expect(findIntersection(b, a)).toEqual(findIntersection(a, b));
        expect(rangeEnd(a)).toBe(Number(BigInt(a.base) + BigInt(a.size)));
        const byBase =
          refCompare(BigInt(a.base), BigInt(b.base)) || refCompare(BigInt(a.size), BigInt(b.size));
        expect(compareRanges(a, b)).toBe(byBase);
        expect(compareRanges(b, a)).toBe(-byBase || 0);
      }),
      { numRuns: 2000 },
    );
  });
});
