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

export interface BenchOptions {
  /** Short rows (about a quarter of the time) for a quick look or CI. */
  readonly quick?: boolean;
  /** Sections to run: a list or a comma list (default: all). The others report no rows. */
  readonly sections?: readonly BenchSection[] | string;
  /** vCPU counts to measure, one set of rows each. */
  readonly vcpus?: readonly number[] | string;
  /** Strategies to measure; `raw` is a plain typed array with no translation. */
  readonly strategies?: readonly GuestMemoryStrategy[];
  readonly workload?: WorkloadKind;
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
  readonly sections: readonly BenchSection[];
  readonly vcpus: readonly number[];
  readonly strategies: readonly GuestMemoryStrategy[];
  readonly workload: WorkloadKind;
  readonly churnRate: number;
  readonly durationSeconds: number;
  readonly seed: number;
  readonly json: string | undefined;
  readonly quiet: boolean;
  readonly debug: boolean;
}

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
  'workload',
  'churnRate',
  'durationSeconds',
  'seed',
  'json',
  'quiet',
  'debug',
];

/** Fills in defaults and validates every field of `options`; throws `OptionsError`. */
export function resolveBenchOptions(options: BenchOptions = {}): ResolvedBenchOptions {
  const given = asRecord(options, BENCH_KEYS);
  const quick = flag(orDefault(given.quick, false), 'quick');
  return {
    quick,
    sections: sectionList(orDefault(given.sections, BENCH_SECTIONS)),
    vcpus: parseVcpuList(orDefault(given.vcpus, defaultBenchVcpus())),
    strategies: strategyList(orDefault(given.strategies, BENCH_STRATEGIES)),
    workload: oneOf(orDefault(given.workload, 'random'), 'workload', WORKLOAD_KINDS),
    churnRate: churnRate(orDefault(given.churnRate, DEFAULT_RUN_OPTIONS.churnRate)),
    durationSeconds: seconds(orDefault(given.durationSeconds, quick ? 0.25 : 1), 'durationSeconds'),
    seed: integerBetween(orDefault(given.seed, DEFAULT_RUN_OPTIONS.seed), 'seed', 0, MAX_SEED),
    json: filePath(given.json, 'json'),
    quiet: flag(orDefault(given.quiet, false), 'quiet'),
    debug: flag(orDefault(given.debug, false), 'debug'),
  };
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

function strategyList(value: unknown): GuestMemoryStrategy[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new OptionsError(
      'strategies',
      `must be a non-empty list of ${BENCH_STRATEGIES.join(', ')}`,
    );
  }
  return value.map((item, i) => oneOf(item, `strategies[${i}]`, BENCH_STRATEGIES));
}
