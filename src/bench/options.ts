/**
 * Options of `runBench`: the flags of `addrspace bench` in camelCase (SPEC 9), their
 * defaults, and their validation.
 *
 * `resolveBenchOptions` takes what a caller passed, fills in the defaults and checks every
 * field with the checks the run options use (sim/option-checks.ts); a bad field throws
 * `OptionsError` whose message starts with the option's path (`vcpus[1]: must be an
 * integer between 1 and 64`). It never reads files and measures nothing.
 */
import { STRATEGIES } from '../concurrent/reader/reader-api.js';
import type { GuestMemoryStrategy } from '../concurrent/vcpu/raw-memory.js';
import { WORKLOAD_KINDS, type WorkloadKind } from '../concurrent/vcpu/workload.js';
import {
  asRecord,
  churnRate,
  filePath,
  flag,
  integerBetween,
  numberOrText,
  OptionsError,
  oneOf,
  orDefault,
  seconds,
  splitList,
} from '../sim/option-checks.js';
import { DEFAULT_RUN_OPTIONS, defaultVcpus, MAX_SEED, MAX_VCPUS } from '../sim/options.js';

/** The bench's sections, in the order they run (`sections` picks some). */
export const BENCH_SECTIONS = [
  'throughput',
  'readerLoop',
  'latency',
  'micro',
  'render',
  'memory',
  'hypervisorPaths',
  'stalledReader',
] as const;
export type BenchSection = (typeof BENCH_SECTIONS)[number];

/** The workloads of the throughput rows: the RAM access patterns (no MMIO). */
export type BenchWorkload = 'seq' | 'random' | 'hot';
export const BENCH_WORKLOADS: readonly BenchWorkload[] = ['seq', 'random', 'hot'];

/** What `onProgress` is told while a bench runs: the section and what it just measured. */
export interface BenchProgress {
  /** Seconds since the bench started. */
  readonly elapsedSeconds: number;
  /** `throughput`, `readerLoop`, `latency`, `micro`, `render`, `memory`. */
  readonly section: string;
  /** What was measured last, as text (`rcu 2 vCPUs random churn 1000/s: 3.9 M acc/s`). */
  readonly detail: string;
  /** Something the reader of the results must know (a vCPU thread died in a row). */
  readonly warning?: string;
}

/**
 * Options of `runBench`, the flags of `addrspace bench` in camelCase. Every field is
 * optional; `resolveBenchOptions` fills in the defaults and throws `OptionsError` (code
 * `InvalidArgument`, message `path: problem`) for a bad one.
 */
export interface BenchOptions {
  /** Short rows (one round of 250 ms, fewer churn rates) for a quick look or CI. */
  readonly quick?: boolean;
  /** Sections to run: a list or a comma list (default: all). The others report no rows. */
  readonly sections?: readonly BenchSection[] | string;
  /** vCPU counts to measure, one set of rows each (a list or `'1,2,4'`). */
  readonly vcpus?: readonly number[] | string;
  /** Strategies to measure; `raw` is a plain typed array with no translation. Default all. */
  readonly strategies?: readonly GuestMemoryStrategy[] | string;
  /** Workloads of the throughput rows (`seq`, `random`, `hot`). Default all three. */
  readonly workloads?: readonly BenchWorkload[] | string;
  /** Churn rates of the throughput rows, in updates per second. Default 0, 1000, 10000. */
  readonly churnRates?: readonly number[] | string;
  /** Length of one measured round, in milliseconds. Default 1000 (250 with `quick`). */
  readonly roundMs?: number;
  /** Measured rounds per row (the row is their median). Default 3 (1 with `quick`). */
  readonly rounds?: number;
  /** Workload of the latency rows (any run workload). Default `random`. */
  readonly workload?: WorkloadKind;
  /** Churn rate of the latency rows, in updates per second. Default 1000. */
  readonly churnRate?: number;
  /** Seconds per round: the same as `roundMs` / 1000 (give one of the two). */
  readonly durationSeconds?: number;
  readonly seed?: number;
  /** Where the CLI writes the JSON report (`-`: stdout). `runBench` itself writes nothing. */
  readonly json?: string;
  /** Where the CLI writes the HTML page (`-`: stdout). `runBench` itself writes nothing. */
  readonly html?: string;
  /** No progress and no summary. */
  readonly quiet?: boolean;
  readonly debug?: boolean;
  /** Called after each measured row and section (the CLI draws its progress line). */
  readonly onProgress?: (progress: BenchProgress) => void;
  /** Stops the bench early; the report has what was measured and `interrupted: true`. */
  readonly signal?: AbortSignal;
}

