/**
 * `runTorture(options)`: the job of `addrspace torture` (SPEC 11), in the spirit of
 * rcutorture and urcutorture: every churn kind at full rate, every workload, self-checking
 * memory (`verify: 'all'`) and fault injection on, for minutes to hours.
 *
 * The time is cut into rounds, each one `runSimulation` of the `pc` machine (or the given
 * machine) with the next workload in turn (`seq, random, hot, mmio, mixed`, so a run of
 * five rounds or more meets them all) and its own seed (`seed + round`). A round lasts
 * `ROUND_SECONDS` at most, and a run has at least `MIN_ROUNDS` rounds. Rounds go on after a
 * violation (a torture run counts everything it sees); an abort signal ends the current
 * round early and the run after it.
 *
 * The report sums the rounds (accesses, RAM accesses verified, churn, violations by kind,
 * faults injected and survived, failures) and keeps the first violations and failures.
 * `exitCode`: 1 when anything was violated; else 3 when a round failed (a worker died, a
 * device or listener failed uninjected, an end-of-run check could not run) or an injected
 * fault was not survived; else 0.
 *
 * Fault injection is `RunOptions.faults` of the runs; a build whose `runSimulation` does
 * not take `faults` runs without it and says so (`faults.available: false`). It writes no
 * files and prints nothing: the CLI does (`onMinute` gives it the line a minute).
 */

import type { WorkloadKind } from '../concurrent/vcpu/workload.js';
import { OptionsError } from './option-checks.js';
import { type RunOptions, resolveRunOptions } from './options.js';
import type { RunReport, Violation } from './report-types.js';
import { runSimulation } from './simulation.js';

/** The workloads of the rounds, in order. */
export const TORTURE_WORKLOADS: readonly WorkloadKind[] = ['seq', 'random', 'hot', 'mmio', 'mixed'];
/** Longest round, in seconds. */
export const ROUND_SECONDS = 60;
/** Fewest rounds in a run (one per workload). */
export const MIN_ROUNDS = TORTURE_WORKLOADS.length;
/** "Full rate": more updates per second than the owner can apply; it applies what it can. */
export const FULL_CHURN_RATE = 100_000;
/** Default length of a run: ten minutes. */
export const DEFAULT_TORTURE_SECONDS = 600;
/** Violations and failures kept in full. */
const KEEP = 20;

export interface TortureOptions {
  /** Seconds in all (a number), or a duration text: `10m`, `90s`, `1h`, `1h30m`. */
  readonly duration?: number | string;
  readonly strategy?: RunOptions['strategy'];
  /** Fault kinds (`all`, `none` or a list); passed to each round's `RunOptions.faults`. */
  readonly faults?: string | readonly string[];
  readonly seed?: number;
  readonly machine?: string;
  readonly vcpus?: number;
  /**
   * Called about once a minute (and after the last round) with the totals so far (churn
   * and RAM counts of finished rounds; accesses and violations of the running one too).
   */
  readonly onMinute?: (progress: TortureProgress) => void;
  /** Interval of `onMinute` in ms (default 60 000; tests shorten it). */
  readonly minuteMs?: number;
  readonly signal?: AbortSignal;
}

export interface TortureProgress {
  readonly elapsedSeconds: number;
  readonly durationSeconds: number;
  readonly round: number;
  readonly workload: WorkloadKind;
  readonly accesses: number;
  readonly ramAccesses: number;
  readonly verifiedAccesses: number;
  readonly churnUpdates: number;
  readonly violations: number;
  readonly failures: number;
  readonly faultsInjected: number;
  readonly faultsSurvived: number;
}

export interface TortureRound {
  readonly round: number;
  readonly workload: WorkloadKind;
  readonly seed: number;
  readonly durationSeconds: number;
  readonly accesses: number;
  readonly ramAccesses: number;
  readonly verifiedAccesses: number;
  readonly churnUpdates: number;
  readonly violations: number;
  readonly failures: number;
  readonly exitCode: number;
}

type Counts = Record<string, number>;

