/**
 * The topology coordinator: turns region mutations into address-space updates, batches
 * them in transactions, and undoes them when an update fails.
 *
 * - A mutation names the region it changes. The coordinator walks up from it (to its
 *   parent, and to every alias that targets it, recursively, skipping disabled regions)
 *   and gives each address space whose root it reaches the absolute windows that may have
 *   changed. Nothing outside those windows can change, which is what makes re-rendering
 *   one change cheap.
 * - Transactions are global, as in QEMU: while one is open anywhere, no address space
 *   updates; the outermost commit updates every dirty one (render, listeners, publish).
 * - Every applied mutation leaves an undo step in the journal. When an update fails (a
 *   listener or the publisher throws), the journal is undone in reverse, every address
 *   space that already delivered or published is reverted, and the error is thrown.
 *
 * This module never renders and never talks to listeners itself: address spaces do that
 * through the `UpdateParticipant` interface.
 */
import { AddressSpaceError } from '../base/errors.js';
import type { Region } from './region.js';

/** What an address space offers the coordinator. Phases run in this order. */
export interface UpdateParticipant {
  /** Order of creation, so that updates run in a stable order. */
  readonly participantSeq: number;
  /** Marks `[lo, hi)` (absolute) as possibly changed. */
  markDirty(lo: number, hi: number): void;
  /** Renders the staged view from the dirty windows; false when nothing changed. */
  prepareUpdate(): boolean;
  /** Sends the staged diff to listeners; on failure reverts its own listeners and throws. */
  deliverUpdate(): void;
  /** Installs the staged view and hands it to the publisher; on failure reverts and throws. */
  publishUpdate(): void;
  /** Undoes a successful `deliverUpdate` (inverse requests, in reverse). */
  revertDelivered(): void;
  /** Undoes a successful `publishUpdate` (reinstalls and republishes the old view). */
  revertPublished(): void;
  /** Clears the dirty windows and the staged view after a successful update. */
  finishUpdate(): void;
  /** Drops the staged view after a failed update (dirty windows are kept: harmless). */
  abandonUpdate(): void;
}

/** When to take the region's windows: before the change, after it, or either (same). */
export type WindowMoment = 'before' | 'after' | 'same';

let depth = 0;
let committing = false;
const journal: (() => void)[] = [];
const dirty = new Set<UpdateParticipant>();

/**
 * Applies one mutation of `region`: records the windows it touches, runs `apply`, journals
 * `undo`, and (outside a transaction, with `update`) updates every address space now.
 */
export function changeTopology(
  region: Region,
  moment: WindowMoment,
  apply: () => void,
  undo: () => void,
  update = true,
): void {
  if (committing) {
    throw new AddressSpaceError(
      'UpdateTopology',
      `region ${region.name} changed while an address-space update was running`,
    );
  }
  if (moment !== 'after') markRegion(region);
  apply();
  if (moment === 'after') markRegion(region);
  if (depth > 0) {
    journal.push(undo);
    return;
  }
  if (!update) return;
  journal.push(undo);
  commitAll();
}

/** Marks the windows of a whole new address space (no mutation involved). */
export function markWhole(space: UpdateParticipant, size: number): void {
  space.markDirty(0, size);
  dirty.add(space);
}

export function inTransaction(): boolean {
  return depth > 0;
}

/** Throws `UpdateTopology` while an update is being delivered or published. */
export function assertNotUpdating(what: string): void {
  if (committing) {
    throw new AddressSpaceError(
      'UpdateTopology',
      `${what} while an address-space update was running`,
    );
  }
}

export function beginTransaction(): void {
  if (committing) {
    throw new AddressSpaceError('UpdateTopology', 'cannot begin a transaction during an update');
  }
  depth++;
}

/** Closes one level; the outermost commit updates every dirty address space. */
export function commitTransaction(): void {
  if (depth === 0) throw AddressSpaceError.invalidArgument('commitTransaction without a begin');
  if (committing) {
    throw new AddressSpaceError('UpdateTopology', 'cannot commit during an update');
  }
  depth--;
  if (depth === 0) commitAll();
}

/**
 * Runs `fn` inside a transaction. If `fn` throws, its own changes are undone (outer
 * levels keep theirs) and the error is rethrown; if the commit fails, everything is
 * undone and the commit's error is thrown.
 */
export function runTransaction<T>(fn: () => T): T {
  beginTransaction();
  const mark = journal.length;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    undoTo(mark);
    depth--;
    if (depth === 0) journal.length = 0;
    throw e;
  }
  commitTransaction();
  return result;
}

/** Updates every dirty address space now (StratoVirt's `update_topology`). */
export function flushPending(): void {
  if (depth > 0 || committing) return;
  commitAll();
}

function undoTo(mark: number): void {
  while (journal.length > mark) journal.pop()!();
}

function commitAll(): void {
  const spaces = [...dirty].sort((a, b) => a.participantSeq - b.participantSeq);
  committing = true;
  const changed: UpdateParticipant[] = [];
  const delivered: UpdateParticipant[] = [];
  const published: UpdateParticipant[] = [];
  try {
    for (const s of spaces) if (s.prepareUpdate()) changed.push(s);
    for (const s of changed) {
      s.deliverUpdate();
      delivered.push(s);
    }
    for (const s of changed) {
      s.publishUpdate();
      published.push(s);
    }
  } catch (e) {
    undoTo(0);
    for (const s of published.reverse()) s.revertPublished();
    for (const s of delivered.reverse()) s.revertDelivered();
    for (const s of spaces) s.abandonUpdate();
    committing = false;
    throw e;
  }
  journal.length = 0;
  for (const s of spaces) {
    s.finishUpdate();
    dirty.delete(s);
  }
  committing = false;
}

/** Gives every address space that reaches `region` the absolute windows of it. */
function markRegion(region: Region): void {
  walkUp(region, 0, region.size, true);
}

function walkUp(r: Region, lo: number, hi: number, isStart: boolean): void {
  if (!isStart && !r.enabled) return;
  for (const space of r.rootOf) {
    space.markDirty(lo, hi);
    dirty.add(space);
  }
  const parent = r.parent;
  if (parent !== undefined) {
    const plo = lo + r.offset;
    const phi = Math.min(hi + r.offset, parent.size);
    if (plo < phi) walkUp(parent, plo, phi, false);
  }
  for (const ref of r.aliasReferrers) {
    const alias = ref.deref();
    if (alias === undefined) {
      r.aliasReferrers.delete(ref);
      continue;
    }
    const alo = Math.max(lo - alias.aliasOffset, 0);
    const ahi = Math.min(hi - alias.aliasOffset, alias.size);
    if (alo < ahi) walkUp(alias, alo, ahi, false);
  }
}

/**
 * Whether `region` is still part of some address space's tree: it is a root, or its parent
 * is attached, or an alias of it is. Disabled and hidden regions count as attached (their
 * memory is only out of sight); a region deleted from its parent, with no attached alias
 * left, does not. Reclamation uses this to tell removed memory from hidden memory.
 */
export function isAttached(region: Region): boolean {
  return attachedFrom(region, new Set());
}

function attachedFrom(r: Region, seen: Set<Region>): boolean {
  if (seen.has(r)) return false;
  seen.add(r);
  if (r.rootOf.size > 0) return true;
  if (r.parent !== undefined && attachedFrom(r.parent, seen)) return true;
  for (const ref of r.aliasReferrers) {
    const alias = ref.deref();
    if (alias !== undefined && attachedFrom(alias, seen)) return true;
  }
  return false;
}
