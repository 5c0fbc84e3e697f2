/**
 * The owner's half of a publication strategy: how a new table is made current, and
 * whether what it retired must wait for a quiescent-state grace period. Each strategy
 * file (rcu, seqlock, mutex, none) exports one of these next to its reader class.
 *
 * Owner strategies never wait with `Atomics.wait`; the mutex one spins briefly.
 */
import type { ReaderRegistry } from '../publication/reader-registry.js';

export interface OwnerContext {
  readonly control: Int32Array;
  readonly registry: ReaderRegistry;
  /** How long the owner tolerates a reader that blocks it (mutex: holds the lock). */
  readonly leaseMs: number;
}

export interface OwnerStrategy {
  /**
   * `qsbr`: retired tables and mappings wait for every online reader to announce the new
   * epoch (grace.ts). `immediate`: they are unused as soon as `publishTable` returned
   * (mutex: the switch happened under the lock) or are treated so (none: unsafe).
   */
  readonly grace: 'qsbr' | 'immediate';
  /** Makes table `tableId` (published as `epoch`) current. */
  publishTable(ctx: OwnerContext, tableId: number, epoch: number): void;
  /** For `immediate` strategies: ends a grace period synchronously (mutex: takes the lock once). */
  passQuiescentState(ctx: OwnerContext): void;
}
