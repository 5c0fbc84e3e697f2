/**
 * `addrspace run`: checks that the report files can be written, runs `runSimulation`
 * with a progress line on a terminal, writes `--json` / `--html`, prints the summary, and
 * returns the exit status (0; 1 when the checker found a violation; 3 when the report lists
 * failures and no violation). The simulation
 * itself lives in src/sim/simulation.ts; this command adds no measurement of its own.
 */
import type { ResolvedRunOptions } from '../sim/options.js';
import { renderHtmlReport } from '../sim/report-html.js';
import type { RunReport } from '../sim/report-types.js';
import { runSimulation } from '../sim/simulation.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_RUN_FAILED } from './errors.js';
import type { CliIo } from './io.js';
import { checkWritable, writeReportFile } from './output.js';
import { ProgressLine } from './progress.js';
import { formatRunSummary, summaryRow } from './summary.js';

export async function runCommand(options: ResolvedRunOptions, io: CliIo): Promise<number> {
  await checkWritable(options.json, '--json');
  await checkWritable(options.html, '--html');
  const progress = new ProgressLine(io.stdout, options.quiet);
  let report: RunReport;
  try {
    report = await runSimulation({
      ...options,
      onProgress: progress.enabled ? (p) => progress.update(p) : options.onProgress,
      signal: options.signal ?? io.signal,
    });
  } finally {
    progress.clear();
  }
  const written: string[] = [];
  if (options.json !== undefined) {
    await writeReportFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
    written.push(summaryRow('json', options.json));
  }
  if (options.html !== undefined) {
    await writeReportFile(options.html, renderHtmlReport(report));
    written.push(summaryRow('html', options.html));
  }
  if (!options.quiet) {
    io.stdout.write(formatRunSummary(report));
    if (written.length > 0) io.stdout.write(`${written.join('\n')}\n`);
  }
  return exitCodeOfReport(report);
}

/** SPEC 9 and 11: 1 when the checker found a violation, else 3 with failures, else 0. */
export function exitCodeOfReport(report: RunReport): number {
  if (report.check.violations > 0) return EXIT_FAILURE;
  return (report.failures?.length ?? 0) > 0 ? EXIT_RUN_FAILED : EXIT_OK;
}