export interface TortureReport {
  readonly version: 1;
  readonly command: 'torture';
  readonly machine: string;
  readonly strategy: string;
  readonly seed: number;
  readonly durationSeconds: number;
  readonly vcpus: number;
  readonly rounds: readonly TortureRound[];
  readonly accesses: { readonly total: number; readonly perSecond: number };
  readonly churn: { readonly updates: number; readonly perSecond: number; readonly byKind: Counts };
  readonly check: {
    readonly mode: 'all';
    readonly ramAccesses: number;
    readonly verifiedAccesses: number;
    readonly unverified: number;
    readonly dropped: number;
    readonly violations: number;
    readonly byKind: Counts;
    readonly firstViolations: readonly (Violation & { readonly round: number })[];
  };
  readonly faults:
    | { readonly available: true; readonly injected: Counts; readonly survived: Counts }
    | { readonly available: false };
  readonly failures: readonly {
    readonly round: number;
    readonly kind: string;
    readonly detail: string;
  }[];
  readonly exitCode: 0 | 1 | 3;
  readonly unsafe?: true;
  readonly interrupted?: true;
}

/**
 * Seconds in a duration: a positive number, or text made of `<number><unit>` parts with
 * units `h`, `m`, `s`, `ms` (`10m`, `90s`, `1h30m`, `2.5s`); a bare number is seconds.
 * Throws `OptionsError` at `path` otherwise, or past 24 h.
 */
export function parseDuration(value: unknown, path = 'duration'): number {
  let seconds: number | undefined;
  if (typeof value === 'number') seconds = value;
  else if (typeof value === 'string') {
    const text = value.trim();
    if (/^\d+(\.\d+)?$/.test(text)) seconds = Number(text);
    else if (/^(\d+(\.\d+)?(h|ms|m|s))+$/.test(text)) {
      const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
      seconds = 0;
      for (const [, n, , u] of text.matchAll(/(\d+(\.\d+)?)(h|ms|m|s)/g)) {
        seconds += Number(n) * unit[u!]!;
      }
    }
  }
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
    throw new OptionsError(
      path,
      'must be a duration greater than 0 and at most 24h, such as 10m, 90s, 1h or 600',
    );
  }
  return seconds;
}

/** Whether this build's `runSimulation` takes `faults` (fault injection, SPEC 11). */
export function faultInjectionAvailable(): boolean {
  try {
    resolveRunOptions({ faults: 'none' } as RunOptions);
    return true;
  } catch {
    return false;
  }
}

