/**
 * Strategy `mutex`: one lock in shared memory around every lookup and access, the
 * baseline that a Rust `Mutex<FlatView>` gives.
 *
 * Lock word `kLock`: 0 free, `kLockOwner` the owner, `readerIndex + kLockFirstReader` a
 * reader, plus `kLockContended` when someone may sleep on it and `kLockOwnerWants` while
 * the owner waits: a reader that releases a word marked so hands it straight to the owner
 * (readers re-take a free lock faster than the owner could, which starved publishes for
 * up to a second). A reader takes it with one
 * compareExchange, checks under it whether `kEpoch` moved (adopting the new table
 * and dropping its caches if so), accesses, and releases it with one compareExchange
 * (notifying only when contended). It waits with `Atomics.wait` when contended. It drops
 * the lock around an MMIO exit, so the owner can change the topology while it services
 * the exit.
 *
 * How retired memory is known to be unused: the owner switches tables while holding the
 * lock, and a reader validates the table under the lock on every access, so once the
 * owner released the lock after a publish no reader can use what it retired: the grace
 * period is "the lock was taken once after the publish". The owner never sleeps on the
 * lock: it spins. A reader that holds the lock and is marked offline (its thread died) or
 * holds it past the lease is evicted and the lock taken from it; if that reader is still
 * alive it faults when it releases.
 */
import { countsForGrace, kCurrentTable, kEpoch, kLock } from '../reader/layout.js';
import type { TagVerifier, Verified } from '../reader/memory-tags.js';
import type { ReaderHandle, SharedViewReader } from '../reader/reader-api.js';
import { lockTakenFault, readerOfflineFault, unknownEntryFault } from '../reader/reader-faults.js';
import type { TranslationTarget } from '../reader/translation.js';
import { TableReader } from '../reader/view-reader.js';
import { QsbrSlot } from './qsbr-slot.js';
import type { OwnerContext, StrategyDefinition } from './strategy-definition.js';

export const kLockOwner = 1;
export const kLockFirstReader = 2;
export const kLockContended = 1 << 30;
/** Set by the owner while it waits: the holder hands the lock straight to the owner. */
export const kLockOwnerWants = 1 << 29;
/** The holder part of the lock word. */
export const kLockHolderMask = kLockOwnerWants - 1;
/** Spins before a reader sleeps on a contended lock. */
const READER_SPINS = 64;
/** A sleeping reader re-checks at least this often (ms). */
const READER_WAIT_MS = 5;

export class MutexReader extends TableReader implements SharedViewReader {
  readonly strategy = 'mutex';
  private readonly lockValue: number;
  /** Online/offline only (no epochs): tells the owner whether a lock holder is alive. */
  private readonly slot: QsbrSlot;

  constructor(handle: ReaderHandle) {
    super(handle);
    this.lockValue = handle.readerIndex + kLockFirstReader;
    this.slot = new QsbrSlot(this.control, handle.readers, handle.readerIndex);
  }

  online(): void {
    this.slot.online();
  }

  offline(): void {
    this.slot.offline();
    this.dropTable();
  }

  /** Adopts the newest table (takes the lock once). */
  quiescent(): void {
    this.lock();
    this.unlock();
  }

  private lock(): void {
    if (Atomics.compareExchange(this.control, kLock, 0, this.lockValue) !== 0) this.lockSlow();
    // Tables are reused as soon as they are retired, so compare epochs, not table ids.
    if (this.control[kEpoch] !== this.epoch) this.adoptLocked(this.control[kCurrentTable]!);
  }

  private lockSlow(): void {
    for (let spins = 0; ; spins++) {
      const seen = Atomics.load(this.control, kLock);
      if (seen === 0) {
        const mine = spins > READER_SPINS ? this.lockValue | kLockContended : this.lockValue;
        if (Atomics.compareExchange(this.control, kLock, 0, mine) === 0) return;
        continue;
      }
      if (spins < READER_SPINS) continue;
      const contended = seen | kLockContended;
      if (
        seen !== contended &&
        Atomics.compareExchange(this.control, kLock, seen, contended) !== seen
      ) {
        continue;
      }
      Atomics.wait(this.control, kLock, contended, READER_WAIT_MS);
    }
  }

  private unlock(): void {
    const seen = Atomics.compareExchange(this.control, kLock, this.lockValue, 0);
    if (seen !== this.lockValue) this.unlockSlow(seen);
  }

  private unlockSlow(seen: number): void {
    // Others may add bits (contended, owner wants) at any time: retry until the release
    // lands, as long as the word still names this reader.
    while ((seen & kLockHolderMask) === this.lockValue) {
      // The owner's publish goes first: the lock passes straight to it, so no reader can
      // barge in between.
      const next = (seen & kLockOwnerWants) !== 0 ? kLockOwner | kLockContended : 0;
      const now = Atomics.compareExchange(this.control, kLock, seen, next);
      if (now === seen) {
        if (next === 0) Atomics.notify(this.control, kLock, 1);
        return;
      }
      seen = now;
    }
    this.dropTable();
    throw lockTakenFault();
  }

