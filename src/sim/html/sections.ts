/**
 * The non-chart parts of the HTML run report: the title line with the pass/fail badge,
 * the headline cards, bar lists (per vCPU, per churn kind), the violations table and the
 * run parameters. Each function takes the report and returns an HTML string; none of
 * them computes statistics beyond shares and sums for display.
 */
import type { RunReport, Violation } from '../report-types.js';
import { formatAddress, formatBytes, formatCount, formatMicros, formatSeconds } from './format.js';
import { churnColour, vcpuColour } from './palette.js';
import { escapeHtml } from './svg.js';

/** The verdict of a run, for the badge and the violations card. */
export function verdict(report: RunReport): { text: string; tone: 'good' | 'bad' | 'muted' } {
  if (!report.check.enabled) return { text: 'checks off', tone: 'muted' };
  const n = report.check.violations;
  if (n === 0) return { text: 'no violations', tone: 'good' };
  return { text: `${n.toLocaleString('en-US')} violation${n === 1 ? '' : 's'}`, tone: 'bad' };
}

export function titleBlock(report: RunReport): string {
  const v = verdict(report);
  const sub = [
    `machine ${report.machine}`,
    report.strategy,
    `${report.vcpus} vCPU${report.vcpus === 1 ? '' : 's'}`,
    formatSeconds(report.durationSeconds),
    report.workload ? `${report.workload} workload` : undefined,
  ].filter((s): s is string => s !== undefined);
  const badges = [
    `<span class="badge ${v.tone}" data-verdict="${v.tone}">${escapeHtml(v.text)}</span>`,
  ];
  if (report.unsafe || report.strategy === 'none') {
    badges.push('<span class="badge warn">unsafe strategy: no synchronisation</span>');
  }
  if (report.interrupted) badges.push('<span class="badge warn">interrupted</span>');
  return `<header class="top"><h1>addrspace run</h1><span class="subtitle">${escapeHtml(sub.join(' · '))}</span>${badges.join('')}</header>`;
}

/** Whether the run had a JIT warm-up that the headline figure leaves out. */
export function warmedUp(report: RunReport): boolean {
  return (
    report.warmup !== undefined &&
    report.warmup.seconds > 0 &&
    report.accesses.warmPerSecond !== undefined
  );
}

interface Card {
  readonly label: string;
  readonly value: string;
  readonly detail: string;
  readonly tone?: 'good' | 'bad';
  readonly key: string;
}

export function headlineCards(report: RunReport): string {
  const v = verdict(report);
  const cards: Card[] = [
    {
      key: 'accesses',
      label: warmedUp(report) ? 'Accesses / s after warm-up' : 'Accesses / s',
      value: formatCount(
        warmedUp(report) ? report.accesses.warmPerSecond! : report.accesses.perSecond,
      ),
      detail: warmedUp(report)
        ? `${formatCount(report.accesses.perSecond)}/s over the whole run, ${formatSeconds(report.warmup!.seconds)} of warm-up at ${formatCount(report.warmup!.accessesPerSecond)}/s`
        : `${formatCount(report.accesses.total)} in ${formatSeconds(report.durationSeconds)}`,
    },
    {
      key: 'violations',
      label: 'Violations',
      value: report.check.enabled ? report.check.violations.toLocaleString('en-US') : 'off',
      detail: report.check.enabled
        ? `${formatCount(report.check.samples)} accesses checked`
        : 'invariant checks disabled',
      ...(v.tone === 'muted' ? {} : { tone: v.tone }),
    },
    {
      key: 'generations',
      label: 'Generations',
      value: report.publish.generations.toLocaleString('en-US'),
      detail: `adopt p99 ${formatMicros(report.publish.adoptLatencyUs.p99)} · grace p99 ${formatMicros(report.publish.gracePeriodUs.p99)}`,
    },
    {
      key: 'churn',
      label: 'Churn / s',
      value: formatCount(report.churn.perSecond),
      detail: `${report.churn.updates.toLocaleString('en-US')} updates · cost p50 ${formatMicros(report.churn.updateCostUs.p50)}`,
    },
    {
      key: 'mmio',
      label: 'MMIO exits',
      value: formatCount(report.mmioExits.count),
      detail: `round trip p50 ${formatMicros(report.mmioExits.latencyUs.p50)} · p99 ${formatMicros(report.mmioExits.latencyUs.p99)}`,
    },
    {
      key: 'ioeventfd',
      label: 'ioeventfd signals',
      value: formatCount(report.ioeventfdSignals),
      detail: 'doorbell writes handled without an exit',
    },
    {
      key: 'reclaimed',
      label: 'Reclaimed',
      value: formatBytes(report.reclaimed.bytes),
      detail: `${report.reclaimed.mappings.toLocaleString('en-US')} mapping${report.reclaimed.mappings === 1 ? '' : 's'} after their grace period`,
    },
  ];
  const html = cards.map(
    (c) =>
      `<div class="card${c.tone ? ` ${c.tone}` : ''}" data-card="${c.key}"><div class="label">${escapeHtml(c.label)}</div><div class="value">${escapeHtml(c.value)}</div><div class="detail">${escapeHtml(c.detail)}</div></div>`,
  );
  return `<div class="cards">${html.join('')}</div>`;
}

