/**
 * Options of `runSimulation` and `runBench`: the flags of `addrspace run` and
 * `addrspace bench` in camelCase (SPEC 9), their defaults, and their validation.
 *
 * `resolveRunOptions` / `resolveBenchOptions` take what a caller passed, fill in the
 * defaults and check every field; a bad field throws `OptionsError` (code
 * `InvalidArgument`) whose message starts with the option's path
 * (`vcpus: must be an integer between 1 and 64`). They never read files, never look at
 * the machine file's content (the machine layer does), and run nothing.
 */
import { availableParallelism } from 'node:os';
import { AddressSpaceError } from '../base/errors.js';
import { STRATEGIES, type Strategy } from '../concurrent/reader/reader-api.js';
import type { RunProgress } from './report-types.js';

/** Kinds of topology change the churn driver makes. */
export type ChurnKind = 'hotplug' | 'bar' | 'romd' | 'alias' | 'ioeventfd';
export const CHURN_KINDS: readonly ChurnKind[] = ['hotplug', 'bar', 'romd', 'alias', 'ioeventfd'];

/** Access patterns of the vCPUs. `mixed` interleaves the other four. */
export type Workload = 'seq' | 'random' | 'hot' | 'mmio' | 'mixed';
export const WORKLOADS: readonly Workload[] = ['seq', 'random', 'hot', 'mmio', 'mixed'];

/** The most vCPUs (reader threads) one simulation runs. */
export const MAX_VCPUS = 64;
/** The longest run, in seconds (a day). */
export const MAX_DURATION_SECONDS = 86_400;
/** The highest churn rate one can ask for, in updates per second. */
export const MAX_CHURN_RATE = 1_000_000;
/** Seeds are 32-bit unsigned integers. */
export const MAX_SEED = 0xffff_ffff;

export interface RunOptions {
  /** `'pc'` (built in) or the path of a machine file (JSON, SPEC 9). */
  readonly machine?: string;
  readonly vcpus?: number;
  readonly durationSeconds?: number;
  readonly strategy?: Strategy;
  readonly workload?: Workload;
  /** Enabled churn kinds: a list, or `'all'` / `'none'`, or the CLI's comma list. */
  readonly churn?: readonly ChurnKind[] | 'all' | 'none' | string;
  /** Target topology updates per second over all enabled kinds (0: none). */
  readonly churnRate?: number;
  readonly seed?: number;
  /** Invariant checks (translation, poison, torn reads). */
  readonly check?: boolean;
  /** Where the CLI writes the JSON report; `runSimulation` itself writes nothing. */
  readonly json?: string;
  /** Where the CLI writes the HTML report; `runSimulation` itself writes nothing. */
  readonly html?: string;
  readonly quiet?: boolean;
  readonly debug?: boolean;
  /** Called about every `progressIntervalMs` while the vCPUs run. */
  readonly onProgress?: (progress: RunProgress) => void;
  readonly progressIntervalMs?: number;
  /** Stops the run early; the report covers the time run and says `interrupted`. */
  readonly signal?: AbortSignal;
}

export interface ResolvedRunOptions {
  readonly machine: string;
  readonly vcpus: number;
  readonly durationSeconds: number;
  readonly strategy: Strategy;
  readonly workload: Workload;
  readonly churn: readonly ChurnKind[];
  readonly churnRate: number;
  readonly seed: number;
  readonly check: boolean;
  readonly json: string | undefined;
  readonly html: string | undefined;
  readonly quiet: boolean;
  readonly debug: boolean;
  readonly onProgress: ((progress: RunProgress) => void) | undefined;
  readonly progressIntervalMs: number;
  readonly signal: AbortSignal | undefined;
}

/**
 * Defaults of `addrspace run` with no flags: the `pc` machine, one vCPU per core, three
 * seconds, the mixed workload, every churn kind at 1000 updates per second in all (the
 * rate the spec's bench example uses: enough to publish a generation about every
 * millisecond, which keeps grace periods and slot reuse busy without starving the
 * vCPUs on a small machine), `rcu`, checks on, seed 1.
 */
export const DEFAULT_RUN_OPTIONS: Omit<ResolvedRunOptions, 'vcpus'> = {
  machine: 'pc',
  durationSeconds: 3,
  strategy: 'rcu',
  workload: 'mixed',
  churn: CHURN_KINDS,
  churnRate: 1000,
  seed: 1,
  check: true,
  json: undefined,
  html: undefined,
  quiet: false,
  debug: false,
  onProgress: undefined,
  progressIntervalMs: 250,
  signal: undefined,
};

