/**
 * `migrate(options)`: live migration of a machine's RAM under load (SPEC 10), the way
 * QEMU's pre-copy does it.
 *
 * 1. The source runs (running-machine.ts) for `warmupMs`; dirty logging starts (its
 *    promise resolves after the grace period that makes every reader mark).
 * 2. Round 0 sends every page of every mapping the memory view uses; then each round
 *    syncs the dirty log and sends those pages, paced at `bandwidth`, until the dirty
 *    set would fit `downtimeLimit` at that bandwidth (converged) or `maxRounds` rounds
 *    ran.
 * 3. Stop-and-copy: churn, vCPUs (each out of its slice and offline) and the device
 *    backend stop; a last sync; the pending and the last dirty pages are sent. Downtime
 *    runs from the pause until the destination has every page.
 * 4. Every mapping is compared with its copy byte for byte.
 *
 * With `dirtyLog: false` round 0 is the only copy and nothing is logged: the comparison
 * must find differences under any writing workload. With `to`, every page record also
 * goes to a migration stream (stream.ts). The owner's event loop keeps turning while
 * pages are copied (MMIO exits, churn, grace periods are served between page batches).
 */
import { crc32 } from 'node:zlib';
import { PAGE_SIZE } from '../../base/constants.js';
import { type DirtyLog, mappingsOf } from '../../core/dirty-log.js';
import type { HostMemMapping } from '../../host/mapping.js';
import { createMachine } from '../../machine/create.js';
import type { Machine } from '../../machine/machine.js';
import { Destination } from './destination.js';
import { loadStream } from './load.js';
import {
  type MigrateOptions,
  type ResolvedMigrateOptions,
  resolveMigrateOptions,
} from './options.js';
import type { MigrationLoadReport, MigrationReport, MigrationRound } from './report.js';
import { RunningMachine } from './running-machine.js';
import { pageRecordBytes, StreamWriter } from './stream.js';

const MiB = 2 ** 20;
/** The owner yields to its event loop at least this often while copying. */
const YIELD_MS = 4;

/** Runs a migration (or, with `from`, loads a stream) and resolves its report. */
export async function migrate(
  options: MigrateOptions = {},
): Promise<MigrationReport | MigrationLoadReport> {
  const o = resolveMigrateOptions(options);
  if (o.from !== undefined) return loadStream(o, o.from);
  const machine = await createMachine(o.machine);
  try {
    return await migrateMachine(machine, o);
  } finally {
    machine.dispose();
  }
}

async function migrateMachine(
  machine: Machine,
  o: ResolvedMigrateOptions,
): Promise<MigrationReport> {
  const started = performance.now();
  const mappings = mappingsOf(machine.memory.flatView);
  const stream =
    o.to === undefined
      ? undefined
      : new StreamWriter(o.to, {
          version: 1,
          machine: o.machine,
          pageSize: PAGE_SIZE,
          mappings: mappings.map((m) => ({ name: m.name, size: m.size })),
        });
  const destination = new Destination(mappings, stream);
  const pacer = new Pacer(o.bandwidth * MiB, o.signal);
  const rounds: MigrationRound[] = [];
  let converged = false;
  let downtimeMs = 0;
  let dirtySince = 0;
  let dirtiedPages = 0;
  const running = await RunningMachine.start(machine, o);
  let finished = false;
  try {
    await pacer.sleep(o.warmupMs);
    if (o.dirtyLog) await machine.memory.startDirtyLog();
    dirtySince = performance.now();
    // Round 0: everything.
    const all = mappings.map((m, i) => ({ index: i, pages: range(pagesOf(m)) }));
    rounds.push(await sendRound(destination, pacer, all, destination.totalPages, false));
    let pending: PendingPages = new PendingPages(mappings);
    if (o.dirtyLog) {
      for (;;) {
        if (pacer.aborted) break;
        pending.add(machine.memory.syncDirtyLog());
        const bytes = pending.wireBytes();
        dirtiedPages += pending.count;
        if ((bytes / (o.bandwidth * MiB)) * 1000 <= o.downtimeLimit) {
          converged = true;
          break;
        }
        if (rounds.length > o.maxRounds) break;
        const n = pending.count;
        rounds.push(await sendRound(destination, pacer, pending.take(), n, false));
      }
    }
    // Stop-and-copy.
    const pausedAt = performance.now();
    const loggedMs = pausedAt - dirtySince;
    await running.pause();
    if (o.dirtyLog) {
      const last = machine.memory.syncDirtyLog();
      dirtiedPages += last.total;
      pending.add(last);
      const n = pending.count;
      rounds.push(await sendRound(destination, pacer, pending.take(), n, true));
      machine.memory.stopDirtyLog();
    }
    downtimeMs = performance.now() - pausedAt;
    pending = new PendingPages([]);
    stream?.end();
    finished = true;
    const compare = destination.compare(machine.memory.flatView);
    const counters = running.pool.counters();
    const seconds = Math.max(loggedMs, 1) / 1000;
    if (running.churn.error !== undefined) throw running.churn.error;
    return {
      version: 1,
      kind: 'migration',
      machine: o.machine,
      strategy: o.strategy,
      vcpus: o.vcpus,
      workload: o.workload,
      churn: o.churn.filter((k) => k !== 'hotplug'),
      hotplugHeld: o.churn.includes('hotplug'),
      dirtyLog: o.dirtyLog,
      bandwidthMiBps: o.bandwidth,
      downtimeLimitMs: o.downtimeLimit,
      maxRounds: o.maxRounds,
      converged: o.dirtyLog && converged,
      rounds,
      bytesSent: destination.bytes,
      zeroPages: destination.zeroPages,
      dirtyRate: {
        pagesPerSecond: Math.round(dirtiedPages / seconds),
        bytesPerSecond: Math.round((dirtiedPages * PAGE_SIZE) / seconds),
      },
      downtimeMs: round1(downtimeMs),
      totalMs: round1(performance.now() - started),
      compare,
      source: {
        accesses: counters.accesses,
        writes: counters.writes,
        mmioExits: counters.mmioExits,
        churnUpdates: running.churn.updates,
        dmaOps: running.dmaOps,
      },
      ...(stream === undefined
        ? {}
        : {
            stream: { file: stream.path, bytes: stream.bytes, records: destination.sentPages },
            digests: digestsOf(mappings),
          }),
      interrupted: pacer.aborted,
    };
  } finally {
    if (!finished) stream?.abandon();
    await running.close();
  }
}

