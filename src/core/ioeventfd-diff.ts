/**
 * The ioeventfd requests that take a listener from one flattened list to the next
 * (SPEC 5): StratoVirt's (and QEMU's) merge walk, so adds and deletes interleave in
 * address order.
 *
 * Both lists are sorted by `compareFlatIoEventFd`. At each step the old entry is deleted
 * unless it lies after the new one, then the new entry is added unless it lies after the
 * old one (`a` lies after `b` when `a.base >= b.base + b.size`); both tests look at the
 * two entries the step began with. Example: old `[(2000,4)]`, new `[(1000,4)]` sends
 * `AddIoeventfd(1000,4) DeleteIoeventfd(2000,4)`.
 *
 * Two departures, both where StratoVirt's walk goes wrong:
 * - StratoVirt skips equal entries only when they meet at the same step. Where entries
 *   overlap, the walk can fall out of step (old `[Q0, Q1]`, new `[Q1]`, two data-matched
 *   doorbells at one address: `Delete Q0, Add Q1, Delete Q1`), adding an entry that is
 *   still registered (KVM refuses it with `EEXIST`) and deleting it afterwards. Here
 *   every entry present in both lists is taken out before the walk: it sends nothing.
 * - Two size-0 entries at the same base each lie after the other, and StratoVirt's walk
 *   would never advance. Here the old one is deleted at that step.
 *
 * This module computes requests; it never delivers them and never builds views.
 */
import type { FlatIoEventFd } from './flat-view.js';
import { compareFlatIoEventFd } from './ioeventfds.js';
import type { ListenerRequestItem } from './listeners.js';

/** The `DeleteIoeventfd`/`AddIoeventfd` requests from `before` to `after`, in walk order. */
export function ioeventfdRequests(
  before: readonly FlatIoEventFd[],
  after: readonly FlatIoEventFd[],
): ListenerRequestItem[] {
  const removed = missingFrom(before, after);
  const added = missingFrom(after, before);
  const requests: ListenerRequestItem[] = [];
  let i = 0;
  let j = 0;
  while (i < removed.length || j < added.length) {
    const oldFd = removed[i];
    const newFd = added[j];
    let moved = false;
    if (oldFd !== undefined && (newFd === undefined || !liesAfter(oldFd, newFd))) {
      requests.push({ type: 'DeleteIoeventfd', evtfd: oldFd });
      i++;
      moved = true;
    }
    if (newFd !== undefined && (oldFd === undefined || !liesAfter(newFd, oldFd))) {
      requests.push({ type: 'AddIoeventfd', evtfd: newFd });
      j++;
      moved = true;
    }
    if (!moved) {
      // Both size 0 at one base: each lies after the other.
      requests.push({ type: 'DeleteIoeventfd', evtfd: oldFd! });
      i++;
    }
  }
  return requests;
}

/** StratoVirt's `RegionIoEventFd::after`: `a` starts at or past the end of `b`. */
function liesAfter(a: FlatIoEventFd, b: FlatIoEventFd): boolean {
  return a.addrRange.base >= b.addrRange.base + b.addrRange.size;
}

/** Entries of `a` missing from `b` (both sorted, without duplicates). */
function missingFrom(a: readonly FlatIoEventFd[], b: readonly FlatIoEventFd[]): FlatIoEventFd[] {
  const out: FlatIoEventFd[] = [];
  let j = 0;
  for (const e of a) {
    while (j < b.length && compareFlatIoEventFd(b[j]!, e) < 0) j++;
    if (j >= b.length || compareFlatIoEventFd(b[j]!, e) !== 0) out.push(e);
  }
  return out;
}
