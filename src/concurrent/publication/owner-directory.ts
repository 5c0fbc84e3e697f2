/**
 * The owner's side of the directory (reader/directory.ts says how descriptors reach
 * readers): it gives every buffer it will publish a small id (per kind, from 1; 0 means
 * none), keeps the live entries for the snapshot in new reader handles, and posts each
 * new entry on the publisher's `BroadcastChannel` BEFORE any view that uses it is
 * published. Ids are never reused.
 *
 * Owner thread only. It moves descriptors only; it never decides what is published or
 * reclaimed.
 */
import { BroadcastChannel } from 'node:worker_threads';
import type { EventFd } from '../../host/event-fd.js';
import type { HostMemMapping } from '../../host/mapping.js';
import type { DirectoryEntry, DirectorySnapshot } from '../reader/directory.js';
import type { ArenaColumns, TableColumns } from '../reader/table-columns.js';

let channelCounter = 0;

/** Assigns ids, keeps the live entries, broadcasts each new one. */
export class OwnerDirectory {
  readonly channelName: string;
  private readonly channel: BroadcastChannel;
  private readonly tables: DirectoryEntry[] = [];
  private readonly arenas = new Map<number, DirectoryEntry>();
  private nextArenaId = 1;
  private readonly mappings = new Map<
    SharedArrayBuffer,
    { readonly entry: DirectoryEntry & { kind: 'mapping' }; readonly mapping: HostMemMapping }
  >();
  private readonly eventFds = new Map<SharedArrayBuffer, DirectoryEntry & { kind: 'eventfd' }>();
  private nextMappingId = 1;
  private nextEventFdId = 1;

  constructor() {
    channelCounter += 1;
    this.channelName = `addrspace:publisher:${process.pid}:${channelCounter}:${Math.random().toString(36).slice(2)}`;
    this.channel = new BroadcastChannel(this.channelName);
    (this.channel as unknown as { unref?: () => void }).unref?.();
  }

  /** Registers a new table buffer; returns its id. Tables are never forgotten (they are pooled). */
  addTable(columns: TableColumns): number {
    const entry: DirectoryEntry = {
      kind: 'table',
      id: this.tables.length + 1,
      buffer: columns.buffer,
    };
    this.tables.push(entry);
    this.channel.postMessage(entry);
    return entry.id;
  }

  /** Registers a new chunk arena; returns its id. */
  addArena(arena: ArenaColumns): number {
    const entry: DirectoryEntry = { kind: 'arena', id: this.nextArenaId++, buffer: arena.buffer };
    this.arenas.set(entry.id, entry);
    this.channel.postMessage(entry);
    return entry.id;
  }

  /** Drops arena `id` (no table can reach it any more), so its buffer can be collected. */
  forgetArena(id: number): void {
    if (!this.arenas.delete(id)) return;
    this.channel.postMessage({ kind: 'forget-arena', id } satisfies DirectoryEntry);
  }

  /** The id of `mapping`, registering and broadcasting it on first use. */
  mappingId(mapping: HostMemMapping): number {
    const known = this.mappings.get(mapping.buffer);
    if (known !== undefined) return known.entry.id;
    const entry = {
      kind: 'mapping' as const,
      id: this.nextMappingId++,
      buffer: mapping.buffer,
      dirty: mapping.dirtyBuffer,
      hostAddress: mapping.hostAddress,
      name: mapping.name,
    };
    this.mappings.set(mapping.buffer, { entry, mapping });
    this.channel.postMessage(entry);
    return entry.id;
  }

  /**
   * Drops the mappings for which `unreachable` holds (released, and no reader can reach
   * them any more), so their buffers can be collected. Readers drop them too.
   */
  forgetMappings(unreachable: (mapping: HostMemMapping) => boolean): void {
    for (const [buffer, { entry, mapping }] of this.mappings) {
      if (!unreachable(mapping)) continue;
      this.mappings.delete(buffer);
      this.channel.postMessage({ kind: 'forget-mapping', id: entry.id } satisfies DirectoryEntry);
    }
  }

  /** The id of `fd`, registering and broadcasting it on first use. */
  eventFdId(fd: EventFd): number {
    const known = this.eventFds.get(fd.buffer);
    if (known !== undefined) return known.id;
    const entry = { kind: 'eventfd' as const, id: this.nextEventFdId++, fd: fd.describe() };
    this.eventFds.set(fd.buffer, entry);
    this.channel.postMessage(entry);
    return entry.id;
  }

  get mappingCount(): number {
    return this.mappings.size;
  }

  snapshot(): DirectorySnapshot {
    return {
      channel: this.channelName,
      entries: [
        ...this.tables,
        ...this.arenas.values(),
        ...[...this.mappings.values()].map((m) => m.entry),
        ...this.eventFds.values(),
      ],
    };
  }

  close(): void {
    this.channel.close();
  }
}