export interface ResolvedBenchOptions {
  readonly quick: boolean;
  readonly sections: readonly BenchSection[];
  readonly vcpus: readonly number[];
  readonly strategies: readonly GuestMemoryStrategy[];
  readonly workloads: readonly BenchWorkload[];
  readonly churnRates: readonly number[];
  readonly roundMs: number;
  readonly rounds: number;
  readonly workload: WorkloadKind;
  readonly churnRate: number;
  /** `roundMs` / 1000. */
  readonly durationSeconds: number;
  readonly seed: number;
  readonly json: string | undefined;
  readonly html: string | undefined;
  readonly quiet: boolean;
  readonly debug: boolean;
  readonly onProgress: ((progress: BenchProgress) => void) | undefined;
  readonly signal: AbortSignal | undefined;
}

/** The most rounds per row one can ask for. */
export const MAX_BENCH_ROUNDS = 100;
/** The longest round one can ask for, in milliseconds (ten minutes). */
export const MAX_ROUND_MS = 600_000;

/** Every strategy, then `raw`: the rows of a bench with no `strategies` option. */
export const BENCH_STRATEGIES: readonly GuestMemoryStrategy[] = [...STRATEGIES, 'raw'];

/** Powers of two up to the core count, plus the core count itself: `[1, 2]` on 2 cores. */
export function defaultBenchVcpus(): number[] {
  const cores = defaultVcpus();
  const counts: number[] = [];
  for (let n = 1; n <= cores; n *= 2) counts.push(n);
  if (counts[counts.length - 1] !== cores) counts.push(cores);
  return counts;
}

const BENCH_KEYS: readonly string[] = [
  'quick',
  'sections',
  'vcpus',
  'strategies',
  'workloads',
  'churnRates',
  'roundMs',
  'rounds',
  'workload',
  'churnRate',
  'durationSeconds',
  'seed',
  'json',
  'html',
  'quiet',
  'debug',
  'onProgress',
  'signal',
];

/** Fills in defaults and validates every field of `options`; throws `OptionsError`. */
export function resolveBenchOptions(options: BenchOptions = {}): ResolvedBenchOptions {
  const given = asRecord(options, BENCH_KEYS);
  const quick = flag(orDefault(given.quick, false), 'quick');
  const roundMs = roundLength(given, quick);
  const json = filePath(given.json, 'json');
  const html = filePath(given.html, 'html');
  return {
    quick,
    sections: sectionList(orDefault(given.sections, BENCH_SECTIONS)),
    vcpus: parseVcpuList(orDefault(given.vcpus, defaultBenchVcpus())),
    strategies: listOf(orDefault(given.strategies, BENCH_STRATEGIES), 'strategies', (item, path) =>
      oneOf(item, path, BENCH_STRATEGIES),
    ),
    workloads: listOf(orDefault(given.workloads, BENCH_WORKLOADS), 'workloads', (item, path) =>
      oneOf(item, path, BENCH_WORKLOADS),
    ),
    churnRates: listOf(
      orDefault(given.churnRates, quick ? [0, 1000] : [0, 1000, 10_000]),
      'churnRates',
      (item, path) => churnRateAt(item, path),
    ),
    roundMs,
    rounds: integerBetween(orDefault(given.rounds, quick ? 1 : 3), 'rounds', 1, MAX_BENCH_ROUNDS),
    workload: oneOf(orDefault(given.workload, 'random'), 'workload', WORKLOAD_KINDS),
    churnRate: churnRate(orDefault(given.churnRate, DEFAULT_RUN_OPTIONS.churnRate)),
    durationSeconds: roundMs / 1000,
    seed: integerBetween(orDefault(given.seed, DEFAULT_RUN_OPTIONS.seed), 'seed', 0, MAX_SEED),
    json,
    html,
    quiet: flag(orDefault(given.quiet, false), 'quiet'),
    debug: flag(orDefault(given.debug, false), 'debug'),
    onProgress: callback(given.onProgress, 'onProgress') as ResolvedBenchOptions['onProgress'],
    signal: abortSignal(given.signal),
  };
}

