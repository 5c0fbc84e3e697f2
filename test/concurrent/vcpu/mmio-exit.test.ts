/**
 * MMIO exits end to end: vCPU pool threads (real workers, dist/workers/vcpu.js: build
 * first) run `mmio` workloads against a real AddressSpace published through a
 * SharedViewPublisher; the owner serves the exits with the regions' ops.
 *
 *   0x0          0x10_0000                0x1000_0000   0x1000_1000   0x2000_0000   0x3000_0000
 *   | RAM 1 MiB |          ...           | uart0 (IO) | uart1 (IO) | ... | doorbell (IO) | ... | faulty (IO) |
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SharedViewPublisher } from '../../../src/concurrent/publication/publisher.js';
import { STRATEGIES, type Strategy } from '../../../src/concurrent/reader/reader-api.js';
import {
  AccessGenerator,
  type WorkloadDescription,
} from '../../../src/concurrent/vcpu/access-pattern.js';
import { regionIoHandler } from '../../../src/concurrent/vcpu/mmio-server.js';
import { VcpuPool, type VcpuPoolOptions } from '../../../src/concurrent/vcpu/vcpu-pool.js';
import { AddressSpace } from '../../../src/core/address-space.js';
import { Region } from '../../../src/core/region.js';
import type { RegionOps } from '../../../src/core/types.js';
import { EventFd } from '../../../src/host/event-fd.js';
import { HostMemMapping } from '../../../src/host/mapping.js';

const workerFile = fileURLToPath(new URL('../../../dist/workers/vcpu.js', import.meta.url));
const UART0 = 0x1000_0000;
const UART1 = 0x1000_1000;
const DOORBELL = 0x2000_0000;
const FAULTY = 0x3000_0000;

/** A device that logs every access as `r|w offset size [bytes]`; reads return 0x5A bytes. */
function loggingDevice(log: string[]): RegionOps {
  return {
    read(data, _base, offset) {
      log.push(`r ${offset} ${data.length}`);
      data.fill(0x5a);
      return true;
    },
    write(data, _base, offset) {
      log.push(`w ${offset} ${data.length} ${Array.from(data).join(',')}`);
      return true;
    },
  };
}

function machine(strategy: Strategy = 'rcu') {
  const root = Region.initContainerRegion(2 ** 32, 'root');
  root.addSubregion(
    Region.initRamRegion(HostMemMapping.create({ size: 1 << 20, name: 'ram' }), 'ram'),
    0,
  );
  const logs = { uart0: [] as string[], uart1: [] as string[], doorbell: [] as string[] };
  const uart0 = Region.initIoRegion(0x1000, loggingDevice(logs.uart0), 'uart0');
  const uart1 = Region.initIoRegion(0x1000, loggingDevice(logs.uart1), 'uart1');
  const doorbell = Region.initIoRegion(0x100, loggingDevice(logs.doorbell), 'doorbell');
  const kick = new EventFd();
  doorbell.setIoeventfds([
    { addrRange: { base: 0x50, size: 4 }, dataMatch: false, data: 0n, fd: kick },
  ]);
  let faultyCalls = 0;
  const faulty = Region.initIoRegion(
    0x100,
    {
      read: () => {
        faultyCalls++;
        return false;
      },
      write: () => {
        faultyCalls++;
        throw new Error('device on fire');
      },
    },
    'faulty',
  );
  root.addSubregion(uart0, UART0);
  root.addSubregion(uart1, UART1);
  root.addSubregion(doorbell, DOORBELL);
  root.addSubregion(faulty, FAULTY);
  const as = new AddressSpace(root, 'memory');
  as.setIoevtfdEnabled(true); // the vCPUs match doorbells (KVM's ioeventfds)
  const publisher = SharedViewPublisher.attachTo(as, { strategy, maxReaders: 8 });
  return { as, root, publisher, logs, kick, uart0, faultyCalls: () => faultyCalls };
}

/** UART registers of one UART: THR write (1 byte), LSR read (1 byte), a 4-byte config write. */
function uartWorkload(base: number, seed: number): WorkloadDescription {
  return {
    kind: 'mmio',
    seed,
    mmio: [
      { name: 'thr', gpa: base, size: 1, isWrite: true, value: 0x41 + seed },
      { name: 'lsr', gpa: base + 5, size: 1, isWrite: false },
      { name: 'cfg', gpa: base + 0x10, size: 4, isWrite: true, value: 0x12345678 },
    ],
  };
}

/** What a device should have logged for the first `n` accesses of `workload`. */
function expectedLog(workload: WorkloadDescription, base: number, n: number): string[] {
  const gen = new AccessGenerator(workload);
  const out: string[] = [];
  const bytes = new Uint8Array(4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) {
    gen.next();
    view.setUint32(0, gen.value, true);
    const data = Array.from(bytes.subarray(0, gen.size)).join(',');
    out.push(
      gen.isWrite ? `w ${gen.gpa - base} ${gen.size} ${data}` : `r ${gen.gpa - base} ${gen.size}`,
    );
  }
  return out;
}

const pools: VcpuPool[] = [];
function pool(options: VcpuPoolOptions): VcpuPool {
  const p = new VcpuPool({ workerFile, sliceMs: 5, ...options });
  pools.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
});

