/**
 * `addrspace/testing`: the conformance and torture suite for publication strategies
 * (SPEC 7). `checkStrategy(definition, { durationMs })` runs real reader threads against
 * a churning address space and resolves to `{ strategy, held, invariants }`. Re-exports
 * only.
 */
export { checkStrategy } from './testing/check-strategy.js';
export type {
  CheckOptions,
  CheckResult,
  InvariantName,
  InvariantResult,
  StrategyUnderTest,
} from './testing/check-types.js';
export { INVARIANT_NAMES } from './testing/check-types.js';
