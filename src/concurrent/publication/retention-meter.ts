/**
 * What a strategy costs the owner, measured on the owner thread for the stalled-reader
 * scenario (SPEC 7): memory retired but not yet reclaimable (guest mappings plus view
 * tables) now and at its worst, how long retired memory waited to be reclaimed, and how
 * long the owner spent inside the strategy's publishing and quiescent-state calls (time
 * it could do nothing else: a lock it spun on, a drain it waited for).
 *
 * It only counts; it never decides when anything is reclaimed.
 */
import { SampleWindow } from './publication-stats.js';

export class RetentionMeter {
  /** Retire → reclaimable, per publish that retired something, in µs (recent window). */
  readonly reclaimLatencyUs = new SampleWindow();
  private retained = 0;
  private retainedMax = 0;
  private blockedUs = 0;
  private blockedMaxUs = 0;

  /** A publish retired `bytes` (mappings and a table) that readers may still use. */
  retired(bytes: number): void {
    this.retained += bytes;
    if (this.retained > this.retainedMax) this.retainedMax = this.retained;
  }

  /** What a publish at `publishedMs` retired (`bytes`) is reclaimable now. */
  reclaimable(bytes: number, publishedMs: number, nowMs: number): void {
    this.retained -= bytes;
    if (bytes > 0) this.reclaimLatencyUs.add(Math.max(0, nowMs - publishedMs) * 1000);
  }

  /** The owner spent `us` inside a strategy call. */
  blocked(us: number): void {
    this.blockedUs += us;
    if (us > this.blockedMaxUs) this.blockedMaxUs = us;
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
  get ownerBlockedMaxUs(): number {
    return this.blockedMaxUs;
  }
}
