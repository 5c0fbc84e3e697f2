/**
 * Single-thread paths timed with tinybench, on the owner thread:
 *
 * - `translate`: one guest read on a TranslationCache hit, through a `SharedView` reader of
 *   each strategy (uncontended: what the strategy costs per access by itself), through
 *   the owner's `getHostAddressFromCache`, and a plain typed-array read for scale;
 * - `lookup`: a cold lookup of a random address among 16, 1k and 16k ranges, through a
 *   reader's `translate` (last-row check, then binary search over the published columns;
 *   the product has no page-indexed shortcut) and through `FlatView.findFlatRange`;
 * - `diff`: building the next view (render + diff against the old one), for the whole
 *   space and for one leaf's window, and listener dispatch per request;
 * - `ioeventfd`: `EventFd.signal()`, and a doorbell write through a reader (lookup,
 *   ioeventfd match, signal);
 * - `dirty-log`: a reader's 4-byte writes over 16 pages with dirty logging off (the
 *   unmarked first-level cache) and on (store, then `Atomics.or` of the page's bit);
 * - `workload`: the vCPU's access generator alone, the per-access cost every throughput
 *   row (raw too) pays before touching memory.
 *
 * Reader rows run in a worker thread per strategy (reader-micro.ts: one reader class per
 * isolate, as in a vCPU thread); the rest on the owner thread. Rows are per operation
 * (tinybench-run.ts). It measures only; none of the structures it builds outlive the call.
 */

import type { Strategy } from '../concurrent/reader/reader-api.js';
import { AccessBlock, AccessGenerator } from '../concurrent/vcpu/access-pattern.js';
import { AddressSpace } from '../core/address-space.js';
import type { Listener } from '../core/listeners.js';
import { Region } from '../core/region.js';
import type { RegionOps } from '../core/types.js';
import { stageView } from '../core/view-update.js';
import { EventFd } from '../host/event-fd.js';
import { BenchGuest, BenchRam, publishSpace } from './guest.js';
import { type ReaderJob, runReaderJobsInWorker } from './reader-micro.js';
import type { BenchMicroRow } from './report-types.js';
import { RAM_WORKLOADS } from './throughput.js';
import { blackhole, type MicroTask, runTasks } from './tinybench-run.js';
import { vcpuLoopTasks } from './vcpu-micro.js';

export interface MicroPlan {
  /** tinybench time budget per task, ms. */
  readonly taskMs: number;
  readonly warmupMs: number;
  /** Range counts of the lookup rows. */
  readonly lookupRanges: readonly number[];
  /** Leaf count of the diff and dispatch rows. */
  readonly diffRegions: number;
}

const STRATEGIES: readonly Strategy[] = ['rcu', 'seqlock', 'mutex', 'none'];
const REPS = 1024;
const nullOps: RegionOps = { read: () => true, write: () => true };