/** CRC-32 of each mapping's bytes, by name. */
export function digestsOf(mappings: readonly HostMemMapping[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of mappings) out[m.name] = crc32(m.bytes) >>> 0;
  return out;
}

interface PageList {
  readonly index: number;
  readonly pages: Iterable<number>;
}

/** Sends the pages of one round, paced; returns its record. */
async function sendRound(
  destination: Destination,
  pacer: Pacer,
  lists: readonly PageList[],
  dirtyPages: number,
  stopAndCopy: boolean,
): Promise<MigrationRound> {
  const t0 = performance.now();
  const bytesBefore = destination.bytes;
  const sentBefore = destination.sentPages;
  pacer.startRound();
  for (const list of lists) {
    for (const page of list.pages) {
      await pacer.spend(destination.sendPage(list.index, page));
      // Pre-copy stops early on abort; the stop-and-copy always completes.
      if (pacer.aborted && !stopAndCopy) break;
    }
  }
  return {
    dirtyPages,
    sentPages: destination.sentPages - sentBefore,
    durationMs: round1(performance.now() - t0),
    bytes: destination.bytes - bytesBefore,
    stopAndCopy,
  };
}

/** Dirty pages synced but not yet sent, per mapping, without duplicates. */
class PendingPages {
  private sets: Set<number>[];
  constructor(private readonly mappings: readonly HostMemMapping[]) {
    this.sets = mappings.map(() => new Set());
  }
  add(log: DirtyLog): void {
    for (const entry of log.mappings) {
      const i = this.mappings.indexOf(entry.mapping);
      if (i < 0) continue; // not migrated (cannot happen while hotplug is held)
      for (const p of entry.pages) this.sets[i]!.add(p);
    }
  }
  get count(): number {
    return this.sets.reduce((sum, s) => sum + s.size, 0);
  }
  /** Bytes the pending pages would take at most (as data pages). */
  wireBytes(): number {
    let bytes = 0;
    this.sets.forEach((s, i) => {
      for (const p of s) bytes += pageRecordBytes(this.mappings[i]!.size, p, false);
    });
    return bytes;
  }
  take(): PageList[] {
    const lists = this.sets.map((s, index) => ({ index, pages: [...s].sort((a, b) => a - b) }));
    this.sets = this.mappings.map(() => new Set());
    return lists;
  }
}

/**
 * Paces copying at a bandwidth within each round and yields to the event loop at least
 * every `YIELD_MS`, so exits, churn and grace periods go on meanwhile.
 */
class Pacer {
  private roundStart = 0;
  private roundBytes = 0;
  private lastYield = 0;

  constructor(
    private readonly bytesPerSecond: number,
    private readonly signal: AbortSignal | undefined,
  ) {}

  get aborted(): boolean {
    return this.signal?.aborted === true;
  }

  startRound(): void {
    this.roundStart = performance.now();
    this.roundBytes = 0;
    this.lastYield = this.roundStart;
  }

  async spend(bytes: number): Promise<void> {
    this.roundBytes += bytes;
    const now = performance.now();
    const due = this.roundStart + (this.roundBytes / this.bytesPerSecond) * 1000;
    if (due - now >= 1) {
      await sleep(due - now);
      this.lastYield = performance.now();
    } else if (now - this.lastYield >= YIELD_MS) {
      await new Promise((r) => setImmediate(r));
      this.lastYield = performance.now();
    }
  }

  sleep(ms: number): Promise<void> {
    return sleep(ms);
  }
}

function pagesOf(m: HostMemMapping): number {
  return Math.ceil(m.size / PAGE_SIZE);
}

function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
