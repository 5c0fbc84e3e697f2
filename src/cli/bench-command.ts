/**
 * `addrspace bench`: runs `runBench` (bench/index.ts), writes `--json`, and prints the
 * bench layer's tables. While it runs, the bench layer prints each section to stderr as
 * it is measured (not with --quiet); the full tables then go to stdout only when stdout
 * is not that terminal — piped or redirected — or with --quiet, so a terminal does not
 * show every table twice. The measuring and the table layout belong to the bench layer.
 */
import { formatBenchReport, runBench } from '../bench/index.js';
import type { ResolvedBenchOptions } from '../bench/options.js';
import { EXIT_OK } from './errors.js';
import type { CliIo } from './io.js';
import { checkWritable, writeReportFile } from './output.js';

export async function benchCommand(options: ResolvedBenchOptions, io: CliIo): Promise<number> {
  await checkWritable(options.json, '--json');
  const report = await runBench(options);
  if (options.json !== undefined) {
    await writeReportFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
  }
  if (options.quiet || io.stdout.isTTY !== true) io.stdout.write(formatBenchReport(report));
  if (options.json !== undefined && !options.quiet) io.stdout.write(`wrote ${options.json}\n`);
  return EXIT_OK;
}
