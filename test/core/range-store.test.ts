import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FlatRange } from '../../src/core/flat-view.js';
import { type RangeEdit, RangeStore } from '../../src/core/range-store.js';
import { io } from './helpers.js';

const owner = io(1, 'owner');
const range = (base: number): FlatRange => ({
  addrRange: { base, size: 1 },
  owner,
  offsetInRegion: 0,
});

describe('RangeStore', () => {
  it('applies random edits like Array.prototype.splice, sharing untouched chunks', () => {
    fc.assert(
      fc.property(
        fc.nat(60),
        fc.array(fc.tuple(fc.nat(80), fc.nat(6), fc.nat(8)), { maxLength: 12 }),
        fc.integer({ min: 1, max: 8 }),
        (initial, rawEdits, chunkSize) => {
          let nextBase = 0;
          const fresh = () => range((nextBase += 2));
          let array = Array.from({ length: initial }, fresh);
          let store = RangeStore.fromArray(array.slice(), chunkSize);
          for (const [at, drop, add] of rawEdits) {
            const from = Math.min(at, array.length);
            const to = Math.min(from + drop, array.length);
            const pieces = Array.from({ length: add }, fresh);
            const edit: RangeEdit = { from, to, pieces };
            store = store.replace([edit]);
            array = [...array.slice(0, from), ...pieces, ...array.slice(to)];
            expect(store.length).toBe(array.length);
            for (let i = 0; i < array.length; i++) expect(store.at(i)).toBe(array[i]);
            expect(store.toArray()).toEqual(array);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers lowerBound like a search of the plain array after random sorted edits', () => {
    const reference = (list: readonly FlatRange[], addr: number): number => {
      const i = list.findIndex((r) => r.addrRange.base >= addr);
      return i < 0 ? list.length : i;
    };
    fc.assert(
      fc.property(
        fc.nat(60),
        fc.array(fc.tuple(fc.nat(80), fc.nat(6), fc.nat(8)), { maxLength: 12 }),
        fc.integer({ min: 1, max: 8 }),
        (initial, rawEdits, chunkSize) => {
          let array = Array.from({ length: initial }, (_, i) => range(i * 1024));
          let store = RangeStore.fromArray(array.slice(), chunkSize);
          for (const [at, drop, add] of rawEdits) {
            const from = Math.min(at, array.length);
            const to = Math.min(from + drop, array.length);
            // New pieces lie strictly between the neighbours they land between: sorted.
            const low = from > 0 ? array[from - 1]!.addrRange.base : -1024;
            const high = to < array.length ? array[to]!.addrRange.base : low + 2048;
            const step = (high - low) / (add + 1);
            const pieces = Array.from({ length: add }, (_, k) => range(low + step * (k + 1)));
            store = store.replace([{ from, to, pieces }]);
            array = [...array.slice(0, from), ...pieces, ...array.slice(to)];
            for (const r of array) {
              const base = r.addrRange.base;
              expect(store.lowerBound(base)).toBe(reference(array, base));
              expect(store.lowerBound(base + 0.25)).toBe(reference(array, base + 0.25));
            }
            expect(store.lowerBound(-1e9)).toBe(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('applies several disjoint edits at once', () => {
    const list = Array.from({ length: 20 }, (_, i) => range(i * 10));
    const store = RangeStore.fromArray(list.slice(), 3);
    const a = range(15);
    const b = range(155);
    const next = store.replace([
      { from: 1, to: 3, pieces: [a] },
      { from: 15, to: 16, pieces: [b] },
    ]);
    expect(next.toArray().map((r) => r.addrRange.base)).toEqual([
      0, 15, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 155, 160, 170, 180, 190,
    ]);
    expect(store.toArray()).toEqual(list);
  });

  it('finds the first range at or after an address', () => {
    const store = RangeStore.fromArray(
      Array.from({ length: 10 }, (_, i) => range(i * 10)),
      4,
    );
    expect(store.lowerBound(0)).toBe(0);
    expect(store.lowerBound(1)).toBe(1);
    expect(store.lowerBound(40)).toBe(4);
    expect(store.lowerBound(41)).toBe(5);
    expect(store.lowerBound(91)).toBe(10);
  });
});
