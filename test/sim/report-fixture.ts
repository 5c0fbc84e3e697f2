/**
 * Fabricated but realistic RunReports for the report renderers' tests: a 4-vCPU, 3-second
 * `rcu` run of the `pc` machine with every churn kind at 1000 updates/s, its latency
 * histograms filled from seeded log-normal samples, and variants with violations and
 * with nothing recorded at all. Test data only: nothing here stands in for code under test.
 */
import { CHURN_KINDS, type ChurnKind } from '../../src/machine/churn-kind.js';
import type {
  ChurnEvent,
  RunReport,
  TimelinePoint,
  Violation,
} from '../../src/sim/report-types.js';
import { LatencyRecorder } from '../../src/sim/stats.js';
import { detectWarmup } from '../../src/sim/warmup.js';

/** Mulberry32: a small seeded generator so the fixture is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function logNormal(random: () => number, medianUs: number, spread: number): number {
  const u = Math.max(random(), 1e-12);
  const v = random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return medianUs * Math.exp(spread * z);
}

function latency(random: () => number, n: number, medianUs: number, spread: number) {
  const rec = new LatencyRecorder();
  for (let i = 0; i < n; i++) rec.record(logNormal(random, medianUs, spread));
  return rec;
}

export const FIXTURE_VCPUS = 4;
export const FIXTURE_POINTS = 30;

export function healthyRunReport(): RunReport {
  const random = seeded(7);
  const vcpus = FIXTURE_VCPUS;
  const duration = 3;
  const timeline: TimelinePoint[] = [];
  const perVcpuTotals = new Array<number>(vcpus).fill(0);
  let generation = 0;
  for (let i = 1; i <= FIXTURE_POINTS; i++) {
    const t = i * 0.1;
    const warm = Math.min(1, i / 4);
    const perVcpu = Array.from({ length: vcpus }, (_, v) => {
      const base = (9.5e6 + v * 0.6e6) * warm;
      return Math.round(base * (0.92 + 0.16 * random()) * (i % 11 === 0 && v === 2 ? 0.55 : 1));
    });
    perVcpu.forEach((rate, v) => {
      perVcpuTotals[v]! += rate * 0.1;
    });
    generation += 95 + Math.floor(random() * 10);
    timeline.push({
      t: Number(t.toFixed(3)),
      accessesPerSecond: perVcpu.reduce((a, b) => a + b, 0),
      generation,
      perVcpuAccessesPerSecond: perVcpu,
    });
  }
  const churnEvents: ChurnEvent[] = [];
  const byKind: Record<ChurnKind, number> = { hotplug: 0, bar: 0, romd: 0, alias: 0, ioeventfd: 0 };
  const weights: [ChurnKind, number][] = [
    ['hotplug', 0.12],
    ['bar', 0.3],
    ['romd', 0.2],
    ['alias', 0.18],
    ['ioeventfd', 0.2],
  ];
  for (let k = 0; k < generation; k++) {
    let pick = random();
    let kind: ChurnKind = 'bar';
    for (const [name, w] of weights) {
      if (pick < w) {
        kind = name;
        break;
      }
      pick -= w;
    }
    byKind[kind]++;
    churnEvents.push({ t: Number(((k + random()) * (duration / generation)).toFixed(6)), kind });
  }
  const total = perVcpuTotals.reduce((a, b) => a + b, 0);
  const adopt = latency(random, 20_000, 18, 0.7);
  const grace = latency(random, 3_000, 160, 0.6);
  const mmio = latency(random, 8_000, 14, 0.45);
  const cost = latency(random, 3_000, 45, 0.5);
  const warmup = detectWarmup(timeline, duration);
  return {
    version: 1,
    machine: 'pc',
    strategy: 'rcu',
    vcpus,
    durationSeconds: duration,
    seed: 1,
    accesses: {
      total: Math.round(total),
      perSecond: Math.round(total / duration),
      perVcpu: perVcpuTotals.map(Math.round),
      warmPerSecond: warmup.warmAccessesPerSecond,
    },
    warmup: { seconds: warmup.seconds, accessesPerSecond: warmup.accessesPerSecond },
    mmioExits: { count: mmio.count, latencyUs: pick2(mmio.summary()) },
    ioeventfdSignals: 41_212,
    churn: {
      updates: generation,
      perSecond: Math.round(generation / duration),
      byKind,
      updateCostUs: pick2(cost.summary()),
    },
    publish: {
      generations: generation,
      adoptLatencyUs: adopt.summary(),
      gracePeriodUs: grace.summary(),
    },
    reclaimed: { mappings: byKind.hotplug, bytes: byKind.hotplug * 2 * 1024 * 1024 },
    check: { enabled: true, samples: Math.round(total / 64), violations: 0, firstViolations: [] },
    timeline,
    workload: 'mixed',
    churnKinds: [...CHURN_KINDS],
    churnRate: 1000,
    churnEvents,
    churnEventsDropped: 0,
    histograms: {
      adoptLatencyUs: adopt.toReport(),
      gracePeriodUs: grace.toReport(),
      mmioExitUs: mmio.toReport(),
      updateCostUs: cost.toReport(),
    },
    churnFailed: 2,
    vcpuFaults: { total: 5, regionNotFound: 3, regionType: 2, ioAccess: 0, lostThreads: 0 },
    deviceBackend: { dmaOps: 8244, requests: 4122, signals: 4122, faults: 0, reattached: 0 },
    exitCode: 0,
    startedAt: '2026-11-26T08:00:00.000Z',
    environment: {
      node: 'v20.20.2',
      cpus: 4,
      cpuModel: 'Example CPU @ 3.0GHz',
      platform: 'linux-x64',
    },
  };
}

function pick2(s: { p50: number; p99: number }) {
  return { p50: s.p50, p99: s.p99 };
}

export const FIXTURE_VIOLATIONS: Violation[] = [
  {
    kind: 'poison',
    vcpu: 1,
    generation: 1204,
    gpa: 0x1_0020_0040,
    expected: '0x5A5A5A5A11223344',
    actual: '0xDEADDEADDEADDEAD',
    detail: 'read poison through hotplug block 3 after its grace period ended',
    t: 1.2034,
  },
  {
    kind: 'translation',
    vcpu: 3,
    generation: 1290,
    gpa: 0xfebf_1000,
    expected: 'IO virtio-mmio-1 @ 0x0',
    actual: 'Ram ram-below-4g @ 0xFEBF1000',
    detail: 'translated through a view that no generation published',
    t: 1.31,
  },
  {
    kind: 'torn',
    vcpu: 0,
    generation: 2011,
    gpa: 0x7_0000,
    expected: '0x0101010101010101',
    actual: '0x0101010102020202',
    detail: 'an 8-byte read saw halves of two writes <script>',
    t: 2.5,
  },
];

export function violatingRunReport(): RunReport {
  const r = healthyRunReport();
  return {
    ...r,
    strategy: 'none',
    unsafe: true,
    check: { ...r.check, violations: 17, firstViolations: FIXTURE_VIOLATIONS },
    exitCode: 1,
  };
}

/** The smallest report SPEC 9 allows: every required key, no samples, no extras. */
export function emptyRunReport(): RunReport {
  return {
    version: 1,
    machine: 'machines/tiny.json',
    strategy: 'mutex',
    vcpus: 2,
    durationSeconds: 0.5,
    seed: 9,
    accesses: { total: 0, perSecond: 0, perVcpu: [0, 0] },
    mmioExits: { count: 0, latencyUs: { p50: 0, p99: 0 } },
    ioeventfdSignals: 0,
    churn: { updates: 0, perSecond: 0, byKind: {}, updateCostUs: { p50: 0, p99: 0 } },
    publish: {
      generations: 0,
      adoptLatencyUs: { p50: 0, p99: 0, max: 0 },
      gracePeriodUs: { p50: 0, p99: 0, max: 0 },
    },
    reclaimed: { mappings: 0, bytes: 0 },
    check: { enabled: false, samples: 0, violations: 0, firstViolations: [] },
    timeline: [],
  };
}

