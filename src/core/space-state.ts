/**
 * `SpaceState`: the owner-side state of one address space — current view, listeners,
 * publisher, pending windows — and its part in a topology update (the
 * `UpdateParticipant` phases that `topology.ts` drives).
 *
 * Phases: stage the next view from the dirty windows; deliver the diff to listeners;
 * install the view and hand it to the publisher. Each can be reverted: listeners get the
 * inverse requests, and a published view is replaced by the old content under the next
 * generation (generations never go back). It never validates caller input: the
 * `AddressSpace` facade does.
 */
import { AddressSpaceError } from '../base/errors.js';
import { FlatView } from './flat-view.js';
import { type DeliveryLog, ListenerList, revertLog } from './listeners.js';
import type { ViewPublisher } from './publisher.js';
import type { Region } from './region.js';
import type { UpdateParticipant } from './topology.js';
import { type StagedView, stageView, type Window } from './view-update.js';

/** Past this many pending windows an address space just re-renders everything. */
const MAX_PENDING_WINDOWS = 4096;

let nextParticipantSeq = 1;

export class SpaceState implements UpdateParticipant {
  readonly participantSeq = nextParticipantSeq++;
  readonly listeners = new ListenerList();
  publisher: ViewPublisher | undefined;
  view: FlatView;
  #dirty: Window[] = [];
  #dirtyAll = false;
  #staged: StagedView | undefined;
  #log: DeliveryLog | undefined;
  #previous: FlatView | undefined;

  constructor(
    readonly root: Region,
    readonly name: string,
    initial: FlatView,
  ) {
    this.view = initial;
  }

  markDirty(lo: number, hi: number): void {
    if (this.#dirtyAll) return;
    if (this.#dirty.length >= MAX_PENDING_WINDOWS) {
      this.#dirtyAll = true;
      this.#dirty = [];
      return;
    }
    this.#dirty.push([lo, hi]);
  }

  prepareUpdate(): boolean {
    this.#staged = stageView(this.root, this.view, this.#dirtyAll ? undefined : this.#dirty);
    return this.#staged !== undefined;
  }

  deliverUpdate(): void {
    this.#log = this.listeners.deliver(this.#staged!.requests);
  }

  publishUpdate(): void {
    const previous = this.view;
    const next = this.#staged!.view;
    this.#previous = previous;
    this.view = next;
    if (this.publisher === undefined) return;
    try {
      this.publisher.publish(next, previous);
    } catch (cause) {
      this.view = previous;
      throw new AddressSpaceError(
        'UpdateTopology',
        `publisher failed for address space ${this.name}: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
  }

  revertDelivered(): void {
    if (this.#log !== undefined) revertLog(this.#log);
    this.#log = undefined;
  }

  revertPublished(): void {
    const previous = this.#previous!;
    const published = this.view;
    const restored = new FlatView(previous.store, previous.ioeventfds, published.generation + 1);
    this.view = restored;
    try {
      this.publisher?.publish(restored, published);
    } catch {
      // The publisher already failed elsewhere; the owner-side view is restored regardless.
    }
  }

  finishUpdate(): void {
    this.#dirty = [];
    this.#dirtyAll = false;
    this.abandonUpdate();
  }

  abandonUpdate(): void {
    this.#staged = undefined;
    this.#log = undefined;
    this.#previous = undefined;
  }
}
