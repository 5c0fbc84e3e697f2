/**
 * The page indexes of a published table (layout.ts: the table's over its chunk directory,
 * each chunk's over its rows) are shortcuts only: a reader's lookup through them finds
 * exactly the range a search of the whole view finds, for tables dense and sparse (ranges
 * spread evenly, crowded into one bucket, spanning past 2**32, a single range).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  writeChunkIndex,
  writeDirectoryIndex,
} from '../../../src/concurrent/publication/chunk-index.js';
import { SharedViewPublisher } from '../../../src/concurrent/publication/publisher.js';
import { kTableIndexBuckets, kTableIndexShift } from '../../../src/concurrent/reader/layout.js';
import { ArenaColumns, TableColumns } from '../../../src/concurrent/reader/table-columns.js';
import { Translation } from '../../../src/concurrent/reader/translation.js';
import { SharedView } from '../../../src/concurrent/strategies/shared-view.js';
import { ioRegion, plainView, type Row } from './helpers.js';

/** Sorted, disjoint rows from gaps and sizes (every range an IO region of its own). */
function rowsOf(parts: readonly (readonly [number, number])[], origin: number): Row[] {
  const rows: Row[] = [];
  let at = origin;
  for (const [gap, size] of parts) {
    at += gap;
    rows.push([at, size, ioRegion(`r${rows.length}`)]);
    at += size;
  }
  return rows;
}

/** The region id a plain search of `rows` gives for `gpa`, or -1. */
function expectedId(rows: readonly Row[], gpa: number): number {
  const row = rows.find(([base, size]) => gpa >= base && gpa < base + size);
  return row === undefined ? -1 : row[2].id;
}

describe('the page index', () => {
  it('cuts a chunk of 16 ranges of 4 KiB into 2 buckets of 32 KiB, first rows 0 and 8', () => {
    // One bucket per 8 rows: 16 rows want 2 buckets; the span 0x10000 over 2 is 0x8000.
    const arena = ArenaColumns.allocate(1);
    for (let i = 0; i < 16; i++) {
      arena.start[i] = i * 0x1000;
      arena.end[i] = (i + 1) * 0x1000;
    }
    // 16 rows, 2 buckets, buckets of 2**15 bytes.
    expect(writeChunkIndex(arena, 0, 16)).toBe(16 | (2 << 10) | (15 << 17));
    expect([...arena.chunkIndex.subarray(0, 3)]).toEqual([0, 8, 16]);
  });

  it('gives a chunk of 3 ranges over 0x3000 bytes one bucket of 16 KiB', () => {
    const arena = ArenaColumns.allocate(2);
    [0x0000, 0x1000, 0x2800].forEach((start, i) => {
      arena.start[256 + i] = start;
      arena.end[256 + i] = i === 2 ? 0x3000 : start + 0x1000;
    });
    expect(writeChunkIndex(arena, 1, 3)).toBe(3 | (1 << 10) | (14 << 17));
    expect([...arena.chunkIndex.subarray(34, 36)]).toEqual([0, 3]);
  });

  it('cuts a directory of 3 chunks into 8 buckets of 512 KiB, each naming the chunks it meets', () => {
    // About two buckets per chunk: 3 chunks want 8 buckets; the span 0x400000 over 8 is 0x80000.
    const table = TableColumns.allocate(16, 16);
    table.dirFirst.set([0, 0x100000, 0x300000]);
    table.dirEnd.set([0x80000, 0x200000, 0x400000]);
    writeDirectoryIndex(table, 3);
    expect(table.header[kTableIndexShift]).toBe(19);
    expect(table.header[kTableIndexBuckets]).toBe(8);
    // Per bucket: the first chunk ending above its start, the last starting before its end
    // (buckets 1, 4 and 5 fall in holes: the second is below the first).
    expect([...table.pageIndex.subarray(0, 16)]).toEqual([
      0, 0, 1, 0, 1, 1, 1, 1, 2, 1, 2, 1, 2, 2, 2, 2,
    ]);
  });

  it('gives a directory of one chunk no index', () => {
    const table = TableColumns.allocate(16, 16);
    table.dirFirst[0] = 0x1000;
    table.dirEnd[0] = 0x9000;
    writeDirectoryIndex(table, 1);
    expect(table.header[kTableIndexBuckets]).toBe(0);
  });

  it('finds what a search of the view finds, for any table and address', () => {
    const part = fc.tuple(
      fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 0x10000 }), fc.constant(2 ** 33)),
      fc.oneof(fc.integer({ min: 1, max: 0x4000 }), fc.constant(2 ** 32)),
    );
    fc.assert(
      fc.property(
        fc.array(part, { minLength: 1, maxLength: 700 }),
        fc.integer({ min: 0, max: 2 ** 20 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 50, maxLength: 50 }),
        (parts, origin, picks) => {
          const rows = rowsOf(parts, origin);
          const publisher = new SharedViewPublisher({ strategy: 'rcu', check: false });
          publisher.publish(plainView(1, rows));
          const reader = SharedView.attach(publisher.readerHandle(publisher.allocateReader()));
          reader.online();
          const t = new Translation();
          const last = rows[rows.length - 1]!;
          const top = last[0] + last[1] + 10;
          try {
            for (const p of picks) {
              // Addresses anywhere, and each range's first and last byte.
              const gpa = Math.floor(p * top);
              reader.translate(gpa, t);
              expect(t.regionId).toBe(expectedId(rows, gpa));
            }
            for (const [base, size, region] of rows) {
              reader.translate(base, t);
              expect(t.regionId).toBe(region.id);
              reader.translate(base + size - 1, t);
              expect(t.regionId).toBe(region.id);
            }
            const before = origin + parts[0]![0] - 1;
            if (before >= 0) {
              reader.translate(before, t);
              expect(t.regionId).toBe(expectedId(rows, before));
            }
          } finally {
            reader.offline();
            reader.close();
            publisher.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
