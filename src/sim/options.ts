/**
 * Options of `runSimulation`: the flags of `addrspace run` in camelCase (SPEC 9), their
 * defaults, and their validation. The bench's options live with the bench
 * (src/bench/options.ts); the checks both share are in option-checks.ts.
 *
 * `resolveRunOptions` takes what a caller passed, fills in the defaults and checks every
 * field; a bad field throws `OptionsError` (code `InvalidArgument`) whose message starts
 * with the option's path (`vcpus: must be an integer between 1 and 64`). It never reads
 * files, never looks at the machine file's content (the machine layer does), and runs
 * nothing.
 */
import { availableParallelism } from 'node:os';
import type { Strategy } from '../concurrent/reader/reader-api.js';
import { hasStrategy, isStrategyPath, unknownStrategy } from '../concurrent/strategies/registry.js';
import { WORKLOAD_KINDS, type WorkloadKind } from '../concurrent/vcpu/workload.js';
import { CHURN_KINDS, type ChurnKind } from '../machine/churn-kind.js';
import {
  asRecord,
  churnRate,
  filePath,
  flag,
  integerBetween,
  OptionsError,
  oneOf,
  orDefault,
  seconds,
  splitList,
} from './option-checks.js';
import { type RunProgress, VERIFY_MODES, type VerifyMode } from './report-types.js';

/** The most vCPUs (reader threads) one simulation runs. */
export const MAX_VCPUS = 64;
/** Seeds are 32-bit unsigned integers. */
export const MAX_SEED = 0xffff_ffff;

export interface RunOptions {
  /** `'pc'` (built in) or the path of a machine file (JSON, SPEC 9). */
  readonly machine?: string;
  readonly vcpus?: number;
  readonly durationSeconds?: number;
  readonly strategy?: Strategy;
  readonly workload?: WorkloadKind;
  /** Enabled churn kinds: a list, or `'all'` / `'none'`, or the CLI's comma list. */
  readonly churn?: readonly ChurnKind[] | 'all' | 'none' | string;
  /** Target topology updates per second over all enabled kinds (0: none). */
  readonly churnRate?: number;
  readonly seed?: number;
  /** Invariant checks (translation, poison, torn reads). */
  readonly check?: boolean;
  /**
   * `all`: self-checking guest memory, every RAM access verified (SPEC 11; needs
   * `check`); `sampled` (default): one access in 512 checked.
   */
  readonly verify?: VerifyMode;
  /**
   * Whether the hypervisor handles ioeventfds (SPEC 5: `false` is `--no-hyp-ioeventfd`,
   * doorbells then exit to the owner); the machine decides when left out.
   */
  readonly hypIoeventfd?: boolean;
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
  readonly workload: WorkloadKind;
  readonly churn: readonly ChurnKind[];
  readonly churnRate: number;
  readonly seed: number;
  readonly check: boolean;
  readonly verify: VerifyMode;
  readonly hypIoeventfd: boolean | undefined;
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
  verify: 'sampled',
  hypIoeventfd: undefined,
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
  'verify',
  'hypIoeventfd',
  'json',
  'html',
  'quiet',
  'debug',
  'onProgress',
  'progressIntervalMs',
  'signal',
];

/**
 * A registered strategy name, or the path of a plug-in module (anything containing `/` or
 * ending in `.js`; `runSimulation` loads it).
 */
function strategyOption(value: unknown): Strategy {
  if (typeof value === 'string' && (hasStrategy(value) || isStrategyPath(value))) return value;
  throw new OptionsError('strategy', unknownStrategy(value));
}

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
  const check = flag(orDefault(given.check, d.check), 'check');
  const verify = oneOf(orDefault(given.verify, d.verify), 'verify', VERIFY_MODES);
  if (verify === 'all' && !check) {
    throw new OptionsError('verify', "'all' needs the checker (drop --no-check)");
  }
  return {
    machine,
    vcpus: integerBetween(orDefault(given.vcpus, defaultVcpus()), 'vcpus', 1, MAX_VCPUS),
    durationSeconds: seconds(
      orDefault(given.durationSeconds, d.durationSeconds),
      'durationSeconds',
    ),
    strategy: strategyOption(orDefault(given.strategy, d.strategy)),
    workload: oneOf(orDefault(given.workload, d.workload), 'workload', WORKLOAD_KINDS),
    churn: parseChurnList(orDefault(given.churn, d.churn)),
    churnRate: churnRate(orDefault(given.churnRate, d.churnRate)),
    seed: integerBetween(orDefault(given.seed, d.seed), 'seed', 0, MAX_SEED),
    check,
    verify,
    hypIoeventfd:
      given.hypIoeventfd === undefined ? undefined : flag(given.hypIoeventfd, 'hypIoeventfd'),
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
