/**
 * The owner's chunk arenas (reader/layout.ts, "Chunk arena"): the shared buffers that hold
 * the rows of every view table in chunks of `CHUNK_ROWS`, the free list of each arena, and
 * a reference count per chunk: the number of tables (published, retired or being written
 * and published) whose directory names it.
 *
 * Protocol (why sharing chunks is safe): a chunk is written only between `allocate` and
 * the publish of the first table that names it; from then on it is immutable. A table's
 * chunks are released when the table is reclaimed, which happens exactly where each
 * strategy reclaims a table (after its grace period, hazard scan, drain...; at once under
 * `mutex` and `none`), so a chunk returns to the free list only once no table that any
 * reader may still hold names it. An arena is broadcast through the directory before a
 * table that names it is published; a new, larger arena is started when the current one
 * has not enough free chunks, and an old arena is forgotten once its last chunk is free.
 *
 * Owner thread only: the counts are plain numbers, no atomics.
 */
import { AddressSpaceError } from '../../base/errors.js';
import { ArenaColumns, arenaBytes } from '../reader/table-columns.js';
import type { OwnerDirectory } from './owner-directory.js';

/** The smallest arena (chunks); arenas grow by doubling past this. */
const MIN_ARENA_CHUNKS = 8;

interface Arena {
  readonly id: number;
  readonly columns: ArenaColumns;
  /** Free chunk numbers (a stack). */
  readonly free: number[];
  /** Tables naming each chunk. */
  readonly refs: Int32Array;
  /** Chunks allocated (not on the free list). */
  live: number;
}

export class ChunkArenas {
  private readonly arenas = new Map<number, Arena>();
  private currentArena: Arena | undefined;
  /** Bytes of every arena allocated so far. */
  allocatedBytes = 0;
  /** Arenas allocated so far. */
  allocatedCount = 0;

  constructor(private readonly directory: OwnerDirectory) {}

  /** Directory id of the arena new chunks come from (0 before the first). */
  get currentId(): number {
    return this.currentArena?.id ?? 0;
  }

  /** The current arena's columns (call `reserve` first). */
  get current(): ArenaColumns {
    return this.arena().columns;
  }

  /** Columns of arena `id`, if it is still kept. */
  columns(id: number): ArenaColumns | undefined {
    return this.arenas.get(id)?.columns;
  }

  /** Free chunks in the current arena. */
  get available(): number {
    return this.currentArena?.free.length ?? 0;
  }

  /**
   * Makes `chunks` free chunks available in a new current arena (at least twice the last
   * one), broadcast before anything names it. The old one stays until its chunks are free.
   */
  grow(chunks: number): void {
    let cap = Math.max(MIN_ARENA_CHUNKS, 2 * (this.currentArena?.columns.chunkCap ?? 0));
    while (cap < 2 * chunks) cap *= 2;
    const columns = ArenaColumns.allocate(cap);
    const id = this.directory.addArena(columns);
    const free: number[] = [];
    for (let c = cap - 1; c >= 0; c--) free.push(c);
    const previous = this.currentArena;
    this.currentArena = { id, columns, free, refs: new Int32Array(cap), live: 0 };
    this.arenas.set(id, this.currentArena);
    this.allocatedBytes += arenaBytes(cap);
    this.allocatedCount += 1;
    if (previous !== undefined) this.forgetIfUnused(previous);
  }

  /** A free chunk of the current arena, to be written and then named by a table. */
  allocate(): number {
    const arena = this.arena();
    const chunk = arena.free.pop();
    if (chunk === undefined) throw new AddressSpaceError('UpdateTopology', 'chunk arena is full');
    arena.live += 1;
    return chunk;
  }

  /** Gives back a chunk that `allocate` returned and no table named (a failed write). */
  unallocate(chunk: number): void {
    const arena = this.arena();
    arena.live -= 1;
    arena.free.push(chunk);
  }

  /** A table now names the first `count` chunks of `chunks` (in arena `arenaId`). */
  retain(arenaId: number, chunks: Int32Array, count: number): void {
    const refs = this.arenas.get(arenaId)!.refs;
    for (let k = 0; k < count; k++) refs[chunks[k]!]! += 1;
  }

  /** A table naming the first `count` chunks of `chunks` was reclaimed. */
  release(arenaId: number, chunks: Int32Array, count: number): void {
    const arena = this.arenas.get(arenaId);
    if (arena === undefined) return;
    const refs = arena.refs;
    for (let k = 0; k < count; k++) {
      const c = chunks[k]!;
      refs[c]! -= 1;
      if (refs[c] === 0) {
        arena.free.push(c);
        arena.live -= 1;
      }
    }
    this.forgetIfUnused(arena);
  }

  private forgetIfUnused(arena: Arena): void {
    if (arena === this.currentArena || arena.live > 0) return;
    this.arenas.delete(arena.id);
    this.directory.forgetArena(arena.id);
  }

  private arena(): Arena {
    if (this.currentArena === undefined) this.grow(1);
    return this.currentArena!;
  }
}