/** One vCPU per core, at most `MAX_VCPUS`. */
export function defaultVcpus(): number {
  return Math.max(1, Math.min(MAX_VCPUS, availableParallelism()));
}

export interface BenchOptions {
  /** Short rows (about a quarter of the time) for a quick look or CI. */
  readonly quick?: boolean;
  /** vCPU counts to measure, one set of rows each. */
  readonly vcpus?: readonly number[] | string;
  /** Strategies to measure; `raw` is a plain typed array with no translation. */
  readonly strategies?: readonly (Strategy | 'raw')[];
  readonly workload?: Workload;
  readonly churnRate?: number;
  /** Seconds per throughput row; defaults to 1, or 0.25 with `quick`. */
  readonly durationSeconds?: number;
  readonly seed?: number;
  readonly json?: string;
  readonly quiet?: boolean;
  readonly debug?: boolean;
}

export interface ResolvedBenchOptions {
  readonly quick: boolean;
  readonly vcpus: readonly number[];
  readonly strategies: readonly (Strategy | 'raw')[];
  readonly workload: Workload;
  readonly churnRate: number;
  readonly durationSeconds: number;
  readonly seed: number;
  readonly json: string | undefined;
  readonly quiet: boolean;
  readonly debug: boolean;
}

export const BENCH_STRATEGIES: readonly (Strategy | 'raw')[] = [...STRATEGIES, 'raw'];

/** Powers of two up to the core count, plus the core count itself: `[1, 2]` on 2 cores. */
export function defaultBenchVcpus(): number[] {
  const cores = defaultVcpus();
  const counts: number[] = [];
  for (let n = 1; n <= cores; n *= 2) counts.push(n);
  if (counts[counts.length - 1] !== cores) counts.push(cores);
  return counts;
}

/** A bad option value. `path` names the option (`vcpus`, `churn[2]`). */
export class OptionsError extends AddressSpaceError {
  readonly path: string;
  readonly problem: string;

  constructor(path: string, problem: string) {
    super('InvalidArgument', `${path}: ${problem}`);
    this.name = 'OptionsError';
    this.path = path;
    this.problem = problem;
  }
}

const RUN_KEYS: readonly string[] = [
  'machine',
  'vcpus',
  'durationSeconds',
  'strategy',
  'workload',
  'churn',
  'churnRate',
  'seed',
  'check',
  'json',
  'html',
  'quiet',
  'debug',
  'onProgress',
  'progressIntervalMs',
  'signal',
];

const BENCH_KEYS: readonly string[] = [
  'quick',
  'vcpus',
  'strategies',
  'workload',
  'churnRate',
  'durationSeconds',
  'seed',
  'json',
  'quiet',
  'debug',
];

/** Fills in defaults and validates every field of `options`; throws `OptionsError`. */
export function resolveRunOptions(options: RunOptions = {}): ResolvedRunOptions {
  const given = asRecord(options, RUN_KEYS);
  const d = DEFAULT_RUN_OPTIONS;
  const machine = orDefault(given.machine, d.machine);
  if (typeof machine !== 'string' || machine.trim() === '') {
    throw new OptionsError('machine', "must be 'pc' or the path of a machine file");
  }
  const onProgress = given.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new OptionsError('onProgress', 'must be a function');
  }
  const signal = given.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new OptionsError('signal', 'must be an AbortSignal');
  }
  return {
    machine,
    vcpus: integerBetween(orDefault(given.vcpus, defaultVcpus()), 'vcpus', 1, MAX_VCPUS),
    durationSeconds: seconds(
      orDefault(given.durationSeconds, d.durationSeconds),
      'durationSeconds',
    ),
    strategy: oneOf(orDefault(given.strategy, d.strategy), 'strategy', STRATEGIES),
    workload: oneOf(orDefault(given.workload, d.workload), 'workload', WORKLOADS),
    churn: parseChurnList(orDefault(given.churn, d.churn)),
    churnRate: churnRate(orDefault(given.churnRate, d.churnRate)),
    seed: integerBetween(orDefault(given.seed, d.seed), 'seed', 0, MAX_SEED),
    check: flag(orDefault(given.check, d.check), 'check'),
    json: filePath(given.json, 'json'),
    html: filePath(given.html, 'html'),
    quiet: flag(orDefault(given.quiet, d.quiet), 'quiet'),
    debug: flag(orDefault(given.debug, d.debug), 'debug'),
    onProgress: onProgress as ResolvedRunOptions['onProgress'],
    progressIntervalMs: integerBetween(
      orDefault(given.progressIntervalMs, d.progressIntervalMs),
      'progressIntervalMs',
      10,
      60_000,
    ),
    signal: signal as AbortSignal | undefined,
  };
}