/** A big run: 64 vCPUs, 512 timeline points over 60 s, 20,000 churn events. */
export function bigRunReport(): RunReport {
  const base = healthyRunReport();
  const random = seeded(11);
  const vcpus = 64;
  const points = 512;
  const duration = 60;
  const timeline: TimelinePoint[] = [];
  for (let i = 1; i <= points; i++) {
    const perVcpu = Array.from({ length: vcpus }, (_, v) =>
      Math.round((1.5e6 + v * 2e4) * (0.9 + 0.2 * random())),
    );
    timeline.push({
      t: Number(((i * duration) / points).toFixed(3)),
      accessesPerSecond: perVcpu.reduce((a, b) => a + b, 0),
      generation: i * 39,
      perVcpuAccessesPerSecond: perVcpu,
    });
  }
  const churnEvents: ChurnEvent[] = Array.from({ length: 20_000 }, (_, k) => ({
    t: Number(((k * duration) / 20_000).toFixed(6)),
    kind: CHURN_KINDS[k % CHURN_KINDS.length]!,
  }));
  return {
    ...base,
    vcpus,
    durationSeconds: duration,
    accesses: { ...base.accesses, perVcpu: new Array<number>(vcpus).fill(9e7) },
    timeline,
    churnEvents,
    churnEventsDropped: 40_123,
  };
}
