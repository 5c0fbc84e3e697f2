/**
 * The stalled-reader section of the bench (SPEC 7, `bench --json` `stalledReader`): per
 * strategy and stall length, vCPU 0 stops inside one RAM read for `stallMs` every
 * `everyMs` (the vCPU pool's `stall` option) while the owner plugs and unplugs RAM blocks
 * at a steady rate and the other vCPUs run a random workload. One row measures what the
 * stall cost: the most guest memory and table memory retired but not yet reclaimable at
 * any moment (`retainedBytesMax`), publish-to-reclaimable latency, the owner's time
 * inside the strategy's publishing calls, and the other vCPUs' accesses per second.
 *
 * The guest: RAM at 0 for the workloads, and a hotplug window above it of `SLOTS` slots
 * of `BLOCK` bytes. A block goes back to the pool only through `whenReclaimed` (a real
 * hotplug pool's rule); when the pool is empty the owner makes a new block rather than
 * wait, so retention is the strategy's, never throttled by the owner. Check mode is off
 * (no poisoning), as in production. It measures; it judges nothing.
 */
import { wallClockMs } from '../base/clock.js';
import { SharedViewPublisher } from '../concurrent/publication/publisher.js';
import type { Strategy } from '../concurrent/reader/reader-api.js';
import { VcpuPool } from '../concurrent/vcpu/vcpu-pool.js';
import { AddressSpace } from '../core/address-space.js';
import { Region } from '../core/region.js';
import { HostMemMapping } from '../host/mapping.js';
import { summarize } from '../sim/stats.js';
import type { BenchStalledReaderRow } from './report-types.js';
import { sleep } from './timing.js';

export interface StalledReaderPlan {
  readonly strategies: readonly Strategy[];
  readonly stallMs: readonly number[];
  /** A stall every this many ms (the run's `--stall` uses 1000). */
  readonly everyMs: number;
  /** vCPUs, at least 2: vCPU 0 stalls, the others are measured. */
  readonly vcpus: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** Hotplug changes per second. */
  readonly churnPerSecond: number;
  readonly seed: number;
}

const RAM_BYTES = 16 * 2 ** 20;
const SLOTS = 8;
const BLOCK = 2 ** 20;
/** Longer than any stall: a stalled reader is slow, not dead, and is never evicted. */
const LEASE_MS = 30_000;

/** RAM for the vCPUs and a hotplug window the owner churns, published under `strategy`. */
class StallGuest {
  readonly publisher: SharedViewPublisher;
  readonly space: AddressSpace;
  created = 0;
  private readonly root: Region;
  private readonly pool: HostMemMapping[] = [];
  private readonly plugged: (Region | undefined)[] = new Array(SLOTS).fill(undefined);
  private next = 0;

  constructor(strategy: Strategy, vcpus: number) {
    this.root = Region.initContainerRegion(RAM_BYTES + SLOTS * BLOCK, `stall-${strategy}`);
    const ram = HostMemMapping.create({ size: RAM_BYTES, name: 'ram' });
    this.root.addSubregionNotUpdate(Region.initRamRegion(ram, 'ram'), 0);
    this.space = new AddressSpace(this.root, `stall-${strategy}`);
    this.publisher = SharedViewPublisher.attachTo(this.space, {
      strategy,
      check: false,
      history: false,
      maxReaders: vcpus + 2,
      leaseMs: LEASE_MS,
    });
  }

  /** Plugs the next empty slot or unplugs the next full one (slots in turn). */
  step(): void {
    const slot = this.next;
    this.next = (this.next + 1) % SLOTS;
    const dimm = this.plugged[slot];
    if (dimm !== undefined) {
      this.root.deleteSubregion(dimm);
      this.plugged[slot] = undefined;
      const mapping = dimm.mapping!;
      this.publisher.whenReclaimed(mapping, () => this.pool.push(mapping));
      return;
    }
    let mapping = this.pool.pop();
    if (mapping === undefined) {
      this.created++;
      mapping = HostMemMapping.create({ size: BLOCK, name: `dimm${this.created}` });
    }
    const region = Region.initRamRegion(mapping, `dimm@${slot}`);
    this.root.addSubregion(region, RAM_BYTES + slot * BLOCK);
    this.plugged[slot] = region;
  }

  destroy(): void {
    this.space.detachPublisher();
    this.publisher.close();
    this.space.destroy();
  }
}

/** One row per (stall length, strategy), stall lengths outermost. */
export async function measureStalledReader(
  plan: StalledReaderPlan,
): Promise<BenchStalledReaderRow[]> {
  const rows: BenchStalledReaderRow[] = [];
  for (const stallMs of plan.stallMs) {
    for (const strategy of plan.strategies) rows.push(await measureRow(plan, strategy, stallMs));
  }
  return rows;
}

async function measureRow(
  plan: StalledReaderPlan,
  strategy: Strategy,
  stallMs: number,
): Promise<BenchStalledReaderRow> {
  const vcpus = Math.max(2, plan.vcpus);
  const guest = new StallGuest(strategy, vcpus);
  const pool = new VcpuPool({
    vcpus,
    publisher: guest.publisher,
    stall: { vcpu: 0, ms: stallMs, everyMs: plan.everyMs },
  });
  let churning = true;
  const churn = (async () => {
    const started = performance.now();
    let done = 0;
    while (churning) {
      const due = Math.floor(((performance.now() - started) * plan.churnPerSecond) / 1000);
      // A blocked owner does not burst afterwards: at most 16 changes per turn.
      for (let n = 0; done < due && n < 16; n++, done++) guest.step();
      await sleep(1);
    }
  })();
  try {
    pool.start({ kind: 'random', seed: plan.seed, ram: [{ base: 0, size: RAM_BYTES }] });
    await pool.whenRunning();
    await sleep(plan.warmupMs);
    const others = () => {
      let n = 0;
      for (let v = 1; v < vcpus; v++) n += pool.counters(v).accesses;
      return n;
    };
    const before = { accesses: others(), ms: wallClockMs(), stalls: pool.counters(0).stalls };
    const blockedBefore = guest.publisher.stats().ownerBlockedUs;
    await sleep(plan.measureMs);
    const after = { accesses: others(), ms: wallClockMs(), stalls: pool.counters(0).stalls };
    churning = false;
    await churn;
    await pool.stop();
    const stats = guest.publisher.stats();
    const latency = summarize(stats.reclaimLatencyUs);
    const seconds = (after.ms - before.ms) / 1000;
    return {
      strategy,
      stallMs,
      retainedBytesMax: stats.retainedBytesMax,
      reclaimLatencyUs: { p50: Math.round(latency.p50), p99: Math.round(latency.p99) },
      ownerBlockedUs: Math.round(stats.ownerBlockedUs - blockedBefore),
      accessesPerSecond: Math.round((after.accesses - before.accesses) / seconds),
      stalls: after.stalls - before.stalls,
      vcpus,
      churnPerSecond: plan.churnPerSecond,
      measuredSeconds: Math.round(seconds * 100) / 100,
    };
  } finally {
    churning = false;
    await churn;
    await pool.destroy();
    guest.destroy();
  }
}
