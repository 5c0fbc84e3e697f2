/**
 * Turning what a simulation run measured into its `RunReport` (SPEC 9): every required
 * key from a real measurement, plus the extras the HTML report and the summary use.
 * Numbers are rounded for people and diffs; nothing here measures or runs anything.
 */
import type { PublicationStats } from '../concurrent/publication/publication-stats.js';
import type { Strategy } from '../concurrent/reader/reader-api.js';
import { getStrategy, hasStrategy } from '../concurrent/strategies/registry.js';
import type { VcpuCounters } from '../concurrent/vcpu/vcpu-state.js';
import type { ChurnKind } from '../machine/churn-kind.js';
import type { Checker } from './checker.js';
import type { ChurnDriver } from './churn-driver.js';
import type { BackendReport } from './device-backend-protocol.js';
import type { ResolvedRunOptions } from './options.js';
import { environmentInfo } from './report-environment.js';
import { REPORT_VERSION, type RunReport } from './report-types.js';
import type { FailureLog } from './run-failures.js';
import { LatencyRecorder, round } from './stats.js';
import type { ChurnEventLog, TimelineRecorder } from './stats-timeline.js';

export interface RunMeasurements {
  readonly options: ResolvedRunOptions;
  readonly churnKinds: readonly ChurnKind[];
  readonly churnRate: number;
  readonly startedAt: Date;
  /** Seconds the vCPUs ran. */
  readonly seconds: number;
  readonly perVcpu: readonly VcpuCounters[];
  /** Accesses made before the clock started (left out of the rate). */
  readonly accessesBeforeStart: number;
  readonly mmioLatency: LatencyRecorder;
  readonly churn: ChurnDriver;
  readonly publication: PublicationStats;
  readonly checker: Checker;
  readonly timeline: TimelineRecorder;
  readonly churnEvents: ChurnEventLog;
  readonly backend: BackendReport | undefined;
  readonly interrupted: boolean;
  /** vCPUs whose thread died. */
  readonly lostVcpus: number;
  /** Samples and violation records the vCPUs' rings dropped (full). */
  readonly droppedSamples?: number;
  readonly failures: FailureLog;
}

function latencyOf(samples: readonly number[]): LatencyRecorder {
  const recorder = new LatencyRecorder();
  for (const us of samples) recorder.record(us);
  return recorder;
}

function p50p99(r: LatencyRecorder): { p50: number; p99: number } {
  const s = r.summary();
  return { p50: round(s.p50), p99: round(s.p99) };
}

function withMax(r: LatencyRecorder): { p50: number; p99: number; max: number } {
  const s = r.summary();
  return { p50: round(s.p50), p99: round(s.p99), max: round(s.max) };
}

/** SPEC 11's keys of `check`: how much of the vCPUs' RAM traffic was verified. */
function verifySummary(m: RunMeasurements, sum: (name: keyof VcpuCounters) => number) {
  const mode = m.options.verify;
  const ramAccesses = sum('ramAccesses');
  const all = mode === 'all';
  const verifiedAccesses = all
    ? sum('verifiedAccesses')
    : Math.max(0, m.checker.samples - m.checker.unverified);
  return {
    mode,
    ramAccesses,
    verifiedAccesses,
    unverified: all ? Math.max(0, ramAccesses - verifiedAccesses) : m.checker.unverified,
    dropped: m.droppedSamples ?? 0,
    byKind: { ...m.checker.byKind },
  };
}

export function buildRunReport(m: RunMeasurements): RunReport {
  const o = m.options;
  const seconds = m.seconds > 0 ? m.seconds : Number.EPSILON;
  const perVcpu = m.perVcpu.map((c) => c.accesses);
  const total = perVcpu.reduce((a, b) => a + b, 0);
  const sum = (name: keyof VcpuCounters) => m.perVcpu.reduce((a, c) => a + c[name], 0);
  const byKind: Partial<Record<ChurnKind, number>> = {};
  for (const kind of m.churnKinds) byKind[kind] = m.churn.byKind[kind];
  const adopt = latencyOf(m.publication.adoptLatencyUs);
  const grace = latencyOf(m.publication.gracePeriodUs);
  const check = { ...m.checker.summary(), ...verifySummary(m, sum) };
  const strategy: Strategy = o.strategy;
  const report: RunReport = {
    version: REPORT_VERSION,
    machine: o.machine,
    strategy,
    vcpus: o.vcpus,
    durationSeconds: round(m.seconds),
    seed: o.seed,
    accesses: {
      total,
      perSecond: Math.round((total - m.accessesBeforeStart) / seconds),
      perVcpu,
    },
    mmioExits: { count: sum('mmioExits'), latencyUs: p50p99(m.mmioLatency) },
    ioeventfdSignals: sum('ioeventfdSignals'),
    churn: {
      updates: m.churn.updates,
      perSecond: round(m.churn.updates / seconds, 1),
      byKind,
      updateCostUs: p50p99(m.churn.updateCostUs),
    },
    publish: {
      generations: m.publication.generations,
      adoptLatencyUs: withMax(adopt),
      gracePeriodUs: withMax(grace),
    },
    reclaimed: {
      mappings: m.publication.reclaimedMappings,
      bytes: m.publication.reclaimedBytes,
    },
    check,
    timeline: m.timeline.points(),
    workload: o.workload,
    churnKinds: m.churnKinds,
    churnRate: m.churnRate,
    churnEvents: m.churnEvents.events(),
    churnEventsDropped: m.churnEvents.dropped,
    churnFailed: m.churn.failed,
    histograms: {
      adoptLatencyUs: adopt.toReport(),
      gracePeriodUs: grace.toReport(),
      mmioExitUs: m.mmioLatency.toReport(),
      updateCostUs: m.churn.updateCostUs.toReport(),
    },
    evictedReaders: m.publication.evictedReaders,
    vcpuFaults: {
      total: sum('faults'),
      regionNotFound: sum('regionNotFoundFaults'),
      regionType: sum('regionTypeFaults'),
      ioAccess: sum('ioAccessFaults'),
      lostThreads: m.lostVcpus,
    },
    ...(m.backend === undefined
      ? {}
      : {
          deviceBackend: {
            dmaOps: m.backend.dmaOps,
            requests: m.backend.requests,
            signals: m.backend.signals,
            faults: m.backend.faults,
            reattached: m.backend.reattached,
          },
        }),
    exitCode: check.violations > 0 ? 1 : m.failures.count > 0 ? 3 : 0,
    failures: [...m.failures.kept],
    ...(m.failures.truncated > 0 ? { failuresTruncated: m.failures.truncated } : {}),
    startedAt: m.startedAt.toISOString(),
    environment: environmentInfo(),
    ...(hasStrategy(strategy) && !getStrategy(strategy).safe ? { unsafe: true } : {}),
    ...(m.interrupted ? { interrupted: true } : {}),
  };
  return report;
}
