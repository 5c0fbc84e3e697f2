/**
 * `SharedViewPublisher`: the owner's side of the published view (SPEC 7, 8; DESIGN "The
 * published view"). It is an address space's `ViewPublisher`: for every new flat view it
 * fills a free table (growing to a larger table when the view does not fit), makes it
 * current with the strategy's publishing store, and hands what the publish retired (the
 * previous table, mappings the new view no longer uses) to grace periods and reclamation.
 * It also allocates reader slots and builds the handles that reader threads attach with.
 *
 * Role: owner thread only. It never blocks the event loop (grace periods wait with
 * `Atomics.waitAsync`; the mutex strategy spins briefly) and never touches a reader's
 * private state. Queries (`stats`, `generation`) describe the owner's side: readers may
 * still be on older views.
 */
import { wallClockMs } from '../../base/clock.js';
import { AddressSpaceError } from '../../base/errors.js';
import type { FlatView } from '../../core/flat-view.js';
import type { ViewFlags } from '../../core/publisher.js';
import type { Region } from '../../core/region.js';
import type { HostMemMapping } from '../../host/mapping.js';
import {
  CONTROL_WORDS,
  controlBytes,
  kTableDirtyLog,
  kTableFlags,
  kTableHypIoeventfd,
  MAX_EPOCH,
} from '../reader/layout.js';
import type { ReaderHandle, Strategy } from '../reader/reader-api.js';
import { stampReclaimedTable } from '../reader/table-age.js';
import { strategyModuleUrl } from '../strategies/registry.js';
import type {
  OwnerContext,
  StrategyDefinition,
  StrategyOwner,
} from '../strategies/strategy-definition.js';
import { GracePeriods } from './grace.js';
import { ViewHistory } from './history.js';
import { OwnerDirectory } from './owner-directory.js';
import { OwnerWaits } from './owner-wait.js';
import type { PublicationStats } from './publication-stats.js';
import {
  type PublisherOptions,
  type ResolvedPublisherOptions,
  resolvePublisherOptions,
} from './publisher-options.js';
import { ReaderRegistry } from './reader-registry.js';
import { backingOf, Reclaimer } from './reclaim.js';
import { RegionRetention } from './region-retention.js';
import { RetentionMeter } from './retention-meter.js';
import { type PooledTable, TablePool } from './table-pool.js';
import { validateView } from './table-writer.js';
import { viewChange } from './view-diff.js';

/** What `attachTo` needs of an `AddressSpace`. */
export interface PublishableAddressSpace {
  readonly flatView: FlatView;
  /** Its `ViewFlags`, published with the first table (the address space's getters). */
  readonly ioevtfdEnabled?: boolean;
  readonly dirtyLogEnabled?: boolean;
  attachPublisher(publisher: SharedViewPublisher): void;
}

/**
 * The owner's side of the published view: `attachTo(space, options)` makes it
 * the address space's `ViewPublisher`, so every new flat view is written into a table in
 * shared memory and made current with one `Atomics.store`. `allocateReader()` reserves a
 * reader slot, `readerHandle(index)` gives the plain data a reader thread passes to
 * `SharedView.attach`; `synchronize()` / `callRcu(fn)` wait for grace periods, and retired
 * tables and guest memory are reclaimed (poisoned in check mode) only after theirs.
 * Throws `AddressSpaceError` (`InvalidArgument`) for bad options or a space that already
 * has a publisher; `ReaderFault` when the reader slots are exhausted.
 */
