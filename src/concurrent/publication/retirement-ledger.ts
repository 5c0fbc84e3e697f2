/**
 * What a publisher has retired and not yet reclaimed, whatever the strategy (SPEC 7's
 * stalled-reader figures): bytes of tables and guest memory retired but still reachable by
 * some reader, their highest value, how long each retirement waited to be reclaimed, and
 * how long the owner's publishing step itself took (where a strategy blocks the owner).
 *
 * It only counts; the publisher tells it when something is retired and reclaimed.
 */
import { SampleWindow } from './publication-stats.js';

export class RetirementLedger {
  /** Retired → reclaimed, in µs (recent window). */
  readonly reclaimLatencyUs = new SampleWindow();
  private retained = 0;
  private retainedMax = 0;
  private blockedUs = 0;

  /** `bytes` were retired at `atMs`; returns the call that reclaims them (call it once). */
  retire(bytes: number, atMs: number): (nowMs: number) => void {
    this.retained += bytes;
    if (this.retained > this.retainedMax) this.retainedMax = this.retained;
    let done = false;
    return (nowMs: number) => {
      if (done) return;
      done = true;
      this.retained -= bytes;
      this.reclaimLatencyUs.add(Math.max(0, nowMs - atMs) * 1000);
    };
  }

  /** The owner spent `us` in a strategy's publishing step. */
  ownerBlocked(us: number): void {
    this.blockedUs += us;
  }

  get retainedBytes(): number {
    return this.retained;
  }
  get retainedBytesMax(): number {
    return this.retainedMax;
  }
  get ownerBlockedUs(): number {
    return this.blockedUs;
  }
}