  private adoptLocked(id: number): void {
    if (!this.slot.isOnline || id === 0) {
      this.unlock();
      throw readerOfflineFault();
    }
    if (!this.setTable(id)) {
      this.unlock();
      throw unknownEntryFault('table', id);
    }
  }

  protected override beforeExit(): void {
    this.unlock();
  }

  protected override afterExit(): void {
    this.lock();
  }

  readU8(gpa: number): number {
    this.lock();
    try {
      return this.unsynchronizedReadU8(gpa);
    } finally {
      this.unlock();
    }
  }
  readU16(gpa: number): number {
    this.lock();
    try {
      return this.unsynchronizedReadU16(gpa);
    } finally {
      this.unlock();
    }
  }
  readU32(gpa: number): number {
    this.lock();
    try {
      return this.unsynchronizedReadU32(gpa);
    } finally {
      this.unlock();
    }
  }
  readU64(gpa: number): bigint {
    this.lock();
    try {
      return this.unsynchronizedReadU64(gpa);
    } finally {
      this.unlock();
    }
  }
  read(gpa: number, dst: Uint8Array): void {
    this.lock();
    try {
      this.readBytes(gpa, dst);
    } finally {
      this.unlock();
    }
  }
  translate(gpa: number, out: TranslationTarget): boolean {
    this.lock();
    try {
      return this.unsynchronizedTranslate(gpa, out);
    } finally {
      this.unlock();
    }
  }
  verifiedAccess(gpa: number, size: number, isWrite: boolean, verifier: TagVerifier): Verified {
    this.lock();
    try {
      return this.unsynchronizedVerified(gpa, size, isWrite, verifier);
    } finally {
      this.unlock();
    }
  }
  writeU8(gpa: number, value: number): void {
    this.lock();
    try {
      this.unsynchronizedWriteU8(gpa, value);
    } finally {
      this.unlock();
    }
  }
  writeU16(gpa: number, value: number): void {
    this.lock();
    try {
      this.unsynchronizedWriteU16(gpa, value);
    } finally {
      this.unlock();
    }
  }
  writeU32(gpa: number, value: number): void {
    this.lock();
    try {
      this.unsynchronizedWriteU32(gpa, value);
    } finally {
      this.unlock();
    }
  }
  writeU64(gpa: number, value: bigint): void {
    this.lock();
    try {
      this.unsynchronizedWriteU64(gpa, value);
    } finally {
      this.unlock();
    }
  }
  write(gpa: number, src: Uint8Array): void {
    this.lock();
    try {
      this.writeBytes(gpa, src);
    } finally {
      this.unlock();
    }
  }
}

/** Takes the lock on the owner thread: spins, never sleeps; takes it from dead or stalled holders. */
function ownerLock(ctx: OwnerContext): void {
  const { control, registry } = ctx;
  const deadline = performance.now() + ctx.leaseMs;
  for (;;) {
    // Taken as contended, so that releasing it always wakes readers that went to sleep.
    const seen = Atomics.compareExchange(control, kLock, 0, kLockOwner | kLockContended);
    if (seen === 0) return;
    const holder = seen & kLockHolderMask;
    if (holder === kLockOwner) return; // a reader handed it over
    // Ask the holder to hand the lock over when it releases it.
    if ((seen & kLockOwnerWants) === 0) {
      Atomics.compareExchange(control, kLock, seen, seen | kLockOwnerWants | kLockContended);
      continue;
    }
    const reader = holder - kLockFirstReader;
    if (reader < 0 || reader >= registry.maxReaders) continue;
    const state = registry.state(reader);
    const dead = !countsForGrace(state);
    if (dead || (performance.now() > deadline && registry.evict(reader, state))) {
      if (Atomics.compareExchange(control, kLock, seen, kLockOwner | kLockContended) === seen) {
        return;
      }
    }
  }
}

function ownerUnlock(control: Int32Array): void {
  const seen = Atomics.exchange(control, kLock, 0);
  if ((seen & kLockContended) !== 0) Atomics.notify(control, kLock, 1);
}

/**
 * Every epoch is published under the lock, so once `publish` returned no reader uses a
 * table published before it: retired tables and memory are free at once.
 */
export const mutex: StrategyDefinition = {
  name: 'mutex',
  safe: true,
  description: "one lock around every lookup and access (Rust's Mutex<FlatView>)",
  releasesAroundExits: true,
  createOwner: (ctx) => ({
    publish(tableId, epoch) {
      ownerLock(ctx);
      Atomics.store(ctx.control, kEpoch, epoch);
      Atomics.store(ctx.control, kCurrentTable, tableId);
      ownerUnlock(ctx.control);
    },
    retireTable: (_tableId, _epoch, free) => free(),
    afterReaders: (_epoch, fn) => fn(),
  }),
  createReader: (handle) => new MutexReader(handle),
};
