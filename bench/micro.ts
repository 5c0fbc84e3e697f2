/**
 * Single-thread paths timed with tinybench, on the owner thread:
 *
 * - `translate`: one guest read on a RegionCache hit, through a `SharedView` reader of
 *   each strategy (uncontended: what the strategy costs per access by itself), through
 *   the owner's `getHostAddressFromCache`, and a plain typed-array read for scale;
 * - `lookup`: a cold lookup of a random address among 16, 1k and 16k ranges, through a
 *   reader's `translate` (last-row check, then binary search over the published columns;
 *   the product has no page-indexed shortcut) and through `FlatView.findFlatRange`;
 * - `diff`: building the next view (render + diff against the old one), for the whole
 *   space and for one leaf's window, and listener dispatch per request;
 * - `ioeventfd`: `EventFd.signal()`, and a doorbell write through a reader (lookup,
 *   ioeventfd match, signal).
 *
 * Each tinybench call runs a loop of `reps` operations, so the timer's own cost (tens of
 * ns) does not swamp operations of a few ns; rows are per operation. It measures only;
 * none of the structures it builds outlive the call.
 */
import { Bench } from 'tinybench';
import type { PublishedViewReader, Strategy } from '../src/concurrent/reader-api.js';
import { SharedView } from '../src/concurrent/shared-view.js';
import { Translation } from '../src/concurrent/view-reader.js';
import { AddressSpace } from '../src/core/address-space.js';
import type { Listener } from '../src/core/listeners.js';
import { Region } from '../src/core/region.js';
import type { RegionOps } from '../src/core/types.js';
import { stageView } from '../src/core/view-update.js';
import { EventFd } from '../src/host/event-fd.js';
import type { BenchMicroRow } from '../src/sim/report-types.js';
import { BenchGuest, BenchRam, publishSpace } from './guest.js';
import { significant } from './timing.js';

export interface MicroPlan {
  /** tinybench time budget per task, ms. */
  readonly taskMs: number;
  readonly warmupMs: number;
  /** Range counts of the lookup rows. */
  readonly lookupRanges: readonly number[];
  /** Leaf count of the diff and dispatch rows. */
  readonly diffRegions: number;
}

interface MicroTask {
  readonly name: string;
  readonly group: string;
  /** Operations one call performs. */
  readonly reps: number;
  readonly fn: () => void;
}

const STRATEGIES: readonly Strategy[] = ['rcu', 'seqlock', 'mutex', 'none'];
const REPS = 1024;
const nullOps: RegionOps = { read: () => true, write: () => true };
/** Keeps results alive so the JIT cannot drop the work. */
let sink = 0;

export async function measureMicro(plan: MicroPlan): Promise<BenchMicroRow[]> {
  const cleanups: (() => void)[] = [];
  try {
    const tasks = [
      ...translateTasks(cleanups),
      ...lookupTasks(plan.lookupRanges, cleanups),
      ...diffTasks(plan.diffRegions, cleanups),
      ...ioeventfdTasks(cleanups),
    ];
    return await runTasks(tasks, plan);
  } finally {
    for (const cleanup of cleanups.reverse()) cleanup();
  }
}

async function runTasks(tasks: readonly MicroTask[], plan: MicroPlan): Promise<BenchMicroRow[]> {
  const bench = new Bench({ time: plan.taskMs, warmupTime: plan.warmupMs, throws: true });
  for (const t of tasks) bench.add(t.name, t.fn);
  await bench.run();
  return tasks.map((t, i) => {
    const result = bench.tasks[i]!.result;
    if (result.state !== 'completed') throw new Error(`micro bench ${t.name}: ${result.state}`);
    const meanNs = (result.latency.mean * 1e6) / t.reps;
    return {
      name: t.name,
      group: t.group,
      opsPerSecond: significant(1e9 / meanNs),
      meanNs: significant(meanNs),
      p99Ns: significant((result.latency.p99 * 1e6) / t.reps),
      samples: result.latency.samplesCount ?? 0,
    };
  });
}

/** A reader of `guest` on this thread, online; offline and released by the cleanup. */
function attachReader(guest: BenchGuest, cleanups: (() => void)[]): PublishedViewReader {
  const index = guest.publisher.allocateReader();
  const reader = SharedView.attach(guest.publisher.readerHandle(index));
  reader.online();
  cleanups.push(() => {
    reader.offline();
    guest.publisher.releaseReader(index);
  });
  return reader;
}

