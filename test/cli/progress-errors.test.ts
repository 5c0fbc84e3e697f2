import { describe, expect, it } from 'vitest';
import { AddressSpaceError } from '../../src/base/errors.js';
import { EXIT_USAGE, exitCodeFor, formatError, UsageError } from '../../src/cli/errors.js';
import { formatProgress, ProgressLine } from '../../src/cli/progress.js';
import { OptionsError } from '../../src/sim/option-checks.js';
import type { RunProgress } from '../../src/sim/report-types.js';

const progress: RunProgress = {
  elapsedSeconds: 1.23,
  durationSeconds: 3,
  accessesTotal: 48_000_000,
  accessesPerSecond: 39_312_000,
  generation: 1204,
  churnPerSecond: 998,
  violations: 0,
};

/** A stream that records what is written to it, as a terminal or as a pipe. */
function stream(isTTY: boolean, columns = 120) {
  const written: string[] = [];
  return { isTTY, columns, written, write: (t: string) => written.push(t) };
}

describe('progress line', () => {
  it('shows elapsed time, accesses/s, generation, churn/s and violations', () => {
    expect(formatProgress(progress)).toBe(
      '  1.2/3.0 s     39.3 M acc/s   gen 1,204   churn 998/s   violations 0',
    );
  });

  it('rewrites one line in place on a terminal and erases it at the end', () => {
    const tty = stream(true);
    const line = new ProgressLine(tty, false);
    line.update(progress);
    line.update({ ...progress, generation: 1300 });
    line.clear();
    expect(tty.written).toEqual([
      '\r  1.2/3.0 s     39.3 M acc/s   gen 1,204   churn 998/s   violations 0\x1b[K',
      '\r  1.2/3.0 s     39.3 M acc/s   gen 1,300   churn 998/s   violations 0\x1b[K',
      '\r\x1b[K',
    ]);
  });

  it('cuts the line to the terminal width', () => {
    const narrow = stream(true, 30);
    new ProgressLine(narrow, false).update(progress);
    expect(narrow.written[0]).toBe('\r  1.2/3.0 s     39.3 M acc/s \x1b[K');
  });

  it('assumes 80 columns when the terminal reports none', () => {
    const unsized = stream(true, 0);
    new ProgressLine(unsized, false).update(progress);
    expect(unsized.written[0]).toBe(
      '\r  1.2/3.0 s     39.3 M acc/s   gen 1,204   churn 998/s   violations 0\x1b[K',
    );
  });

  it('writes nothing when piped or quiet', () => {
    const pipe = stream(false);
    const piped = new ProgressLine(pipe, false);
    piped.update(progress);
    piped.clear();
    const tty = stream(true);
    const quiet = new ProgressLine(tty, true);
    quiet.update(progress);
    quiet.clear();
    expect(piped.enabled).toBe(false);
    expect(quiet.enabled).toBe(false);
    expect(pipe.written).toEqual([]);
    expect(tty.written).toEqual([]);
  });
});

describe('error line and exit status', () => {
  it('prints one line "addrspace: <message>" without a stack', () => {
    const e = new Error('worker exited\n    at somewhere (file.js:1:1)');
    expect(formatError(e)).toBe('addrspace: worker exited\n');
    expect(formatError('plain text')).toBe('addrspace: plain text\n');
  });

  it('prints the stack and causes with --debug', () => {
    const e = new Error('outer', { cause: new Error('inner') });
    const text = formatError(e, true);
    expect(text.startsWith('addrspace: outer\nError: outer\n    at ')).toBe(true);
    expect(text).toContain('caused by: Error: inner');
  });

  it('exits 2 for bad usage and bad input, 1 for other failures', () => {
    expect(exitCodeFor(new UsageError('--vcpus: needs a value', '--vcpus'))).toBe(EXIT_USAGE);
    expect(exitCodeFor(new OptionsError('vcpus', 'must be an integer between 1 and 64'))).toBe(2);
    expect(exitCodeFor(AddressSpaceError.invalidArgument('size must be a number'))).toBe(2);
    expect(exitCodeFor(AddressSpaceError.regionNotFound(0x1000))).toBe(1);
    expect(exitCodeFor(new Error('boom'))).toBe(1);
  });
});
