/**
 * Writes a view table whose rows live in shared chunks (reader/layout.ts, "Chunk arena"
 * and "View table"), so that a publish costs O(changed rows + chunks), not O(rows).
 *
 * A publish (`plan`, then `write` into a table no reader can see) replaces only the
 * directory entries of the previous table whose rows the change touched (view-diff.ts's
 * window): their rows, with the changed ones, are written into fresh chunks (split into
 * several when they outgrow a chunk, merged with a neighbour when they fall below a
 * quarter of one); every other entry names the same chunk as before. The directory, its
 * page index and the ioeventfd columns are written whole (they are small). Doorbell marks
 * (`kFlagIoeventfd`) are fixed last: a shared chunk whose marks must change is copied
 * first (copy-on-write), so a chunk a published table names is never written. The first
 * publish, and any publish that finds the arena too full, writes every row into fresh
 * chunks of a (new) arena.
 *
 * Owner thread only. It never publishes, and never frees: the publisher retains the
 * chunks a table names and releases them when the strategy reclaims the table.
 */
import type { FlatView } from '../../core/flat-view.js';
import {
  CHUNK_INDEX_WORDS,
  CHUNK_ROWS,
  CHUNK_SHIFT,
  kIoDataMatch,
  kTableArena,
  kTableChunkCount,
  kTableEpoch,
  kTableGeneration,
  kTableIoCount,
  kTableRangeCount,
} from '../reader/layout.js';
import { type ArenaColumns, metaRows, type TableColumns } from '../reader/table-columns.js';
import type { ChunkArenas } from './chunk-arena.js';
import { writeChunkIndex, writeDirectoryIndex } from './chunk-index.js';
import { entriesMeeting, fixDoorbells } from './doorbell-marks.js';
import type { OwnerDirectory } from './owner-directory.js';
import { writeRow } from './table-writer.js';
import type { ViewChange } from './view-diff.js';

/** A chunk left with fewer rows than this after a change is merged with a neighbour. */
const MERGE_BELOW = CHUNK_ROWS / 4;

/**
 * What a publish writes: entries `[kFirst, kLast]` of the previous table's directory are
 * replaced by `fresh` new chunks holding the next view's rows `[firstRow, firstRow + rows)`
 * (`full`: every row, nothing shared).
 */
export interface TablePlan {
  readonly full: boolean;
  readonly kFirst: number;
  readonly kLast: number;
  readonly firstRow: number;
  readonly rows: number;
  readonly fresh: number;
  /** Directory entries of the new table. */
  readonly chunkCount: number;
}

export class ChunkedTableWriter {
  private readonly allocated: number[] = [];
  private readonly written = new Set<number>();

  constructor(
    private readonly arenas: ChunkArenas,
    private readonly directory: OwnerDirectory,
  ) {}

  /** Plans writing `view` (growing the arena when it is too full for the plan). */
  plan(view: FlatView, change?: ViewChange, previous?: TableColumns): TablePlan {
    const n = view.rangeCount;
    const prevD = previous?.chunkCount ?? 0;
    if (
      change?.previous === undefined ||
      previous === undefined ||
      prevD === 0 ||
      previous.header[kTableArena] !== this.arenas.currentId
    ) {
      return this.fullPlan(n, prevD);
    }
    const { start: s, previousEnd: pe, nextEnd: ne } = change;
    const rowOf = previous.dirRow;
    const prevN = previous.rangeCount;
    const rowsUpTo = (k: number) => (k < prevD ? rowOf[k]! : prevN);
    // Doorbell marks may copy entries their spans meet: keep a free chunk for each.
    let slack = 0;
    for (const io of change.previous.ioeventfds) slack += entriesMeeting(previous, io);
    for (const io of view.ioeventfds) slack += entriesMeeting(previous, io);
    if (pe === s && ne === s) {
      if (slack > this.arenas.available) return this.grownPlan(n, prevD);
      return {
        full: false,
        kFirst: 0,
        kLast: -1,
        firstRow: 0,
        rows: 0,
        fresh: 0,
        chunkCount: prevD,
      };
    }
    let kFirst = entryOfRow(rowOf, prevD, s);
    let kLast = pe > s ? entryOfRow(rowOf, prevD, pe - 1) : kFirst;
    let rows = rowsUpTo(kLast + 1) - rowOf[kFirst]! - (pe - s) + (ne - s);
    if (rows < MERGE_BELOW) {
      if (kLast + 1 < prevD) {
        kLast += 1;
        rows += rowsUpTo(kLast + 1) - rowOf[kLast]!;
      } else if (kFirst > 0) {
        kFirst -= 1;
        rows += rowOf[kFirst + 1]! - rowOf[kFirst]!;
      }
    }
    const fresh = Math.ceil(rows / CHUNK_ROWS);
    if (fresh + slack > this.arenas.available) return this.grownPlan(n, prevD);
    const chunkCount = prevD - (kLast - kFirst + 1) + fresh;
    return { full: false, kFirst, kLast, firstRow: rowOf[kFirst]!, rows, fresh, chunkCount };
  }

