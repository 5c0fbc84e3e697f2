/**
 * The readable end summary of `addrspace run`: a title line and a few aligned
 * `label  value` lines made from a `RunReport`, then the first violations if there are
 * any. It returns text; printing and the exit status are the command's business.
 */

import {
  formatAddress,
  formatBytes,
  formatCount,
  formatMicros,
  formatSeconds,
} from '../sim/html/format.js';
import type { RunReport, Violation } from '../sim/report-types.js';

/** How many violations the summary lists one by one. */
export const SUMMARY_VIOLATIONS = 3;

const LABEL_WIDTH = 14;

/** One aligned `  label  value` line, as the summary and the commands print them. */
export function summaryRow(label: string, value: string): string {
  return `  ${label.padEnd(LABEL_WIDTH)}${value}`;
}

export function formatRunSummary(report: RunReport): string {
  const lines: string[] = [title(report)];
  const row = (label: string, value: string) =>
    lines.push(`  ${label.padEnd(LABEL_WIDTH)}${value}`);

  row('accesses', accessesLine(report));
  const mmio = report.mmioExits;
  row(
    'mmio exits',
    `${formatCount(mmio.count)}, round trip p50 ${formatMicros(mmio.latencyUs.p50)}, p99 ${formatMicros(mmio.latencyUs.p99)}`,
  );
  row('ioeventfd', `${formatCount(report.ioeventfdSignals)} signals`);
  row('churn', churnLine(report));
  row(
    'update cost',
    `p50 ${formatMicros(report.churn.updateCostUs.p50)}, p99 ${formatMicros(report.churn.updateCostUs.p99)}`,
  );
  const adopt = report.publish.adoptLatencyUs;
  row(
    'generations',
    `${int(report.publish.generations)} published; adopt p50 ${formatMicros(adopt.p50)}, p99 ${formatMicros(adopt.p99)}, max ${formatMicros(adopt.max)}`,
  );
  const grace = report.publish.gracePeriodUs;
  row(
    'grace period',
    `p50 ${formatMicros(grace.p50)}, p99 ${formatMicros(grace.p99)}, max ${formatMicros(grace.max)}`,
  );
  row(
    'reclaimed',
    `${int(report.reclaimed.mappings)} mapping${report.reclaimed.mappings === 1 ? '' : 's'}, ${formatBytes(report.reclaimed.bytes)}`,
  );
  const faults = faultsLine(report);
  if (faults) row('faults', faults);
  const backend = report.deviceBackend;
  if (backend) {
    const backendFaults = backend.faults > 0 ? `, ${int(backend.faults)} faults` : '';
    row(
      'backend',
      `${int(backend.requests)} requests, ${int(backend.dmaOps)} DMA accesses, ${int(backend.signals)} doorbell signals${backendFaults}`,
    );
  }
  row('check', checkLine(report));
  for (const v of report.check.firstViolations.slice(0, SUMMARY_VIOLATIONS)) {
    lines.push(`    ${violationLine(v)}`);
  }
  const unlisted =
    report.check.violations - Math.min(report.check.firstViolations.length, SUMMARY_VIOLATIONS);
  if (report.check.firstViolations.length > 0 && unlisted > 0) {
    lines.push(`    ... and ${int(unlisted)} more`);
  }
  const failures = report.failures ?? [];
  if (failures.length > 0) {
    const more = report.failuresTruncated ?? 0;
    row('failures', `${int(failures.length + more)} (exit status 3 unless a violation was found)`);
    for (const f of failures.slice(0, SUMMARY_VIOLATIONS)) lines.push(`    ${f.kind}: ${f.detail}`);
    const unlisted = failures.length + more - Math.min(failures.length, SUMMARY_VIOLATIONS);
    if (unlisted > 0) lines.push(`    ... and ${int(unlisted)} more`);
  }
  if (report.strategy === 'none' || report.unsafe) {
    row('note', 'strategy none does not synchronise: violations are expected');
  }
  if (report.interrupted) row('note', 'interrupted: the report covers the time run');
  return `${lines.join('\n')}\n`;
}

function title(r: RunReport): string {
  const parts = [
    r.machine,
    r.strategy,
    `${r.vcpus} vCPU${r.vcpus === 1 ? '' : 's'}`,
    formatSeconds(r.durationSeconds),
  ];
  if (r.workload) parts.push(`${r.workload} workload`);
  parts.push(`seed ${r.seed}`);
  return `addrspace run: ${parts.join(', ')}`;
}

function accessesLine(r: RunReport): string {
  const base = `${formatCount(r.accesses.total)} in ${formatSeconds(r.durationSeconds)}: ${formatCount(r.accesses.perSecond)}/s`;
  const per = r.accesses.perVcpu;
  if (per.length < 2 || !(r.durationSeconds > 0)) return base;
  const low = Math.min(...per) / r.durationSeconds;
  const high = Math.max(...per) / r.durationSeconds;
  return `${base} (per vCPU ${formatCount(low)}/s to ${formatCount(high)}/s)`;
}

function churnLine(r: RunReport): string {
  const base = `${int(r.churn.updates)} updates, ${formatCount(r.churn.perSecond)}/s`;
  const kinds = Object.entries(r.churn.byKind) as [string, number][];
  if (kinds.length === 0) return base;
  return `${base}: ${kinds.map(([kind, n]) => `${kind} ${int(n)}`).join(', ')}`;
}

/** vCPU access faults, lost threads and refused updates; `undefined` when all are 0. */
function faultsLine(r: RunReport): string | undefined {
  const parts: string[] = [];
  const f = r.vcpuFaults;
  if (f && f.total > 0) {
    parts.push(
      `${int(f.total)} vCPU accesses (RegionNotFound ${int(f.regionNotFound)}, RegionType ${int(f.regionType)}, IoAccess ${int(f.ioAccess)})`,
    );
  }
  if (f && f.lostThreads > 0) parts.push(`${int(f.lostThreads)} vCPU threads lost`);
  if (r.churnFailed) parts.push(`${int(r.churnFailed)} topology updates refused`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function checkLine(r: RunReport): string {
  if (!r.check.enabled) return 'off (--no-check)';
  const n = r.check.violations;
  const verdict = n === 0 ? 'no violations' : `${int(n)} violation${n === 1 ? '' : 's'}`;
  return `${verdict} in ${formatCount(r.check.samples)} checked accesses`;
}

function violationLine(v: Violation): string {
  const who = v.vcpu < 0 ? 'owner' : `vCPU ${v.vcpu}`;
  const at = v.t === undefined ? '' : ` at ${v.t.toFixed(3)} s`;
  return `${v.kind}: ${who}, generation ${v.generation}, GPA ${formatAddress(v.gpa)}${at}: ${v.detail} (expected ${v.expected}, got ${v.actual})`;
}

function int(n: number): string {
  return n.toLocaleString('en-US');
}
