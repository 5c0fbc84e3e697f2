/**
 * The shapes of the conformance and torture suite (`addrspace/testing`, SPEC 7): what
 * `checkStrategy` takes and what it resolves to. Declarations only.
 */
import type { Strategy } from '../concurrent/reader/reader-api.js';

/** What `checkStrategy` accepts as the strategy under test: a definition, or its name. */
export type StrategyUnderTest = Strategy | { readonly name: Strategy };

export interface CheckOptions {
  /**
   * Wall time for the whole suite in milliseconds (default 5000), shared among the
   * scenarios; at least 500. Longer runs make more topology changes and accesses.
   */
  readonly durationMs?: number;
  /** Seed of the owner's random topology changes and the readers' addresses (default 1). */
  readonly seed?: number;
}

/** One invariant of the suite: whether it held, and what was measured. */
export interface InvariantResult {
  readonly name: InvariantName;
  readonly held: boolean;
  /** One line: the counts behind the verdict, and the first violation when there is one. */
  readonly detail: string;
}

export type InvariantName =
  | 'consistency'
  | 'poison-storm'
  | 'dead-reader'
  | 'mmio-exits'
  | 'stalled-reader';

export const INVARIANT_NAMES: readonly InvariantName[] = [
  'consistency',
  'poison-storm',
  'dead-reader',
  'mmio-exits',
  'stalled-reader',
];

export interface CheckResult {
  /** The strategy's name. */
  readonly strategy: string;
  /** True when every invariant held. */
  readonly held: boolean;
  readonly invariants: readonly InvariantResult[];
}
