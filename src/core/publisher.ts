/**
 * The hook by which an address space hands each new view to a publisher (the concurrent
 * layer's shared-memory tables), and asks it about grace periods (SPEC 5, 7).
 *
 * `publish(view, previous)` is called on the owner thread after every listener accepted
 * a change and before the mutating call returns; throwing from it rolls the change back
 * like a listener failure. This module only declares the interface.
 */
import type { FlatView } from './flat-view.js';

export interface ViewPublisher {
  publish(view: FlatView, previous: FlatView): void;
  /** Resolves once every reader online at the call has passed a quiescent state. */
  synchronize(): Promise<void>;
  /** Runs `fn` after the grace period that starts now. */
  callRcu(fn: () => void): void;
}
