/**
 * The owner's side shared by `hazard` and `refcount`: tables that were replaced and may
 * still be held by a reader, each reclaimed as soon as the strategy's test says nobody
 * holds it, and the epochs before which nothing is held any more.
 *
 * A reader only ever takes a table that is current at that moment (it re-checks the
 * current id after protecting it), so once a retired table was seen unheld it stays
 * unheld until the publisher reuses it. `afterReaders(epoch, fn, oldest)` is over once
 * every table published in [oldest, epoch) was seen unheld: the only ways to the memory
 * those publishes removed (the publisher passes the first epoch that showed it).
 *
 * A stalled reader holds back only the table it holds and the memory that table shows:
 * memory added and removed while it stalls is reclaimed as usual, so garbage stays
 * bounded. It only tracks and calls back; readers' words are read by the strategy's
 * `isHeld`.
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
  /** Waits for the tables published in [oldest, epoch) to be unheld. */
  private readonly waiting: { epoch: number; oldest: number; fn: () => void }[] = [];
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

  afterReaders(epoch: number, fn: () => void, oldest = 1): void {
    this.waiting.push({ epoch, oldest, fn });
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

  /**
   * Whether a held table was published in [w.oldest, w.epoch): a table retired by the
   * publish of R was published at R - 1 (each publish retires the one before it).
   */
  private anyHeldIn(held: readonly Retired[], w: { epoch: number; oldest: number }): boolean {
    for (const r of held) {
      if (r.epoch - 1 >= w.oldest && r.epoch - 1 < w.epoch) return true;
    }
    return false;
  }

  /** Frees unheld tables and runs the waits they ended; true when nothing is left. */
  private sweep(): boolean {
    const still: Retired[] = [];
    const freed: Retired[] = [];
    for (const r of this.retired) (this.isHeld(r.tableId, r.lease) ? still : freed).push(r);
    this.retired = still;
    for (const r of freed) r.free();
    for (let i = 0; i < this.waiting.length; ) {
      if (this.anyHeldIn(still, this.waiting[i]!)) i++;
      else this.waiting.splice(i, 1)[0]!.fn();
    }
    return still.length === 0 && this.waiting.length === 0;
  }
}
