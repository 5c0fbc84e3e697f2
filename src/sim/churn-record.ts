/**
 * Record and replay of a run's topology churn (SPEC 11): `run --record FILE` writes JSON
 * lines, a header with the seeds, the machine and the flags, then one line per churn
 * operation handed out, with the generation it published (or the error that refused
 * it); `run --replay FILE` feeds exactly those operations, in order, to the churn driver
 * instead of the seeded schedule, and checks that each publishes the same generation.
 *
 * File format (one JSON object per line):
 *
 *     {"type":"header","format":1,"machine":"pc","seeds":{"churn":1,"workload":1,"faults":1},
 *      "flags":{...the run's options...},"startGeneration":1}
 *     {"type":"op","op":{"seq":0,"kind":"alias","region":"pam-0","enabled":false},"generation":2}
 *     {"type":"op","op":{...},"refused":"AddressSpaceError: ..."}
 *     {"type":"fault","fault":"table-growth","change":"add","id":1,"base":1048576,
 *      "afterOps":61,"generation":63}
 *
 * Lines are written as the run goes, in batches, with synchronous appends on the owner
 * thread (a few microseconds per batch). A file that is not this format is refused with
 * one line naming the line number and what is wrong.
 *
 * A replay injects no faults: an operation an injected fault refused when recorded is
 * not applied (refused again, in effect). A change a fault made itself (`table-growth`
 * adding and removing its regions) is a `fault` line: `afterOps` operation lines came
 * before it, and the replay makes the same change at that place (before operation
 * #afterOps), checking the generation it publishes like an operation's.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { AddressSpaceError } from '../base/errors.js';
import type { ChurnKind } from '../machine/churn-kind.js';
import type { ChurnOp } from './churn-schedule.js';
import type { FaultTopologyChange } from './table-growth.js';

export const RECORD_FORMAT = 1;
/** Lines buffered before an append. */
const FLUSH_LINES = 256;

export interface RecordHeader {
  readonly type: 'header';
  readonly format: typeof RECORD_FORMAT;
  readonly machine: string;
  readonly seeds: { readonly churn: number; readonly workload: number; readonly faults: number };
  /** The run's options as run (churn kinds resolved, durations in seconds). */
  readonly flags: {
    readonly vcpus: number;
    readonly durationSeconds: number;
    readonly strategy: string;
    readonly workload: string;
    readonly churn: readonly ChurnKind[];
    readonly churnRate: number;
    readonly check: boolean;
    readonly faults: readonly string[];
  };
  /** The generation published when churn started. */
  readonly startGeneration: number;
}

export interface RecordedOp {
  readonly type: 'op';
  readonly op: ChurnOp;
  /** The generation the operation published (absent when it was refused). */
  readonly generation?: number;
  /** The refusal's error text (absent when it applied). */
  readonly refused?: string;
}

/** A topology change a fault made itself, at its place among the operations. */
export interface RecordedFaultChange extends FaultTopologyChange {
  readonly type: 'fault';
  /** Operation lines written before it: the replay makes it before operation #afterOps. */
  readonly afterOps: number;
  /** The generation it published. */
  readonly generation: number;
}

/** Writes a record file as the run goes. */
export class ChurnRecorder {
  readonly path: string;
  private fd: number;
  private lines: string[] = [];
  /** Operations written. */
  count = 0;

  /** Creates (truncates) `path` and writes the header. Throws `InvalidArgument` if it cannot. */
  constructor(path: string, header: RecordHeader) {
    this.path = path;
    try {
      this.fd = openSync(path, 'w');
    } catch (error) {
      throw AddressSpaceError.invalidArgument(
        `record: cannot write ${path}: ${(error as Error).message}`,
      );
    }
    this.lines.push(JSON.stringify(header));
    this.flush();
  }

  applied(op: ChurnOp, generation: number): void {
    this.push({ type: 'op', op, generation });
  }

  refused(op: ChurnOp, error: string): void {
    this.push({ type: 'op', op, refused: error });
  }

  /** A fault's own change, published as `generation`, after the operations written so far. */
  faultChange(change: FaultTopologyChange, generation: number): void {
    if (this.fd < 0) return;
    const line: RecordedFaultChange = {
      type: 'fault',
      ...change,
      afterOps: this.count,
      generation,
    };
    this.lines.push(JSON.stringify(line));
    if (this.lines.length >= FLUSH_LINES) this.flush();
  }

