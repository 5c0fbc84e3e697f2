/**
 * Report files of the CLI: checks before a run that `--json` / `--html` can be written
 * (so a long run is not lost to a typo in a directory name), and writes them after. The
 * path `-` is stdout (SPEC 9: `--json -`); then the command's own text (summary, tables)
 * goes to stderr instead, so stdout holds the report and nothing else. Only the CLI
 * writes files; the library returns reports as values.
 */
import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from './errors.js';
import type { CliIo } from './io.js';
import type { ProgressStream } from './progress.js';

/** The report path that means stdout. */
export const STDOUT_PATH = '-';

/** A report the command was asked to write: the flag and the path given to it. */
export interface ReportTarget {
  readonly flag: string;
  readonly path: string | undefined;
}

/**
 * Checks every asked report before any work: at most one goes to stdout, and each file's
 * directory exists and is writable. Throws `UsageError` naming the flag.
 */
export async function checkReportTargets(targets: readonly ReportTarget[]): Promise<void> {
  const toStdout = targets.filter((t) => t.path === STDOUT_PATH);
  if (toStdout.length > 1) {
    throw new UsageError(
      `${toStdout[1]!.flag}: only one report can go to stdout (${toStdout[0]!.flag} - already does)`,
      toStdout[1]!.flag,
    );
  }
  for (const t of targets) await checkWritable(t.path, t.flag);
}

/** Whether a report goes to stdout, so the command's own text must go to stderr. */
export function stdoutIsReport(targets: readonly ReportTarget[]): boolean {
  return targets.some((t) => t.path === STDOUT_PATH);
}

/**
 * Where the command's summary goes: stdout, stderr when stdout carries a report, nothing
 * with `--quiet` (SPEC 9: no progress and no summary).
 */
export function summaryStream(
  io: CliIo,
  quiet: boolean,
  targets: readonly ReportTarget[],
): ProgressStream | undefined {
  if (quiet) return undefined;
  return stdoutIsReport(targets) ? io.stderr : io.stdout;
}

/** Throws `UsageError` naming `flag` when `path`'s directory is missing or not writable. */
export async function checkWritable(path: string | undefined, flag: string): Promise<void> {
  if (path === undefined || path === STDOUT_PATH) return;
  const dir = dirname(resolve(path));
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw new UsageError(`${flag}: ${dir} is not a directory`, flag);
    await access(dir, constants.W_OK);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `is not writable (${code ?? 'error'})`;
    throw new UsageError(`${flag}: cannot write ${path}: directory ${dir} ${why}`, flag);
  }
  try {
    const existing = await stat(path);
    if (existing.isDirectory()) throw new UsageError(`${flag}: ${path} is a directory`, flag);
  } catch (error) {
    if (error instanceof UsageError) throw error;
  }
}

/** Writes a report to its file, or to stdout for `-`. */
export async function writeReport(path: string, text: string, io: CliIo): Promise<void> {
  if (path === STDOUT_PATH) io.stdout.write(text);
  else await writeFile(path, text, 'utf8');
}

/** The `  json  FILE` lines a summary ends with (none for a report on stdout). */
export function writtenRows(targets: readonly ReportTarget[]): { label: string; path: string }[] {
  return targets
    .filter((t): t is { flag: string; path: string } => t.path !== undefined)
    .filter((t) => t.path !== STDOUT_PATH)
    .map((t) => ({ label: t.flag.replace(/^--/, ''), path: t.path }));
}
