/**
 * Strategy `ebr`: epoch-based reclamation (Fraser 2004; crossbeam-epoch). A global epoch
 * `kGlobalEpoch` (control word kStrategyWords + 0, from 1); a reader pins it for a
 * critical section and unpins after; the owner frees what was retired two epochs back.
 *
 * Reader: its slot word (the QSBR slot, qsbr-slot.ts) is 0 while online and unpinned, or
 * the global epoch it pinned. A critical section is a run of at most `batchLimit`
 * accesses, ended early when `kCurrentTable` moved (one plain load per access, as rcu) and
 * at every quiescent point. Starting one: unpin (slot to 0), pin (`g =
 * Atomics.load(kGlobalEpoch)`, then compareExchange the slot to `g`), then
 * `Atomics.load(kCurrentTable)` and adopt it unless it is the adopted table with the
 * adopted epoch (between sections the reader holds nothing, so a table may have been
 * reused). Within a section it uses that table and what it reaches, nothing else.
 * Owner: publishes with two stores (`kEpoch`, then `kCurrentTable`). What a publish retires
 * (the old table, removed guest memory) goes into the bag of the current global epoch G.
 * The owner advances G to G+1 only when every live pinned reader has pinned G, and frees
 * a bag of epoch e once G >= e + 2.
 *
 * Why that is safe: a reader pinned at e stored e after loading it, so G was e or e+1
 * while it is pinned, and G cannot pass e+1 until it unpins. Anything it reaches was
 * current after it pinned, so was retired (if at all) into a bag of epoch >= e; that bag
 * is freed at G >= e+2, after the reader unpinned. The pin store precedes the load of the
 * current table and the owner's publishing store precedes its scan (sequentially
 * consistent Atomics): a reader the scan missed loads the new table.
 *
 * A reader outside a critical section (between slices, offline) holds nothing back; a
 * stalled pinned reader holds back every bag retired since it pinned (the design's cost).
 * It stays pinned across an MMIO exit: the owner never waits for it, it polls, so the
 * exit is served and the region it resolved stays alive. A reader pinned at an old epoch
 * past the lease is evicted and faults when it next unpins; a dead one is offline.
 * Unpinning wakes the owner when it waits (`kOwnerWaiting`), once per section.
 */
import {
  countsForGrace,
  isAdoptedEpoch,
  kCurrentTable,
  kEpoch,
  kStrategyWords,
  kTableEpoch,
} from '../reader/layout.js';
import type { ReaderHandle, SharedViewReader } from '../reader/reader-api.js';
import { evictedFault, readerOfflineFault, unknownEntryFault } from '../reader/reader-faults.js';
import type { TranslationTarget } from '../reader/translation.js';
import { TableReader } from '../reader/view-reader.js';
import { QsbrSlot } from './qsbr-slot.js';
import { WaitLease } from './reader-scan.js';
import type { OwnerContext, StrategyDefinition, StrategyOwner } from './strategy-definition.js';

const kGlobalEpoch = kStrategyWords;
const UNPINNED = 0;
/** The owner tries to advance at least this often while a bag waits (ms). */
const OWNER_POLL_MS = 1;

export class EbrReader extends TableReader implements SharedViewReader {
  readonly strategy = 'ebr';
  private readonly slot: QsbrSlot;
  private readonly sectionLength: number;
  /** Accesses left in this critical section. */
  private budget = 0;
  /** `kCurrentTable` when the section began: a change ends the section. */
  private seen = -1;

  constructor(handle: ReaderHandle) {
    super(handle);
    this.slot = new QsbrSlot(this.control, handle.readers, handle.readerIndex);
    this.sectionLength = handle.batchLimit;
  }

  online(): void {
    this.slot.online();
    this.budget = 0;
    this.seen = -1;
  }

  offline(): void {
    this.slot.offline();
    this.dropTable();
    this.budget = 0;
    this.seen = -1;
  }

  quiescent(): void {
    this.newSection();
  }

  private fault(error: Error): never {
    this.offline();
    throw error;
  }

  /** Ends the current critical section (if any) and begins the next one. */
  private newSection(): void {
    if (!this.slot.isOnline) throw readerOfflineFault();
    if (this.slot.announced !== UNPINNED && !this.slot.announce(UNPINNED)) {
      this.fault(evictedFault());
    }
    const global = Atomics.load(this.control, kGlobalEpoch);
    if (!this.slot.announce(global)) this.fault(evictedFault());
    const id = Atomics.load(this.control, kCurrentTable);
    if (id !== this.tableId || this.table!.header[kTableEpoch] !== this.epoch) {
      if (!this.setTable(id)) this.fault(unknownEntryFault('table', id));
    }
    this.seen = id;
    this.budget = this.sectionLength;
  }