/** Fills in defaults and validates every field of `options`; throws `OptionsError`. */
export function resolveBenchOptions(options: BenchOptions = {}): ResolvedBenchOptions {
  const given = asRecord(options, BENCH_KEYS);
  const quick = flag(orDefault(given.quick, false), 'quick');
  return {
    quick,
    vcpus: parseVcpuList(orDefault(given.vcpus, defaultBenchVcpus())),
    strategies: strategyList(orDefault(given.strategies, BENCH_STRATEGIES)),
    workload: oneOf(orDefault(given.workload, 'random'), 'workload', WORKLOADS),
    churnRate: churnRate(orDefault(given.churnRate, DEFAULT_RUN_OPTIONS.churnRate)),
    durationSeconds: seconds(orDefault(given.durationSeconds, quick ? 0.25 : 1), 'durationSeconds'),
    seed: integerBetween(orDefault(given.seed, DEFAULT_RUN_OPTIONS.seed), 'seed', 0, MAX_SEED),
    json: filePath(given.json, 'json'),
    quiet: flag(orDefault(given.quiet, false), 'quiet'),
    debug: flag(orDefault(given.debug, false), 'debug'),
  };
}

/**
 * Churn kinds from a list, `'all'`, `'none'` or a comma list (`'hotplug,bar'`), in the
 * order given, duplicates dropped. Throws `OptionsError` at `churn` / `churn[i]`.
 */
export function parseChurnList(value: unknown, path = 'churn'): ChurnKind[] {
  if (value === 'all') return [...CHURN_KINDS];
  if (value === 'none') return [];
  const items = typeof value === 'string' ? splitList(value) : value;
  if (!Array.isArray(items)) {
    throw new OptionsError(path, `must be a list of ${CHURN_KINDS.join(', ')}, or all, or none`);
  }
  const kinds: ChurnKind[] = [];
  items.forEach((item, i) => {
    const kind = oneOf(item, `${path}[${i}]`, CHURN_KINDS);
    if (!kinds.includes(kind)) kinds.push(kind);
  });
  return kinds;
}

/** vCPU counts from a list or a comma list (`'1,2,4'`); throws at `vcpus` / `vcpus[i]`. */
export function parseVcpuList(value: unknown, path = 'vcpus'): number[] {
  const items = typeof value === 'string' ? splitList(value).map(numberOrText) : value;
  if (!Array.isArray(items) || items.length === 0) {
    throw new OptionsError(path, `must be a non-empty list of integers between 1 and ${MAX_VCPUS}`);
  }
  return items.map((item, i) => integerBetween(item, `${path}[${i}]`, 1, MAX_VCPUS));
}

function strategyList(value: unknown): (Strategy | 'raw')[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new OptionsError(
      'strategies',
      `must be a non-empty list of ${BENCH_STRATEGIES.join(', ')}`,
    );
  }
  return value.map((item, i) => oneOf(item, `strategies[${i}]`, BENCH_STRATEGIES));
}

function asRecord(options: unknown, known: readonly string[]): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new OptionsError('options', 'must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new OptionsError(key, 'unknown option');
  }
  return options as Record<string, unknown>;
}

/** Only `undefined` means "use the default"; `null` and the rest are checked as given. */
function orDefault(value: unknown, fallback: unknown): unknown {
  return value === undefined ? fallback : value;
}

function integerBetween(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new OptionsError(path, `must be an integer between ${min} and ${max}`);
  }
  return value;
}

function seconds(value: unknown, path: string): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value <= 0 ||
    value > MAX_DURATION_SECONDS
  ) {
    throw new OptionsError(
      path,
      `must be a number of seconds greater than 0 and at most ${MAX_DURATION_SECONDS}`,
    );
  }
  return value;
}

function churnRate(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_CHURN_RATE) {
    throw new OptionsError(
      'churnRate',
      `must be a number of updates per second between 0 and ${MAX_CHURN_RATE}`,
    );
  }
  return value;
}

function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    const got = typeof value === 'string' ? `, got "${value}"` : '';
    throw new OptionsError(path, `must be one of ${allowed.join(', ')}${got}`);
  }
  return value as T;
}

function flag(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new OptionsError(path, 'must be true or false');
  return value;
}

function filePath(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new OptionsError(path, 'must be a file path');
  }
  return value;
}

function splitList(text: string): string[] {
  const trimmed = text.trim();
  return trimmed === '' ? [] : trimmed.split(',').map((s) => s.trim());
}

/** `'4'` → 4; anything that is not a plain decimal integer stays text (and fails later). */
function numberOrText(text: string): number | string {
  return /^\d+$/.test(text) ? Number(text) : text;
}
