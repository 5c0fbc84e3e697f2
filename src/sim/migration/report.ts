/**
 * The reports of `migrate` (SPEC 10): `MigrationReport` for a migration (JSON keys of
 * SPEC 10, and more), `MigrationLoadReport` for `--from FILE`. Types only.
 */
import type { Comparison } from './destination.js';

/** One pre-copy round (or the stop-and-copy): pages found dirty, pages sent, its duration in ms. */
export interface MigrationRound {
  /** Pages found dirty for this round (round 0: every page). */
  readonly dirtyPages: number;
  readonly sentPages: number;
  readonly durationMs: number;
  /** Bytes this round put on the wire. */
  readonly bytes: number;
  /** The last round, sent with the vCPUs paused. */
  readonly stopAndCopy: boolean;
}

/** What `migrate()` resolves to for a live migration: rounds, bytes sent, downtime in ms, convergence and the comparison. */
export interface MigrationReport {
  readonly version: 1;
  readonly kind: 'migration';
  readonly machine: string;
  readonly strategy: string;
  readonly vcpus: number;
  readonly workload: string;
  readonly churn: readonly string[];
  /** Hotplug asked for and held (not applied) during the migration. */
  readonly hotplugHeld: boolean;
  readonly dirtyLog: boolean;
  readonly bandwidthMiBps: number;
  readonly downtimeLimitMs: number;
  readonly maxRounds: number;
  /** The remaining dirty set fitted the downtime limit before `maxRounds` ran out. */
  readonly converged: boolean;
  readonly rounds: readonly MigrationRound[];
  readonly bytesSent: number;
  readonly zeroPages: number;
  /**
   * Pages found dirty by the syncs (each page once per sync), per second of logging
   * before the pause: how fast the guest dirties memory.
   */
  readonly dirtyRate: { readonly pagesPerSecond: number; readonly bytesPerSecond: number };
  /** From the pause of the vCPUs until the destination had every page. */
  readonly downtimeMs: number;
  readonly totalMs: number;
  readonly compare: Comparison;
  /** What the source's vCPUs, churn and device backend did meanwhile. */
  readonly source: {
    readonly accesses: number;
    readonly writes: number;
    readonly mmioExits: number;
    readonly churnUpdates: number;
    readonly dmaOps: number;
  };
  /** `--to FILE`: the stream written. */
  readonly stream?: { readonly file: string; readonly bytes: number; readonly records: number };
  /** CRC-32 of each migrated mapping's source bytes at the end (with `--to` only). */
  readonly digests?: Readonly<Record<string, number>>;
  readonly interrupted: boolean;
}

/** What `migrate({ from })` resolves to: the stream loaded and checked, then a short run of the vCPUs on it. */
export interface MigrationLoadReport {
  readonly version: 1;
  readonly kind: 'load';
  readonly machine: string;
  readonly strategy: string;
  readonly from: string;
  readonly loaded: {
    readonly records: number;
    readonly pages: number;
    readonly zeroPages: number;
    readonly bytes: number;
    readonly checksum: number;
  };
  /** CRC-32 of each mapping right after loading (compare with the source's `digests`). */
  readonly digests: Readonly<Record<string, number>>;
  /** The vCPUs run on the loaded memory. */
  readonly run: {
    readonly durationMs: number;
    readonly accesses: number;
    readonly writes: number;
    readonly faults: number;
    readonly lostVcpus: number;
  };
  readonly interrupted: boolean;
}