function translateTasks(cleanups: (() => void)[]): MicroTask[] {
  const ram = new BenchRam(1 << 20);
  cleanups.push(() => ram.release());
  const words = new Uint32Array(ram.mapping.buffer);
  const tasks: MicroTask[] = [
    {
      name: 'typed array read, no translation',
      group: 'translate',
      reps: REPS,
      fn: () => {
        let s = 0;
        for (let i = 0; i < REPS; i++) s += words[i]!;
        sink ^= s;
      },
    },
  ];
  for (const strategy of STRATEGIES) {
    const guest = new BenchGuest(ram, { strategy });
    cleanups.push(() => guest.destroy());
    const reader = attachReader(guest, cleanups);
    tasks.push({
      name: `reader readU32, cache hit (${strategy})`,
      group: 'translate',
      reps: REPS,
      fn: () => {
        let s = 0;
        for (let i = 0; i < REPS; i++) s += reader.readU32(i * 4);
        sink ^= s;
      },
    });
  }
  const guest = new BenchGuest(ram, { strategy: 'rcu' });
  cleanups.push(() => guest.destroy());
  const space = guest.space;
  const cache = space.getRegionCache(0);
  tasks.push({
    name: 'AddressSpace.getHostAddressFromCache, hit',
    group: 'translate',
    reps: REPS,
    fn: () => {
      let s = 0;
      for (let i = 0; i < REPS; i++) s += space.getHostAddressFromCache(i * 4, cache)![0];
      sink ^= s;
    },
  });
  return tasks;
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

function lookupTasks(counts: readonly number[], cleanups: (() => void)[]): MicroTask[] {
  const tasks: MicroTask[] = [];
  for (const count of counts) {
    const space = lookupSpace(count, cleanups);
    const publisher = publishSpace(space, { check: false, history: false });
    cleanups.push(() => {
      space.detachPublisher();
      publisher.close();
    });
    const index = publisher.allocateReader();
    const reader = SharedView.attach(publisher.readerHandle(index));
    reader.online();
    cleanups.push(() => reader.offline());
    const addresses = lookupAddresses(count);
    const out = new Translation();
    const label = count >= 1024 ? `${count / 1024}k` : String(count);
    tasks.push({
      name: `reader translate, ${label} ranges (binary search)`,
      group: 'lookup',
      reps: REPS,
      fn: () => {
        let s = 0;
        for (let i = 0; i < REPS; i++) {
          reader.translate(addresses[i]!, out);
          s += out.regionId;
        }
        sink ^= s;
      },
    });
    const view = space.flatView;
    tasks.push({
      name: `FlatView.findFlatRange, ${label} ranges`,
      group: 'lookup',
      reps: REPS,
      fn: () => {
        let s = 0;
        for (let i = 0; i < REPS; i++) s += view.findFlatRange(addresses[i]!)!.offsetInRegion;
        sink ^= s;
      },
    });
  }
  return tasks;
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
      sink++;
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
        sink ^= stageView(root, view, undefined) === undefined ? 1 : 0;
      },
    },
    {
      name: `diff: one leaf's window, ${label} regions`,
      group: 'diff',
      reps: 1,
      fn: () => {
        sink ^= stageView(root, view, [window]) === undefined ? 1 : 0;
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

function ioeventfdTasks(cleanups: (() => void)[]): MicroTask[] {
  const fd = new EventFd();
  const ram = new BenchRam(1 << 16);
  cleanups.push(() => ram.release());
  const guest = new BenchGuest(ram, { strategy: 'rcu' });
  cleanups.push(() => guest.destroy());
  const reader = attachReader(guest, cleanups);
  const doorbell = guest.doorbellGpa;
  return [
    {
      name: 'EventFd.signal',
      group: 'ioeventfd',
      reps: REPS,
      fn: () => {
        for (let i = 0; i < REPS; i++) fd.signal();
        fd.read();
      },
    },
    {
      name: 'doorbell write via reader (match + signal, rcu)',
      group: 'ioeventfd',
      reps: REPS,
      fn: () => {
        for (let i = 0; i < REPS; i++) reader.writeU32(doorbell, i);
        guest.doorbellFd.read();
      },
    },
  ];
}
