/**
 * The owner's side shared by `hazard` and `refcount`: tables that were replaced and may
 * still be held by a reader, each reclaimed as soon as the strategy's test says nobody
 * holds it, and the epochs before which nothing is held any more.
 *
 * A reader only ever takes a table that is current at that moment (it re-checks the
 * current id after protecting it), so once a retired table was seen unheld it stays
 * unheld until the publisher reuses it. `afterReaders(epoch)` is over once every table
 * retired by a publish up to `epoch` was seen unheld: those are all the tables published
 * before `epoch`, the only ways to memory that those publishes removed.
 *
 * A stalled reader holds back only the table it holds (and what waits for it: memory
 * removed while it holds it). It only tracks and calls back; readers' words are read by
 * the strategy's `isHeld`.
 */
import { WaitLease } from './reader-scan.js';
import type { OwnerContext } from './strategy-definition.js';

interface Retired {
  readonly tableId: number;
  readonly epoch: number;
  readonly free: () => void;
  /** Runs from the retirement: a reader holding the table past it is evicted. */
  readonly lease: WaitLease;
}

/** How often the owner looks at the readers' words while something waits (ms). */
const OWNER_POLL_MS = 1;

export class RetiredTables {
  private readonly ctx: OwnerContext;
  /** Whether a live reader holds `tableId` (evicting overdue readers through `lease`). */
  private readonly isHeld: (tableId: number, lease: WaitLease) => boolean;
  private retired: Retired[] = [];
  private readonly waiting: { epoch: number; fn: () => void }[] = [];
  private polling = false;

  constructor(ctx: OwnerContext, isHeld: (tableId: number, lease: WaitLease) => boolean) {
    this.ctx = ctx;
    this.isHeld = isHeld;
  }

  retire(tableId: number, epoch: number, free: () => void): void {
    const lease = new WaitLease(this.ctx);
    lease.start();
    this.retired.push({ tableId, epoch, free, lease });
    this.check();
  }

  afterReaders(epoch: number, fn: () => void): void {
    this.waiting.push({ epoch, fn });
    this.check();
  }

  /** Frees what is unheld now; starts polling if something is left. */
  private check(): void {
    if (this.sweep()) return;
    if (this.polling) return;
    this.polling = true;
    this.ctx.wait(
      () => this.sweep(),
      () => {
        this.polling = false;
      },
      OWNER_POLL_MS,
    );
  }

  /** Frees unheld tables and runs the waits they ended; true when nothing is left. */
  private sweep(): boolean {
    const still: Retired[] = [];
    const freed: Retired[] = [];
    for (const r of this.retired) (this.isHeld(r.tableId, r.lease) ? still : freed).push(r);
    this.retired = still;
    for (const r of freed) r.free();
    let oldestHeld = Number.POSITIVE_INFINITY;
    for (const r of still) oldestHeld = Math.min(oldestHeld, r.epoch);
    for (let i = 0; i < this.waiting.length; ) {
      if (this.waiting[i]!.epoch < oldestHeld) this.waiting.splice(i, 1)[0]!.fn();
      else i++;
    }
    return still.length === 0 && this.waiting.length === 0;
  }
}
