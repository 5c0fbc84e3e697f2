/**
 * Command-line parsing (SPEC 9): `addrspace run | mtree | bench [flags]`, `--help` at
 * every level and `--version`. Flags are read with `node:util` `parseArgs`, turned into
 * the library's option objects and validated by the library's own resolvers, so the
 * CLI and `runSimulation` accept exactly the same values. Every problem becomes a
 * `UsageError` whose one-line message names the flag (`--vcpus: must be an integer
 * between 1 and 64 (got "0")`). Parsing has no side effects: nothing runs here.
 */
import { parseArgs } from 'node:util';
import {
  type BenchOptions,
  type ResolvedBenchOptions,
  resolveBenchOptions,
} from '../bench/options.js';
import {
  type MigrateOptions,
  type ResolvedMigrateOptions,
  resolveMigrateOptions,
} from '../sim/migration/options.js';
import { OptionsError } from '../sim/option-checks.js';
import { type ResolvedRunOptions, type RunOptions, resolveRunOptions } from '../sim/options.js';
import { parseDuration, type TortureOptions } from '../sim/torture.js';
import { UsageError } from './errors.js';
import type { HelpTopic } from './usage.js';

export type MtreeFormat = 'stratovirt' | 'qemu';
export const MTREE_FORMATS: readonly MtreeFormat[] = ['stratovirt', 'qemu'];

export interface MtreeOptions {
  readonly machine: string;
  readonly flat: boolean;
  readonly format: MtreeFormat;
  readonly debug: boolean;
}

/** `addrspace torture`: the library's options, plus what the CLI itself does. */
export interface TortureCliOptions {
  readonly torture: TortureOptions;
  /** Report file, `-` for stdout. */
  readonly json: string | undefined;
  readonly quiet: boolean;
  readonly debug: boolean;
}

export type CliCommand =
  | { readonly kind: 'help'; readonly topic: HelpTopic }
  | { readonly kind: 'version' }
  | { readonly kind: 'run'; readonly options: ResolvedRunOptions }
  | { readonly kind: 'mtree'; readonly options: MtreeOptions }
  | { readonly kind: 'bench'; readonly options: ResolvedBenchOptions }
  | { readonly kind: 'migrate'; readonly options: ResolvedMigrateOptions }
  | { readonly kind: 'torture'; readonly options: TortureCliOptions };

const COMMANDS = ['run', 'mtree', 'bench', 'migrate', 'torture'] as const;
type CommandName = (typeof COMMANDS)[number];

type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

const RUN_FLAGS: FlagSpec = {
  machine: { type: 'string' },
  vcpus: { type: 'string' },
  duration: { type: 'string' },
  strategy: { type: 'string' },
  workload: { type: 'string' },
  churn: { type: 'string' },
  'churn-rate': { type: 'string' },
  seed: { type: 'string' },
  'no-check': { type: 'boolean' },
  verify: { type: 'string' },
  'no-hyp-ioeventfd': { type: 'boolean' },
  json: { type: 'string' },
  html: { type: 'string' },
  quiet: { type: 'boolean' },
  debug: { type: 'boolean' },
};

const TORTURE_FLAGS: FlagSpec = {
  duration: { type: 'string' },
  strategy: { type: 'string' },
  faults: { type: 'string' },
  seed: { type: 'string' },
  machine: { type: 'string' },
  vcpus: { type: 'string' },
  json: { type: 'string' },
  quiet: { type: 'boolean' },
  debug: { type: 'boolean' },
};

const MIGRATE_FLAGS: FlagSpec = {
  machine: { type: 'string' },
  vcpus: { type: 'string' },
  workload: { type: 'string' },
  churn: { type: 'string' },
  strategy: { type: 'string' },
  bandwidth: { type: 'string' },
  'downtime-limit': { type: 'string' },
  'max-rounds': { type: 'string' },
  to: { type: 'string' },
  from: { type: 'string' },
  'no-dirty-log': { type: 'boolean' },
  seed: { type: 'string' },
  json: { type: 'string' },
  html: { type: 'string' },
  quiet: { type: 'boolean' },
  debug: { type: 'boolean' },
};

const MTREE_FLAGS: FlagSpec = {
  machine: { type: 'string' },
  flat: { type: 'boolean' },
  format: { type: 'string' },
  debug: { type: 'boolean' },
};

