/**
 * The device backend worker for real: a worker thread controlled through comlink that
 * waits on a virtio doorbell EventFd and, on each ring, reads the request from guest RAM
 * through its own SharedView and writes a completion. The owner sees its counters, its
 * findings (a poisoned or torn request) and the completion record in guest RAM. Imports
 * the built module (the worker loads from dist/): run `npm run build` first.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SharedViewPublisher } from '../../src/concurrent/publication/publisher.js';
import { POISON_U32 } from '../../src/concurrent/reader/poison.js';
import { buildMachine } from '../../src/machine/build.js';
import type { Machine } from '../../src/machine/machine.js';
import { loadMachineFile } from '../../src/machine/machine-file.js';
import type * as Backend from '../../src/sim/device-backend.js';
import {
  type BackendReport,
  COMPLETION_MAGIC,
  kCompletionOffset,
  REQUEST_MAGIC,
} from '../../src/sim/device-backend-protocol.js';

const { DeviceBackend, requestWordsFor } = (await import(
  new URL('../../dist/src/sim/device-backend.js', import.meta.url).href
)) as typeof Backend;

const MACHINE = new URL('./fixtures/sim-small.json', import.meta.url).pathname;
const QUEUE_GPA = 0x1f0_0000; // virtio0's queue area in the fixture

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function setup(file = MACHINE) {
  const machine: Machine = buildMachine(await loadMachineFile(file));
  const publisher = SharedViewPublisher.attachTo(machine.memory, { strategy: 'rcu', check: true });
  const backend = (await DeviceBackend.start({
    machine,
    publisher,
    seed: 5,
    poisonWord: POISON_U32,
    sampleEvery: 1,
    pollMs: 10,
  }))!;
  let stopped = false;
  const stop = async () => {
    if (stopped) return undefined;
    stopped = true;
    return backend.stop();
  };
  cleanup.push(async () => {
    await stop();
    publisher.close();
    machine.dispose();
  });
  const doorbell = machine.targets.doorbells.find((d) => d.device === 'virtio0')!;
  return { machine, publisher, backend, doorbell, stop };
}

/** Drains until `done(report)` holds; returns every report drained on the way. */
async function drainUntil(
  backend: Backend.DeviceBackend,
  done: (r: BackendReport) => boolean,
): Promise<BackendReport[]> {
  const reports: BackendReport[] = [];
  const started = performance.now();
  for (;;) {
    const r = (await backend.drain())!;
    reports.push(r);
    if (done(r)) return reports;
    if (performance.now() - started > 20_000) throw new Error('the backend did not get there');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('DeviceBackend', () => {
  it('serves each doorbell ring by DMA and leaves an intact completion in guest RAM', async () => {
    const { machine, backend, doorbell, stop } = await setup();
    expect(backend.devices.map((d) => [d.name, d.gpa])).toEqual([['virtio0', QUEUE_GPA]]);
    // The owner posted the request the backend reads: magic, device index, checksum.
    expect(machine.memory.readU32(QUEUE_GPA)).toBe(REQUEST_MAGIC);
    expect(machine.memory.readU32(QUEUE_GPA + 4)).toBe(0);
    expect(machine.memory.readU32(QUEUE_GPA + 60)).toBe(requestWordsFor(5, 0)[15]);

    for (let ring = 1; ring <= 3; ring++) {
      doorbell.fd.signal();
      await drainUntil(backend, (r) => r.requests === ring);
    }
    const final = (await stop())!;
    expect(final).toMatchObject({
      requests: 3,
      requestsByDevice: [3],
      dmaOps: 6,
      signals: 3,
      faults: 0,
      checked: 3,
    });
    const completion = QUEUE_GPA + kCompletionOffset;
    expect(machine.memory.readU32(completion)).toBe(COMPLETION_MAGIC);
    expect(machine.memory.readU32(completion + 4)).toBe(3);
    expect(backend.verifyCompletions(machine.memory, final)).toEqual({ problems: [], notRun: [] });
    expect(backend.verifyCompletions(machine.memory, { ...final, requestsByDevice: [4] })).toEqual({
      problems: ['virtio0: completion record says 3 requests served, the backend counted 4'],
      notRun: [],
    });
  });

  it('checks the completion record while churn has its guest window switched off', async () => {
    // examples/small.json: virtio-blk's queue (0x7F00000) is RAM only through the
    // ram-low alias, which alias churn switches off and on.
    const small = new URL('../../examples/small.json', import.meta.url).pathname;
    const { machine, backend, stop } = await setup(small);
    const doorbell = machine.targets.doorbells.find((d) => d.device === 'virtio-blk')!;
    doorbell.fd.signal();
    await drainUntil(backend, (r) => r.requests === 1);
    const final = (await stop())!;
    machine.setAliasEnabled('ram-low', false);
    expect(machine.memory.addressInMemory(0x7f0_0000, 4)).toBe(false);
    expect(backend.verifyCompletions(machine.memory, final)).toEqual({ problems: [], notRun: [] });
    expect(backend.verifyCompletions(machine.memory, { ...final, requestsByDevice: [2] })).toEqual({
      problems: ['virtio-blk: completion record says 1 requests served, the backend counted 2'],
      notRun: [],
    });
  });

  it('reports a poisoned request and a torn one, with translation samples', async () => {
    const { machine, backend, doorbell } = await setup();
    machine.memory.writeU32(QUEUE_GPA + 8, POISON_U32);
    doorbell.fd.signal();
    const first = await drainUntil(backend, (r) => r.requests === 1);
    machine.memory.writeU32(QUEUE_GPA + 8, 0x1234);
    doorbell.fd.signal();
    const second = await drainUntil(backend, (r) => r.requests === 2);
    const violations = [...first, ...second].flatMap((r) => r.violations);
    expect(violations.map((v) => [v.kind, v.device, v.gpa])).toEqual([
      ['poison', 'virtio0', QUEUE_GPA],
      ['torn', 'virtio0', QUEUE_GPA],
    ]);
    const samples = [...first, ...second].flatMap((r) => r.samples);
    expect(samples).toHaveLength(2);
    expect(samples[0]).toMatchObject({ gpa: QUEUE_GPA, regionId: machine.regions.get('ram')!.id });
  });

  it('is offline while it waits: grace periods do not wait for an idle backend', async () => {
    const { machine, publisher } = await setup();
    machine.regions.get('flash')!.setRomDeviceRomd(false);
    const started = performance.now();
    await publisher.synchronize();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(publisher.stats().gracePeriods).toBeGreaterThan(0);
  });
});
