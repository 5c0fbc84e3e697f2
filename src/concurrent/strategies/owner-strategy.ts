/**
 * The owner's half of a publication strategy: how a new table is made current, and
 * whether what it retired must wait for a quiescent-state grace period. Each strategy
 * file (rcu, seqlock, mutex, none) exports one of these next to its reader class.
 *
 * Owner strategies never wait with `Atomics.wait`; the mutex one spins briefly.
 */

/**
 * What an owner strategy may do with the reader slots (the publisher's `ReaderRegistry`
 * is one): read a slot's state (layout.ts `countsForGrace` tells what it means) and evict
 * a reader that blocks the owner. Declared here, so strategies never import the
 * publication side.
 */
export interface ReaderSlots {
  readonly maxReaders: number;
  /** The raw slot value: an epoch, or one of layout.ts's kReader* states. */
  state(index: number): number;
  /** Evicts reader `index` if its slot still holds `observed`; true when it did. */
  evict(index: number, observed: number): boolean;
}

export interface OwnerContext {
  readonly control: Int32Array;
  readonly registry: ReaderSlots;
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