/** `roundMs`, or `durationSeconds` in milliseconds (not both), or the default. */
function roundLength(given: Record<string, unknown>, quick: boolean): number {
  if (
    given.roundMs !== undefined &&
    given.durationSeconds !== undefined &&
    given.roundMs !== Math.round(Number(given.durationSeconds) * 1000)
  ) {
    throw new OptionsError(
      'roundMs',
      'give roundMs or durationSeconds (seconds per round), not both',
    );
  }
  if (given.roundMs !== undefined) {
    return integerBetween(given.roundMs, 'roundMs', 1, MAX_ROUND_MS);
  }
  if (given.durationSeconds !== undefined) {
    return Math.round(seconds(given.durationSeconds, 'durationSeconds') * 1000);
  }
  return integerBetween(orDefault(given.roundMs, quick ? 250 : 1000), 'roundMs', 1, MAX_ROUND_MS);
}

/** A non-empty list (or comma list) whose items `item` checks at `path[i]`. */
function listOf<T>(value: unknown, path: string, item: (value: unknown, path: string) => T): T[] {
  const items = typeof value === 'string' ? splitList(value).map(numberOrText) : value;
  if (!Array.isArray(items) || items.length === 0) {
    throw new OptionsError(path, 'must be a non-empty list');
  }
  return items.map((v, i) => item(v, `${path}[${i}]`));
}

function churnRateAt(value: unknown, path: string): number {
  try {
    return churnRate(value);
  } catch (error) {
    if (error instanceof OptionsError) throw new OptionsError(path, error.problem);
    throw error;
  }
}

function callback(value: unknown, path: string): unknown {
  if (value !== undefined && typeof value !== 'function') {
    throw new OptionsError(path, 'must be a function');
  }
  return value;
}

function abortSignal(value: unknown): AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    throw new OptionsError('signal', 'must be an AbortSignal');
  }
  return value as AbortSignal | undefined;
}

/** vCPU counts from a list or a comma list (`'1,2,4'`); throws at `vcpus` / `vcpus[i]`. */
export function parseVcpuList(value: unknown, path = 'vcpus'): number[] {
  const items = typeof value === 'string' ? splitList(value).map(numberOrText) : value;
  if (!Array.isArray(items) || items.length === 0) {
    throw new OptionsError(path, `must be a non-empty list of integers between 1 and ${MAX_VCPUS}`);
  }
  return items.map((item, i) => integerBetween(item, `${path}[${i}]`, 1, MAX_VCPUS));
}

/** Sections from a list or a comma list, in run order, duplicates dropped. */
function sectionList(value: unknown): BenchSection[] {
  const items = typeof value === 'string' ? splitList(value) : value;
  if (!Array.isArray(items) || items.length === 0) {
    throw new OptionsError('sections', `must be a non-empty list of ${BENCH_SECTIONS.join(', ')}`);
  }
  const picked = items.map((item, i) => oneOf(item, `sections[${i}]`, BENCH_SECTIONS));
  return BENCH_SECTIONS.filter((section) => picked.includes(section));
}
