/**
 * `checkStrategy` (addrspace/testing, SPEC 7) run on every built-in strategy, as a user
 * would run it on their own: every safe built-in holds every invariant, and `none` (no
 * synchronisation) is caught. Reader threads load the built package: this imports the
 * built entry (run `npm run build` first). Each run is about a second of churn.
 */
import { describe, expect, test } from 'vitest';
import type * as Testing from '../../src/testing.js';

const { checkStrategy, INVARIANT_NAMES } = (await import(
  new URL('../../dist/src/testing.js', import.meta.url).href
)) as typeof Testing;

const DURATION_MS = 1000;
const SAFE = [
  'rcu',
  'seqlock',
  'mutex',
  'rwlock',
  'refcount',
  'hazard',
  'ebr',
  'leftright',
] as const;

describe.each(SAFE)('checkStrategy(%s)', (strategy) => {
  test('holds every invariant', async () => {
    const result = await checkStrategy(strategy, { durationMs: DURATION_MS });
    expect(result.strategy).toBe(strategy);
    expect(result.invariants.map((i) => i.name)).toEqual(INVARIANT_NAMES);
    for (const invariant of result.invariants) {
      expect(invariant.held, `${invariant.name}: ${invariant.detail}`).toBe(true);
    }
    expect(result.held).toBe(true);
  });
});

test('checkStrategy(none) does not hold: readers read reclaimed memory', async () => {
  const result = await checkStrategy({ name: 'none' }, { durationMs: DURATION_MS });
  expect(result.strategy).toBe('none');
  expect(result.held).toBe(false);
  const storm = result.invariants.find((i) => i.name === 'poison-storm')!;
  expect(storm.held).toBe(false);
  expect(storm.detail).toMatch(/[1-9]\d* poison reads; first: poison read at 0x/);
});

test('bad arguments reject with InvalidArgument and run nothing', async () => {
  await expect(checkStrategy('rcuu' as never)).rejects.toMatchObject({
    code: 'InvalidArgument',
    message:
      'Invalid argument: checkStrategy: strategy must be one of rcu, seqlock, mutex, rwlock, refcount, hazard, ebr, leftright, none (or its definition), got rcuu',
  });
  await expect(checkStrategy('rcu', { durationMs: 10 })).rejects.toMatchObject({
    code: 'InvalidArgument',
    message: 'Invalid argument: checkStrategy: durationMs must be an integer >= 500, got 10',
  });
});
