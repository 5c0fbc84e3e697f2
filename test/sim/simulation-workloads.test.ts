/**
 * Workload plans on the built-in pc machine: which RAM and which device registers the
 * vCPUs are pointed at, depending on the churn kinds of the run.
 *
 *   0x0        ram-below-4g   (768 KiB below the ROM area)   → 4 KiB of it in the working set
 *   0x100000   ram-below-4g   (up to the virtio queue areas) → 16 MiB - 8 KiB of it
 *   0x100000000 hotplug slots 0..7 (2 MiB each)              → only with hotplug churn
 */
import { describe, expect, it } from 'vitest';
import { CHURN_KINDS } from '../../src/machine/churn-kind.js';
import { buildPcMachine } from '../../src/machine/pc.js';
import {
  vcpuSeed,
  WORKING_SET_BYTES,
  workingSet,
  workloadsFor,
  workloadTargets,
} from '../../src/sim/workloads.js';

const MiB = 2 ** 20;

describe('workload plans on pc', () => {
  it('RAM: a 16 MiB working set of stable RAM, plus the churned hotplug slots with hotplug churn', () => {
    const machine = buildPcMachine();
    expect(workloadTargets(machine, []).ram).toEqual([
      { base: 0, size: 0x1000 },
      { base: 0x10_0000, size: 16 * MiB - 0x2000 },
    ]);
    expect(workloadTargets(machine, CHURN_KINDS).ram).toEqual([
      { base: 0, size: 0x1000 },
      { base: 0x10_0000, size: 16 * MiB - 0x2000 },
      { base: 0x1_0000_0000, size: 16 * MiB },
    ]);
  });

  it('MMIO: UART, virtio registers and doorbells, flash; a moving BAR at both of its slots', () => {
    const machine = buildPcMachine();
    const still = workloadTargets(machine, []).mmio;
    expect(still.map((t) => [t.name, t.gpa, t.size, t.isWrite, t.weight])).toEqual([
      ['serial0.LSR', 0xfebf_f005, 1, false, 1],
      ['serial0.SCR', 0xfebf_f007, 1, true, 1],
      ['virtio-mmio.0.MagicValue', 0xfeb0_0000, 4, false, 1],
      ['virtio-mmio.0.Version', 0xfeb0_0004, 4, false, 1],
      ['virtio-mmio.0.DeviceID', 0xfeb0_0008, 4, false, 1],
      ['virtio-mmio.1.MagicValue', 0xfeb0_0200, 4, false, 1],
      ['virtio-mmio.1.Version', 0xfeb0_0204, 4, false, 1],
      ['virtio-mmio.1.DeviceID', 0xfeb0_0208, 4, false, 1],
      ['virtio-mmio.0.doorbell', 0xfeb0_0050, 4, true, 4],
      ['virtio-mmio.1.doorbell', 0xfeb0_0250, 4, true, 4],
      ['virtio-mmio.1.doorbell', 0xfeb0_0250, 4, true, 4],
      ['pc.flash.read', 0xffe0_0000, 4, false, 1],
    ]);
    // The second queue's doorbell writes its index: the ioeventfd matches the data.
    expect(still.filter((t) => t.name === 'virtio-mmio.1.doorbell').map((t) => t.value)).toEqual([
      0, 1,
    ]);
    const moving = workloadTargets(machine, ['bar']).mmio;
    expect(moving.filter((t) => t.name === 'virtio-mmio.0.doorbell').map((t) => t.gpa)).toEqual([
      0xfeb0_0050, 0xfeb7_f850,
    ]);
    // Three register probes per device and three doorbells, each at the second slot too.
    expect(moving).toHaveLength(still.length + 9);
  });

  it('one description per vCPU, each with its own seed; mixed mostly RAM', () => {
    const machine = buildPcMachine();
    const plans = workloadsFor(machine, { workload: 'mixed', seed: 1, vcpus: 3, churn: [] });
    expect(plans.map((p) => p.seed)).toEqual([vcpuSeed(1, 0), vcpuSeed(1, 1), vcpuSeed(1, 2)]);
    expect(new Set(plans.map((p) => p.seed)).size).toBe(3);
    expect(plans[0]!.mix).toEqual({ seq: 3, random: 3, hot: 3, mmio: 9 / 4096 });
    const mmio = workloadsFor(machine, { workload: 'mmio', seed: 1, vcpus: 1, churn: [] })[0]!;
    expect([mmio.kind, mmio.ram, mmio.mmio!.length]).toEqual(['mmio', undefined, 12]);
    const hot = workloadsFor(machine, { workload: 'hot', seed: 2, vcpus: 1, churn: [] })[0]!;
    expect([hot.kind, hot.mmio, hot.ram!.length]).toEqual(['hot', undefined, 2]);
  });

  it('a working set takes a page-aligned prefix of every range, in proportion', () => {
    const ranges = [
      { base: 0, size: 96 * MiB },
      { base: 0x1_0000_0000, size: 32 * MiB },
    ];
    expect(workingSet(ranges, 16 * MiB)).toEqual([
      { base: 0, size: 12 * MiB },
      { base: 0x1_0000_0000, size: 4 * MiB },
    ]);
    expect(workingSet([{ base: 0x1000, size: 0x3000 }], WORKING_SET_BYTES)).toEqual([
      { base: 0x1000, size: 0x3000 },
    ]);
  });
});
