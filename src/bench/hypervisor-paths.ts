/**
 * Two hypervisor paths of a vCPU write, each measured on and off with the product's own
 * vCPU pool (one vCPU, rcu):
 *
 * - `doorbells`: a vCPU writing a doorbell register over and over, with
 *   hyp_ioevtfd_enabled on (the vCPU matches the ioeventfd and signals it inside its own
 *   thread, as KVM does) and off (every doorbell is an MMIO exit: the vCPU posts it to its
 *   mailbox and waits until the owner matched it, `matchExitedWrite`, and signalled).
 * - `dirtyLog`: the writes-only `seq` workload (every access a 4-byte write) with dirty
 *   logging off and on (SPEC 10). Off, the write path is the unmarked first-level cache;
 *   on, each write stores and then `Atomics.or`s its page's bit. The difference per
 *   write is what marking costs.
 *
 * Method: interleaved rounds (off, on, off, on, ...), each a counter reading, one round
 * long, after a warm-up; the row is the median round. Measures only.
 */
import { VcpuPool } from '../concurrent/vcpu/vcpu-pool.js';
import { BenchGuest, type BenchRam } from './guest.js';
import type { BenchDirtyLogRow, BenchDoorbellRow } from './report-types.js';
import { median, sleep } from './timing.js';

export interface HypervisorPathsPlan {
  readonly rounds: number;
  readonly roundMs: number;
  readonly warmupMs: number;
  readonly seed: number;
}

/** Counter delta of `pool` over one round: [accesses, writes, mmioExits, ioeventfdSignals, seconds]. */
async function round(pool: VcpuPool, ms: number): Promise<number[]> {
  const a = pool.counters();
  const t0 = performance.now();
  await sleep(ms);
  const b = pool.counters();
  const seconds = (performance.now() - t0) / 1000;
  return [
    b.accesses - a.accesses,
    b.writes - a.writes,
    b.mmioExits - a.mmioExits,
    b.ioeventfdSignals - a.ioeventfdSignals,
    seconds,
  ];
}

export async function measureDoorbells(
  plan: HypervisorPathsPlan,
  ram: BenchRam,
): Promise<BenchDoorbellRow[]> {
  const sides = [true, false].map((hyp) => {
    const guest = new BenchGuest(ram, { strategy: 'rcu', hypIoeventfd: hyp });
    const pool = new VcpuPool({
      vcpus: 1,
      publisher: guest.publisher,
      doorbells: guest.space,
      sliceMs: 25,
    });
    return {
      hyp,
      guest,
      pool,
      rates: [] as number[],
      exits: [] as number[],
      signals: [] as number[],
    };
  });
  try {
    for (const side of sides) {
      side.pool.start({
        kind: 'mmio',
        seed: plan.seed,
        mmio: [
          {
            name: 'doorbell',
            gpa: side.guest.doorbellGpa,
            size: 4,
            isWrite: true,
            value: 1,
            weight: 1,
          },
        ],
      });
      await side.pool.whenRunning();
      await side.pool.pause();
    }
    for (let r = 0; r < plan.rounds; r++) {
      for (const side of r % 2 === 0 ? sides : [...sides].reverse()) {
        side.pool.resume();
        await sleep(plan.warmupMs);
        const [, writes, exits, signals, seconds] = await round(side.pool, plan.roundMs);
        await side.pool.pause();
        side.guest.doorbellFd.read();
        side.rates.push(writes! / seconds!);
        side.exits.push(exits! / Math.max(1, writes!));
        side.signals.push(signals! / Math.max(1, writes!));
      }
    }
    return sides.map((s) => {
      const rate = median(s.rates);
      return {
        hypIoeventfd: s.hyp,
        path: s.hyp ? 'signal inside the vCPU' : 'MMIO exit, owner signals',
        doorbellsPerSecond: Math.round(rate),
        nsPerDoorbell: rate > 0 ? Math.round(1e9 / rate) : 0,
        exitsPerDoorbell: Math.round(median(s.exits) * 100) / 100,
        vcpuSignalsPerDoorbell: Math.round(median(s.signals) * 100) / 100,
      };
    });
  } finally {
    for (const s of sides) {
      await s.pool.destroy();
      s.guest.destroy();
    }
  }
}

export async function measureDirtyLog(
  plan: HypervisorPathsPlan,
  ram: BenchRam,
): Promise<BenchDirtyLogRow[]> {
  const guest = new BenchGuest(ram, { strategy: 'rcu' });
  const pool = new VcpuPool({ vcpus: 1, publisher: guest.publisher, sliceMs: 25 });
  const rates: Record<'off' | 'on', number[]> = { off: [], on: [] };
  try {
    pool.start({ kind: 'seq', seed: plan.seed, ram: guest.ramRanges(), readRatio: 0 });
    await pool.whenRunning();
    await sleep(plan.warmupMs);
    for (let r = 0; r < plan.rounds; r++) {
      for (const logging of r % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        if (logging === 'on') await guest.space.startDirtyLog();
        else guest.space.stopDirtyLog();
        await sleep(plan.warmupMs / 2);
        const [accesses, , , , seconds] = await round(pool, plan.roundMs);
        rates[logging].push(accesses! / seconds!);
        guest.space.syncDirtyLog();
      }
    }
    guest.space.stopDirtyLog();
  } finally {
    await pool.destroy();
    guest.destroy();
  }
  const off = median(rates.off);
  return (['off', 'on'] as const).map((logging) => {
    const rate = median(rates[logging]);
    return {
      strategy: 'rcu',
      vcpus: 1,
      workload: 'seq, writes only',
      logging,
      writesPerSecond: Math.round(rate),
      nsPerWrite: rate > 0 ? Math.round((1e9 / rate) * 10) / 10 : 0,
      ratioToOff: off > 0 ? Math.round((rate / off) * 1000) / 1000 : 0,
    };
  });
}
