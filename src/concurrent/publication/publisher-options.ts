/**
 * Options of the shared-memory publisher: defaults, validation (messages named by option
 * path), and the resolved shape. It validates; it builds nothing.
 */
import { AddressSpaceError } from '../../base/errors.js';
import type { Strategy } from '../reader/reader-api.js';
import {
  checkStrategyDefinition,
  getStrategy,
  hasStrategy,
  unknownStrategy,
} from '../strategies/registry.js';
import type { StrategyDefinition } from '../strategies/strategy-definition.js';

export interface PublisherOptions {
  /**
   * Publication strategy (default `rcu`): a registered name (`listStrategies()`) or a
   * `StrategyDefinition`. A module path must be loaded first (`resolveStrategy`).
   */
  strategy?: Strategy | StrategyDefinition;
  /** Reader slots (default 64). */
  maxReaders?: number;
  /** Check mode: poison reclaimed guest memory and keep a view history (default true). */
  check?: boolean;
  /** Keep a generation history for checking samples (default: same as `check`). */
  history?: boolean;
  /** A reader stalled this long behind a waiting grace period is evicted (default 1000 ms). */
  leaseMs?: number;
  /** Longest owner sleep between two scans of the reader slots (default 20 ms). */
  pollMs?: number;
  /**
   * seqlock: most accesses between two announcements of a reader's epoch (default 1024).
   * rcu and none look for a new view on every access and need no batch.
   */
  batchLimit?: number;
}

export type ResolvedPublisherOptions = Required<Omit<PublisherOptions, 'strategy'>> & {
  readonly strategy: StrategyDefinition;
};

export const PUBLISHER_DEFAULTS: Omit<ResolvedPublisherOptions, 'history' | 'strategy'> & {
  readonly strategy: Strategy;
} = {
  strategy: 'rcu',
  maxReaders: 64,
  check: true,
  leaseMs: 1000,
  pollMs: 20,
  batchLimit: 1024,
};

function bad(path: string, problem: string): AddressSpaceError {
  return AddressSpaceError.invalidArgument(`publisher.${path}: ${problem}`);
}

function positiveInteger(value: unknown, path: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw bad(path, `must be an integer from 1 to ${max}, got ${String(value)}`);
  }
  return value;
}

function positiveNumber(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw bad(path, `must be a positive number, got ${String(value)}`);
  }
  return value;
}

function flag(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw bad(path, `must be a boolean, got ${String(value)}`);
  return value;
}

export function resolvePublisherOptions(options: PublisherOptions = {}): ResolvedPublisherOptions {
  if (typeof options !== 'object' || options === null) {
    throw AddressSpaceError.invalidArgument('publisher options must be an object');
  }
  const o = { ...PUBLISHER_DEFAULTS, ...stripUndefined(options) };
  const check = flag(o.check, 'check');
  return {
    strategy: strategyOption(o.strategy),
    maxReaders: positiveInteger(o.maxReaders, 'maxReaders', 4096),
    check,
    history: flag(options.history ?? check, 'history'),
    leaseMs: positiveNumber(o.leaseMs, 'leaseMs'),
    pollMs: positiveNumber(o.pollMs, 'pollMs'),
    batchLimit: positiveInteger(o.batchLimit, 'batchLimit', 1 << 20),
  };
}

function strategyOption(value: unknown): StrategyDefinition {
  if (typeof value === 'object' && value !== null) {
    return checkStrategyDefinition(value, 'publisher.strategy');
  }
  if (typeof value !== 'string')
    throw bad('strategy', `must be a strategy name, got ${String(value)}`);
  if (!hasStrategy(value)) throw bad('strategy', unknownStrategy(value));
  return getStrategy(value);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
