/**
 * `addrspace bench`: runs `runBench` (bench/index.ts) with a progress line on stderr when
 * it is a terminal, writes `--json` / `--html` (`-` is stdout), and prints the bench
 * layer's tables as the summary (stderr when stdout carries a report; none with --quiet).
 * Warnings (a vCPU thread that died in a row) always go to stderr. Ctrl-C stops it early;
 * the reports still get the rows measured so far, with `"interrupted": true`, and the exit
 * status is 130 (cli.ts). The measuring and the table layout belong to the bench layer.
 */
import { formatBenchReport, runBench } from '../bench/index.js';
import type { ResolvedBenchOptions } from '../bench/options.js';
import { renderBenchHtml } from '../bench/report-html.js';
import { EXIT_INTERRUPTED, EXIT_OK } from './errors.js';
import type { CliIo } from './io.js';
import {
  checkReportTargets,
  type ReportTarget,
  summaryStream,
  writeReport,
  writtenRows,
} from './output.js';
import { ProgressLine } from './progress.js';
import { summaryRow } from './summary.js';

export async function benchCommand(options: ResolvedBenchOptions, io: CliIo): Promise<number> {
  const targets: ReportTarget[] = [
    { flag: '--json', path: options.json },
    { flag: '--html', path: options.html },
  ];
  await checkReportTargets(targets);
  const progress = new ProgressLine(io.stderr, options.quiet);
  let report: Awaited<ReturnType<typeof runBench>>;
  try {
    report = await runBench({
      ...options,
      signal: options.signal ?? io.signal,
      onProgress: (p) => {
        if (p.warning !== undefined) {
          progress.clear();
          io.stderr.write(`addrspace bench: warning: ${p.warning}\n`);
        }
        progress.show(`bench ${p.elapsedSeconds.toFixed(0)} s  ${p.section}: ${p.detail}`);
        options.onProgress?.(p);
      },
    });
  } finally {
    progress.clear();
  }
  if (options.json !== undefined) {
    await writeReport(options.json, `${JSON.stringify(report, null, 2)}\n`, io);
  }
  if (options.html !== undefined) await writeReport(options.html, renderBenchHtml(report), io);
  const summary = summaryStream(io, options.quiet, targets);
  if (summary !== undefined) {
    summary.write(formatBenchReport(report));
    if (report.interrupted) summary.write('interrupted: the report has the rows measured\n');
    const rows = writtenRows(targets).map((w) => summaryRow(w.label, w.path));
    if (rows.length > 0) summary.write(`${rows.join('\n')}\n`);
  }
  return report.interrupted ? EXIT_INTERRUPTED : EXIT_OK;
}