export class SharedViewPublisher {
  readonly options: ResolvedPublisherOptions;
  /** The strategy's name (`definition.name`). */
  readonly strategy: Strategy;
  /** The strategy this publisher publishes with. */
  readonly definition: StrategyDefinition;
  /** Generation → view, for checking reader samples (undefined unless `history`). */
  readonly history: ViewHistory | undefined;
  private readonly controlBuffer = new SharedArrayBuffer(controlBytes());
  private readonly control = new Int32Array(this.controlBuffer, 0, CONTROL_WORDS);
  private readonly registry: ReaderRegistry;
  private readonly directory = new OwnerDirectory();
  private readonly grace: GracePeriods;
  private readonly reclaimer: Reclaimer;
  private readonly regions = new RegionRetention();
  /**
   * Mapping → the first epoch of the views that showed it since it was last reclaimed (the
   * earliest, if it left and came back meanwhile): no table older than that reaches it.
   */
  private readonly shownSince = new Map<HostMemMapping, number>();
  private readonly waits: OwnerWaits;
  private readonly meter = new RetentionMeter();
  private readonly owner: StrategyOwner;
  private readonly ctx: OwnerContext;
  private readonly handleFields: Readonly<Record<string, unknown>>;
  private readonly tables = new TablePool(this.directory);
  private current: PooledTable | undefined;
  /** The view `current` holds. */
  private lastView: FlatView | undefined;
  private epoch = 0;
  private currentGeneration = 0;
  private closed = false;
  /** `kTableFlags` of every table published from now on (`publishFlags`). */
  private flags = 0;

  constructor(options: PublisherOptions = {}) {
    this.options = resolvePublisherOptions(options);
    this.definition = this.options.strategy;
    this.strategy = this.definition.name;
    this.registry = new ReaderRegistry(this.options.maxReaders);
    this.grace = new GracePeriods(this.control, this.registry, {
      leaseMs: this.options.leaseMs,
      pollMs: this.options.pollMs,
    });
    this.waits = new OwnerWaits(this.control, this.options.pollMs);
    const grace = this.grace;
    const waits = this.waits;
    this.ctx = {
      control: this.control,
      readerWords: new Int32Array(this.registry.buffer),
      registry: this.registry,
      leaseMs: this.options.leaseMs,
      pollMs: this.options.pollMs,
      batchLimit: this.options.batchLimit,
      qsbr: { request: (epoch, fn) => grace.request(epoch, fn) },
      wait: (ready, then, everyMs) => waits.wait(ready, then, everyMs),
      ownerBlocked: (us) => this.meter.blocked(us),
    };
    this.owner = this.definition.createOwner(this.ctx);
    this.handleFields = this.owner.handleFields?.() ?? {};
    this.reclaimer = new Reclaimer(this.options.check);
    this.history = this.options.history ? new ViewHistory() : undefined;
  }

  /** Creates a publisher, attaches it to `as` and publishes the current view. */
  static attachTo(
    as: PublishableAddressSpace,
    options: PublisherOptions = {},
  ): SharedViewPublisher {
    const publisher = new SharedViewPublisher(options);
    publisher.publishFlags({
      hypIoeventfd: as.ioevtfdEnabled === true,
      dirtyLog: as.dirtyLogEnabled === true,
    });
    publisher.publish(as.flatView);
    as.attachPublisher(publisher);
    return publisher;
  }

  // ---- ViewPublisher ----

