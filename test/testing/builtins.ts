/**
 * What the checkStrategy tests share: the built package's `checkStrategy` and registry
 * (reader threads load the built package: run `npm run build` first), the safe built-ins
 * split in two halves (two test files, which vitest runs side by side), and the test
 * every safe built-in must pass.
 */
import { expect, test } from 'vitest';
import type * as Package from '../../src/index.js';
import type * as Testing from '../../src/testing.js';

export const { checkStrategy, INVARIANT_NAMES } = (await import(
  new URL('../../dist/src/testing.js', import.meta.url).href
)) as typeof Testing;
export const { getStrategy, listStrategies } = (await import(
  new URL('../../dist/src/index.js', import.meta.url).href
)) as typeof Package;

/** About a second of churn per strategy. */
export const DURATION_MS = 1000;

export const SAFE = listStrategies().filter((name) => getStrategy(name).safe);

/** One test: `name` holds every invariant, with each detail shown when one does not. */
export function holdsEveryInvariant(name: string): void {
  test(`checkStrategy(${name}) holds every invariant`, async () => {
    const result = await checkStrategy(getStrategy(name), { durationMs: DURATION_MS });
    expect(result.strategy).toBe(name);
    expect(result.invariants.map((i) => i.name)).toEqual(INVARIANT_NAMES);
    for (const invariant of result.invariants) {
      expect(invariant.held, `${invariant.name}: ${invariant.detail}`).toBe(true);
    }
    expect(result.held).toBe(true);
  });
}