const BENCH_FLAGS: FlagSpec = {
  quick: { type: 'boolean' },
  vcpus: { type: 'string' },
  json: { type: 'string' },
  quiet: { type: 'boolean' },
  debug: { type: 'boolean' },
};

/** Option path (as `OptionsError` names it) → the flag that sets it. */
const FLAG_OF_OPTION: Readonly<Record<string, string>> = {
  machine: '--machine',
  vcpus: '--vcpus',
  durationSeconds: '--duration',
  strategy: '--strategy',
  workload: '--workload',
  churn: '--churn',
  churnRate: '--churn-rate',
  seed: '--seed',
  check: '--no-check',
  verify: '--verify',
  hypIoeventfd: '--no-hyp-ioeventfd',
  json: '--json',
  html: '--html',
  quiet: '--quiet',
  debug: '--debug',
  quick: '--quick',
  faults: '--faults',
  duration: '--duration',
  bandwidth: '--bandwidth',
  downtimeLimit: '--downtime-limit',
  maxRounds: '--max-rounds',
  to: '--to',
  from: '--from',
  dirtyLog: '--no-dirty-log',
};

/** Reads a whole command line (without `node` and the script). Throws `UsageError`. */
export function parseCommandLine(argv: readonly string[]): CliCommand {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help') {
    return { kind: 'help', topic: 'main' };
  }
  if (first === '-v' || first === '--version') return { kind: 'version' };
  if (first === 'help') return { kind: 'help', topic: helpTopic(rest[0]) };
  if (first.startsWith('-')) {
    throw new UsageError(
      `unknown option ${first} (expected a command: run, mtree, bench, migrate or torture)`,
    );
  }
  if (!COMMANDS.includes(first as CommandName)) {
    throw new UsageError(
      `unknown command "${first}" (expected run, mtree, bench, migrate or torture)`,
    );
  }
  const command = first as CommandName;
  if (rest.includes('--help') || rest.includes('-h')) return { kind: 'help', topic: command };
  switch (command) {
    case 'run':
      return { kind: 'run', options: parseRun(rest) };
    case 'mtree':
      return { kind: 'mtree', options: parseMtree(rest) };
    case 'bench':
      return { kind: 'bench', options: parseBench(rest) };
    case 'migrate':
      return { kind: 'migrate', options: parseMigrate(rest) };
    case 'torture':
      return { kind: 'torture', options: parseTorture(rest) };
  }
}

function parseMigrate(args: readonly string[]): ResolvedMigrateOptions {
  const v = readFlags('migrate', args, MIGRATE_FLAGS);
  const options: Record<string, unknown> = {
    machine: v.machine,
    vcpus: numeric(v.vcpus),
    workload: v.workload,
    churn: v.churn,
    strategy: v.strategy,
    bandwidth: numeric(v.bandwidth),
    downtimeLimit: numeric(v['downtime-limit']),
    maxRounds: numeric(v['max-rounds']),
    to: v.to,
    from: v.from,
    dirtyLog: v['no-dirty-log'] === true ? false : undefined,
    seed: numeric(v.seed),
    json: v.json,
    html: v.html,
    quiet: v.quiet,
    debug: v.debug,
  };
  return withFlagNames(v, () => resolveMigrateOptions(defined(options) as MigrateOptions));
}

/** Whether the command line asks for stack traces, even one that fails to parse. */
export function wantsDebug(argv: readonly string[]): boolean {
  return argv.includes('--debug');
}

function helpTopic(name: string | undefined): HelpTopic {
  if (name === undefined) return 'main';
  if (COMMANDS.includes(name as CommandName)) return name as CommandName;
  throw new UsageError(
    `unknown command "${name}" (expected run, mtree, bench, migrate or torture)`,
  );
}

function parseRun(args: readonly string[]): ResolvedRunOptions {
  const v = readFlags('run', args, RUN_FLAGS);
  const options: Record<string, unknown> = {
    machine: v.machine,
    vcpus: numeric(v.vcpus),
    durationSeconds: numeric(v.duration),
    strategy: v.strategy,
    workload: v.workload,
    churn: v.churn,
    churnRate: numeric(v['churn-rate']),
    seed: numeric(v.seed),
    check: v['no-check'] === true ? false : undefined,
    verify: v.verify,
    hypIoeventfd: v['no-hyp-ioeventfd'] === true ? false : undefined,
    json: v.json,
    html: v.html,
    quiet: v.quiet,
    debug: v.debug,
  };
  return withFlagNames(v, () => resolveRunOptions(defined(options) as RunOptions));
}

