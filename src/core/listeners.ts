/**
 * Memory listeners of an address space (SPEC 5): their order, request dispatch, and
 * rollback of a partly delivered change.
 *
 * The list is kept in ascending priority (stable among equals). `AddRegion` and
 * `DeleteIoeventfd` go to listeners in ascending order; `DeleteRegion` and `AddIoeventfd`
 * in the exact reverse. Requests go one at a time to every enabled listener. When a
 * listener throws, every (listener, request) pair delivered so far gets the inverse
 * request, newest first, and the delivery fails with `ListenerRequest`.
 *
 * This module does not compute diffs; it delivers what it is given.
 */
import { checkInteger } from '../base/address.js';
import { AddressSpaceError } from '../base/errors.js';
import type { FlatIoEventFd, FlatRange } from './flat-view.js';
import type { ListenerReqType, RegionIoEventFd } from './types.js';

/**
 * A memory listener (StratoVirt's `Listener`, QEMU's `MemoryListener`): `priority` orders
 * the calls, `handleRequest(range, type)` is told of each `ListenerReqType` change and may
 * throw to refuse it (the address space rolls the whole change back and throws
 * `ListenerRequest`).
 */
export interface Listener {
  priority(): number;
  enabled(): boolean;
  enable(): void;
  disable(): void;
  handleRequest(
    range: FlatRange | undefined,
    evtfd: RegionIoEventFd | undefined,
    type: ListenerReqType,
  ): void;
}

/** One request: a region request carries `range`, an ioeventfd request `evtfd`. */
export interface ListenerRequestItem {
  readonly type: ListenerReqType;
  readonly range?: FlatRange;
  readonly evtfd?: FlatIoEventFd;
}

/** What was delivered, in order, so that it can be reverted. */
export type DeliveryLog = { listener: Listener; request: ListenerRequestItem }[];

const INVERSE: Record<ListenerReqType, ListenerReqType> = {
  AddRegion: 'DeleteRegion',
  DeleteRegion: 'AddRegion',
  AddIoeventfd: 'DeleteIoeventfd',
  DeleteIoeventfd: 'AddIoeventfd',
};

function ascendingFor(type: ListenerReqType): boolean {
  return type === 'AddRegion' || type === 'DeleteIoeventfd';
}

export function checkListener(l: unknown): Listener {
  const o = l as Listener | null | undefined;
  if (
    typeof o !== 'object' ||
    o === null ||
    typeof o.priority !== 'function' ||
    typeof o.enabled !== 'function' ||
    typeof o.enable !== 'function' ||
    typeof o.disable !== 'function' ||
    typeof o.handleRequest !== 'function'
  ) {
    throw AddressSpaceError.invalidArgument(
      'a listener needs priority, enabled, enable, disable and handleRequest functions',
    );
  }
  return o;
}

export class ListenerList {
  /** Ascending priority, stable among equals. */
  private readonly list: Listener[] = [];
  private readonly priorities = new Map<Listener, number>();

  get ascending(): readonly Listener[] {
    return this.list;
  }

  has(l: Listener): boolean {
    return this.priorities.has(l);
  }

  /** Inserts after every listener of lower or equal priority. */
  insert(l: Listener): void {
    const p = checkInteger(l.priority(), 'listener priority');
    let i = this.list.length;
    while (i > 0 && this.priorities.get(this.list[i - 1]!)! > p) i--;
    this.list.splice(i, 0, l);
    this.priorities.set(l, p);
  }

  /** Removes exactly `l`; returns its position so that it can be put back. */
  remove(l: Listener): number {
    const i = this.list.indexOf(l);
    if (i >= 0) {
      this.list.splice(i, 1);
      this.priorities.delete(l);
    }
    return i;
  }

  restoreAt(l: Listener, index: number, priority: number): void {
    this.list.splice(index, 0, l);
    this.priorities.set(l, priority);
  }

  priorityOf(l: Listener): number | undefined {
    return this.priorities.get(l);
  }

  /**
   * Delivers `requests` in order to every enabled listener, each in its dispatch order.
   * On failure reverts what was delivered and throws `ListenerRequest`.
   */
  deliver(requests: readonly ListenerRequestItem[]): DeliveryLog {
    return deliverTo(this.list.slice(), requests, true);
  }
}

/**
 * Delivers `requests` to `ascending` (listeners in ascending priority), skipping disabled
 * ones when `onlyEnabled`. On failure reverts what was delivered and throws.
 */
export function deliverTo(
  ascending: readonly Listener[],
  requests: readonly ListenerRequestItem[],
  onlyEnabled: boolean,
): DeliveryLog {
  const log: DeliveryLog = [];
  for (const request of requests) {
    const up = ascendingFor(request.type);
    for (let k = 0; k < ascending.length; k++) {
      const listener = ascending[up ? k : ascending.length - 1 - k]!;
      if (onlyEnabled && !listener.enabled()) continue;
      try {
        listener.handleRequest(request.range, request.evtfd, request.type);
      } catch (cause) {
        revertLog(log);
        throw new AddressSpaceError(
          'ListenerRequest',
          `listener failed to handle ${request.type}: ${cause instanceof Error ? cause.message : String(cause)}`,
          { cause },
        );
      }
      log.push({ listener, request });
    }
  }
  return log;
}

/** Sends the inverse of every logged request, newest first. Best effort: errors are dropped. */
export function revertLog(log: DeliveryLog): void {
  for (let i = log.length - 1; i >= 0; i--) {
    const { listener, request } = log[i]!;
    try {
      listener.handleRequest(request.range, request.evtfd, INVERSE[request.type]);
    } catch {
      // A listener that fails its own rollback cannot be helped; the others still are.
    }
  }
}
