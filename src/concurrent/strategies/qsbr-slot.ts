/**
 * A reader's side of quiescent-state-based reclamation (used by `rcu` and `seqlock`): its
 * padded slot in the reader buffer, and the three moves that grace.ts relies on.
 *
 * - online: store kReaderOnlineUnknown FIRST, then (the caller) load the control word and
 *   announce. Between the two the owner waits for this reader, so a table published in
 *   that window cannot be reclaimed under it.
 * - announce(epoch): write the adopt time, then compareExchange the slot from the value
 *   this reader stored last to `epoch`. If the owner evicted the reader meanwhile, the
 *   exchange fails and the caller faults (`evictedFault`, reader/reader-faults.ts): memory
 *   it may have touched since could already be reclaimed, so it must end its slice.
 * - offline: store kReaderOffline; no grace period waits for the reader afterwards.
 *
 * After storing, a reader notifies the owner only if the owner raised `kOwnerWaiting`.
 * This module never reads tables or guest memory.
 */
import { wallClockMs } from '../../base/clock.js';
import {
  kOwnerWaiting,
  kReaderOffline,
  kReaderOnlineUnknown,
  kWakeSeq,
  readerAdoptWord,
  readerEpochWord,
} from '../reader/layout.js';

/**
 * A reader's slot for quiescent-state reclamation: `online`, `announce(epoch)` and
 * `offline`, which grace periods rely on (see the module comment).
 */
export class QsbrSlot {
  private readonly control: Int32Array;
  private readonly slots: Int32Array;
  private readonly times: Float64Array;
  private readonly epochWord: number;
  private readonly adoptWord: number;
  /** What this reader last stored in its slot. */
  private stored = kReaderOffline;

  constructor(control: Int32Array, readers: SharedArrayBuffer, readerIndex: number) {
    this.control = control;
    this.slots = new Int32Array(readers);
    this.times = new Float64Array(readers);
    this.epochWord = readerEpochWord(readerIndex);
    this.adoptWord = readerAdoptWord(readerIndex);
  }

  get isOnline(): boolean {
    return this.stored !== kReaderOffline;
  }

  /** The epoch this reader announced last (0 when none yet). */
  get announced(): number {
    return this.stored;
  }

  online(): void {
    this.stored = kReaderOnlineUnknown;
    Atomics.store(this.slots, this.epochWord, kReaderOnlineUnknown);
  }

  offline(): void {
    this.stored = kReaderOffline;
    Atomics.store(this.slots, this.epochWord, kReaderOffline);
    this.wakeOwner();
  }

  /**
   * Announces that this reader uses nothing older than `epoch`. Returns false (and counts
   * as offline) if the owner evicted it: the caller must drop its table and fault. No
   * try/catch on this path: it is inlined into the readers' access loops.
   */
  announce(epoch: number): boolean {
    this.times[this.adoptWord] = wallClockMs();
    const seen = Atomics.compareExchange(this.slots, this.epochWord, this.stored, epoch);
    if (seen !== this.stored) {
      this.stored = kReaderOffline;
      return false;
    }
    this.stored = epoch;
    this.wakeOwner();
    return true;
  }

  private wakeOwner(): void {
    if (Atomics.load(this.control, kOwnerWaiting) !== 0) {
      Atomics.add(this.control, kWakeSeq, 1);
      Atomics.notify(this.control, kWakeSeq);
    }
  }
}