  private grownPlan(n: number, prevD: number): TablePlan {
    this.arenas.grow(Math.ceil(n / CHUNK_ROWS));
    return this.fullPlan(n, prevD);
  }

  private fullPlan(n: number, prevD: number): TablePlan {
    const fresh = Math.ceil(n / CHUNK_ROWS);
    if (fresh > this.arenas.available || this.arenas.currentId === 0) this.arenas.grow(fresh);
    return {
      full: true,
      kFirst: 0,
      kLast: prevD - 1,
      firstRow: 0,
      rows: n,
      fresh,
      chunkCount: fresh,
    };
  }

  /**
   * Writes `view` into `table` (invisible to readers, with room for `plan.chunkCount`
   * entries) under `epoch`, as `plan` says. On a throw, the chunks it took go back.
   */
  write(
    plan: TablePlan,
    view: FlatView,
    table: TableColumns,
    epoch: number,
    change?: ViewChange,
    previous?: TableColumns,
  ): void {
    this.allocated.length = 0;
    this.written.clear();
    try {
      this.writeDirectory(plan, view, table, change, previous);
      this.writeIoeventfds(view, table);
      const before = plan.full ? [] : (change?.previous?.ioeventfds ?? []);
      fixDoorbells(table, this.arenas.current, plan.chunkCount, before, view.ioeventfds, {
        isWritten: (k) => this.written.has(k),
        copy: (k) => this.copyChunk(table, this.arenas.current, k),
      });
    } catch (cause) {
      for (const c of this.allocated) this.arenas.unallocate(c);
      throw cause;
    }
    writeDirectoryIndex(table, plan.chunkCount);
    const header = table.header;
    header[kTableChunkCount] = plan.chunkCount;
    header[kTableArena] = this.arenas.currentId;
    header[kTableRangeCount] = view.rangeCount;
    header[kTableGeneration] = view.generation;
    header[kTableEpoch] = epoch;
  }

