/**
 * `checkStrategy`: runs the conformance and torture suite (SPEC 7) against one strategy,
 * scenario after scenario, each with real reader threads and its own address space, and
 * resolves to one verdict per invariant. This module validates the options, shares the
 * time among the scenarios (consistency.ts, poison-storm.ts, dead-reader.ts,
 * mmio-exits.ts, stalled-reader.ts) and collects their verdicts; a scenario that throws
 * is a verdict too (not held, with the error).
 *
 * Reader threads run the built `workers/check-reader.js`: the package must be built.
 */
import { AddressSpaceError } from '../base/errors.js';
import type { Strategy } from '../concurrent/reader/reader-api.js';
import {
  hasStrategy,
  listStrategies,
  registerStrategy,
} from '../concurrent/strategies/registry.js';
import type { StrategyDefinition } from '../concurrent/strategies/strategy-definition.js';
import type {
  CheckOptions,
  CheckResult,
  InvariantName,
  InvariantResult,
  StrategyUnderTest,
} from './check-types.js';
import { consistency } from './consistency.js';
import { deadReader } from './dead-reader.js';
import { mmioExits } from './mmio-exits.js';
import { poisonStorm } from './poison-storm.js';
import { stalledReader } from './stalled-reader.js';

const DEFAULT_DURATION_MS = 5000;
const MIN_DURATION_MS = 500;

type Scenario = (strategy: Strategy, budgetMs: number, seed: number) => Promise<InvariantResult>;

/** Each scenario and its share of `durationMs`. */
const SCENARIOS: readonly (readonly [InvariantName, Scenario, number])[] = [
  ['consistency', consistency, 0.3],
  ['poison-storm', poisonStorm, 0.25],
  ['dead-reader', deadReader, 0.05],
  ['mmio-exits', mmioExits, 0.1],
  ['stalled-reader', stalledReader, 0.3],
];

/** The strategy name `what` stands for; throws InvalidArgument for anything else. */
export function strategyName(what: StrategyUnderTest): Strategy {
  // A definition not registered yet is registered here (its reader threads find it by
  // name only if it is built in or loaded from a module: `handle.strategyModule`).
  if (typeof what === 'object' && what !== null && 'createOwner' in what) {
    const definition = what as StrategyDefinition;
    if (!hasStrategy(definition.name)) registerStrategy(definition);
  }
  const name = typeof what === 'string' ? what : (what as { name?: unknown } | null)?.name;
  if (typeof name !== 'string' || !hasStrategy(name)) {
    throw AddressSpaceError.invalidArgument(
      `checkStrategy: strategy must be one of ${listStrategies().join(', ')} (or its definition), got ${String(name)}`,
    );
  }
  return name;
}

function resolveOptions(options: CheckOptions): Required<CheckOptions> {
  if (typeof options !== 'object' || options === null) {
    throw AddressSpaceError.invalidArgument('checkStrategy: options must be an object');
  }
  const durationMs = options.durationMs ?? DEFAULT_DURATION_MS;
  if (!Number.isInteger(durationMs) || durationMs < MIN_DURATION_MS) {
    throw AddressSpaceError.invalidArgument(
      `checkStrategy: durationMs must be an integer >= ${MIN_DURATION_MS}, got ${String(durationMs)}`,
    );
  }
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    throw AddressSpaceError.invalidArgument(
      `checkStrategy: seed must be an integer from 0 to 2**32 - 1, got ${String(seed)}`,
    );
  }
  return { durationMs, seed };
}

/**
 * Runs every scenario against `strategy` (a definition or a strategy name) for about
 * `durationMs` in all, and resolves to `{ strategy, held, invariants }`. Rejects only for
 * bad arguments: a strategy that breaks an invariant resolves with `held: false`.
 */
export async function checkStrategy(
  strategy: StrategyUnderTest,
  options: CheckOptions = {},
): Promise<CheckResult> {
  const name = strategyName(strategy);
  const { durationMs, seed } = resolveOptions(options);
  const invariants: InvariantResult[] = [];
  for (const [invariant, scenario, share] of SCENARIOS) {
    try {
      invariants.push(await scenario(name, Math.round(durationMs * share), seed));
    } catch (error) {
      invariants.push({
        name: invariant,
        held: false,
        detail: `the scenario failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
  return { strategy: name, held: invariants.every((i) => i.held), invariants };
}
