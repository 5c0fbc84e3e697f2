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

/**
 * Flags that readers must see with the table they adopt (SPEC 5, 10): whether the
 * hypervisor matches ioeventfds inside the vCPU (`hypIoeventfd`), and whether every
 * write must mark its pages dirty (`dirtyLog`).
 */
export interface ViewFlags {
  readonly hypIoeventfd: boolean;
  readonly dirtyLog: boolean;
}

/**
 * A publisher that can hand readers `ViewFlags`: `publishFlags` republishes the current
 * view with them (a new epoch, the same generation) when they changed. A change is
 * binding for a reader once the grace period after the call has ended.
 */
export interface FlagPublisher {
  publishFlags(flags: ViewFlags): void;
}

export function canPublishFlags(p: unknown): p is FlagPublisher {
  return typeof (p as Partial<FlagPublisher> | undefined)?.publishFlags === 'function';
}
