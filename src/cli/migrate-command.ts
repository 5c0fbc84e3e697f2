/**
 * `addrspace migrate` (SPEC 10): runs `migrate`, writes `--json` (`-`: stdout, and
 * nothing else goes there) and `--html`, prints a summary like `run`'s, and returns the
 * exit status: 0 when every byte matched (or, with `--from`, the stream loaded and the
 * vCPUs ran), 1 when any page differs, 2 for bad usage or a bad stream (thrown as
 * `InvalidArgument`, turned into one line by cli.ts).
 */
import { formatBytes, formatCount } from '../sim/html/format.js';
import { migrate } from '../sim/migration/migrate.js';
import type { ResolvedMigrateOptions } from '../sim/migration/options.js';
import type { MigrationLoadReport, MigrationReport } from '../sim/migration/report.js';
import { renderMigrationHtml } from '../sim/migration/report-html.js';
import { EXIT_FAILURE, EXIT_OK } from './errors.js';
import type { CliIo } from './io.js';
import { checkWritable, writeReportFile } from './output.js';
import { summaryRow } from './summary.js';

export async function migrateCommand(options: ResolvedMigrateOptions, io: CliIo): Promise<number> {
  const toStdout = options.json === '-';
  if (!toStdout) await checkWritable(options.json, '--json');
  await checkWritable(options.html, '--html');
  await checkWritable(options.to, '--to');
  const report = await migrate({ ...options, signal: options.signal ?? io.signal });
  const written: string[] = [];
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (toStdout) io.stdout.write(json);
  else if (options.json !== undefined) {
    await writeReportFile(options.json, json);
    written.push(summaryRow('json', options.json));
  }
  if (options.html !== undefined && report.kind === 'migration') {
    await writeReportFile(options.html, renderMigrationHtml(report));
    written.push(summaryRow('html', options.html));
  }
  if (!options.quiet && !toStdout) {
    io.stdout.write(
      report.kind === 'migration' ? formatMigrationSummary(report) : formatLoadSummary(report),
    );
    if (written.length > 0) io.stdout.write(`${written.join('\n')}\n`);
  }
  if (report.interrupted) return 130;
  if (report.kind === 'load') return report.run.lostVcpus > 0 ? EXIT_FAILURE : EXIT_OK;
  return report.compare.differingPages > 0 ? EXIT_FAILURE : EXIT_OK;
}

export function formatMigrationSummary(r: MigrationReport): string {
  const churn = r.churn.length > 0 ? r.churn.join(',') : 'none';
  const lines = [
    `addrspace migrate: ${r.machine}, ${r.strategy}, ${r.vcpus} vCPU${r.vcpus === 1 ? '' : 's'}, ${r.workload} workload, churn ${churn}${r.hotplugHeld ? ' (hotplug held)' : ''}`,
  ];
  const row = (label: string, value: string) => lines.push(summaryRow(label, value));
  row('dirty log', r.dirtyLog ? 'on' : 'off (--no-dirty-log: one copy, nothing logged)');
  row(
    'limits',
    `bandwidth ${r.bandwidthMiBps} MiB/s, downtime ${r.downtimeLimitMs} ms, max rounds ${r.maxRounds}`,
  );
  const precopy = r.rounds.filter((x) => !x.stopAndCopy).length;
  row(
    'rounds',
    `${precopy} pre-copy${r.dirtyLog ? (r.converged ? ', converged' : ', did not converge') : ''}`,
  );
  r.rounds.forEach((x, i) => {
    row(
      x.stopAndCopy ? '  stop+copy' : `  round ${i}`,
      `${formatCount(x.dirtyPages)} dirty, ${formatCount(x.sentPages)} sent, ${formatBytes(x.bytes)}, ${x.durationMs} ms`,
    );
  });
  row('sent', `${formatBytes(r.bytesSent)} (${formatCount(r.zeroPages)} zero pages)`);
  row(
    'dirty rate',
    `${formatCount(r.dirtyRate.pagesPerSecond)} pages/s (${formatBytes(r.dirtyRate.bytesPerSecond)}/s)`,
  );
  row('downtime', `${r.downtimeMs} ms (limit ${r.downtimeLimitMs} ms)`);
  const s = r.source;
  row(
    'source',
    `${formatCount(s.accesses)} vCPU accesses (${formatCount(s.writes)} writes), ${formatCount(s.mmioExits)} MMIO exits, ${formatCount(s.churnUpdates)} churn updates, ${formatCount(s.dmaOps)} DMA ops`,
  );
  if (r.stream !== undefined) {
    row(
      'stream',
      `${r.stream.file}: ${formatBytes(r.stream.bytes)}, ${formatCount(r.stream.records)} page records`,
    );
  }
  const c = r.compare;
  row(
    'compare',
    `${formatCount(c.pages)} pages, ${formatCount(c.differingPages)} differ${c.differingPages === 0 ? ': every byte matches' : ''}`,
  );
  for (const d of c.firstDifferences.slice(0, 3)) {
    const gpa = d.gpa < 0 ? 'not mapped' : `GPA 0x${d.gpa.toString(16).toUpperCase()}`;
    row('', `${d.mapping} page ${d.page} (${gpa})`);
  }
  row('result', c.differingPages === 0 ? 'OK' : 'FAILED: the destination differs from the source');
  return `${lines.join('\n')}\n`;
}

export function formatLoadSummary(r: MigrationLoadReport): string {
  const lines = [`addrspace migrate --from ${r.from}: ${r.machine}, ${r.strategy}`];
  const row = (label: string, value: string) => lines.push(summaryRow(label, value));
  const l = r.loaded;
  row(
    'loaded',
    `${formatCount(l.records)} records (${formatCount(l.pages)} pages, ${formatCount(l.zeroPages)} zero), ${formatBytes(l.bytes)}, checksum 0x${l.checksum.toString(16).toUpperCase()} verified`,
  );
  row(
    'vCPUs',
    `${formatCount(r.run.accesses)} accesses (${formatCount(r.run.writes)} writes) in ${r.run.durationMs} ms, ${formatCount(r.run.faults)} faults`,
  );
  row('result', r.run.lostVcpus === 0 ? 'OK' : `FAILED: ${r.run.lostVcpus} vCPU threads died`);
  return `${lines.join('\n')}\n`;
}
