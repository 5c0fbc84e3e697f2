/**
 * The owner's view tables: a pool of table buffers (header, chunk directory, ioeventfds,
 * page index; reader/layout.ts) and the chunk arenas their rows live in. `write` fills a
 * free table with a view (sharing the previous table's unchanged chunks) and retains the
 * chunks it names; `release` gives a reclaimed table back and releases its chunks.
 *
 * Owner thread only. The publisher calls `release` exactly where the strategy reclaims a
 * table, so a table buffer or a chunk is rewritten only once no reader can use it
 * (chunk-arena.ts).
 */
import type { FlatView } from '../../core/flat-view.js';
import {
  grownCapacity,
  kTableArena,
  MIN_CHUNK_CAPACITY,
  MIN_IO_CAPACITY,
} from '../reader/layout.js';
import { CHUNK_BYTES, TableColumns } from '../reader/table-columns.js';
import { ChunkArenas } from './chunk-arena.js';
import { ChunkedTableWriter } from './chunked-writer.js';
import type { OwnerDirectory } from './owner-directory.js';
import type { ViewChange } from './view-diff.js';

export interface PooledTable {
  readonly id: number;
  readonly columns: TableColumns;
}

export class TablePool {
  private readonly free: PooledTable[] = [];
  private readonly arenas: ChunkArenas;
  private readonly writer: ChunkedTableWriter;
  /** Table buffers allocated so far, and their bytes. */
  private tableCount = 0;
  private tableByteCount = 0;

  constructor(private readonly directory: OwnerDirectory) {
    this.arenas = new ChunkArenas(directory);
    this.writer = new ChunkedTableWriter(this.arenas, directory);
  }

  /** Shared buffers allocated so far for tables: table buffers and chunk arenas. */
  get allocatedCount(): number {
    return this.tableCount + this.arenas.allocatedCount;
  }

  /** Bytes of every table buffer and chunk arena allocated so far. */
  get allocatedBytes(): number {
    return this.tableByteCount + this.arenas.allocatedBytes;
  }

  /**
   * A free table holding `view` under `epoch`, sharing the unchanged chunks of `previous`
   * (the table of `change.previous`). Returns it with the bytes the publish retires from
   * `previous` (its buffer and the chunks the new table does not share). Throws (taking
   * nothing) when a row cannot be written.
   */
  write(
    view: FlatView,
    epoch: number,
    change: ViewChange,
    previous: TableColumns | undefined,
  ): { table: PooledTable; retiredBytes: number } {
    const plan = this.writer.plan(view, change, previous);
    const table = this.take(plan.chunkCount, view.ioeventfds.length);
    try {
      this.writer.write(plan, view, table.columns, epoch, change, previous);
    } catch (cause) {
      this.free.push(table);
      throw cause;
    }
    const columns = table.columns;
    this.arenas.retain(columns.header[kTableArena]!, columns.dirChunk, plan.chunkCount);
    const replaced = plan.kLast - plan.kFirst + 1;
    const retiredBytes =
      previous === undefined ? 0 : previous.buffer.byteLength + replaced * CHUNK_BYTES;
    return { table, retiredBytes };
  }

  /** `table` was reclaimed: its chunks are released and its buffer is free for reuse. */
  release(table: PooledTable): void {
    const columns = table.columns;
    this.arenas.release(columns.header[kTableArena]!, columns.dirChunk, columns.chunkCount);
    this.free.push(table);
  }

  /** The smallest free table that fits, else a new one (broadcast before it is used). */
  private take(chunks: number, ioeventfds: number): PooledTable {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const c = this.free[i]!.columns;
      if (c.chunkCap < chunks || c.ioCap < ioeventfds) continue;
      if (best < 0 || c.buffer.byteLength < this.free[best]!.columns.buffer.byteLength) best = i;
    }
    if (best >= 0) return this.free.splice(best, 1)[0]!;
    const columns = TableColumns.allocate(
      grownCapacity(chunks, MIN_CHUNK_CAPACITY),
      grownCapacity(ioeventfds, MIN_IO_CAPACITY),
    );
    this.tableCount += 1;
    this.tableByteCount += columns.buffer.byteLength;
    return { id: this.directory.addTable(columns), columns };
  }
}
