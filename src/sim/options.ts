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
import { isModulePath } from '../base/plugin-module.js';
import type { Strategy } from '../concurrent/reader/reader-api.js';
import { hasStrategy, isStrategyPath, unknownStrategy } from '../concurrent/strategies/registry.js';
import { WORKLOAD_KINDS, type WorkloadKind } from '../concurrent/vcpu/workload.js';
import { CHURN_KINDS, type ChurnKind } from '../machine/churn-kind.js';
import { type FaultKind, parseFaultList } from './fault-kinds.js';
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
/** The longest stall `stall` asks for (ms): a stall happens once a second. */
export const MAX_STALL_MS = 60_000;
/** Seeds are 32-bit unsigned integers. */
export const MAX_SEED = 0xffff_ffff;

/**
 * Options of `runSimulation`, the flags of `addrspace run` in camelCase. Every
 * field is optional; a bad one throws `OptionsError` (an `AddressSpaceError` with code
 * `InvalidArgument`, message `path: problem`).
 */
export interface RunOptions {
  /** `'pc'` (built in) or the path of a machine file (JSON, SPEC 9). */
  readonly machine?: string;
  readonly vcpus?: number;
  readonly durationSeconds?: number;
  readonly strategy?: Strategy;
  /** A built-in workload, or the path of a workload module (`./strided.js`, SPEC 9). */
  readonly workload?: WorkloadKind | string;
  /** Enabled churn kinds: a list, or `'all'` / `'none'`, or the CLI's comma list. */
  readonly churn?: readonly ChurnKind[] | 'all' | 'none' | string;
  /** Target topology updates per second over all enabled kinds (0: none). */
  readonly churnRate?: number;
  readonly seed?: number;
  /** Invariant checks (translation, poison, torn reads). */
  readonly check?: boolean;
  /** Fault kinds to inject (SPEC 11): a list, `'all'` / `'none'`, or a comma list. */
  readonly faults?: readonly FaultKind[] | 'all' | 'none' | string;
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
  /**
   * The stalled-reader scenario (SPEC 7): vCPU 0 stops inside an access for this many
   * milliseconds once a second while churn goes on. Absent or 0: no stall.
   */
  readonly stall?: number;
  /**
   * Record the run's churn to this file as JSON lines (SPEC 11): the one file
   * `runSimulation` writes itself, as the run goes.
   */
  readonly record?: string;
  /**
   * Replay the churn recorded in this file (SPEC 11) instead of the seeded schedule; the
   * file's machine, seed and flags fill in every option not given.
   */
  readonly replay?: string;
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
  /** A built-in workload kind, or a workload module's path as given. */
  readonly workload: WorkloadKind | string;
  readonly churn: readonly ChurnKind[];
  readonly churnRate: number;
  readonly seed: number;
  readonly check: boolean;
  readonly verify: VerifyMode;
  readonly faults: readonly FaultKind[];
  readonly record: string | undefined;
  readonly replay: string | undefined;
  readonly hypIoeventfd: boolean | undefined;
  /** 0: no stall. */
  readonly stall: number;
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
  faults: [],
  record: undefined,
  replay: undefined,
  hypIoeventfd: undefined,
  stall: 0,
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
  'faults',
  'record',
  'replay',
  'hypIoeventfd',
  'stall',
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
    workload: workloadOption(orDefault(given.workload, d.workload)),
    churn: parseChurnList(orDefault(given.churn, d.churn)),
    churnRate: churnRate(orDefault(given.churnRate, d.churnRate)),
    seed: integerBetween(orDefault(given.seed, d.seed), 'seed', 0, MAX_SEED),
    check,
    verify,
    faults: parseFaultList(orDefault(given.faults, d.faults)),
    record: filePath(given.record, 'record'),
    replay: filePath(given.replay, 'replay'),
    hypIoeventfd:
      given.hypIoeventfd === undefined ? undefined : flag(given.hypIoeventfd, 'hypIoeventfd'),
    // 0 (the resolved form of "no stall") is accepted back; `run --stall 0` is refused by the CLI.
    stall:
      given.stall === undefined || given.stall === 0
        ? 0
        : integerBetween(given.stall, 'stall', 1, MAX_STALL_MS),
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

/** A built-in workload kind, or a module path (anything with `/` or ending in `.js`). */
function workloadOption(value: unknown): WorkloadKind | string {
  if (typeof value === 'string' && isModulePath(value)) return value;
  return oneOf(value, 'workload', WORKLOAD_KINDS);
}
