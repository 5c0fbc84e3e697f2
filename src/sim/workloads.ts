/**
 * Workload names (`seq`, `random`, `hot`, `mmio`, `mixed`) turned into the per-vCPU
 * access-pattern descriptions of concurrent/access-pattern.ts, using what the machine
 * offers: its RAM ranges, its hotplug area, its device registers and doorbells.
 *
 * - RAM: the machine's writable RAM ranges (DMA areas already cut out), minus the alias
 *   windows the `alias` churn kind switches when it runs, cut down to a working set of at most
 *   `WORKING_SET_BYTES` (a prefix of every range, in proportion to its size: guest memory
 *   is committed lazily, and a guest touches its working set, not all of its RAM); plus
 *   the churned hotplug slots when hotplug churn runs (all plugged at the start, at most
 *   one in eight out at a time).
 * - MMIO: the devices' harmless probes (register reads, scratch writes) and every
 *   doorbell (writes an ioeventfd takes without an exit), plus a read of each flash (a
 *   memory read while romd is on, an exit while it is off). For a BAR the `bar` kind
 *   moves, both of its positions are targeted, as a guest that follows its own BAR
 *   programming would: the one it is not at is unmapped (a `RegionNotFound` fault).
 * - `mixed` draws mostly RAM accesses and one in about `1 / MIXED_MMIO_SHARE` from the MMIO
 *   targets, so exits are frequent enough to measure without dominating the run.
 *
 * Each vCPU gets its own seed derived from the run's seed. Descriptions only: nothing
 * here touches memory or starts threads.
 */

import type { AddressRange } from '../base/address.js';
import { PAGE_SIZE } from '../base/constants.js';
import type {
  AccessSize,
  MmioTarget,
  WorkloadDescription,
  WorkloadKind,
} from '../concurrent/vcpu/access-pattern.js';
import type { ChurnKind } from '../machine/churn-kind.js';
import type { Machine } from '../machine/machine.js';
import { subtractAreas, writableRamRanges } from '../machine/targets.js';
import { aliasWindows, barPositionsOf, churnedHotplugSlots } from './churn-apply.js';

/** Fraction of `mixed` accesses that go to device registers. */
export const MIXED_MMIO_SHARE = 1 / 4096;
/** Most bytes of (non-hotplug) guest RAM the workloads touch. */
export const WORKING_SET_BYTES = 16 * 2 ** 20;
/** Weight of a doorbell write relative to a register probe. */
const DOORBELL_WEIGHT = 4;

export interface WorkloadPlanOptions {
  readonly workload: WorkloadKind;
  readonly seed: number;
  readonly vcpus: number;
  /** The churn kinds the run applies (they change which ranges are safe to target). */
  readonly churn: readonly ChurnKind[];
  /**
   * Self-checking memory (`--verify all`): the RAM also takes in the windows the `alias`
   * kind switches (accesses while one is off fault or reach what lies below, counted),
   * so that a translation kept past a switch is seen.
   */
  readonly aliasWindows?: boolean;
}

/** What the workloads of a run target, shared by every vCPU. */
export interface WorkloadTargets {
  readonly ram: readonly AddressRange[];
  readonly mmio: readonly MmioTarget[];
}

/** A prefix of each range, in proportion to its size, so the total is at most `budget`. */
export function workingSet(ranges: readonly AddressRange[], budget: number): AddressRange[] {
  const total = ranges.reduce((sum, r) => sum + r.size, 0);
  if (total <= budget) return ranges.map((r) => ({ base: r.base, size: r.size }));
  const out: AddressRange[] = [];
  for (const r of ranges) {
    const share = Math.floor((r.size * budget) / total / PAGE_SIZE) * PAGE_SIZE;
    const size = Math.min(r.size, Math.max(PAGE_SIZE, share));
    out.push({ base: r.base, size });
  }
  return out;
}

/** The RAM and MMIO targets of `machine` for a run with `churn`. */
export function workloadTargets(
  machine: Machine,
  churn: readonly ChurnKind[],
  withAliasWindows = false,
): WorkloadTargets {
  const t = machine.targets;
  const writable = writableRamRanges(machine);
  const switchable = churn.includes('alias') ? aliasWindows(machine) : [];
  const stable = subtractAreas(
    writable,
    switchable.map((w) => ({ gpa: w.base, size: w.size })),
  );
  // A machine whose only RAM sits behind switchable aliases: use it anyway (accesses
  // while an alias is off fault, and are counted).
  let ram = workingSet(stable.length > 0 ? stable : writable, WORKING_SET_BYTES);
  if (withAliasWindows && switchable.length > 0) {
    // The first page of each window: enough to see a translation kept past a switch, and
    // little enough that the ROM below a switched-off window (nothing a tag can verify)
    // stays a small share of the accesses.
    const pages = switchable.map((w) => ({ base: w.base, size: Math.min(w.size, PAGE_SIZE) }));
    ram = [...ram, ...pages].sort((a, b) => a.base - b.base);
  }
  const area = machine.hotplug;
  const slots = churnedHotplugSlots(machine);
  if (churn.includes('hotplug') && area !== undefined && slots > 0) {
    ram = [...ram, { base: area.base, size: slots * area.blockSize }];
  }
  // Where each register block may be: its base, and for a moving BAR its other slot too.
  const moves = churn.includes('bar') ? barPositionsOf(machine) : [];
  const placesOf = (device: string, gpa: number): number[] => {
    const move = moves.find((m) => m.device === device);
    return move === undefined ? [gpa] : [gpa, gpa - move.gpas[0] + move.gpas[1]];
  };
  const mmio: MmioTarget[] = [];
  for (const target of t.mmio) {
    if (target.space !== 'memory') continue;
    for (const probe of target.probes) {
      if (probe.kind === 'write' && probe.ioeventfd) continue; // listed as doorbells below
      for (const gpa of placesOf(target.device, target.base + probe.offset)) {
        mmio.push({
          name: `${target.device}.${probe.what}`,
          gpa,
          size: probe.size,
          isWrite: probe.kind === 'write',
          ...(probe.kind === 'write' ? { value: probe.value } : {}),
          weight: 1,
        });
      }
    }
  }
  for (const bell of t.doorbells) {
    for (const gpa of placesOf(bell.device, bell.gpa)) {
      mmio.push({
        name: `${bell.device}.doorbell`,
        gpa,
        size: (bell.size === 0 ? 4 : bell.size) as AccessSize,
        isWrite: true,
        value: Number(bell.value & 0xffff_ffffn),
        weight: DOORBELL_WEIGHT,
      });
    }
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
  const targets = workloadTargets(machine, options.churn, options.aliasWindows === true);
  const ramWeight = 9; // seq 3 + random 3 + hot 3
  const out: WorkloadDescription[] = [];
  for (let v = 0; v < options.vcpus; v++) {
    const seed = vcpuSeed(options.seed, v);
    switch (options.workload) {
      case 'mixed':
        out.push({
          kind: 'mixed',
          seed,
          ram: targets.ram,
          mmio: targets.mmio,
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
