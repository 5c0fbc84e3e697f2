/**
 * The simplest possible renderer, for the property tests: paint the address space cell by
 * cell, first painter wins, then cut runs of cells painted by the same walk path into
 * pieces. Also the simplest ioeventfd flattening over those pieces. Deliberately slow.
 */
import { compareFlatIoEventFd } from '../../src/core/ioeventfds.js';
import type { Region } from '../../src/core/region.js';

export interface RefPiece {
  base: number;
  size: number;
  owner: Region;
  offset: number;
  romd: boolean | undefined;
}

interface Cell {
  path: string;
  owner: Region;
  offset: number;
}

export function referencePaint(root: Region): RefPiece[] {
  const cells: (Cell | undefined)[] = new Array(root.size).fill(undefined);
  paint(root, 0, 0, root.size, `${root.id}`, cells);
  const pieces: RefPiece[] = [];
  for (let x = 0; x < cells.length; x++) {
    const c = cells[x];
    if (c === undefined) continue;
    const last = pieces[pieces.length - 1];
    const prev = cells[x - 1];
    if (
      last !== undefined &&
      prev !== undefined &&
      prev.path === c.path &&
      last.base + last.size === x
    ) {
      last.size++;
    } else {
      pieces.push({
        base: x,
        size: 1,
        owner: c.owner,
        offset: c.offset,
        romd: c.owner.getRomDeviceRomd(),
      });
    }
  }
  return pieces;
}

function paint(
  r: Region,
  base: number,
  clipLo: number,
  clipHi: number,
  path: string,
  cells: (Cell | undefined)[],
): void {
  if (!r.enabled) return;
  const lo = Math.max(base, clipLo);
  const hi = Math.min(base + r.size, clipHi);
  if (lo >= hi) return;
  if (r.regionType === 'Container') {
    for (const c of r.subregions()) paint(c, base + c.offset, lo, hi, `${path}/${c.id}`, cells);
  } else if (r.regionType === 'Alias') {
    paint(r.aliasTarget!, base - r.aliasOffset, lo, hi, `${path}>${r.aliasTarget!.id}`, cells);
  } else {
    for (let x = lo; x < hi; x++) {
      if (cells[x] === undefined) cells[x] = { path, owner: r, offset: x - base };
    }
  }
}

/** Keys of the flattened ioeventfds the reference pieces imply, sorted like the real list. */
export function referenceIoeventfdKeys(pieces: readonly RefPiece[]): string[] {
  const entries = new Map<string, Parameters<typeof compareFlatIoEventFd>[0]>();
  for (const p of pieces) {
    const regionBase = p.base - p.offset;
    for (const e of p.owner.ioeventfds()) {
      const base = regionBase + e.addrRange.base;
      const end = base + Math.max(e.addrRange.size, 1);
      if (base < p.base + p.size && end > p.base) {
        const entry = {
          ...e,
          addrRange: { base, size: e.addrRange.size },
          owner: p.owner,
          regionBase,
        };
        entries.set(ioeventfdKey(entry), entry);
      }
    }
  }
  return [...entries.values()].sort(compareFlatIoEventFd).map(ioeventfdKey);
}

export function ioeventfdKey(e: {
  addrRange: { base: number; size: number };
  dataMatch: boolean;
  data: bigint;
  fd: { id: number };
  owner: { id: number };
  regionBase: number;
}): string {
  return `${e.addrRange.base}+${e.addrRange.size}/${e.dataMatch}/${e.data}/fd${e.fd.id}/r${e.owner.id}@${e.regionBase}`;
}

/**
 * The ioeventfd requests from `before` to `after` as SPEC 5 words the merge walk, written
 * apart from the library's: entries in both lists send nothing; of the rest, at each step
 * the old entry is deleted unless it lies after the new one, then the new one is added
 * unless it lies after the old one; two entries that each lie after the other (size 0,
 * one base) delete the old one. `Del KEY` / `Add KEY`, in order.
 */
export function referenceIoeventfdWalk(
  before: readonly Parameters<typeof ioeventfdKey>[0][],
  after: readonly Parameters<typeof ioeventfdKey>[0][],
): string[] {
  const beforeKeys = new Set(before.map(ioeventfdKey));
  const afterKeys = new Set(after.map(ioeventfdKey));
  const olds = before.filter((e) => !afterKeys.has(ioeventfdKey(e)));
  const news = after.filter((e) => !beforeKeys.has(ioeventfdKey(e)));
  const liesAfter = (a: (typeof olds)[0], b: (typeof olds)[0]) =>
    a.addrRange.base >= b.addrRange.base + b.addrRange.size;
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < olds.length || j < news.length) {
    const o = olds[i];
    const n = news[j];
    if (o !== undefined && n !== undefined && liesAfter(o, n) && liesAfter(n, o)) {
      out.push(`Del ${ioeventfdKey(o)}`);
      i++;
      continue;
    }
    if (o !== undefined && (n === undefined || !liesAfter(o, n))) {
      out.push(`Del ${ioeventfdKey(o)}`);
      i++;
    }
    if (n !== undefined && (o === undefined || !liesAfter(n, o))) {
      out.push(`Add ${ioeventfdKey(n)}`);
      j++;
    }
  }
  return out;
}
