/**
 * The render sweep orders paint windows by start address whatever order the tree walk
 * found them in: with small addresses (packed sort keys) and with addresses near the top
 * of the address space, where packed keys would lose precision and a comparator sort is
 * used instead. Both must paint the same pieces.
 */
import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../src/core/address-space.js';
import { container, io, rows } from './helpers.js';

/**
 * Walk order is top, mid, low, background; address order is background, low, top, mid.
 * `top` (priority 2) covers the first half of `mid` (priority 1).
 */
function buildSpace(size: number, high: number) {
  const root = container(size, 'root');
  root.addSubregion(io(size, 'background', -1), 0);
  root.addSubregion(io(0x2000, 'top', 2), high);
  root.addSubregion(io(0x2000, 'mid', 1), high + 0x1000);
  root.addSubregion(io(0x1000, 'low', 0), 0x1000);
  return new AddressSpace(root, 'space'); // one full render
}

describe('render sweep order', () => {
  it('paints windows found out of address order (small addresses)', () => {
    const space = buildSpace(0x10000, 0x8000);
    expect(rows(space.flatView)).toEqual([
      [0, 0x1000, 'background', 0],
      [0x1000, 0x1000, 'low', 0],
      [0x2000, 0x6000, 'background', 0x2000],
      [0x8000, 0x2000, 'top', 0],
      [0xa000, 0x1000, 'mid', 0x1000],
      [0xb000, 0x5000, 'background', 0xb000],
    ]);
  });

  it('paints the same pieces with addresses near 2 ** 52', () => {
    const high = 2 ** 51;
    const space = buildSpace(2 ** 52, high);
    expect(rows(space.flatView)).toEqual([
      [0, 0x1000, 'background', 0],
      [0x1000, 0x1000, 'low', 0],
      [0x2000, high - 0x2000, 'background', 0x2000],
      [high, 0x2000, 'top', 0],
      [high + 0x2000, 0x1000, 'mid', 0x1000],
      [high + 0x3000, 2 ** 52 - high - 0x3000, 'background', high + 0x3000],
    ]);
  });
});
