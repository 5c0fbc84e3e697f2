/**
 * The directory: how shared buffers (view tables, chunk arenas, host mappings, EventFd
 * counters) reach reader threads that are busy in a synchronous loop.
 *
 * The owner gives every buffer it will publish a small id (per kind, from 1; 0 means
 * none) and posts its descriptor on a `BroadcastChannel` named per publisher BEFORE any
 * view that uses it is published. A reader starts from the snapshot in its handle; when a
 * table names an id it does not know, it drains the channel synchronously with
 * `receiveMessageOnPort`. An id still unknown after that (the reader attached after the
 * broadcast went out) fails the access with `ReaderFault`: the caller ends its slice and
 * attaches again with a fresh handle. Ids are never reused, so a stale id can never name
 * a different buffer. A reader thread that returns to its event loop (between slices)
 * receives the descriptors there through a listener, so it stays complete.
 *
 * This module holds the entries, the snapshot in a handle and the reader's side; the
 * owner's side, which assigns ids and broadcasts, is publication/owner-directory.ts. It
 * moves descriptors only. It never decides what is published or reclaimed.
 */
import { BroadcastChannel, receiveMessageOnPort } from 'node:worker_threads';
import { EventFd, type SharedEventFdDescriptor } from '../../host/event-fd.js';
import { unknownEntryFault } from './reader-faults.js';
import { ArenaColumns, TableColumns } from './table-columns.js';

export type DirectoryEntry =
  | { readonly kind: 'table'; readonly id: number; readonly buffer: SharedArrayBuffer }
  | { readonly kind: 'arena'; readonly id: number; readonly buffer: SharedArrayBuffer }
  | { readonly kind: 'forget-arena'; readonly id: number }
  | {
      readonly kind: 'mapping';
      readonly id: number;
      readonly buffer: SharedArrayBuffer;
      /** The mapping's dirty-page bitmap (host/dirty-bitmap.ts). */
      readonly dirty: SharedArrayBuffer;
      readonly hostAddress: number;
      readonly name: string;
    }
  | { readonly kind: 'eventfd'; readonly id: number; readonly fd: SharedEventFdDescriptor }
  | { readonly kind: 'forget-mapping'; readonly id: number };

/** The part of a reader handle that describes the directory. Structured-cloneable. */
export interface DirectorySnapshot {
  readonly channel: string;
  readonly entries: readonly DirectoryEntry[];
}

/**
 * Reader side: arrays indexed by id, filled from the snapshot and the channel. Lookups of
 * known ids are one array access.
 */
export class ReaderDirectory {
  readonly tables: (TableColumns | undefined)[] = [];
  readonly arenas: (ArenaColumns | undefined)[] = [];
  readonly mappingBytes: (Uint8Array | undefined)[] = [];
  readonly mappingViews: (DataView | undefined)[] = [];
  readonly mappingDirty: (Int32Array | undefined)[] = [];
  readonly mappingHostAddress: number[] = [];
  readonly eventFds: (EventFd | undefined)[] = [];
  private channel: BroadcastChannel | undefined;

  constructor(snapshot: DirectorySnapshot) {
    this.channel = new BroadcastChannel(snapshot.channel);
    // When this thread returns to its event loop, messages are dispatched there (and would
    // be lost without a listener); while it runs a synchronous loop, `drain()` takes them.
    this.channel.onmessage = (event) => this.apply((event as MessageEvent).data as DirectoryEntry);
    (this.channel as unknown as { unref?: () => void }).unref?.();
    for (const entry of snapshot.entries) this.apply(entry);
  }

  private apply(entry: DirectoryEntry): void {
    switch (entry.kind) {
      case 'table':
        if (this.tables[entry.id] === undefined) {
          this.tables[entry.id] = new TableColumns(entry.buffer);
        }
        break;
      case 'arena':
        if (this.arenas[entry.id] === undefined) {
          this.arenas[entry.id] = new ArenaColumns(entry.buffer);
        }
        break;
      case 'forget-arena':
        this.arenas[entry.id] = undefined;
        break;
      case 'mapping':
        if (this.mappingBytes[entry.id] === undefined) {
          this.mappingBytes[entry.id] = new Uint8Array(entry.buffer);
          this.mappingViews[entry.id] = new DataView(entry.buffer);
          this.mappingDirty[entry.id] = new Int32Array(entry.dirty);
          this.mappingHostAddress[entry.id] = entry.hostAddress;
        }
        break;
      case 'eventfd':
        if (this.eventFds[entry.id] === undefined) {
          this.eventFds[entry.id] = EventFd.fromShared(entry.fd);
        }
        break;
      case 'forget-mapping':
        this.mappingBytes[entry.id] = undefined;
        this.mappingViews[entry.id] = undefined;
        this.mappingDirty[entry.id] = undefined;
        break;
    }
  }

  /** Applies every descriptor the owner broadcast since the last drain. Synchronous. */
  drain(): void {
    const channel = this.channel;
    if (channel === undefined) return;
    for (;;) {
      const received = receiveMessageOnPort(channel as never);
      if (received === undefined) return;
      this.apply(received.message as DirectoryEntry);
    }
  }

  /** Table `id`, draining the channel once if it is not known yet; `undefined` if still unknown. */
  table(id: number): TableColumns | undefined {
    const known = this.tables[id];
    if (known !== undefined) return known;
    this.drain();
    return this.tables[id];
  }

  /** Arena `id`, draining the channel once if it is not known yet; `undefined` if still unknown. */
  arena(id: number): ArenaColumns | undefined {
    const known = this.arenas[id];
    if (known !== undefined) return known;
    this.drain();
    return this.arenas[id];
  }

  /** Makes sure mapping `id` is known (draining the channel once), else `ReaderFault`. */
  requireMapping(id: number): void {
    if (this.mappingBytes[id] !== undefined) return;
    this.drain();
    if (this.mappingBytes[id] === undefined) faultUnknown('mapping', id);
  }

  eventFd(id: number): EventFd {
    const known = this.eventFds[id];
    if (known !== undefined) return known;
    this.drain();
    return this.eventFds[id] ?? faultUnknown('eventfd', id);
  }

  close(): void {
    this.channel?.close();
    this.channel = undefined;
  }
}

function faultUnknown(kind: 'mapping' | 'eventfd', id: number): never {
  throw unknownEntryFault(kind, id);
}