function parseTorture(args: readonly string[]): TortureCliOptions {
  const v = readFlags('torture', args, TORTURE_FLAGS);
  const json = v.json;
  if (json !== undefined && (typeof json !== 'string' || json.trim() === '')) {
    throw new UsageError('--json: must be a file path, or - for stdout', '--json');
  }
  const torture: TortureOptions = withFlagNames(v, () => {
    const duration = v.duration === undefined ? undefined : parseDuration(v.duration);
    const options = defined({
      duration,
      strategy: v.strategy,
      faults: v.faults,
      seed: numeric(v.seed),
      machine: v.machine,
      vcpus: numeric(v.vcpus),
    }) as TortureOptions;
    // The run options are checked here, so a typo fails before any round starts.
    resolveRunOptions(
      defined({
        strategy: options.strategy,
        seed: options.seed,
        machine: options.machine,
        vcpus: options.vcpus,
      }) as RunOptions,
    );
    return options;
  });
  return {
    torture,
    json: json as string | undefined,
    quiet: v.quiet === true,
    debug: v.debug === true,
  };
}

function parseBench(args: readonly string[]): ResolvedBenchOptions {
  const v = readFlags('bench', args, BENCH_FLAGS);
  const options: Record<string, unknown> = {
    quick: v.quick,
    vcpus: v.vcpus,
    json: v.json,
    quiet: v.quiet,
    debug: v.debug,
  };
  return withFlagNames(v, () => resolveBenchOptions(defined(options) as BenchOptions));
}

function parseMtree(args: readonly string[]): MtreeOptions {
  const v = readFlags('mtree', args, MTREE_FLAGS);
  const machine = v.machine ?? 'pc';
  if (typeof machine !== 'string' || machine.trim() === '') {
    throw new UsageError("--machine: must be 'pc' or the path of a machine file", '--machine');
  }
  const format = v.format ?? 'stratovirt';
  if (!MTREE_FORMATS.includes(format as MtreeFormat)) {
    throw new UsageError(
      `--format: must be one of ${MTREE_FORMATS.join(', ')}, got "${String(format)}"`,
      '--format',
    );
  }
  return {
    machine,
    flat: v.flat === true,
    format: format as MtreeFormat,
    debug: v.debug === true,
  };
}

type FlagValues = Record<string, string | boolean | undefined>;

function readFlags(command: CommandName, args: readonly string[], flags: FlagSpec): FlagValues {
  try {
    const { values } = parseArgs({
      args: [...args],
      options: flags,
      strict: true,
      allowPositionals: false,
    });
    return values as FlagValues;
  } catch (error) {
    throw usageFromParseArgs(command, error);
  }
}

/** Rewrites `parseArgs`'s multi-sentence errors as one line naming the flag. */
function usageFromParseArgs(command: CommandName, error: unknown): UsageError {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  const flag = quoted.split(' ')[0] ?? quoted;
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`unknown option ${flag} (see addrspace ${command} --help)`, flag);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (message.includes('does not take an argument')) {
        return new UsageError(`${flag}: takes no value`, flag);
      }
      if (message.includes('ambiguous')) {
        // The next word starts with a dash: a missing value, or a negative number.
        return new UsageError(
          `${flag}: needs a value (write ${flag}=VALUE for one that starts with "-")`,
          flag,
        );
      }
      return new UsageError(`${flag}: needs a value`, flag);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`unexpected argument "${quoted}" (see addrspace ${command} --help)`);
    default:
      return new UsageError(message.split('\n')[0] ?? message);
  }
}

/** Runs a resolver and renames `OptionsError` paths to the flags the user typed. */
function withFlagNames<T>(values: FlagValues, resolve: () => T): T {
  try {
    return resolve();
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    const option = error.path.replace(/\[\d+\]$/, '');
    const flag = FLAG_OF_OPTION[option] ?? error.path;
    const typed = values[flag.slice(2)];
    const got =
      typeof typed === 'string' && !error.problem.includes(', got ') ? ` (got "${typed}")` : '';
    throw new UsageError(`${flag}: ${error.problem}${got}`, flag);
  }
}

/** Flag text that reads as a number becomes one; anything else stays text (and fails). */
function numeric(text: string | boolean | undefined): number | string | undefined {
  if (typeof text !== 'string') return undefined;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}