  /** Writes what is buffered and closes the file. */
  close(): void {
    if (this.fd < 0) return;
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
  }

  private push(line: RecordedOp): void {
    if (this.fd < 0) return;
    this.lines.push(JSON.stringify(line));
    this.count++;
    if (this.lines.length >= FLUSH_LINES) this.flush();
  }

  private flush(): void {
    if (this.lines.length === 0) return;
    writeSync(this.fd, `${this.lines.join('\n')}\n`);
    this.lines = [];
  }
}

export interface Recording {
  readonly path: string;
  readonly header: RecordHeader;
  readonly ops: readonly RecordedOp[];
  /** The faults' own changes, in order. */
  readonly faultChanges: readonly RecordedFaultChange[];
}

/** Reads and checks a record file. Throws `InvalidArgument` naming the line. */
export function readRecording(path: string): Recording {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw AddressSpaceError.invalidArgument(
      `replay: cannot read ${path}: ${(error as Error).message}`,
    );
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const bad = (n: number, why: string) =>
    AddressSpaceError.invalidArgument(`replay: ${path} line ${n}: ${why}`);
  const parse = (line: string, n: number): Record<string, unknown> => {
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        return value as Record<string, unknown>;
      }
    } catch {
      // reported below
    }
    throw bad(n, 'not a JSON object');
  };
  if (lines.length === 0) throw bad(1, 'the file is empty (expected a header line)');
  const header = parse(lines[0]!, 1);
  if (header.type !== 'header' || header.format !== RECORD_FORMAT) {
    throw bad(1, `expected a header of format ${RECORD_FORMAT}`);
  }
  const seeds = header.seeds as Record<string, unknown> | undefined;
  const flags = header.flags as Record<string, unknown> | undefined;
  if (
    typeof header.machine !== 'string' ||
    typeof seeds?.churn !== 'number' ||
    typeof flags !== 'object' ||
    !Array.isArray(flags.churn) ||
    typeof header.startGeneration !== 'number'
  ) {
    throw bad(1, 'the header needs machine, seeds, flags.churn and startGeneration');
  }
  const ops: RecordedOp[] = [];
  const faultChanges: RecordedFaultChange[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = parse(lines[i]!, i + 1);
    if (line.type === 'fault') {
      faultChanges.push(faultLine(line, ops.length, faultChanges, (why) => bad(i + 1, why)));
      continue;
    }
    const op = line.op as Record<string, unknown> | undefined;
    if (line.type !== 'op' || typeof op !== 'object' || typeof op.kind !== 'string') {
      throw bad(i + 1, 'expected an op line ({"type":"op","op":{...}})');
    }
    if (typeof op.seq !== 'number' || op.seq !== ops.length) {
      throw bad(i + 1, `expected operation #${ops.length}, got #${String(op.seq)}`);
    }
    if ((line.generation === undefined) === (line.refused === undefined)) {
      throw bad(i + 1, 'an op line has either generation or refused');
    }
    ops.push(line as unknown as RecordedOp);
  }
  return { path, header: header as unknown as RecordHeader, ops, faultChanges };
}

/** Checks a `fault` line read after `opsBefore` operation lines. */
function faultLine(
  line: Record<string, unknown>,
  opsBefore: number,
  earlier: readonly RecordedFaultChange[],
  bad: (why: string) => Error,
): RecordedFaultChange {
  const { fault, change, id, base, afterOps, generation } = line;
  if (fault !== 'table-growth' || (change !== 'add' && change !== 'remove')) {
    throw bad('a fault line is a table-growth "add" or "remove"');
  }
  for (const [name, value] of Object.entries({ id, base, generation })) {
    if (!Number.isSafeInteger(value) || (value as number) < 0) {
      throw bad(`a fault line's ${name} must be a non-negative integer`);
    }
  }
  if (afterOps !== opsBefore) {
    throw bad(`a fault line after ${opsBefore} operations says afterOps ${String(afterOps)}`);
  }
  const previous = earlier[earlier.length - 1];
  if (previous !== undefined && (generation as number) <= previous.generation) {
    throw bad(`a fault line's generation must be above ${previous.generation}`);
  }
  return {
    type: 'fault',
    fault,
    change,
    id: id as number,
    base: base as number,
    afterOps: opsBefore,
    generation: generation as number,
  };
}

