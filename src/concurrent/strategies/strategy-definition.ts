/**
 * `StrategyDefinition`: what a publication strategy provides (SPEC 7, "A strategy is a
 * plug-in"). Every built-in strategy (rcu, seqlock, mutex, rwlock, refcount, hazard, ebr,
 * leftright, none) is one of these, and a user's module whose default export is one plugs
 * in the same way (`registerStrategy`, or `--strategy ./file.js`).
 *
 * A strategy has two sides that meet only in shared memory:
 *
 * - The owner's side (`createOwner`, on the thread that changes the topology): it makes a
 *   freshly written table current (`publish`), and decides when what a publish retired may
 *   be reused: the replaced table (`retireTable`) and the guest memory and regions the new
 *   view no longer shows (`afterReaders`). It never blocks the owner's event loop for
 *   long: a strategy that must wait for readers either spins for a bounded time inside
 *   `publish` (the locks, Left-Right) or waits asynchronously with `ctx.wait` / `ctx.qsbr`.
 * - The reader's side (`createReader`, in any thread holding a `ReaderHandle`): a
 *   `SharedViewReader` whose access methods wrap the shared access bodies of
 *   `TableReader` (reader/view-reader.ts) with the strategy's protection, and which
 *   decides when it adopts a newly published table.
 *
 * The publisher writes each new table into a table the owner's side gave back (or a new
 * one) before it calls `publish`, so a strategy never writes tables itself. Tables are
 * reused: a reader that compares table ids must also compare the adopted table's epoch
 * (`kTableEpoch`) unless the strategy holds a table for as long as the reader caches it.
 *
 * Declared here, so that strategy files (and plug-ins) never import the publication side.
 */
import type { ReaderHandle, SharedViewReader } from '../reader/reader-api.js';

/**
 * What an owner strategy may do with the reader slots (the publisher's reader registry):
 * read a slot's state (reader/layout.ts `countsForGrace` tells what it means) and evict a
 * reader that blocks the owner past its lease.
 */
export interface ReaderSlots {
  readonly maxReaders: number;
  /** The raw slot value: an epoch, or one of layout.ts's kReader* states. */
  state(index: number): number;
  /** Evicts reader `index` if its slot still holds `observed`; true when it did. */
  evict(index: number, observed: number): boolean;
}

/** Grace periods over the reader slots' announced epochs (quiescent-state based: rcu, seqlock). */
export interface QuiescentGrace {
  /** Runs `fn` on the owner's event loop once every counting reader has announced >= `epoch`. */
  request(epoch: number, fn: () => void): void;
}

/** What the publisher gives the owner's side of a strategy. */
export interface OwnerContext {
  /** The control block (reader/layout.ts); words `kStrategyWords...` belong to the strategy. */
  readonly control: Int32Array;
  /** The reader slots as Int32 words; `readerStrategyWord(i, k)` words belong to the strategy. */
  readonly readerWords: Int32Array;
  readonly registry: ReaderSlots;
  /** How long the owner tolerates a reader that blocks it before evicting it. */
  readonly leaseMs: number;
  /** Longest owner sleep between two checks of an asynchronous wait. */
  readonly pollMs: number;
  /** Most accesses a reader makes between two quiescent points (seqlock announcements, ebr sections). */
  readonly batchLimit: number;
  /** Quiescent-state grace periods (announcements in the reader slots), for strategies that use them. */
  readonly qsbr: QuiescentGrace;
  /**
   * Runs `then` on the owner's event loop once `ready()` returns true. `ready` is called at
   * once, then again whenever a reader wakes the owner (`kWakeSeq`) and at least every
   * `everyMs` (default `pollMs`). `ready` may evict readers; it must not throw.
   */
  wait(ready: () => boolean, then: () => void, everyMs?: number): void;
  /**
   * A writer that waits for readers asynchronously (rwlock, leftright) reports here how
   * long a publish waited before it took effect: counted as owner-blocked time (stats
   * `ownerBlockedUs`), as the time spent inside `publish` is.
   */
  ownerBlocked(us: number): void;
}

/** The owner's side of a strategy, one per publisher. */
export interface StrategyOwner {
  /**
   * Makes table `tableId` (already written, published as `epoch`) current: the publishing
   * store(s). May wait for readers, for a bounded time (leaseMs), never for an MMIO exit.
   */
  publish(tableId: number, epoch: number): void;
  /**
   * The publish of `epoch` replaced table `tableId`: call `free` (once, on the owner
   * thread, possibly at once) when no reader can use that table any more; the publisher
   * then reuses it for a later publish.
   */
  retireTable(tableId: number, epoch: number, free: () => void): void;
  /**
   * Call `fn` (once, on the owner thread, possibly at once) when no reader can reach
   * anything through a table published before `epoch`: the guest memory and regions that
   * publishes up to `epoch` removed, and `synchronize()` / `callRcu()` at `epoch`.
   */
  afterReaders(epoch: number, fn: () => void): void;
  /** Fields added to every `ReaderHandle` (shared buffers, numbers: structured-cloneable). */
  handleFields?(): Readonly<Record<string, unknown>>;
  /** The publisher closed. */
  close?(): void;
}

/** A publication strategy: documented in the package, the built-ins use it too. */
export interface StrategyDefinition {
  /** Its name: `--strategy NAME`, `handle.strategy`, report rows. Letters, digits, `-`, `_`. */
  readonly name: string;
  /** false for designs that do not synchronise (`none`): runs report them as unsafe. */
  readonly safe: boolean;
  /** One line: the design, for usage text and reports. */
  readonly description: string;
  /**
   * Readers release their protection around an MMIO exit (so the owner, which services
   * the exit, is never blocked by the exiting reader): the publisher then keeps removed
   * regions by name for some more publishes, since the exit may still name one.
   */
  readonly releasesAroundExits?: boolean;
  /** The owner's side, once per publisher. */
  createOwner(ctx: OwnerContext): StrategyOwner;
  /** The reader's side, once per `SharedView.attach(handle)` (any thread). */
  createReader(handle: ReaderHandle): SharedViewReader;
}
