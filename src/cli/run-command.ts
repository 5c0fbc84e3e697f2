/**
 * `addrspace run`: checks that the reports can be written, runs `runSimulation` with a
 * progress line on stderr when it is a terminal, writes `--json` / `--html` (`-` is
 * stdout), prints the summary (stderr when stdout carries a report; none with --quiet),
 * and returns the exit status: 0; 1 when the checker found a violation; 3 when the report
 * lists failures and no violation; 130 when Ctrl-C stopped the run (the reports are still
 * written, marked `"interrupted": true`). The simulation itself lives in
 * src/sim/simulation.ts; this command adds no measurement.
 */
import type { ResolvedRunOptions, RunOptions } from '../sim/options.js';
import { renderHtmlReport } from '../sim/report-html.js';
import type { RunReport } from '../sim/report-types.js';
import { runSimulation } from '../sim/simulation.js';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_RUN_FAILED } from './errors.js';
import type { CliIo } from './io.js';
import {
  checkReportTargets,
  type ReportTarget,
  summaryStream,
  writeReport,
  writtenRows,
} from './output.js';
import { ProgressLine } from './progress.js';
import { formatRunSummary, summaryRow } from './summary.js';

/**
 * `given` are the options the flags set (the rest come from the machine file, a replay
 * file, or the defaults, in that order, inside `runSimulation`); without it `options`
 * are passed whole.
 */
export async function runCommand(
  options: ResolvedRunOptions,
  io: CliIo,
  given: RunOptions = options,
): Promise<number> {
  const targets: ReportTarget[] = [
    { flag: '--json', path: options.json },
    { flag: '--html', path: options.html },
  ];
  await checkReportTargets(targets);
  const progress = new ProgressLine(io.stderr, options.quiet);
  let report: RunReport;
  try {
    report = await runSimulation({
      ...given,
      onProgress: progress.enabled ? (p) => progress.update(p) : options.onProgress,
      signal: options.signal ?? io.signal,
    });
  } finally {
    progress.clear();
  }
  if (options.json !== undefined) {
    await writeReport(options.json, `${JSON.stringify(report, null, 2)}\n`, io);
  }
  if (options.html !== undefined) await writeReport(options.html, renderHtmlReport(report), io);
  const summary = summaryStream(io, options.quiet, targets);
  if (summary !== undefined) {
    summary.write(formatRunSummary(report));
    const rows = writtenRows(targets).map((w) => summaryRow(w.label, w.path));
    if (rows.length > 0) summary.write(`${rows.join('\n')}\n`);
  }
  return exitCodeOfReport(report);
}

/**
 * SPEC 9 and 11: 130 when the run was interrupted, else 1 when the checker found a
 * violation, else 3 with failures, else 0.
 */
export function exitCodeOfReport(report: RunReport): number {
  if (report.interrupted) return EXIT_INTERRUPTED;
  if (report.check.violations > 0) return EXIT_FAILURE;
  return (report.failures?.length ?? 0) > 0 ? EXIT_RUN_FAILED : EXIT_OK;
}