async function until(condition: () => boolean, what: string): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > 20_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('MMIO exits from vCPU threads', () => {
  it('reach the device with the right data, in each vCPU’s program order', async () => {
    const m = machine();
    const workloads = [uartWorkload(UART0, 1), uartWorkload(UART1, 2)];
    const p = pool({ vcpus: 2, publisher: m.publisher });
    p.start(workloads);
    await until(
      () => p.counters(0).mmioExits >= 300 && p.counters(1).mmioExits >= 300,
      '300 exits each',
    );
    await p.stop();

    const [c0, c1] = [p.counters(0), p.counters(1)];
    expect([c0.faults, c1.faults]).toEqual([0, 0]);
    expect([c0.mmioExits, c1.mmioExits]).toEqual([c0.accesses, c1.accesses]);
    expect(m.logs.uart0).toEqual(expectedLog(workloads[0]!, UART0, c0.accesses));
    expect(m.logs.uart1).toEqual(expectedLog(workloads[1]!, UART1, c1.accesses));
    expect(m.logs.uart0.slice(0, 3)).toEqual(expectedLog(workloads[0]!, UART0, 3));

    let latencies = 0;
    p.drainMmioLatencies((us) => {
      if (us > 0) latencies++;
    });
    // One latency per round trip: drained here, or dropped when a ring (8192) overflowed.
    expect(latencies).toBeGreaterThan(0);
    expect(latencies + p.droppedMmioLatencies()).toBe(c0.mmioExits + c1.mmioExits);
    m.publisher.close();
  });

  it('a throwing or false-returning device fails that access with IoAccess; the vCPU goes on', async () => {
    const m = machine();
    const workload: WorkloadDescription = {
      kind: 'mmio',
      seed: 3,
      mmio: [
        { name: 'faulty.write', gpa: FAULTY, size: 4, isWrite: true, value: 7 },
        { name: 'faulty.read', gpa: FAULTY + 4, size: 4, isWrite: false },
        { name: 'thr', gpa: UART0, size: 1, isWrite: true, value: 0x41 },
      ],
    };
    const p = pool({ vcpus: 1, publisher: m.publisher });
    p.start([workload]);
    await until(() => p.counters().mmioExits >= 300, '300 exits');
    await p.stop();

    const c = p.counters();
    const uartWrites = m.logs.uart0.length;
    expect(c.faults).toBe(m.faultyCalls());
    expect(c.ioAccessFaults).toBe(c.faults);
    expect(c.faults + uartWrites).toBe(c.accesses);
    expect(c.mmioExits).toBe(c.accesses);
    expect(uartWrites).toBeGreaterThan(0);
    expect(m.logs.uart0).toEqual(
      expectedLog(workload, UART0, c.accesses).filter((line) => line === 'w 0 1 65'),
    );
    m.publisher.close();
  });

  it('an ioeventfd write signals the EventFd without an exit', async () => {
    const m = machine();
    const workload: WorkloadDescription = {
      kind: 'mmio',
      seed: 4,
      mmio: [
        { name: 'virtio.notify', gpa: DOORBELL + 0x50, size: 4, isWrite: true, value: 1 },
        { name: 'thr', gpa: UART0, size: 1, isWrite: true, value: 0x41 },
      ],
    };
    const p = pool({ vcpus: 1, publisher: m.publisher });
    p.start([workload]);
    await until(() => p.counters().accesses >= 1000, '1000 accesses');
    await p.stop();

    const c = p.counters();
    const gen = new AccessGenerator(workload);
    let kicks = 0;
    for (let i = 0; i < c.accesses; i++) {
      gen.next();
      if (gen.target === 0) kicks++;
    }
    expect(kicks).toBeGreaterThan(0);
    expect(m.kick.read()).toBe(kicks);
    expect(c.ioeventfdSignals).toBe(kicks);
    expect(m.logs.doorbell).toEqual([]);
    expect(c.mmioExits).toBe(c.accesses - kicks);
    expect(m.logs.uart0.length).toBe(c.accesses - kicks);
    m.publisher.close();
  });

  // The owner changes the topology while a vCPU waits in an exit: a strategy whose owner
  // waited for that vCPU's protection here would deadlock.
  it.each(STRATEGIES.filter((s) => s !== 'none'))(
    'under %s, an exit on a region removed meanwhile still reaches that region’s ops',
    async (strategy) => {
      const m = machine(strategy);
      let removed = false;
      const serve = regionIoHandler((id) => m.publisher.regionById(id));
      const p = pool({
        vcpus: 1,
        publisher: m.publisher,
        // The owner removes uart0 while the vCPU waits in its first exit, then serves it.
        mmioHandler: (vcpu, request) => {
          if (!removed) {
            removed = true;
            m.root.deleteSubregion(m.uart0);
          }
          return serve(vcpu, request);
        },
      });
      p.start([
        { kind: 'mmio', seed: 5, mmio: [{ gpa: UART0, size: 1, isWrite: true, value: 0x42 }] },
      ]);
      await until(() => p.counters().regionNotFoundFaults >= 100, 'accesses after the removal');
      await p.stop();

      const c = p.counters();
      expect(removed).toBe(true);
      expect(m.logs.uart0[0]).toBe('w 0 1 66');
      expect(m.logs.uart0.length).toBe(c.mmioExits);
      expect(c.ioAccessFaults).toBe(0);
      expect(c.regionNotFoundFaults).toBe(c.accesses - c.mmioExits);
      m.publisher.close();
    },
  );
});
