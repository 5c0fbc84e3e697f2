/**
 * Doorbell marks of a table being written (chunked-writer.ts): `kFlagIoeventfd` on a row
 * sends a reader's writes there through ioeventfd matching. The marks live in the rows,
 * so in chunks that tables share: a chunk whose marks must change is copied first
 * (`ChunkWriter.copy`) unless this publish wrote it.
 *
 * Owner thread only; it works on a table no reader can see yet.
 */
import type { FlatIoEventFd } from '../../core/flat-view.js';
import { CHUNK_ROWS, CHUNK_SHIFT, kFlagIoeventfd } from '../reader/layout.js';
import { type ArenaColumns, metaRows, type TableColumns } from '../reader/table-columns.js';

/** What the marks need of the writer: which entries it wrote, and a copy-on-write. */
export interface ChunkWriter {
  /** Whether directory entry `k`'s chunk was written by this publish (so it may change). */
  isWritten(k: number): boolean;
  /** Replaces entry `k`'s chunk with a fresh copy that this publish may change. */
  copy(k: number): void;
}

/**
 * Sets `kFlagIoeventfd` on exactly the rows a doorbell of `after` marks (from its base,
 * row after adjacent row, up to the first hole, as far as its span reaches) and clears it
 * on every other row. Only rows meeting a doorbell span of `before` or `after` can be
 * wrong (a row is marked only where a span met it), so only those are visited; a shared
 * chunk holding one is copied before it is changed.
 */
export function fixDoorbells(
  table: TableColumns,
  arena: ArenaColumns,
  d: number,
  before: readonly FlatIoEventFd[],
  after: readonly FlatIoEventFd[],
  chunks: ChunkWriter,
): void {
  if (before.length === 0 && after.length === 0) return;
  const marked = new Set<number>();
  for (const io of after) {
    const base = io.addrRange.base;
    const last = base + Math.max(io.addrRange.size, 1);
    let expected = base;
    for (let p = firstEndingAbove(table, arena, d, base); p >= 0; p = nextPosition(table, d, p)) {
      const row = arenaRow(table, p);
      if (arena.start[row]! > expected || arena.start[row]! >= last) break;
      marked.add(p);
      expected = arena.end[row]!;
    }
  }
  for (const list of [before, after]) {
    for (const io of list) {
      const base = io.addrRange.base;
      const last = base + Math.max(io.addrRange.size, 1);
      for (let p = firstEndingAbove(table, arena, d, base); p >= 0; p = nextPosition(table, d, p)) {
        let row = arenaRow(table, p);
        if (arena.start[row]! >= last) break;
        const want = marked.has(p);
        if (want === ((arena.typeFlags[row]! & kFlagIoeventfd) !== 0)) continue;
        const k = p >> CHUNK_SHIFT;
        if (!chunks.isWritten(k)) {
          chunks.copy(k);
          row = arenaRow(table, p);
        }
        arena.typeFlags[row] = want
          ? arena.typeFlags[row]! | kFlagIoeventfd
          : arena.typeFlags[row]! & ~kFlagIoeventfd;
      }
    }
  }
}

/** Entries of `table` whose rows meet a doorbell's span. */
export function entriesMeeting(table: TableColumns, io: FlatIoEventFd): number {
  const base = io.addrRange.base;
  const last = base + Math.max(io.addrRange.size, 1);
  // Entries are in address order: those ending above `base` and starting below `last`.
  const from = firstAbove(table.dirEnd, table.chunkCount, base);
  let to = from;
  while (to < table.chunkCount && table.dirFirst[to]! < last) to++;
  return Math.max(0, to - from);
}

/** The first of the first `count` values of the ascending `values` above `x` (count if none). */
function firstAbove(values: Float64Array, count: number, x: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Positions in a table being written: entry k's row i is `k * CHUNK_ROWS + i`.

function arenaRow(table: TableColumns, p: number): number {
  return (table.dirChunk[p >> CHUNK_SHIFT]! << CHUNK_SHIFT) + (p & (CHUNK_ROWS - 1));
}

/** The position of the first of `d` entries' rows ending above `addr`, or -1. */
function firstEndingAbove(
  table: TableColumns,
  arena: ArenaColumns,
  d: number,
  addr: number,
): number {
  const k = firstAbove(table.dirEnd, d, addr);
  if (k >= d) return -1;
  const base = table.dirChunk[k]! << CHUNK_SHIFT;
  let i = 0;
  while (arena.end[base + i]! <= addr) i++;
  return (k << CHUNK_SHIFT) + i;
}

function nextPosition(table: TableColumns, d: number, p: number): number {
  const k = p >> CHUNK_SHIFT;
  if ((p & (CHUNK_ROWS - 1)) + 1 < metaRows(table.dirMeta[k]!)) return p + 1;
  return k + 1 < d ? (k + 1) << CHUNK_SHIFT : -1;
}
