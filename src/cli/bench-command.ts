/**
 * `addrspace bench`: runs `runBench` (bench/index.ts), writes `--json`, and prints the
 * results as two aligned tables — strategy throughput and render cost. The measuring is
 * done by the bench layer; this command formats and writes.
 */

import { formatCount, formatMicros } from '../sim/html/format.js';
import type { ResolvedBenchOptions } from '../sim/options.js';
import type { BenchReport } from '../sim/report-types.js';
import { EXIT_OK } from './errors.js';
import type { CliIo } from './io.js';
import { loadRunBench } from './layers.js';
import { checkWritable, writeReportFile } from './output.js';

export async function benchCommand(options: ResolvedBenchOptions, io: CliIo): Promise<number> {
  await checkWritable(options.json, '--json');
  const runBench = await loadRunBench();
  const report = await runBench(options);
  if (options.json !== undefined) {
    await writeReportFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
  }
  io.stdout.write(formatBenchTables(report));
  if (options.json !== undefined) io.stdout.write(`\nwrote ${options.json}\n`);
  return EXIT_OK;
}

/** The strategy rows and the render rows as two text tables. */
export function formatBenchTables(report: BenchReport): string {
  const strategies = table(
    ['strategy', 'vcpus', 'workload', 'churn/s', 'accesses/s', 'vs none'],
    report.strategies.map((r) => [
      r.strategy,
      String(r.vcpus),
      r.workload,
      formatCount(r.churnPerSecond),
      formatCount(r.accessesPerSecond),
      Number.isFinite(r.ratioToNone) ? r.ratioToNone.toFixed(2) : '–',
    ]),
    [false, true, false, true, true, true],
  );
  const render = table(
    ['regions', 'full render', 'single change'],
    report.render.map((r) => [
      String(r.regions),
      formatMicros(r.fullRenderUs),
      formatMicros(r.singleChangeUs),
    ]),
    [true, true, true],
  );
  return `${strategies}\n${render}`;
}

/** Columns padded to their widest cell; `right[i]` aligns column i to the right. */
function table(head: string[], rows: string[][], right: boolean[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}
