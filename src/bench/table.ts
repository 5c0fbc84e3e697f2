/**
 * The bench report as text tables for a terminal, in tinybench's manner: a row per task,
 * rates as ops/s, latencies as mean and p99 (or p50/p99/max), and ratios against the
 * baselines. `formatBenchReport` prints every section present; the `format*` functions
 * print one section each (the harness prints them as progress while it runs).
 *
 * Pure formatting: it never measures and never writes.
 */
import type {
  BenchDirtyLogRow,
  BenchDoorbellRow,
  BenchLatencyRow,
  BenchMemoryRow,
  BenchMicroRow,
  BenchRenderRow,
  BenchReport,
  BenchStrategyRow,
  BenchTargetCheck,
} from './report-types.js';

/** Columns padded to their widest cell; numeric-looking columns aligned right. */
export function textTable(
  title: string,
  head: readonly string[],
  rows: readonly string[][],
): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const right = head.map(
    (_, i) => rows.length > 0 && rows.every((r) => /^[-+]?[\d.–]/.test(r[i] ?? '')),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return `${title}\n${line(head)}\n${rule}\n${rows.map(line).join('\n')}\n`;
}

/** `1234567` → `1.23M`; three significant digits with k/M/G. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '–';
  const units: [number, string][] = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, suffix] of units) {
    if (Math.abs(perSecond) >= scale) return `${(perSecond / scale).toPrecision(3)}${suffix}`;
  }
  return perSecond.toPrecision(3);
}

/** Nanoseconds with a unit that keeps three significant digits. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return '–';
  if (ns >= 1e6) return `${(ns / 1e6).toPrecision(3)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toPrecision(3)} µs`;
  return `${ns.toPrecision(3)} ns`;
}

export function formatUs(us: number): string {
  return formatNs(us * 1000);
}

function ratio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(2)}x`;
}

export function formatStrategies(
  rows: readonly BenchStrategyRow[],
  title = 'Multi-vCPU throughput (median of rounds; ratios against the same run)',
): string {
  return textTable(
    title,
    [
      'strategy',
      'vcpus',
      'workload',
      'churn/s',
      'accesses/s',
      'vs none',
      'vs raw',
      'vCPU busy',
      'per CPU-s',
      'rounds',
    ],
    rows.map((r) => [
      r.strategy,
      String(r.vcpus),
      r.workload,
      String(r.churnPerSecond),
      formatRate(r.accessesPerSecond),
      ratio(r.ratioToNone),
      ratio(r.ratioToRaw),
      r.vcpuBusy === undefined ? '–' : `${Math.round(r.vcpuBusy * 100)}%`,
      r.accessesPerCpuSecond === undefined ? '–' : formatRate(r.accessesPerCpuSecond),
      (r.roundsAccessesPerSecond ?? []).map(formatRate).join(' '),
    ]),
  );
}

export function formatLatency(rows: readonly BenchLatencyRow[]): string {
  return textTable(
    'Latency while vCPUs run',
    ['measure', 'strategy', 'vcpus', 'batch', 'churn/s', 'samples', 'p50', 'p99', 'max'],
    rows.map((r) => [
      r.name,
      r.strategy ?? '',
      r.vcpus === undefined ? '' : String(r.vcpus),
      r.batch === undefined ? '' : String(r.batch),
      r.churnPerSecond === undefined ? '' : String(r.churnPerSecond),
      String(r.samples),
      formatUs(r.p50Us),
      formatUs(r.p99Us),
      formatUs(r.maxUs),
    ]),
  );
}

export function formatMicro(rows: readonly BenchMicroRow[]): string {
  return textTable(
    'Single-thread paths (tinybench; per operation; ops/s at the median)',
    ['group', 'task', 'ops/s', 'mean', 'p50', 'p99'],
    rows.map((r) => [
      r.group,
      r.name,
      formatRate(r.opsPerSecond),
      formatNs(r.meanNs),
      r.p50Ns === undefined ? '–' : formatNs(r.p50Ns),
      formatNs(r.p99Ns),
    ]),
  );
}

export function formatRender(rows: readonly BenchRenderRow[]): string {
  return textTable(
    'Render (median; a change toggles one leaf: render, diff, dispatch)',
    ['regions', 'full render', 'one change', 'one change + publish (rcu)'],
    rows.map((r) => [
      String(r.regions),
      formatUs(r.fullRenderUs),
      formatUs(r.singleChangeUs),
      r.singleChangePublishedUs === undefined ? '–' : formatUs(r.singleChangePublishedUs),
    ]),
  );
}

function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toPrecision(3)} GiB`;
  return `${(bytes / 2 ** 20).toPrecision(3)} MiB`;
}

export function formatMemory(rows: readonly BenchMemoryRow[]): string {
  return textTable(
    'Memory (resident growth of a lazily committed guest)',
    ['guest', 'touched', 'resident', 'resident/touched'],
    rows.map((r) => [
      formatBytes(r.guestBytes),
      formatBytes(r.touchedBytes),
      formatBytes(r.residentBytes),
      r.residentPerTouched.toFixed(2),
    ]),
  );
}

export function formatTargets(rows: readonly BenchTargetCheck[]): string {
  return textTable(
    'Targets',
    ['target', 'wanted', 'measured', 'met'],
    rows.map((r) => [r.name, r.target, r.measured, r.met === null ? 'n/a' : r.met ? 'yes' : 'NO']),
  );
}

export function formatDoorbells(rows: readonly BenchDoorbellRow[]): string {
  return textTable(
    'Doorbell writes by one vCPU, hyp_ioevtfd_enabled on and off (rcu, median of rounds)',
    ['hyp ioeventfd', 'path', 'doorbells/s', 'per doorbell', 'exits/doorbell'],
    rows.map((r) => [
      r.hypIoeventfd ? 'on' : 'off',
      r.path,
      formatRate(r.doorbellsPerSecond),
      formatNs(r.nsPerDoorbell),
      r.exitsPerDoorbell.toFixed(2),
    ]),
  );
}

export function formatDirtyLog(rows: readonly BenchDirtyLogRow[]): string {
  return textTable(
    'Dirty logging: writes-only seq, one vCPU, rcu (median of rounds)',
    ['logging', 'writes/s', 'per write', 'ratio to off'],
    rows.map((r) => [
      r.logging,
      formatRate(r.writesPerSecond),
      formatNs(r.nsPerWrite),
      r.ratioToOff.toFixed(3),
    ]),
  );
}

export const READER_LOOP_TITLE =
  'Bare reader loops: seq reads only, no workload generator (median of rounds)';

/** Every section of `report` that has rows, in report order. */
export function formatBenchReport(report: BenchReport): string {
  const parts: string[] = [];
  if (report.strategies.length > 0) parts.push(formatStrategies(report.strategies));
  if (report.readerLoop !== undefined && report.readerLoop.length > 0) {
    parts.push(formatStrategies(report.readerLoop, READER_LOOP_TITLE));
  }
  if (report.latency !== undefined && report.latency.length > 0)
    parts.push(formatLatency(report.latency));
  if (report.micro !== undefined && report.micro.length > 0) parts.push(formatMicro(report.micro));
  if (report.render.length > 0) parts.push(formatRender(report.render));
  if (report.memory !== undefined && report.memory.length > 0)
    parts.push(formatMemory(report.memory));
  if (report.doorbells !== undefined && report.doorbells.length > 0)
    parts.push(formatDoorbells(report.doorbells));
  if (report.dirtyLog !== undefined && report.dirtyLog.length > 0)
    parts.push(formatDirtyLog(report.dirtyLog));
  if (report.targets !== undefined && report.targets.length > 0)
    parts.push(formatTargets(report.targets));
  return parts.join('\n');
}
