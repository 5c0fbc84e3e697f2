/**
 * Options of `migrate` (SPEC 10): the flags of `addrspace migrate` in camelCase, their
 * defaults and their validation, in the manner of the run's options (../options.ts):
 * a bad field throws `OptionsError` naming it. Nothing here runs or reads files.
 */
import { availableParallelism } from 'node:os';
import { STRATEGIES, type Strategy } from '../../concurrent/reader/reader-api.js';
import { WORKLOAD_KINDS, type WorkloadKind } from '../../concurrent/vcpu/workload.js';
import type { ChurnKind } from '../../machine/churn-kind.js';
import {
  asRecord,
  filePath,
  flag,
  integerBetween,
  OptionsError,
  oneOf,
  orDefault,
} from '../option-checks.js';
import { MAX_SEED, MAX_VCPUS, parseChurnList } from '../options.js';

/**
 * Options of `migrate()`, the flags of `addrspace migrate` in camelCase (bandwidth in MiB/s,
 * downtime limit in ms). Every field is optional; `resolveMigrateOptions` fills in defaults.
 */
export interface MigrateOptions {
  /** `'pc'` (built in) or the path of a machine file. */
  readonly machine?: string;
  readonly vcpus?: number;
  readonly workload?: WorkloadKind;
  /** Churn during pre-copy; `hotplug` is held (never applied) while migrating. */
  readonly churn?: readonly ChurnKind[] | 'all' | 'none' | string;
  readonly strategy?: Strategy;
  /** Pre-copy bandwidth in MiB/s (the stop-and-copy is paced at it too). */
  readonly bandwidth?: number;
  /** Largest acceptable downtime, in milliseconds: the end of pre-copy. */
  readonly downtimeLimit?: number;
  /** Most pre-copy rounds after the first full copy. */
  readonly maxRounds?: number;
  /** Write the migration stream to this file (docs/migration-stream.md). */
  readonly to?: string;
  /** Load a migration stream from this file and run the vCPUs on it. */
  readonly from?: string;
  /** `false` (`--no-dirty-log`): copy once without logging; must end in differences. */
  readonly dirtyLog?: boolean;
  readonly seed?: number;
  readonly json?: string;
  readonly html?: string;
  readonly quiet?: boolean;
  readonly debug?: boolean;
  /** How long the source runs before migration starts, in ms (default 500). */
  readonly warmupMs?: number;
  /** `--from`: how long the vCPUs run on the loaded memory, in ms (default 1000). */
  readonly runMs?: number;
  readonly signal?: AbortSignal;
}

export interface ResolvedMigrateOptions {
  readonly machine: string;
  readonly vcpus: number;
  readonly workload: WorkloadKind;
  readonly churn: readonly ChurnKind[];
  readonly strategy: Strategy;
  readonly bandwidth: number;
  readonly downtimeLimit: number;
  readonly maxRounds: number;
  readonly to: string | undefined;
  readonly from: string | undefined;
  readonly dirtyLog: boolean;
  readonly seed: number;
  readonly json: string | undefined;
  readonly html: string | undefined;
  readonly quiet: boolean;
  readonly debug: boolean;
  readonly warmupMs: number;
  readonly runMs: number;
  readonly signal: AbortSignal | undefined;
}

/**
 * Defaults: QEMU's (128 MiB/s of bandwidth, 300 ms of downtime), 30 rounds, the mixed
 * workload, every churn kind but hotplug (held during migration, as QEMU holds it).
 */
export const DEFAULT_MIGRATE_OPTIONS: Omit<ResolvedMigrateOptions, 'vcpus'> = {
  machine: 'pc',
  workload: 'mixed',
  churn: ['bar', 'romd', 'alias', 'ioeventfd'],
  strategy: 'rcu',
  bandwidth: 128,
  downtimeLimit: 300,
  maxRounds: 30,
  to: undefined,
  from: undefined,
  dirtyLog: true,
  seed: 1,
  json: undefined,
  html: undefined,
  quiet: false,
  debug: false,
  warmupMs: 500,
  runMs: 1000,
  signal: undefined,
};

const KEYS = [
  'machine',
  'vcpus',
  'workload',
  'churn',
  'strategy',
  'bandwidth',
  'downtimeLimit',
  'maxRounds',
  'to',
  'from',
  'dirtyLog',
  'seed',
  'json',
  'html',
  'quiet',
  'debug',
  'warmupMs',
  'runMs',
  'signal',
];

/** Fills in the defaults of `MigrateOptions` and validates every field; throws `OptionsError` (`InvalidArgument`). */
export function resolveMigrateOptions(options: MigrateOptions = {}): ResolvedMigrateOptions {
  const given = asRecord(options, KEYS);
  const d = DEFAULT_MIGRATE_OPTIONS;
  const machine = orDefault(given.machine, d.machine);
  if (typeof machine !== 'string' || machine.trim() === '') {
    throw new OptionsError('machine', "must be 'pc' or the path of a machine file");
  }
  const signal = given.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new OptionsError('signal', 'must be an AbortSignal');
  }
  const to = filePath(given.to, 'to');
  const from = filePath(given.from, 'from');
  if (to !== undefined && from !== undefined) {
    throw new OptionsError('to', 'give --to or --from, not both');
  }
  const bandwidth = orDefault(given.bandwidth, d.bandwidth);
  if (
    typeof bandwidth !== 'number' ||
    !Number.isFinite(bandwidth) ||
    bandwidth <= 0 ||
    bandwidth > 1e6
  ) {
    throw new OptionsError('bandwidth', 'must be a number of MiB/s above 0 and at most 1000000');
  }
  return {
    machine,
    vcpus: integerBetween(
      orDefault(given.vcpus, Math.max(1, Math.min(MAX_VCPUS, availableParallelism()))),
      'vcpus',
      1,
      MAX_VCPUS,
    ),
    workload: oneOf(orDefault(given.workload, d.workload), 'workload', WORKLOAD_KINDS),
    churn: parseChurnList(orDefault(given.churn, d.churn)),
    strategy: oneOf(orDefault(given.strategy, d.strategy), 'strategy', STRATEGIES),
    bandwidth,
    downtimeLimit: integerBetween(
      orDefault(given.downtimeLimit, d.downtimeLimit),
      'downtimeLimit',
      1,
      600_000,
    ),
    maxRounds: integerBetween(orDefault(given.maxRounds, d.maxRounds), 'maxRounds', 0, 10_000),
    to,
    from,
    dirtyLog: flag(orDefault(given.dirtyLog, d.dirtyLog), 'dirtyLog'),
    seed: integerBetween(orDefault(given.seed, d.seed), 'seed', 0, MAX_SEED),
    json: filePath(given.json, 'json'),
    html: filePath(given.html, 'html'),
    quiet: flag(orDefault(given.quiet, d.quiet), 'quiet'),
    debug: flag(orDefault(given.debug, d.debug), 'debug'),
    warmupMs: integerBetween(orDefault(given.warmupMs, d.warmupMs), 'warmupMs', 0, 600_000),
    runMs: integerBetween(orDefault(given.runMs, d.runMs), 'runMs', 0, 600_000),
    signal: signal as AbortSignal | undefined,
  };
}
