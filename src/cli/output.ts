/**
 * Report files of the CLI: checks before a run that `--json` / `--html` can be written
 * (so a long run is not lost to a typo in a directory name), and writes them after.
 * Only the CLI writes files; the library returns reports as values.
 */
import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from './errors.js';

/** Throws `UsageError` naming `flag` when `path`'s directory is missing or not writable. */
export async function checkWritable(path: string | undefined, flag: string): Promise<void> {
  if (path === undefined) return;
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

/** Writes a report file. */
export async function writeReportFile(path: string, text: string): Promise<void> {
  await writeFile(path, text, 'utf8');
}