  private writeDirectory(
    plan: TablePlan,
    view: FlatView,
    table: TableColumns,
    change?: ViewChange,
    previous?: TableColumns,
  ): void {
    const arena = this.arenas.current;
    let d = 0;
    const shared = !plan.full && previous !== undefined;
    if (shared) {
      table.dirFirst.set(previous.dirFirst.subarray(0, plan.kFirst));
      table.dirMeta.set(previous.dirMeta.subarray(0, plan.kFirst));
      table.dirEnd.set(previous.dirEnd.subarray(0, plan.kFirst));
      table.dirChunk.set(previous.dirChunk.subarray(0, plan.kFirst));
      table.dirRow.set(previous.dirRow.subarray(0, plan.kFirst));
      d = plan.kFirst;
    }
    const s = change?.start ?? 0;
    const pe = change?.previousEnd ?? 0;
    const ne = change?.nextEnd ?? view.rangeCount;
    let j = plan.firstRow;
    let k = plan.kFirst;
    const previousCount = previous?.chunkCount ?? 0;
    for (let q = 0; q < plan.fresh; q++) {
      const count =
        Math.floor((plan.rows * (q + 1)) / plan.fresh) - Math.floor((plan.rows * q) / plan.fresh);
      const c = this.arenas.allocate();
      this.allocated.push(c);
      this.written.add(d);
      const base = c << CHUNK_SHIFT;
      table.dirRow[d] = j;
      for (let i = 0; i < count; i++, j++) {
        if (!shared || (j >= s && j < ne)) {
          writeRow(arena, base + i, view.rangeAt(j)!, this.directory);
        } else {
          // Old rows are visited in increasing order: the entry holding one only moves on.
          const old = j < s ? j : j - ne + pe;
          while (k + 1 < previousCount && previous.dirRow[k + 1]! <= old) k++;
          copyRow(
            arena,
            (previous.dirChunk[k]! << CHUNK_SHIFT) + (old - previous.dirRow[k]!),
            base + i,
          );
        }
      }
      table.dirMeta[d] = writeChunkIndex(arena, c, count);
      table.dirChunk[d] = c;
      table.dirFirst[d] = arena.start[base]!;
      table.dirEnd[d] = arena.end[base + count - 1]!;
      d++;
    }
    if (shared) {
      const from = plan.kLast + 1;
      const to = previous.chunkCount;
      table.dirFirst.set(previous.dirFirst.subarray(from, to), d);
      table.dirMeta.set(previous.dirMeta.subarray(from, to), d);
      table.dirEnd.set(previous.dirEnd.subarray(from, to), d);
      table.dirChunk.set(previous.dirChunk.subarray(from, to), d);
      const shift = ne - pe;
      const rows = previous.dirRow;
      const into = table.dirRow;
      for (let k = from; k < to; k++) into[d + k - from] = rows[k]! + shift;
    }
  }

  private writeIoeventfds(view: FlatView, table: TableColumns): void {
    const m = view.ioeventfds.length;
    for (let k = 0; k < m; k++) {
      const io = view.ioeventfds[k]!;
      table.ioBase[k] = io.addrRange.base;
      table.ioSize[k] = io.addrRange.size;
      table.ioDataLo[k] = Number(io.data & 0xffffffffn) | 0;
      table.ioDataHi[k] = Number((io.data >> 32n) & 0xffffffffn) | 0;
      table.ioFlags[k] = io.dataMatch ? kIoDataMatch : 0;
      table.ioFdId[k] = this.directory.eventFdId(io.fd);
    }
    table.header[kTableIoCount] = m;
  }

  /** Copy-on-write of entry `k`'s chunk: a fresh copy takes its place in this table. */
  private copyChunk(table: TableColumns, arena: ArenaColumns, k: number): void {
    const from = table.dirChunk[k]!;
    const to = this.arenas.allocate();
    this.allocated.push(to);
    this.written.add(k);
    const a = from << CHUNK_SHIFT;
    const b = to << CHUNK_SHIFT;
    const n = metaRows(table.dirMeta[k]!);
    for (const column of [arena.start, arena.end, arena.hostBase, arena.offsetInRegion]) {
      column.copyWithin(b, a, a + n);
    }
    for (const column of [arena.regionId, arena.mappingId, arena.typeFlags]) {
      column.copyWithin(b, a, a + n);
    }
    const i = from * CHUNK_INDEX_WORDS;
    arena.chunkIndex.copyWithin(to * CHUNK_INDEX_WORDS, i, i + CHUNK_INDEX_WORDS);
    table.dirChunk[k] = to;
  }
}

/** The entry of the first `count` entries holding view row `row` (the last starting at or below it). */
function entryOfRow(rowOf: Int32Array, count: number, row: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (rowOf[mid]! <= row) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Copies arena row `from` to arena row `to` (every column, the doorbell mark too). */
function copyRow(arena: ArenaColumns, from: number, to: number): void {
  arena.start[to] = arena.start[from]!;
  arena.end[to] = arena.end[from]!;
  arena.hostBase[to] = arena.hostBase[from]!;
  arena.offsetInRegion[to] = arena.offsetInRegion[from]!;
  arena.regionId[to] = arena.regionId[from]!;
  arena.mappingId[to] = arena.mappingId[from]!;
  arena.typeFlags[to] = arena.typeFlags[from]!;
}