/** Resolved torture options; throws `OptionsError` naming the option. */
function resolveTorture(options: TortureOptions) {
  const durationSeconds = parseDuration(options.duration ?? DEFAULT_TORTURE_SECONDS);
  const faultsAvailable = faultInjectionAvailable();
  const faults = options.faults ?? 'all';
  const base: RunOptions = {
    ...(options.machine === undefined ? {} : { machine: options.machine }),
    ...(options.vcpus === undefined ? {} : { vcpus: options.vcpus }),
    ...(options.strategy === undefined ? {} : { strategy: options.strategy }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    churn: 'all',
    churnRate: FULL_CHURN_RATE,
    verify: 'all',
    check: true,
    ...(faultsAvailable ? ({ faults } as RunOptions) : {}),
  };
  // Validates every option once, before the first round (a bad one names its path).
  const resolved = resolveRunOptions(base);
  if (!faultsAvailable && faults !== 'none' && (faults as readonly string[]).length !== 0) {
    const list = typeof faults === 'string' ? faults : faults.join(',');
    if (list !== 'all' && list.trim() !== '') {
      throw new OptionsError('faults', 'fault injection is not available in this build');
    }
  }
  const rounds = Math.max(MIN_ROUNDS, Math.ceil(durationSeconds / ROUND_SECONDS));
  return { durationSeconds, faultsAvailable, base, resolved, rounds };
}

function add(into: Counts, from: Readonly<Record<string, number | undefined>> | undefined): void {
  if (from === undefined) return;
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + (v ?? 0);
}

function total(counts: Counts): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** Runs a torture test and resolves its report. Bad options throw `OptionsError`. */
export async function runTorture(options: TortureOptions = {}): Promise<TortureReport> {
  const { durationSeconds, faultsAvailable, base, resolved, rounds } = resolveTorture(options);
  const roundSeconds = durationSeconds / rounds;
  const started = performance.now();
  const rows: TortureRound[] = [];
  const churnByKind: Counts = {};
  const violationsByKind: Counts = {};
  const injected: Counts = {};
  const survived: Counts = {};
  const firstViolations: (Violation & { round: number })[] = [];
  const failures: { round: number; kind: string; detail: string }[] = [];
  const sums = {
    accesses: 0,
    ram: 0,
    verified: 0,
    dropped: 0,
    violations: 0,
    updates: 0,
    failures: 0,
  };
  // The running round's counts, from its progress records.
  let live = { accesses: 0, violations: 0 };
  let current = { round: 0, workload: TORTURE_WORKLOADS[0]! };
  let interrupted = false;
  let ranSeconds = 0;

  const progress = (): TortureProgress => ({
    elapsedSeconds: (performance.now() - started) / 1000,
    durationSeconds,
    round: current.round,
    workload: current.workload,
    accesses: sums.accesses + live.accesses,
    ramAccesses: sums.ram,
    verifiedAccesses: sums.verified,
    churnUpdates: sums.updates,
    violations: sums.violations + live.violations,
    failures: sums.failures,
    faultsInjected: total(injected),
    faultsSurvived: total(survived),
  });
  const minuteMs = options.minuteMs ?? 60_000;
  const timer =
    options.onMinute === undefined
      ? undefined
      : setInterval(() => options.onMinute?.(progress()), minuteMs);
  timer?.unref();

  try {
    for (let round = 0; round < rounds; round++) {
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      const workload = TORTURE_WORKLOADS[round % TORTURE_WORKLOADS.length]!;
      const seed = (resolved.seed + round) % 0x1_0000_0000;
      current = { round, workload };
      live = { accesses: 0, violations: 0 };
      const report: RunReport = await runSimulation({
        ...base,
        workload,
        seed,
        durationSeconds: roundSeconds,
        progressIntervalMs: 1000,
        onProgress: (p) => {
          live = { accesses: p.accessesTotal, violations: p.violations };
        },
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      live = { accesses: 0, violations: 0 };
      ranSeconds += report.durationSeconds;
      const check = report.check;
      const roundFailures = report.failures ?? [];
      sums.accesses += report.accesses.total;
      sums.ram += check.ramAccesses ?? 0;
      sums.verified += check.verifiedAccesses ?? 0;
      sums.dropped += check.dropped ?? 0;
      sums.violations += check.violations;
      sums.updates += report.churn.updates;
      sums.failures += roundFailures.length + (report.failuresTruncated ?? 0);
      add(churnByKind, report.churn.byKind);
      add(violationsByKind, check.byKind);
      const faults = (report as { faults?: { injected?: Counts; survived?: Counts } }).faults;
      add(injected, faults?.injected);
      add(survived, faults?.survived);
      for (const v of check.firstViolations) {
        if (firstViolations.length < KEEP) firstViolations.push({ ...v, round });
      }
      for (const f of roundFailures) {
        if (failures.length < KEEP) failures.push({ round, kind: f.kind, detail: f.detail });
      }
      rows.push({
        round,
        workload,
        seed,
        durationSeconds: report.durationSeconds,
        accesses: report.accesses.total,
        ramAccesses: check.ramAccesses ?? 0,
        verifiedAccesses: check.verifiedAccesses ?? 0,
        churnUpdates: report.churn.updates,
        violations: check.violations,
        failures: roundFailures.length,
        exitCode: report.exitCode ?? (check.violations > 0 ? 1 : 0),
      });
      if (report.interrupted === true) {
        interrupted = true;
        break;
      }
    }
  } finally {
    if (timer !== undefined) clearInterval(timer);
  }
  options.onMinute?.(progress());

  const notSurvived = Object.keys(injected).some((k) => (survived[k] ?? 0) < injected[k]!);
  const roundFailed = rows.some((r) => r.exitCode === 3) || sums.failures > 0;
  const exitCode: 0 | 1 | 3 = sums.violations > 0 ? 1 : roundFailed || notSurvived ? 3 : 0;
  const seconds = ranSeconds > 0 ? ranSeconds : Number.EPSILON;
  return {
    version: 1,
    command: 'torture',
    machine: resolved.machine,
    strategy: resolved.strategy,
    seed: resolved.seed,
    durationSeconds: Math.round(ranSeconds * 1000) / 1000,
    vcpus: resolved.vcpus,
    rounds: rows,
    accesses: { total: sums.accesses, perSecond: Math.round(sums.accesses / seconds) },
    churn: {
      updates: sums.updates,
      perSecond: Math.round((sums.updates / seconds) * 10) / 10,
      byKind: churnByKind,
    },
    check: {
      mode: 'all',
      ramAccesses: sums.ram,
      verifiedAccesses: sums.verified,
      unverified: Math.max(0, sums.ram - sums.verified),
      dropped: sums.dropped,
      violations: sums.violations,
      byKind: violationsByKind,
      firstViolations,
    },
    faults: faultsAvailable ? { available: true, injected, survived } : { available: false },
    failures,
    exitCode,
    ...(resolved.strategy === 'none' ? { unsafe: true as const } : {}),
    ...(interrupted ? { interrupted: true as const } : {}),
  };
}
