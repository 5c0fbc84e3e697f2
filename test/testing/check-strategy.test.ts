/**
 * `checkStrategy` (addrspace/testing, SPEC 7) as a user would run it: `none` (no
 * synchronisation) is caught, a plug-in loaded by path is checked with its reader threads
 * loading it too, bad arguments are refused. The safe built-ins each hold every invariant
 * in check-builtins-first/second.test.ts. Each run is about a second of churn.
 */
import { expect, test } from 'vitest';
import { checkStrategy, DURATION_MS, SAFE } from './builtins.js';

test('the safe built-ins are every built-in but none (check-builtins-*.test.ts run them)', () => {
  expect(SAFE).toEqual([
    'rcu',
    'seqlock',
    'mutex',
    'rwlock',
    'refcount',
    'hazard',
    'ebr',
    'leftright',
  ]);
});

test('checkStrategy(none) does not hold: readers read reclaimed memory', async () => {
  const result = await checkStrategy('none', { durationMs: DURATION_MS });
  expect(result.strategy).toBe('none');
  expect(result.held).toBe(false);
  const storm = result.invariants.find((i) => i.name === 'poison-storm')!;
  expect(storm.held).toBe(false);
  expect(storm.detail).toMatch(/[1-9]\d* poison reads; first: poison read at 0x/);
});

test('a plug-in loaded by path is checked, its readers loading the same module', async () => {
  const result = await checkStrategy('./examples/rcu-every-n.js', { durationMs: DURATION_MS });
  expect(result.strategy).toBe('rcu-every-n');
  for (const invariant of result.invariants) {
    expect(invariant.held, `${invariant.name}: ${invariant.detail}`).toBe(true);
  }
});

test('bad arguments reject with InvalidArgument and run nothing', async () => {
  await expect(checkStrategy('rcuu')).rejects.toMatchObject({
    code: 'InvalidArgument',
    message: expect.stringMatching(
      /^Invalid argument: checkStrategy: strategy must be one of rcu, seqlock, .*, got "rcuu"$/,
    ),
  });
  await expect(checkStrategy('rcu', { durationMs: 10 })).rejects.toMatchObject({
    code: 'InvalidArgument',
    message: 'Invalid argument: checkStrategy: durationMs must be an integer >= 500, got 10',
  });
});