export async function measureMicro(plan: MicroPlan): Promise<BenchMicroRow[]> {
  const cleanups: (() => void)[] = [];
  try {
    const timing = { taskMs: plan.taskMs, warmupMs: plan.warmupMs };
    const ram = new BenchRam(1 << 20);
    cleanups.push(() => ram.release());
    // Reader jobs, one worker per strategy; the rcu worker also does lookups and doorbells.
    const jobs = new Map<Strategy, ReaderJob[]>(STRATEGIES.map((s) => [s, []]));
    const guests = new Map<Strategy, BenchGuest>();
    for (const strategy of STRATEGIES) {
      const guest = new BenchGuest(ram, { strategy });
      cleanups.push(() => guest.destroy());
      guests.set(strategy, guest);
      jobs.get(strategy)!.push({
        name: `reader readU32, cache hit (${strategy})`,
        group: 'translate',
        handle: readerHandle(guest.publisher, cleanups),
        op: 'read',
        gpas: Float64Array.from({ length: REPS }, (_, i) => i * 4),
      });
      jobs.get(strategy)!.push({
        name: `reader writeU32, cache hit (${strategy})`,
        group: 'translate',
        handle: readerHandle(guest.publisher, cleanups),
        op: 'write',
        gpas: Float64Array.from({ length: REPS }, (_, i) => i * 4),
      });
    }
    const mainTasks = [...coreTranslateTasks(ram, guests.get('rcu')!)];
    for (const count of plan.lookupRanges) {
      const space = lookupSpace(count, cleanups);
      const publisher = publishSpace(space, { check: false, history: false });
      cleanups.push(() => {
        space.detachPublisher();
        publisher.close();
      });
      const gpas = lookupAddresses(count);
      jobs.get('rcu')!.push({
        name: `reader translate, ${label(count)} ranges (page index)`,
        group: 'lookup',
        handle: readerHandle(publisher, cleanups),
        op: 'translate',
        gpas,
      });
      mainTasks.push(findFlatRangeTask(space, count, gpas));
    }
    mainTasks.push(...diffTasks(plan.diffRegions, cleanups));
    const rcu = guests.get('rcu')!;
    jobs.get('rcu')!.push({
      name: 'doorbell write via reader (match + signal, rcu)',
      group: 'ioeventfd',
      handle: readerHandle(rcu.publisher, cleanups),
      op: 'write',
      gpas: new Float64Array(REPS).fill(rcu.doorbellGpa),
    });
    // Dirty logging (SPEC 10): the same writes through a reader of a space logging or not.
    const logged = new BenchGuest(ram, { strategy: 'rcu' });
    cleanups.push(() => logged.destroy());
    await logged.space.startDirtyLog();
    const writes = Float64Array.from({ length: REPS }, (_, i) => i * 64); // 16 pages
    for (const [name, guest] of [
      ['off', rcu],
      ['on', logged],
    ] as const) {
      jobs.get('rcu')!.push({
        name: `reader writeU32, cache hit, dirty log ${name} (rcu)`,
        group: 'dirty-log',
        handle: readerHandle(guest.publisher, cleanups),
        op: 'write',
        gpas: writes,
      });
    }
    mainTasks.push(signalTask());
    mainTasks.push(...generatorTasks(), ...vcpuLoopTasks());

    const rows = await runTasks(mainTasks, timing);
    for (const strategy of STRATEGIES) {
      rows.push(...(await runReaderJobsInWorker({ jobs: jobs.get(strategy)!, timing })));
    }
    rcu.doorbellFd.read();
    return orderRows(rows);
  } finally {
    for (const cleanup of cleanups.reverse()) cleanup();
  }
}

const GROUP_ORDER = ['translate', 'lookup', 'diff', 'ioeventfd', 'dirty-log', 'workload'];

/** Groups in `GROUP_ORDER`, readers before the core within a group, otherwise as measured. */
function orderRows(rows: BenchMicroRow[]): BenchMicroRow[] {
  const rank = (r: BenchMicroRow) =>
    GROUP_ORDER.indexOf(r.group) * 2 + (r.name.startsWith('reader') ? 0 : 1);
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => rank(a.row) - rank(b.row) || a.i - b.i)
    .map((x) => x.row);
}

function label(count: number): string {
  return count >= 1024 ? `${count / 1024}k` : String(count);
}

/** A reader slot of `publisher` and its handle; the slot is released by the cleanup. */
function readerHandle(
  publisher: BenchGuest['publisher'],
  cleanups: (() => void)[],
): ReaderJob['handle'] {
  const index = publisher.allocateReader();
  cleanups.push(() => publisher.releaseReader(index));
  return publisher.readerHandle(index);
}

/** The scale (a plain typed-array read) and the owner's RegionCache path. */
function coreTranslateTasks(ram: BenchRam, guest: BenchGuest): MicroTask[] {
  const words = new Uint32Array(ram.mapping.buffer);
  const space = guest.space;
  const cache = space.getRegionCache(0);
  return [
    {
      name: 'typed array read, no translation',
      group: 'translate',
      reps: REPS,
      fn: () => {
        let s = 0;
        for (let i = 0; i < REPS; i++) s += words[i]!;
        blackhole.value ^= s;
      },
    },
    {
      name: 'AddressSpace.getHostAddressFromCache, hit',
      group: 'translate',
      reps: REPS,
      fn: () => {
        let s = 0;
        for (let i = 0; i < REPS; i++) s += space.getHostAddressFromCache(i * 4, cache)![0];
        blackhole.value ^= s;
      },
    },
  ];
}

const LOOKUP_STRIDE = 0x2000;
const LOOKUP_SIZE = 0x1000;

/** `count` IO regions of 4 KiB on an 8 KiB stride: `count` ranges with holes between. */
function lookupSpace(count: number, cleanups: (() => void)[]): AddressSpace {
  const root = Region.initContainerRegion(count * LOOKUP_STRIDE, `lookup${count}`);
  for (let i = 0; i < count; i++) {
    root.addSubregionNotUpdate(
      Region.initIoRegion(LOOKUP_SIZE, nullOps, `io${i}`),
      i * LOOKUP_STRIDE,
    );
  }
  const space = new AddressSpace(root, `lookup${count}`);
  cleanups.push(() => space.destroy());
  return space;
}