  /**
   * Publishes `view`. Throws (changing nothing readers can see) when the view cannot be
   * serialised; the address space then rolls the change back.
   */
  publish(view: FlatView, _previous?: FlatView): void {
    // `_previous` is the address space's idea of the last view; the diff uses the view
    // this publisher last published (the one its current table holds).
    if (this.closed) throw new AddressSpaceError('UpdateTopology', 'publisher is closed');
    // Only the rows that changed since the last publish are validated, written and diffed.
    const change = viewChange(this.lastView, view);
    validateView(view, change);
    if (this.epoch >= MAX_EPOCH) {
      throw new AddressSpaceError('UpdateTopology', 'publisher epoch limit (2**31 - 2) reached');
    }
    const epoch = this.epoch + 1;
    const { table, retiredBytes: tableBytes } = this.tables.write(
      view,
      epoch,
      change,
      this.current?.columns,
    );
    table.columns.header[kTableFlags] = this.flags;
    this.history?.record(view);
    const retiredTable = this.current;
    const publishedMs = wallClockMs();
    // The publishing store: from here on readers may adopt `table`.
    this.owner.publish(table.id, epoch);
    this.meter.blocked((wallClockMs() - publishedMs) * 1000);
    this.epoch = epoch;
    this.current = table;
    this.currentGeneration = view.generation;
    this.lastView = view;
    this.grace.published(epoch, publishedMs);
    const retiredMappings = this.reclaimer.published(change, epoch);
    this.regions.published(change, epoch);
    let mappingBytes = 0;
    for (const mapping of retiredMappings) mappingBytes += mapping.size;
    this.meter.retired(mappingBytes + tableBytes);
    if (retiredTable !== undefined) {
      this.owner.retireTable(retiredTable.id, epoch, () => {
        // Reclaimed: a reader still inside an access on it finds the stamp (table-age.ts).
        stampReclaimedTable(retiredTable.columns.header);
        this.tables.release(retiredTable);
        this.meter.reclaimable(tableBytes, publishedMs, wallClockMs());
      });
    }
    // The first epoch whose view showed what this publish retired: older tables cannot
    // reach it (strategies that know which tables readers hold use that).
    for (let i = change.start; i < change.nextEnd; i++) {
      const mapping = backingOf(change.next.rangeAt(i)!);
      if (mapping !== undefined && !this.shownSince.has(mapping)) {
        this.shownSince.set(mapping, epoch);
      }
    }
    let oldest = epoch;
    for (const mapping of retiredMappings) {
      oldest = Math.min(oldest, this.shownSince.get(mapping) ?? 1);
    }
    const keepRegions = this.definition.releasesAroundExits === true;
    // Regions: an MMIO exit may name one resolved from any older table.
    this.owner.afterReaders(epoch, () => this.regions.graceEnded(epoch, keepRegions));
    this.owner.afterReaders(
      epoch,
      () => {
        this.meter.reclaimable(mappingBytes, publishedMs, wallClockMs());
        this.reclaimer.graceEnded(retiredMappings, epoch);
        for (const mapping of retiredMappings) {
          if (this.reclaimer.isUnreachable(mapping)) this.shownSince.delete(mapping);
        }
        // After the reclaim callbacks (which may release what they got back).
        if (retiredMappings.length > 0) queueMicrotask(() => this.forgetReleasedMappings());
      },
      oldest,
    );
  }

  /**
   * The flags readers see with the table (SPEC 5 hyp_ioevtfd_enabled, SPEC 10 dirty
   * logging): when they changed, the current view is published again with them (a new
   * epoch, the same generation). Binding for a reader once the grace period after this
   * call has ended (`synchronize()`). Before any view was published they wait for it.
   */
  publishFlags(flags: ViewFlags): void {
    const word =
      (flags.hypIoeventfd ? kTableHypIoeventfd : 0) | (flags.dirtyLog ? kTableDirtyLog : 0);
    if (word === this.flags) return;
    this.flags = word;
    if (this.lastView !== undefined) this.publish(this.lastView);
  }

  /** Resolves once every reader online now has passed a quiescent state. */
  synchronize(): Promise<void> {
    return new Promise((resolve) => this.callRcu(resolve));
  }

  /** Runs `fn` on the owner's event loop after the grace period that starts now. */
  callRcu(fn: () => void): void {
    if (typeof fn !== 'function')
      throw AddressSpaceError.invalidArgument('callRcu needs a function');
    if (this.epoch === 0) {
      queueMicrotask(fn);
      return;
    }
    // Never inside the caller, whatever the strategy decides.
    this.owner.afterReaders(this.epoch, () => queueMicrotask(fn));
  }

  // ---- readers ----

  /** Reserves a reader slot (offline until its reader goes online). */
  allocateReader(): number {
    return this.registry.allocate();
  }

  /** Marks the slot offline and frees it for `allocateReader`. */
  releaseReader(index: number): void {
    this.registry.release(index);
  }