/** Horizontal bars, one per row, scaled to the largest value. */
function barList(
  rows: readonly { name: string; value: number; colour: string; text: string }[],
): string {
  if (rows.length === 0) return '<p class="note">Nothing recorded.</p>';
  const max = Math.max(...rows.map((r) => r.value), 0);
  const body = rows.map((r) => {
    const share = max > 0 ? (100 * r.value) / max : 0;
    return `<tr><td>${escapeHtml(r.name)}</td><td style="width:60%"><div class="hbar"><div class="track"><div class="fill" style="width:${share.toFixed(1)}%;background:${r.colour}"></div></div></div></td><td class="num">${escapeHtml(r.text)}</td></tr>`;
  });
  return `<table class="bars"><tbody>${body.join('')}</tbody></table>`;
}

export function perVcpuBars(report: RunReport): string {
  const per = report.accesses.perVcpu;
  const seconds = report.durationSeconds > 0 ? report.durationSeconds : 1;
  return barList(
    per.map((total, i) => ({
      name: `vCPU ${i}`,
      value: total,
      colour: vcpuColour(i, per.length),
      text: `${formatCount(total / seconds)}/s`,
    })),
  );
}

export function churnKindBars(report: RunReport): string {
  const byKind = Object.entries(report.churn.byKind) as [string, number][];
  return barList(
    byKind.map(([kind, count]) => ({
      name: kind,
      value: count,
      colour: churnColour(kind),
      text: count.toLocaleString('en-US'),
    })),
  );
}

export function violationsTable(violations: readonly Violation[], total: number): string {
  const head =
    '<tr><th>t</th><th>kind</th><th>vCPU</th><th>gen</th><th>GPA</th><th>expected</th><th>actual</th><th>detail</th></tr>';
  const rows = violations.map(
    (v) =>
      `<tr><td class="num">${v.t === undefined ? '–' : `${v.t.toFixed(3)} s`}</td><td class="kind">${escapeHtml(v.kind)}</td><td class="num">${v.vcpu < 0 ? 'owner' : v.vcpu}</td><td class="num">${v.generation}</td><td class="mono">${formatAddress(v.gpa)}</td><td class="mono">${escapeHtml(v.expected)}</td><td class="mono">${escapeHtml(v.actual)}</td><td>${escapeHtml(v.detail)}</td></tr>`,
  );
  const more =
    total > violations.length
      ? `<p class="note">Showing the first ${violations.length} of ${total.toLocaleString('en-US')}.</p>`
      : '';
  return `<table class="violations"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>${more}`;
}

export function parametersTable(report: RunReport): string {
  const rows: [string, string][] = [
    ['machine', report.machine],
    ['strategy', report.strategy],
    ['vCPUs', String(report.vcpus)],
    ['duration', formatSeconds(report.durationSeconds)],
    ['workload', report.workload ?? '–'],
    ['churn kinds', report.churnKinds ? report.churnKinds.join(', ') || 'none' : '–'],
    [
      'churn rate',
      report.churnRate === undefined ? '–' : `${formatCount(report.churnRate)}/s requested`,
    ],
    ['seed', String(report.seed)],
    ['checks', report.check.enabled ? 'on' : 'off'],
  ];
  if (report.startedAt) rows.push(['started', report.startedAt]);
  const env = report.environment;
  if (env) {
    rows.push(['node', env.node]);
    rows.push([
      'host',
      `${env.cpus} CPU${env.cpus === 1 ? '' : 's'}${env.cpuModel ? ` · ${env.cpuModel}` : ''} · ${env.platform}`,
    ]);
  }
  const body = rows.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`);
  return `<table class="params"><tbody>${body.join('')}</tbody></table>`;
}

/** Faults, refused updates and the device backend's work, when the report has them. */
export function countersTable(report: RunReport): string {
  const rows: [string, string][] = [];
  if (report.churnFailed !== undefined) {
    rows.push(['topology updates refused', int(report.churnFailed)]);
  }
  const faults = report.vcpuFaults;
  if (faults) {
    rows.push([
      'vCPU access faults',
      `${int(faults.total)} (RegionNotFound ${int(faults.regionNotFound)}, RegionType ${int(faults.regionType)}, IoAccess ${int(faults.ioAccess)})`,
    ]);
    rows.push(['vCPU threads lost', int(faults.lostThreads)]);
  }
  const backend = report.deviceBackend;
  if (backend) {
    rows.push(['device backend requests', int(backend.requests)]);
    rows.push(['device backend DMA accesses', int(backend.dmaOps)]);
    rows.push(['doorbell signals consumed', int(backend.signals)]);
    rows.push([
      'device backend faults',
      `${int(backend.faults)} (reattached ${int(backend.reattached)})`,
    ]);
  }
  if (rows.length === 0) return '';
  const body = rows.map(
    ([k, v]) => `<tr><td>${escapeHtml(k)}</td><td class="num">${escapeHtml(v)}</td></tr>`,
  );
  return `<table class="params counters"><tbody>${body.join('')}</tbody></table>`;
}

function int(n: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : '–';
}