/** Random addresses inside the ranges of a lookup space (fixed seed). */
function lookupAddresses(count: number): Float64Array {
  const out = new Float64Array(REPS);
  let s = 0x9e3779b9;
  for (let i = 0; i < REPS; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s % count) * LOOKUP_STRIDE + ((s >>> 20) % LOOKUP_SIZE);
  }
  return out;
}

function findFlatRangeTask(space: AddressSpace, count: number, gpas: Float64Array): MicroTask {
  const view = space.flatView;
  return {
    name: `FlatView.findFlatRange, ${label(count)} ranges`,
    group: 'lookup',
    reps: REPS,
    fn: () => {
      let s = 0;
      for (let i = 0; i < REPS; i++) s += view.findFlatRange(gpas[i]!)!.offsetInRegion;
      blackhole.value ^= s;
    },
  };
}

/** A listener that counts requests. */
function countingListener(): Listener {
  let on = false;
  return {
    priority: () => 0,
    enabled: () => on,
    enable: () => {
      on = true;
    },
    disable: () => {
      on = false;
    },
    handleRequest: () => {
      blackhole.value++;
    },
  };
}

function diffTasks(regions: number, cleanups: (() => void)[]): MicroTask[] {
  const space = lookupSpace(regions, cleanups);
  const root = space.root;
  const view = space.flatView;
  const ranges = view.rangeCount;
  const middle = (regions >> 1) * LOOKUP_STRIDE;
  const window: readonly [number, number] = [middle, middle + LOOKUP_SIZE];
  const listener = countingListener();
  const label = `${regions / 1000}k`;
  return [
    {
      name: `diff: full re-render + diff, ${label} regions`,
      group: 'diff',
      reps: 1,
      fn: () => {
        blackhole.value ^= stageView(root, view, undefined) === undefined ? 1 : 0;
      },
    },
    {
      name: `diff: one leaf's window, ${label} regions`,
      group: 'diff',
      reps: 1,
      fn: () => {
        blackhole.value ^= stageView(root, view, [window]) === undefined ? 1 : 0;
      },
    },
    {
      // register replays AddRegion per range, unregister sends DeleteRegion per range.
      name: 'listener dispatch, per request',
      group: 'diff',
      reps: 2 * ranges,
      fn: () => {
        space.registerListener(listener);
        space.unregisterListener(listener);
      },
    },
  ];
}

/**
 * What a vCPU spends per access before it touches memory: the next access of each RAM
 * workload over 64 MiB (the throughput rows' RAM), one at a time (`next`) and in blocks
 * (`fill`, the slice's way). It is part of every throughput row,
 * raw included, so it bounds how far apart strategies can be there.
 */
function generatorTasks(): MicroTask[] {
  const block = new AccessBlock(256);
  const fills = RAM_WORKLOADS.map((kind): MicroTask => {
    const gen = new AccessGenerator({ kind, seed: 1, ram: [{ base: 0, size: 64 * 2 ** 20 }] });
    return {
      name: `AccessGenerator.fill (${kind}, blocks of 256, per access)`,
      group: 'workload',
      reps: REPS,
      fn: () => {
        let s = 0;
        for (let done = 0; done < REPS; done += 256) {
          gen.fill(block, Math.min(256, REPS - done));
          s += block.gpa[0]!;
        }
        blackhole.value ^= s;
      },
    };
  });
  const nexts = RAM_WORKLOADS.map((kind): MicroTask => {
    const gen = new AccessGenerator({ kind, seed: 1, ram: [{ base: 0, size: 64 * 2 ** 20 }] });
    return {
      name: `AccessGenerator.next (${kind})`,
      group: 'workload',
      reps: REPS,
      fn: () => {
        let s = 0;
        for (let i = 0; i < REPS; i++) {
          gen.next();
          s += gen.gpa;
        }
        blackhole.value ^= s;
      },
    };
  });
  return [...nexts, ...fills];
}

function signalTask(): MicroTask {
  const fd = new EventFd();
  return {
    name: 'EventFd.signal',
    group: 'ioeventfd',
    reps: REPS,
    fn: () => {
      for (let i = 0; i < REPS; i++) fd.signal();
      fd.read();
    },
  };
}