  /**
   * Takes reader `index` out of grace-period accounting now: call it when its thread
   * exited, crashed or was terminated (a pool's 'exit' event, a rejected task).
   */
  markReaderOffline(index: number): void {
    this.registry.markOffline(index);
  }

  /** A structured-cloneable handle for `SharedView.attach` in any thread (fresh snapshot). */
  readerHandle(index: number): ReaderHandle {
    if (!this.registry.isAllocated(index)) {
      throw AddressSpaceError.invalidArgument(`reader ${index} is not allocated`);
    }
    const strategyModule = strategyModuleUrl(this.strategy);
    return {
      ...this.handleFields,
      strategy: this.strategy,
      readerIndex: index,
      control: this.controlBuffer,
      readers: this.registry.buffer,
      directory: this.directory.snapshot(),
      batchLimit: this.options.batchLimit,
      ...(strategyModule === undefined ? {} : { strategyModule }),
    };
  }

  // ---- reclamation ----

  /**
   * Runs `fn` once `mapping` is unused by every reader: after the grace period of the
   * publish that last removed it (poisoned first in check mode). Use it to pool and reuse
   * hotplugged memory.
   */
  whenReclaimed(mapping: HostMemMapping, fn: () => void): void {
    this.reclaimer.whenReclaimed(mapping, fn);
  }

  /**
   * Check mode never poisons `mapping`: for memory that is only hidden for a while and
   * comes back with its contents (a disabled RAM region, a ROM image).
   */
  keepContents(mapping: HostMemMapping): void {
    this.reclaimer.keepContents(mapping);
  }

  /** Whether the current view uses `mapping`. */
  isMappingInView(mapping: HostMemMapping): boolean {
    return this.reclaimer.isInView(mapping);
  }

  /**
   * Stops sharing mappings that were released (`mapping.release()`) once no reader can
   * reach them, so their memory can be collected. Also runs at the end of every grace period.
   */
  forgetReleasedMappings(): void {
    this.directory.forgetMappings((m) => m.isReleased && this.reclaimer.isUnreachable(m));
  }

  /**
   * The region with `id` in the current view, or one removed whose grace period has not
   * ended (an MMIO exit may still name it). `undefined` otherwise.
   */
  regionById(id: number): Region | undefined {
    return this.regions.get(id);
  }

  // ---- queries ----

  /** FlatView generation of the current view. */
  get generation(): number {
    return this.currentGeneration;
  }

  /** Publish count (the epoch of the current view). */
  get currentEpoch(): number {
    return this.epoch;
  }

  /** Grace periods requested and not yet over. */
  get pendingGracePeriods(): number {
    return this.grace.pending + this.waits.pending;
  }

  stats(): PublicationStats {
    return {
      strategy: this.strategy,
      generations: this.epoch,
      generation: this.currentGeneration,
      adoptLatencyUs: this.grace.adoptLatencyUs.toArray(),
      gracePeriodUs: this.grace.durationUs.toArray(),
      gracePeriods: this.grace.count,
      reclaimedMappings: this.reclaimer.reclaimedMappings,
      reclaimedBytes: this.reclaimer.reclaimedBytes,
      poisonedMappings: this.reclaimer.poisonedMappings,
      evictedReaders: this.registry.evictedCount,
      tables: this.tables.allocatedCount,
      tableBytes: this.tables.allocatedBytes,
      callbackErrors: this.grace.errors + this.waits.errors,
      retainedBytes: this.meter.retainedBytes,
      retainedBytesMax: this.meter.retainedBytesMax,
      reclaimLatencyUs: this.meter.reclaimLatencyUs.toArray(),
      ownerBlockedUs: this.meter.ownerBlockedUs,
    };
  }

  /** Stops publishing and closes the directory channel. Readers should be offline. */
  close(): void {
    this.closed = true;
    this.owner.close?.();
    this.directory.close();
  }
}
