/**
 * Counters and bounded sample sets of the publication layer (publish-to-adopt latency,
 * grace-period durations, reclamation), read by the report and bench layers.
 *
 * It only stores numbers; it never computes percentiles (the sim layer's stats do).
 */

/** Keeps the most recent `capacity` samples. */
export class SampleWindow {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;
  private total = 0;

  constructor(capacity = 16_384) {
    this.values = new Float64Array(capacity);
  }

  add(value: number): void {
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.values.length;
    if (this.filled < this.values.length) this.filled += 1;
    this.total += 1;
  }

  /** Samples ever added (including those that fell out of the window). */
  get count(): number {
    return this.total;
  }

  /** A copy of the kept samples, oldest first. */
  toArray(): number[] {
    const out: number[] = [];
    const start = this.filled < this.values.length ? 0 : this.next;
    for (let i = 0; i < this.filled; i++) out.push(this.values[(start + i) % this.values.length]!);
    return out;
  }
}

/** A snapshot of the publication layer's numbers. */
export interface PublicationStats {
  readonly strategy: string;
  /** Views published (epochs). */
  readonly generations: number;
  /** The current view's FlatView generation. */
  readonly generation: number;
  /** Publish → a reader adopted that view, per reader and view, in µs (recent window). */
  readonly adoptLatencyUs: readonly number[];
  /** Publish → grace period over, in µs (recent window). */
  readonly gracePeriodUs: readonly number[];
  readonly gracePeriods: number;
  readonly reclaimedMappings: number;
  readonly reclaimedBytes: number;
  readonly poisonedMappings: number;
  readonly evictedReaders: number;
  /** Shared buffers allocated for view tables: table buffers and chunk arenas (reader/layout.ts). */
  readonly tables: number;
  /** Their bytes. */
  readonly tableBytes: number;
  readonly callbackErrors: number;
  /** Guest memory and table bytes retired by publishes and not yet reclaimable, now. */
  readonly retainedBytes: number;
  /** The most `retainedBytes` ever was (SPEC 7 `retainedBytesMax`). */
  readonly retainedBytesMax: number;
  /** Publish → what it retired became reclaimable, per publish that retired something, in µs (recent window). */
  readonly reclaimLatencyUs: readonly number[];
  /** Total time the owner spent inside the strategy's publish and quiescent-state calls, µs. */
  readonly ownerBlockedUs: number;
}
