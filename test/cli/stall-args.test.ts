/**
 * `addrspace run --stall MS` (SPEC 7's stalled-reader scenario): MS is a positive integer
 * of milliseconds, passed to `runSimulation` as `stall`; anything else is a usage error
 * naming the flag, and no stall is the default.
 */
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/args.js';
import { helpText } from '../../src/cli/usage.js';

function runOptions(argv: string[]) {
  const command = parseCommandLine(argv);
  if (command.kind !== 'run') throw new Error(`not a run: ${command.kind}`);
  return command.options;
}

describe('run --stall MS', () => {
  it('takes a positive integer of milliseconds', () => {
    expect(runOptions(['run', '--stall', '250']).stall).toBe(250);
    expect(runOptions(['run']).stall).toBe(0);
  });

  it.each([
    ['0', '--stall: must be an integer between 1 and 60000 (got "0")'],
    ['1.5', '--stall: must be an integer between 1 and 60000 (got "1.5")'],
    ['soon', '--stall: must be an integer between 1 and 60000 (got "soon")'],
    ['60001', '--stall: must be an integer between 1 and 60000 (got "60001")'],
  ])('refuses --stall %s', (value, message) => {
    expect(() => parseCommandLine(['run', '--stall', value])).toThrow(message);
  });

  it('refuses --stall without a value', () => {
    expect(() => parseCommandLine(['run', '--stall'])).toThrow('--stall: needs a value');
  });

  it('is in the usage text of run', () => {
    expect(helpText('run')).toContain('--stall MS');
    expect(helpText('main')).toContain('[--stall MS]');
  });
});
