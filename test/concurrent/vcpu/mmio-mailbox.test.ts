/**
 * The MMIO mailbox protocol end to end with real threads: vCPU-side clients in worker
 * threads block in Atomics.wait while the owner serves them with Atomics.waitAsync.
 * Workers import the built modules from dist/ (run `npm run build` first).
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createMmioMailbox } from '../../../src/concurrent/vcpu/mmio-mailbox.js';
import { MmioServer } from '../../../src/concurrent/vcpu/mmio-server.js';
import { SampleRing } from '../../../src/concurrent/vcpu/sampler.js';

const mailboxModule = pathToFileURL(
  fileURLToPath(new URL('../../../dist/src/concurrent/vcpu/mmio-mailbox.js', import.meta.url)),
).href;
const samplerModule = pathToFileURL(
  fileURLToPath(new URL('../../../dist/src/concurrent/vcpu/sampler.js', import.meta.url)),
).href;

/**
 * A vCPU thread: for i in 0..count, writes the 4-byte value `vcpu * 1000 + i` at offset
 * 4*i of region 7, then reads 4 bytes at offset 4*i, and reports what the reads returned
 * and which accesses failed.
 */
const vcpuThread = `
const { workerData, parentPort } = require('node:worker_threads');
(async () => {
  const { MmioMailboxClient } = await import(workerData.mailboxModule);
  const { SampleRing } = await import(workerData.samplerModule);
  const client = new MmioMailboxClient(workerData.mailbox, new SampleRing(workerData.latencies));
  const reads = [];
  const failed = [];
  const data = new Uint8Array(4);
  const view = new DataView(data.buffer);
  for (let i = 0; i < workerData.count; i++) {
    view.setUint32(0, workerData.vcpu * 1000 + i, true);
    if (!client.exit(7, 0xd0000000, i * 4, data, true)) failed.push('w' + i);
    data.fill(0);
    if (client.exit(7, 0xd0000000, i * 4, data, false)) reads.push(view.getUint32(0, true));
    else failed.push('r' + i);
  }
  parentPort.postMessage({ reads, failed, exits: client.exits });
})();
`;

interface VcpuResult {
  reads: number[];
  failed: string[];
  exits: number;
}

function runVcpu(vcpu: number, mailbox: SharedArrayBuffer, latencies: SampleRing, count: number) {
  const worker = new Worker(vcpuThread, {
    eval: true,
    workerData: { vcpu, mailbox, count, mailboxModule, samplerModule, latencies: latencies.buffer },
  });
  workers.push(worker);
  return new Promise<VcpuResult>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
});

describe('MMIO mailbox', () => {
  it('serves two vCPUs with the right data, in each vCPU’s program order', async () => {
    const mailboxes = [createMmioMailbox(), createMmioMailbox()];
    const latencies = [SampleRing.create(1024, 1), SampleRing.create(1024, 1)];
    // The device: a register file per vCPU; reads return what that vCPU wrote, plus one.
    const registers = [new Map<number, number>(), new Map<number, number>()];
    const seen: string[][] = [[], []];
    const server = new MmioServer(mailboxes, (vcpu, request) => {
      const view = new DataView(request.data.buffer, request.data.byteOffset, request.data.length);
      seen[vcpu]!.push(`${request.isWrite ? 'w' : 'r'}${request.offset / 4}`);
      expect([request.regionId, request.regionBase, request.data.length]).toEqual([
        7, 0xd000_0000, 4,
      ]);
      if (request.isWrite) registers[vcpu]!.set(request.offset, view.getUint32(0, true));
      else view.setUint32(0, registers[vcpu]!.get(request.offset)! + 1, true);
      return true;
    });
    server.start();
    const count = 200;
    const [a, b] = await Promise.all([
      runVcpu(0, mailboxes[0]!, latencies[0]!, count),
      runVcpu(1, mailboxes[1]!, latencies[1]!, count),
    ]);
    await server.close();

    const order = Array.from({ length: count }, (_, i) => [`w${i}`, `r${i}`]).flat();
    expect(seen[0]).toEqual(order);
    expect(seen[1]).toEqual(order);
    expect(a!.failed).toEqual([]);
    expect(b!.failed).toEqual([]);
    expect(a!.reads).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(b!.reads).toEqual(Array.from({ length: count }, (_, i) => 1000 + i + 1));
    expect([a!.exits, b!.exits]).toEqual([2 * count, 2 * count]);
    expect(server.stats).toEqual({ served: 4 * count, failed: 0, thrown: 0 });
    // Every round trip left a positive latency sample (microseconds).
    const samples: number[] = [];
    for (const ring of latencies) ring.drain((v, at) => samples.push(v[at]!));
    expect(samples.length).toBe(4 * count);
    expect(Math.min(...samples)).toBeGreaterThan(0);
  });

  it('a throwing or false-returning device fails only that access; what it threw is heard', async () => {
    const mailbox = createMmioMailbox();
    const heard: string[] = [];
    const server = new MmioServer(
      [mailbox],
      (_vcpu, request) => {
        if (request.offset === 8) throw new Error('device fault');
        if (request.offset === 12 && !request.isWrite) return false;
        if (!request.isWrite) request.data.fill(0x5a);
        return true;
      },
      (vcpu, error) => heard.push(`vCPU ${vcpu}: ${(error as Error).message}`),
    );
    server.start();
    const result = await runVcpu(0, mailbox, SampleRing.create(64, 1), 5);
    await server.close();
    expect(result.failed).toEqual(['w2', 'r2', 'r3']);
    expect(result.reads).toEqual([0x5a5a5a5a, 0x5a5a5a5a, 0x5a5a5a5a]);
    expect(server.stats).toEqual({ served: 10, failed: 3, thrown: 2 });
    expect(heard).toEqual(['vCPU 0: device fault', 'vCPU 0: device fault']);
  });

  it('close() ends serving and fails a vCPU that posts afterwards instead of hanging it', async () => {
    const mailbox = createMmioMailbox();
    const server = new MmioServer([mailbox], () => true);
    server.start();
    await server.close();
    const result = await runVcpu(0, mailbox, SampleRing.create(64, 1), 2);
    expect(result.failed).toEqual(['w0', 'r0', 'w1', 'r1']);
    expect(result.exits).toBe(0);
  });
});
