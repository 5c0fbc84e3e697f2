/**
 * Workload names (`seq`, `random`, `hot`, `mmio`, `mixed`) turned into the per-vCPU
 * access-pattern descriptions of concurrent/access-pattern.ts, using what the machine
 * offers: its RAM ranges, its hotplug area, its device registers and doorbells.
 *
 * - RAM: the machine's RAM ranges (DMA areas already cut out), minus the alias windows
 *   the `alias` churn kind switches, plus the whole hotplug area when hotplug churn runs
 *   (every slot is plugged at the start and at most a quarter are out at a time).
 * - MMIO: the devices' harmless probes (register reads, scratch writes) and every
 *   doorbell (writes an ioeventfd takes without an exit), plus a read of each flash (a
 *   memory read while romd is on, an exit while it is off). Devices whose BAR the `bar`
 *   kind moves are left out: a guest only touches a BAR where it last programmed it.
 * - `mixed` draws mostly RAM accesses and one in about `MIXED_MMIO_SHARE` from the MMIO
 *   targets, so exits are frequent enough to measure without dominating the run.
 *
 * Each vCPU gets its own seed derived from the run's seed. Descriptions only: nothing
 * here touches memory or starts threads.
 */
import type { AccessSize, MmioTarget, WorkloadDescription } from '../concurrent/access-pattern.js';
import type { AddressRange } from '../core/address.js';
import type { Machine } from '../machine/machine.js';
import { subtractAreas } from '../machine/targets.js';
import { aliasWindows } from './churn-apply.js';
import type { ChurnKind, Workload } from './options.js';

/** Fraction of `mixed` accesses that go to device registers. */
export const MIXED_MMIO_SHARE = 1 / 4096;
/** Weight of a doorbell write relative to a register probe. */
const DOORBELL_WEIGHT = 4;

export interface WorkloadPlanOptions {
  readonly workload: Workload;
  readonly seed: number;
  readonly vcpus: number;
  /** The churn kinds the run applies (they change which ranges are safe to target). */
  readonly churn: readonly ChurnKind[];
}

/** What the workloads of a run target, shared by every vCPU. */
export interface WorkloadTargets {
  readonly ram: readonly AddressRange[];
  readonly mmio: readonly MmioTarget[];
}

/** The RAM and MMIO targets of `machine` for a run with `churn`. */
export function workloadTargets(machine: Machine, churn: readonly ChurnKind[]): WorkloadTargets {
  const t = machine.targets;
  let ram: AddressRange[] = subtractAreas(
    t.ramRanges,
    aliasWindows(machine).map((w) => ({ gpa: w.base, size: w.size })),
  ).map((r) => ({ base: r.base, size: r.size }));
  const area = machine.hotplug;
  if (churn.includes('hotplug') && area !== undefined && area.slotCount > 0) {
    ram = [...ram, { base: area.base, size: area.slotCount * area.blockSize }];
  }
  const moving = new Set(churn.includes('bar') ? (t.barSlots?.devices ?? []) : []);
  const mmio: MmioTarget[] = [];
  for (const target of t.mmio) {
    if (target.space !== 'memory' || moving.has(target.device)) continue;
    for (const probe of target.probes) {
      if (probe.kind === 'write' && probe.ioeventfd) continue; // listed as doorbells below
      mmio.push({
        name: `${target.device}.${probe.what}`,
        gpa: target.base + probe.offset,
        size: probe.size,
        isWrite: probe.kind === 'write',
        ...(probe.kind === 'write' ? { value: probe.value } : {}),
        weight: 1,
      });
    }
  }
  for (const bell of t.doorbells) {
    if (moving.has(bell.device)) continue;
    mmio.push({
      name: `${bell.device}.doorbell`,
      gpa: bell.gpa,
      size: (bell.size === 0 ? 4 : bell.size) as AccessSize,
      isWrite: true,
      value: Number(bell.value & 0xffff_ffffn),
      weight: DOORBELL_WEIGHT,
    });
  }
  for (const flash of t.flash) {
    mmio.push({ name: `${flash.name}.read`, gpa: flash.base, size: 4, isWrite: false, weight: 1 });
  }
  return { ram, mmio };
}

/** One description per vCPU for `options.workload` on `machine`. */
export function workloadsFor(
  machine: Machine,
  options: WorkloadPlanOptions,
): WorkloadDescription[] {
  const targets = workloadTargets(machine, options.churn);
  const ramWeight = 9;
  const out: WorkloadDescription[] = [];
  for (let v = 0; v < options.vcpus; v++) {
    const seed = vcpuSeed(options.seed, v);
    const common = { seed, ram: targets.ram, mmio: targets.mmio };
    switch (options.workload) {
      case 'mixed':
        out.push({
          kind: 'mixed',
          ...common,
          mix: {
            seq: 3,
            random: 3,
            hot: 3,
            mmio: targets.mmio.length > 0 ? ramWeight * MIXED_MMIO_SHARE : 0,
          },
        });
        break;
      case 'mmio':
        out.push({ kind: 'mmio', seed, mmio: targets.mmio });
        break;
      default:
        out.push({ kind: options.workload, seed, ram: targets.ram });
    }
  }
  return out;
}

/** vCPU `v`'s stream seed: distinct per vCPU, a pure function of the run's seed. */
export function vcpuSeed(seed: number, vcpu: number): number {
  return (seed * 0x9e37 + vcpu * 0x85eb_ca6b + 1) % 0x1_0000_0000;
}
