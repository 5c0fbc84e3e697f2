/**
 * `checkStrategy`: runs the conformance and torture suite (SPEC 7) against one strategy
 * and resolves to one verdict per invariant. The scenarios live one per file beside this
 * one; this module validates the options, shares the time among the scenarios and
 * collects their verdicts.
 */
import { AddressSpaceError } from '../base/errors.js';
import { STRATEGIES, type Strategy } from '../concurrent/reader/reader-api.js';
import type { CheckOptions, CheckResult, StrategyUnderTest } from './check-types.js';

/** The strategy name `what` stands for; throws InvalidArgument for anything else. */
export function strategyName(what: StrategyUnderTest): Strategy {
  const name = typeof what === 'string' ? what : (what as { name?: unknown } | null)?.name;
  if (typeof name !== 'string' || !STRATEGIES.includes(name as Strategy)) {
    throw AddressSpaceError.invalidArgument(
      `checkStrategy: strategy must be one of ${STRATEGIES.join(', ')} (or its definition), got ${String(name)}`,
    );
  }
  return name as Strategy;
}

export async function checkStrategy(
  strategy: StrategyUnderTest,
  options: CheckOptions = {},
): Promise<CheckResult> {
  const name = strategyName(strategy);
  void options;
  throw new AddressSpaceError('InvalidArgument', `checkStrategy(${name}): not built yet`);
}
