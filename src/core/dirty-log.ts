/**
 * The owner's side of dirty logging (SPEC 10; QEMU's `memory_global_dirty_log_start/
 * stop/sync`, StratoVirt's `MigrationManager::mark_dirty_log`): which mappings an
 * address space logs, and the snapshot-and-clear of their bitmaps.
 *
 * The bits themselves live in each `HostMemMapping`'s shared bitmap (host/dirty-bitmap.ts)
 * and are set by every writer: the owner's `write*` (core/access.ts), the reader threads
 * (concurrent/reader), device models (`mapping.markDirty`). This module never marks and
 * never publishes: `AddressSpace` publishes the logging flag to readers and waits for the
 * grace period that makes it binding.
 */
import { clearDirtyPages, takeDirtyPages } from '../host/dirty-bitmap.js';
import type { HostMemMapping } from '../host/mapping.js';
import type { FlatView } from './flat-view.js';

/** The dirty pages of one mapping: 4 KiB page indexes into the mapping, ascending. */
export interface DirtyMappingLog {
  readonly mapping: HostMemMapping;
  /** The mapping's name (`mapping.name`). */
  readonly name: string;
  readonly pages: readonly number[];
}

/** What `syncDirtyLog` returns: the mappings with dirty pages, and the total page count. */
export interface DirtyLog {
  readonly mappings: readonly DirtyMappingLog[];
  readonly total: number;
}

/** The mappings behind the memory-backed ranges of `view`, in address order, once each. */
export function mappingsOf(view: FlatView): HostMemMapping[] {
  const seen = new Set<HostMemMapping>();
  for (let i = 0; i < view.rangeCount; i++) {
    const mapping = view.rangeAt(i)!.owner.mapping;
    if (mapping !== undefined) seen.add(mapping);
  }
  return [...seen];
}

export class DirtyLogState {
  #logged: HostMemMapping[] = [];
  #on = false;

  get on(): boolean {
    return this.#on;
  }

  /** Starts logging every mapping `view` uses, each from an empty bitmap. */
  start(view: FlatView): void {
    if (this.#on) return;
    this.#on = true;
    this.#logged = [];
    this.#adopt(view);
  }

  stop(): void {
    if (!this.#on) return;
    for (const m of this.#logged) m.stopDirtyLogging();
    this.#logged = [];
    this.#on = false;
  }

  /** Takes and clears every logged mapping's dirty pages (mappings new in `view` join). */
  sync(view: FlatView): DirtyLog {
    if (!this.#on) return { mappings: [], total: 0 };
    this.#adopt(view);
    const mappings: DirtyMappingLog[] = [];
    let total = 0;
    for (const mapping of this.#logged) {
      const pages: number[] = [];
      const n = takeDirtyPages(mapping.dirtyBitmap, pages);
      if (n === 0) continue;
      mappings.push({ mapping, name: mapping.name, pages });
      total += n;
    }
    return { mappings, total };
  }

  #adopt(view: FlatView): void {
    for (const m of mappingsOf(view)) {
      if (this.#logged.includes(m)) continue;
      if (!m.dirtyLogging) clearDirtyPages(m.dirtyBitmap);
      m.startDirtyLogging();
      this.#logged.push(m);
    }
  }
}
