/**
 * `addrspace torture` flags (SPEC 11): durations such as `10m`, `90s`, `1h`, the run
 * options checked before any round, and one readable line for bad usage (exit 2).
 */
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/args.js';
import { UsageError } from '../../src/cli/errors.js';
import { helpText } from '../../src/cli/usage.js';
import { parseDuration } from '../../src/sim/torture.js';

function torture(argv: string[]) {
  const c = parseCommandLine(['torture', ...argv]);
  if (c.kind !== 'torture') throw new Error(`expected a torture command, got ${c.kind}`);
  return c.options;
}

function refusal(argv: string[]): string {
  try {
    parseCommandLine(['torture', ...argv]);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as UsageError).message;
  }
  throw new Error(`expected torture ${argv.join(' ')} to be refused`);
}

describe('addrspace torture flags', () => {
  it('durations: 10m, 90s, 1h, 1h30m, 2.5s, 250ms and plain seconds', () => {
    expect(
      ['10m', '90s', '1h', '1h30m', '2.5s', '250ms', '600'].map((t) => parseDuration(t)),
    ).toEqual([600, 90, 3600, 5400, 2.5, 0.25, 600]);
    expect(parseDuration(42)).toBe(42);
  });

  it('with no flags: the library defaults (10 minutes, rcu, every fault)', () => {
    expect(torture([])).toEqual({ torture: {}, json: undefined, quiet: false, debug: false });
  });

  it('passes the flags on', () => {
    expect(
      torture(['--duration', '2m', '--strategy', 'none', '--faults', 'kill-vcpu', '--seed', '7']),
    ).toMatchObject({
      torture: { duration: 120, strategy: 'none', faults: 'kill-vcpu', seed: 7 },
    });
    expect(torture(['--json', '-', '--quiet']).json).toBe('-');
  });

  it('refuses a bad duration, strategy or seed with one line naming the flag', () => {
    expect(refusal(['--duration', '10x'])).toBe(
      '--duration: must be a duration greater than 0 and at most 24h, such as 10m, 90s, 1h or 600 (got "10x")',
    );
    expect(refusal(['--duration', '0s'])).toMatch(/^--duration: must be a duration/);
    expect(refusal(['--duration', '25h'])).toMatch(/^--duration: must be a duration/);
    expect(refusal(['--strategy', 'fast'])).toMatch(/^--strategy: must be one of rcu, /);
    expect(refusal(['--seed', '-1'])).toMatch(/^--seed: needs a value|^--seed: must be/);
    expect(refusal(['--churn', 'all'])).toBe(
      'unknown option --churn (see addrspace torture --help)',
    );
  });

  it('has its own help', () => {
    expect(helpText('torture')).toMatch(/^Usage: addrspace torture \[options\]/);
    expect(parseCommandLine(['torture', '--help'])).toEqual({ kind: 'help', topic: 'torture' });
  });
});
