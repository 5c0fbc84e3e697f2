/**
 * `addrspace torture` (SPEC 11): runs `runTorture` with a line a minute on stderr (not
 * with --quiet), writes `--json FILE` (`-`: stdout, and nothing else goes there), prints
 * a summary and returns the report's exit status: 0 when nothing was violated and every
 * injected fault was survived, 1 for a violation, 3 when a worker died, a device or
 * listener failed uninjected or an end-of-run check could not run; 130 when interrupted.
 */
import { formatCount } from '../sim/html/format.js';
import { runTorture, type TortureProgress, type TortureReport } from '../sim/torture.js';
import type { TortureCliOptions } from './args.js';
import type { CliIo } from './io.js';
import { checkWritable, writeReportFile } from './output.js';

/** `3m05s` */
function clock(seconds: number): string {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m${rest}s` : `${m}m${rest}s`;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((100 * part) / whole).toFixed(2)}%`;
}

/** The line a minute. */
export function formatTortureProgress(p: TortureProgress): string {
  return [
    `torture ${clock(p.elapsedSeconds)}/${clock(p.durationSeconds)}`,
    `round ${p.round + 1} (${p.workload})`,
    `${formatCount(p.accesses)} accesses`,
    `${percent(p.verifiedAccesses, p.ramAccesses)} of ${formatCount(p.ramAccesses)} RAM accesses verified`,
    `${formatCount(p.churnUpdates)} updates`,
    `violations ${p.violations}`,
    `failures ${p.failures}`,
    `faults ${p.faultsSurvived}/${p.faultsInjected} survived`,
  ].join('  ');
}

/** The summary at the end. */
export function formatTortureSummary(r: TortureReport): string {
  const c = r.check;
  const kinds = Object.entries(c.byKind)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const faults = r.faults.available
    ? Object.keys(r.faults.injected)
        .map(
          (k) =>
            `${k} ${(r.faults as { survived: Record<string, number> }).survived[k] ?? 0}/${(r.faults as { injected: Record<string, number> }).injected[k]}`,
        )
        .join(', ') || 'none injected'
    : 'not available in this build';
  const lines = [
    `torture: ${r.strategy}${r.unsafe ? ' (unsafe)' : ''}, ${r.machine}, ${r.vcpus} vCPUs, seed ${r.seed}, ${r.durationSeconds.toFixed(1)} s in ${r.rounds.length} rounds (${[...new Set(r.rounds.map((x) => x.workload))].join(', ')})`,
    `  accesses     ${r.accesses.total.toLocaleString('en-US')} (${formatCount(r.accesses.perSecond)}/s)`,
    `  verified     ${c.verifiedAccesses.toLocaleString('en-US')} of ${c.ramAccesses.toLocaleString('en-US')} RAM accesses (${percent(c.verifiedAccesses, c.ramAccesses)}), dropped ${c.dropped}`,
    `  churn        ${r.churn.updates.toLocaleString('en-US')} updates (${formatCount(r.churn.perSecond)}/s)`,
    `  violations   ${c.violations}${kinds === '' ? '' : ` (${kinds})`}`,
    `  faults       ${faults} (survived/injected)`,
    `  failures     ${r.failures.length}`,
  ];
  const first = c.firstViolations[0];
  if (first !== undefined) lines.push(`  first        round ${first.round}: ${first.detail}`);
  const failure = r.failures[0];
  if (failure !== undefined)
    lines.push(`  first failure round ${failure.round}: ${failure.kind}: ${failure.detail}`);
  lines.push(`  exit         ${r.interrupted ? 130 : r.exitCode}`);
  return `${lines.join('\n')}\n`;
}

export async function tortureCommand(options: TortureCliOptions, io: CliIo): Promise<number> {
  const toStdout = options.json === '-';
  if (!toStdout) await checkWritable(options.json, '--json');
  const report = await runTorture({
    ...options.torture,
    ...(options.quiet ? {} : { onMinute: (p) => io.stderr.write(`${formatTortureProgress(p)}\n`) }),
    ...(io.signal === undefined ? {} : { signal: io.signal }),
  });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (toStdout) io.stdout.write(json);
  else if (options.json !== undefined) await writeReportFile(options.json, json);
  if (!options.quiet) (toStdout ? io.stderr : io.stdout).write(formatTortureSummary(report));
  return report.interrupted ? 130 : report.exitCode;
}
