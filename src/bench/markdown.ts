/**
 * A bench report as Markdown, for the README's Performance section: throughput pivoted
 * (one line per strategy and workload, one column per churn rate, for the largest vCPU
 * count), the bare reader loops, latencies, the main single-thread paths, render, memory
 * and targets. Run: `node dist/src/bench/markdown.js bench.json` (a file written by
 * `addrspace bench --json`). Pure formatting: it reads one JSON file and prints.
 */
import { readFileSync } from 'node:fs';
import type { BenchReport, BenchStrategyRow } from './report-types.js';
import { formatNs, formatRate, formatUs } from './table.js';

function mdTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function ratio(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '–' : `${v.toFixed(2)}x`;
}

/** accesses/s (x none) per churn rate, one line per strategy and workload, at `vcpus`. */
function pivot(rows: readonly BenchStrategyRow[], vcpus: number): string {
  const at = rows.filter((r) => r.vcpus === vcpus);
  const churns = [...new Set(at.filter((r) => r.strategy !== 'raw').map((r) => r.churnPerSecond))];
  const keys = [...new Set(at.map((r) => `${r.workload}\t${r.strategy}`))];
  return mdTable(
    ['workload', 'strategy', ...churns.map((c) => `churn ${c}/s: accesses/s (x none)`)],
    keys.map((key) => {
      const [workload, strategy] = key.split('\t') as [string, string];
      return [
        workload,
        strategy,
        ...churns.map((c) => {
          const row = at.find(
            (r) =>
              r.workload === workload &&
              r.strategy === strategy &&
              (r.churnPerSecond === c || (strategy === 'raw' && c === churns[0])),
          );
          return row === undefined
            ? ''
            : `${formatRate(row.accessesPerSecond)} (${ratio(row.ratioToNone)})`;
        }),
      ];
    }),
  );
}

export function benchMarkdown(report: BenchReport): string {
  const parts: string[] = [];
  const vcpus = Math.max(...report.strategies.map((r) => r.vcpus));
  parts.push(`vCPU throughput, ${vcpus} vCPUs:\n\n${pivot(report.strategies, vcpus)}`);
  if (report.readerLoop !== undefined && report.readerLoop.length > 0) {
    parts.push(
      `Bare reader loops (seq reads, no workload generator), ${vcpus} vCPUs:\n\n${pivot(report.readerLoop, vcpus)}`,
    );
  }
  if (report.latency !== undefined) {
    parts.push(
      mdTable(
        ['measure', 'vCPUs', 'batch', 'churn/s', 'samples', 'p50', 'p99', 'max'],
        report.latency.map((r) => [
          r.name,
          r.vcpus === undefined ? '' : String(r.vcpus),
          r.batch === undefined ? '' : String(r.batch),
          r.churnPerSecond === undefined ? '' : String(r.churnPerSecond),
          String(r.samples),
          formatUs(r.p50Us),
          formatUs(r.p99Us),
          formatUs(r.maxUs),
        ]),
      ),
    );
  }
  if (report.micro !== undefined) {
    parts.push(
      mdTable(
        ['path', 'ops/s', 'p50', 'p99'],
        report.micro.map((r) => [
          r.name,
          formatRate(r.opsPerSecond),
          r.p50Ns === undefined ? '–' : formatNs(r.p50Ns),
          formatNs(r.p99Ns),
        ]),
      ),
    );
  }
  parts.push(
    mdTable(
      ['regions', 'full render', 'one change', 'one change + publish'],
      report.render.map((r) => [
        String(r.regions),
        formatUs(r.fullRenderUs),
        formatUs(r.singleChangeUs),
        r.singleChangePublishedUs === undefined ? '–' : formatUs(r.singleChangePublishedUs),
      ]),
    ),
  );
  if (report.targets !== undefined) {
    parts.push(
      mdTable(
        ['target', 'wanted', 'measured', 'met'],
        report.targets.map((t) => [
          t.name,
          t.target,
          t.measured,
          t.met === null ? 'n/a' : t.met ? 'yes' : 'no',
        ]),
      ),
    );
  }
  return `${parts.join('\n\n')}\n`;
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (invokedDirectly) {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write('usage: node dist/src/bench/markdown.js BENCH.json\n');
    process.exitCode = 2;
  } else {
    process.stdout.write(benchMarkdown(JSON.parse(readFileSync(file, 'utf8')) as BenchReport));
  }
}
