/**
 * Topology churn at a steady rate, on the owner thread: every update toggles one BAR of a
 * bench guest (`setEnabled`), which renders, publishes and retires a view table like a
 * PCI BAR being switched on or off. A 1 ms timer tick performs the updates that are due
 * by the clock (so 10000/s is about ten per tick), which leaves the owner's event loop
 * free in between for grace periods and MMIO exits.
 *
 * It changes nothing but the `enabled` flag of the BARs it was given, and measures only
 * how many updates it made and what each cost the owner.
 */
import type { Region } from '../core/region.js';

/** At most this many updates in one tick, so a stalled owner does not burst afterwards. */
const MAX_UPDATES_PER_TICK = 64;

export class BarChurn {
  private readonly bars: readonly Region[];
  private timer: NodeJS.Timeout | undefined;
  private startedMs = 0;
  private stoppedMs = 0;
  private done = 0;
  /** Updates the clock has asked for so far (made, or dropped as a backlog). */
  private scheduled = 0;
  private next = 0;
  private rate = 0;
  private costMs = 0;

  constructor(bars: readonly Region[]) {
    this.bars = bars;
  }

  /** Starts `perSecond` updates per second (0: none). */
  start(perSecond: number): void {
    this.stop();
    this.rate = perSecond;
    this.done = 0;
    this.scheduled = 0;
    this.costMs = 0;
    this.startedMs = performance.now();
    this.stoppedMs = 0;
    if (perSecond > 0) this.timer = setInterval(() => this.tick(), 1);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.stoppedMs === 0) this.stoppedMs = performance.now();
  }

  /** Updates made since `start`. */
  get updates(): number {
    return this.done;
  }

  /** Updates per second achieved since `start` (until `stop`). */
  get achievedPerSecond(): number {
    const end = this.stoppedMs === 0 ? performance.now() : this.stoppedMs;
    const seconds = (end - this.startedMs) / 1000;
    return seconds > 0 ? this.done / seconds : 0;
  }

  /** Mean owner time of one update (mutate, render, publish), in µs. */
  get meanUpdateUs(): number {
    return this.done === 0 ? 0 : (this.costMs * 1000) / this.done;
  }

  private tick(): void {
    const due =
      Math.floor(((performance.now() - this.startedMs) / 1000) * this.rate) - this.scheduled;
    if (due <= 0) return;
    // A tick that fell behind by more than its cap drops the backlog.
    const n = Math.min(due, MAX_UPDATES_PER_TICK);
    this.scheduled += due;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const bar = this.bars[this.next]!;
      this.next = (this.next + 1) % this.bars.length;
      bar.setEnabled(!bar.enabled);
    }
    this.costMs += performance.now() - t0;
    this.done += n;
  }
}
