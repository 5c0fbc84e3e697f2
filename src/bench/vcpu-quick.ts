/**
 * A quick vCPU-layer measurement: accesses per second per vCPU for the same RAM workload
 * under `raw` (no translation), `rcu` and `none`, one after the other in the same process,
 * and the MMIO exit round trip (p50/p99, measured by the vCPU) on a UART register.
 *
 *   npm run build && node dist/src/bench/vcpu-quick.js [vcpus] [seconds] [workload]
 *
 * Each strategy runs in several short rounds, interleaved with the others, and reports
 * the median per vCPU, so that a busy host does not favour one row. *
 * Guest RAM is committed before the run (first-touch page faults would dominate a random
 * workload otherwise). Prints one table; no churn, so this is the read-side cost of each
 * strategy alone. It measures; it asserts nothing.
 */
import { availableParallelism } from 'node:os';
import { SharedViewPublisher } from '../concurrent/publication/publisher.js';
import type { Strategy } from '../concurrent/reader/reader-api.js';
import type { WorkloadKind } from '../concurrent/vcpu/access-pattern.js';
import { VcpuPool } from '../concurrent/vcpu/vcpu-pool.js';
import { AddressSpace } from '../core/address-space.js';
import { Region } from '../core/region.js';
import { HostMemMapping } from '../host/mapping.js';

const vcpus = Number(process.argv[2] ?? availableParallelism());
const seconds = Number(process.argv[3] ?? 2);
const kind = (process.argv[4] ?? 'random') as WorkloadKind;
const RAM = 64 << 20;
const UART = 0x1000_0000;

function space(strategy: Strategy) {
  const root = Region.initContainerRegion(2 ** 32, 'root');
  const mapping = HostMemMapping.create({ size: RAM, name: 'ram' });
  mapping.bytes.fill(1); // commit every page now: first-touch faults are not what we measure
  root.addSubregion(Region.initRamRegion(mapping, 'ram'), 0);
  const lsr = {
    read: (d: Uint8Array) => {
      d.fill(0x60); // line status: transmitter empty
      return true;
    },
    write: () => true,
  };
  root.addSubregion(Region.initIoRegion(8, lsr, 'uart'), UART);
  const as = new AddressSpace(root, 'memory');
  const publisher = SharedViewPublisher.attachTo(as as never, { strategy, check: false });
  return { publisher, mapping };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Accesses per second of each vCPU of `pool` over one round of `ms`. */
async function round(pool: VcpuPool, ms: number): Promise<number[]> {
  pool.start(workload);
  await pool.whenRunning();
  await sleep(50); // let the first slices settle
  const before = Array.from({ length: vcpus }, (_, v) => pool.counters(v).accesses);
  const t0 = performance.now();
  await sleep(ms);
  const dt = (performance.now() - t0) / 1000;
  const after = Array.from({ length: vcpus }, (_, v) => pool.counters(v).accesses);
  await pool.stop();
  return after.map((a, v) => (a - before[v]!) / dt);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

const workload = { kind, seed: 1, ram: [{ base: 0, size: RAM }] };
const STRATEGIES = ['raw', 'rcu', 'none'] as const;
const pools = STRATEGIES.map((strategy) => {
  if (strategy !== 'raw') return new VcpuPool({ vcpus, publisher: space(strategy).publisher });
  const buffer = new SharedArrayBuffer(RAM);
  new Uint8Array(buffer).fill(1);
  return new VcpuPool({ vcpus, memory: { kind: 'raw', handle: { buffer, base: 0 } } });
});
// Short rounds, strategies interleaved (rotating order), median per vCPU: a busy host
// shifts all rows alike instead of whichever row ran during a noisy second.
const ROUNDS = 6;
const perRound: number[][][] = STRATEGIES.map(() => []);
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < STRATEGIES.length; k++) {
    const s = (r + k) % STRATEGIES.length;
    perRound[s]!.push(await round(pools[s]!, (seconds * 1000) / ROUNDS));
  }
}
for (const [s, pool] of pools.entries()) {
  for (const lost of pool.lost) {
    console.log(`warning: ${STRATEGIES[s]} vCPU ${lost.vcpu} lost: ${lost.error}`);
  }
  await pool.destroy();
}
const rows = STRATEGIES.map((strategy, s) => ({
  strategy,
  perVcpu: Array.from({ length: vcpus }, (_, v) => median(perRound[s]!.map((x) => x[v]!))),
}));

// MMIO round trip: every access of vCPU 0 is an LSR read that exits to the owner.
const { publisher } = space('rcu');
const mmioPool = new VcpuPool({ vcpus: 1, publisher });
mmioPool.start({ kind: 'mmio', seed: 1, mmio: [{ gpa: UART + 5, size: 1, isWrite: false }] });
await mmioPool.whenRunning();
const latencies: number[] = [];
const mmioUntil = performance.now() + seconds * 1000;
while (performance.now() < mmioUntil) {
  await sleep(20); // drain often: each vCPU's latency ring holds 8192 round trips
  mmioPool.drainMmioLatencies((us) => latencies.push(us));
}
await mmioPool.stop();
mmioPool.drainMmioLatencies((us) => latencies.push(us));
await mmioPool.destroy();
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? 0;

const none = rows.find((r) => r.strategy === 'none')!;
console.log(
  `vcpus ${vcpus}, workload ${kind} over ${RAM >> 20} MiB, ${seconds} s per row in ${ROUNDS} interleaved rounds (median), no churn`,
);
for (const r of rows) {
  const per = r.perVcpu.map((x) => `${(x / 1e6).toFixed(2)}M`).join(' ');
  console.log(
    `${r.strategy.padEnd(5)} accesses/s per vCPU: ${per}  mean ${(mean(r.perVcpu) / 1e6).toFixed(2)}M  ratioToNone ${(mean(r.perVcpu) / mean(none.perVcpu)).toFixed(3)}`,
  );
}
console.log(
  `mmio round trip (vCPU-measured, ${latencies.length} exits): p50 ${pct(50).toFixed(1)} us, p99 ${pct(99).toFixed(1)} us`,
);