/**
 * The churn driver's source of operations for a replay: the recorded ones in order, then
 * nothing. It checks each applied operation's generation against the recording.
 */
export class ReplaySchedule {
  readonly activeKinds: readonly ChurnKind[];
  /** Operations replayed: handed out, or refused again as an injected fault refused them. */
  handedOut = 0;
  /** Operations an injected fault refused when recorded, not applied in the replay. */
  refusedAsRecorded = 0;
  /** Operations whose outcome (generation, or refusal) differed from the recording. */
  mismatches = 0;
  firstMismatch: string | undefined;
  /** The faults' own changes made again. */
  faultChangesReplayed = 0;
  private readonly ops: readonly RecordedOp[];
  private readonly faultChanges: readonly RecordedFaultChange[];
  private nextFault = 0;
  private readonly applyFault: FaultChangeApplier | undefined;

  /**
   * `applyFault` makes a recorded fault change again and returns the generation it
   * published (without it, fault lines are skipped and the generations after one differ).
   */
  constructor(recording: Recording, applyFault?: FaultChangeApplier) {
    this.ops = recording.ops;
    this.faultChanges = recording.faultChanges;
    this.applyFault = applyFault;
    const kinds = new Set(recording.ops.map((o) => o.op.kind));
    this.activeKinds = recording.header.flags.churn.filter((k) => kinds.has(k));
  }

  get total(): number {
    return this.ops.length;
  }

  get done(): boolean {
    return this.handedOut >= this.ops.length && this.nextFault >= this.faultChanges.length;
  }

  next(): ChurnOp | undefined {
    for (;;) {
      this.replayFaultChanges();
      const recorded = this.ops[this.handedOut];
      if (recorded === undefined) return undefined;
      this.handedOut++;
      // Refused by an injected fault when recorded: refused again by not applying it
      // (the replay injects nothing), so the state and the generations stay in step.
      if (recorded.refused?.includes('InjectedFault') === true) {
        this.refusedAsRecorded++;
        continue;
      }
      return recorded.op;
    }
  }

  /** Makes the fault changes recorded before operation #handedOut, checking each generation. */
  private replayFaultChanges(): void {
    for (;;) {
      const change = this.faultChanges[this.nextFault];
      if (change === undefined || change.afterOps > this.handedOut) return;
      this.nextFault++;
      if (this.applyFault === undefined) continue;
      let generation: number | undefined;
      try {
        generation = this.applyFault(change);
      } catch (error) {
        this.mismatch(`${describeFaultChange(change)} was refused (${String(error)})`, change);
        continue;
      }
      this.faultChangesReplayed++;
      if (generation !== change.generation) {
        this.mismatch(`${describeFaultChange(change)} published generation ${generation}`, change);
      }
    }
  }

  private mismatch(what: string, change: RecordedFaultChange): void {
    this.mismatches++;
    this.firstMismatch ??= `${what}; recorded: generation ${change.generation}`;
  }

  /** Compares what operation `seq` did now with what it did when recorded. */
  outcome(op: ChurnOp, generation: number | undefined): void {
    const recorded = this.ops[op.seq];
    if (recorded === undefined) return;
    const same =
      generation === undefined
        ? recorded.refused !== undefined
        : recorded.generation === generation;
    if (same) return;
    this.mismatches++;
    this.firstMismatch ??= `operation #${op.seq} (${op.kind}) ${
      generation === undefined ? 'was refused' : `published generation ${generation}`
    }; recorded: ${
      recorded.refused === undefined
        ? `generation ${recorded.generation}`
        : `refused (${recorded.refused})`
    }`;
  }
}

/** Makes a recorded fault change again; returns the generation published after it. */
export type FaultChangeApplier = (change: FaultTopologyChange) => number;

function describeFaultChange(change: RecordedFaultChange): string {
  return `the ${change.fault} fault's ${change.change} #${change.id} (before operation #${change.afterOps})`;
}