  readU8(gpa: number): number {
    if (--this.budget < 0 || this.control[kCurrentTable] !== this.seen) this.newSection();
    return this.unsynchronizedReadU8(gpa);
  }
  readU16(gpa: number): number {
    if (--this.budget < 0 || this.control[kCurrentTable] !== this.seen) this.newSection();
    return this.unsynchronizedReadU16(gpa);
  }
  readU32(gpa: number): number {
    if (--this.budget < 0 || this.control[kCurrentTable] !== this.seen) this.newSection();
    return this.unsynchronizedReadU32(gpa);
  }
  readU64(gpa: number): bigint {
    if (--this.budget < 0 || this.control[kCurrentTable] !== this.seen) this.newSection();
    return this.unsynchronizedReadU64(gpa);
  }
  read(gpa: number, dst: Uint8Array): void {
    if (--this.budget < 0 || this.control[kCurrentTable] !== this.seen) this.newSection();
    this.readBytes(gpa, dst);
  }
  translate(gpa: number, out: TranslationTarget): boolean {
    if (--this.budget < 0 || this.control[kCurrentTable] !== this.seen) this.newSection();
    return this.unsynchronizedTranslate(gpa, out);
  }
  writeU8(gpa: number, value: number): void {
    if (--this.budget < 0 || this.control[kCurrentTable] !== this.seen) this.newSection();
    this.unsynchronizedWriteU8(gpa, value);
  }
  writeU16(gpa: number, value: number): void {
    if (--this.budget < 0 || this.control[kCurrentTable] !== this.seen) this.newSection();
    this.unsynchronizedWriteU16(gpa, value);
  }
  writeU32(gpa: number, value: number): void {
    if (--this.budget < 0 || this.control[kCurrentTable] !== this.seen) this.newSection();
    this.unsynchronizedWriteU32(gpa, value);
  }
  writeU64(gpa: number, value: bigint): void {
    if (--this.budget < 0 || this.control[kCurrentTable] !== this.seen) this.newSection();
    this.unsynchronizedWriteU64(gpa, value);
  }
  write(gpa: number, src: Uint8Array): void {
    if (--this.budget < 0 || this.control[kCurrentTable] !== this.seen) this.newSection();
    this.writeBytes(gpa, src);
  }
}

function ebrOwner(ctx: OwnerContext): StrategyOwner {
  const { control, registry } = ctx;
  let global = 1;
  Atomics.store(control, kGlobalEpoch, global);
  /** Bags in the order retired (so in non-decreasing epoch). */
  let bags: { epoch: number; fn: () => void }[] = [];
  let polling = false;
  const lease = new WaitLease(ctx);
  lease.start();

  /** Advances the global epoch while every live pinned reader has pinned it. */
  const advance = (): boolean => {
    for (let i = 0; i < registry.maxReaders; i++) {
      const state = registry.state(i);
      if (!countsForGrace(state) || !isAdoptedEpoch(state) || state === global) continue;
      if (lease.evictIfOverdue(i, state)) continue;
      return false;
    }
    global += 1;
    Atomics.store(control, kGlobalEpoch, global);
    lease.start();
    return true;
  };
  /** Frees the bags of epochs <= global - 2; true when none is left. */
  const collect = (): boolean => {
    for (let n = 0; n < 2 && bags.length > 0 && bags[0]!.epoch > global - 2; n++) {
      if (!advance()) break;
    }
    let done = 0;
    while (done < bags.length && bags[done]!.epoch <= global - 2) done++;
    const ready = bags.slice(0, done);
    bags = bags.slice(done);
    for (const bag of ready) bag.fn();
    return bags.length === 0;
  };
  const retire = (fn: () => void) => {
    bags.push({ epoch: global, fn });
    if (collect() || polling) return;
    polling = true;
    ctx.wait(
      collect,
      () => {
        polling = false;
      },
      OWNER_POLL_MS,
    );
  };
  return {
    publish(tableId, epoch) {
      Atomics.store(control, kEpoch, epoch);
      Atomics.store(control, kCurrentTable, tableId);
    },
    retireTable: (_tableId, _epoch, free) => retire(free),
    afterReaders: (_epoch, fn) => retire(fn),
  };
}

export const ebr: StrategyDefinition = {
  name: 'ebr',
  safe: true,
  description:
    'epoch-based reclamation (crossbeam-epoch): readers pin the global epoch per section',
  createOwner: ebrOwner,
  createReader: (handle) => new EbrReader(handle),
};
