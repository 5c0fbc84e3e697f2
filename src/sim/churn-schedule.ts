/**
 * The seeded topology churn schedule: which change comes next (kind, target, parameters),
 * computed from the seed, the enabled kinds and what the machine offers, and from nothing
 * else. Same seed, same machine, same kinds: the same sequence of operations (SPEC 9),
 * however fast or slow the run applies them. The churn driver decides *when* each one is
 * applied (the rate); this module never touches a machine and never looks at a clock.
 *
 * To stay independent of timing and of the outcome of each change, the schedule keeps
 * its own model of the churnable state (plugged slots, BAR positions, romd modes, alias
 * and ioeventfd switches) and assumes every operation it hands out succeeds. Kinds:
 *
 * - `hotplug`: plug or unplug one 2 MiB block. At most one slot in eight (at least one)
 *   is out at a time, so the guest keeps nearly all of its hotplugged RAM and the workload
 *   mostly finds memory there (an access to an empty slot is a fault, and costly).
 * - `bar`: move one device BAR between its two positions in the PCI hole (where the
 *   firmware put it and one reserved for it), as a guest reprogramming the BAR does.
 * - `romd`: flip one flash device between ROM (romd on) and MMIO mode.
 * - `alias`: switch one alias window (PAM) off or back on.
 * - `ioeventfd`: remove the doorbells of one device, or put them back.
 */

import { AddressSpaceError } from '../base/errors.js';
import { Prng } from '../concurrent/vcpu/prng.js';
import { CHURN_KINDS, type ChurnKind } from '../machine/churn-kind.js';

/** What a machine offers to churn, as plain data; the state is the one at the start. */
export interface ChurnTargets {
  /** Hotplug slots (0: no hotplug area). Every slot is plugged when churn starts. */
  readonly hotplugSlots: number;
  /** Devices with a movable BAR: the two slots each may use, and the one it is in. */
  readonly bar: readonly {
    readonly name: string;
    readonly slots: readonly [number, number];
    readonly slot: number;
  }[];
  /** Flash (ROM device) regions and their romd mode. */
  readonly flash: readonly { readonly name: string; readonly romd: boolean }[];
  /** Alias windows that may be switched, and whether each is enabled. */
  readonly aliases: readonly { readonly name: string; readonly enabled: boolean }[];
  /** Regions that carry ioeventfds (all installed at the start). */
  readonly ioeventfdRegions: readonly string[];
}

/** One topology change. Tagged by `kind`; `seq` numbers the schedule from 0. */
export type ChurnOp =
  | {
      readonly seq: number;
      readonly kind: 'hotplug';
      readonly action: 'plug' | 'unplug';
      readonly slot: number;
    }
  | {
      readonly seq: number;
      readonly kind: 'bar';
      readonly device: string;
      readonly fromSlot: number;
      readonly toSlot: number;
    }
  | { readonly seq: number; readonly kind: 'romd'; readonly region: string; readonly romd: boolean }
  | {
      readonly seq: number;
      readonly kind: 'alias';
      readonly region: string;
      readonly enabled: boolean;
    }
  | {
      readonly seq: number;
      readonly kind: 'ioeventfd';
      readonly region: string;
      readonly enabled: boolean;
    };

export interface ChurnScheduleOptions {
  readonly seed: number;
  /** Enabled kinds; kinds the machine has nothing for are left out (see `activeKinds`). */
  readonly kinds: readonly ChurnKind[];
  readonly targets: ChurnTargets;
}

/** A salt so the churn stream differs from the workload streams of the same seed. */
const CHURN_SEED_SALT = 0x43485552; // "CHUR"

export class ChurnSchedule {
  /** The enabled kinds this machine can churn, in `CHURN_KINDS` order. */
  readonly activeKinds: readonly ChurnKind[];
  private readonly prng: Prng;
  private readonly targets: ChurnTargets;
  private seq = 0;
  // The model of the churnable state, as the operations handed out so far leave it.
  private readonly unplugged: number[] = [];
  private readonly barSlotOf: number[];
  private readonly romd: boolean[];
  private readonly aliasEnabled: boolean[];
  private readonly ioeventfdEnabled: boolean[];

  constructor(options: ChurnScheduleOptions) {
    const { targets, kinds } = options;
    if (!Number.isSafeInteger(options.seed)) {
      throw AddressSpaceError.invalidArgument(`churn seed must be an integer, got ${options.seed}`);
    }
    this.prng = new Prng((options.seed ^ CHURN_SEED_SALT) >>> 0);
    this.targets = targets;
    this.barSlotOf = targets.bar.map((d) => d.slot);
    this.romd = targets.flash.map((f) => f.romd);
    this.aliasEnabled = targets.aliases.map((a) => a.enabled);
    this.ioeventfdEnabled = targets.ioeventfdRegions.map(() => true);
    this.activeKinds = CHURN_KINDS.filter((k) => kinds.includes(k) && this.hasTargets(k));
  }

  /** The next operation, or `undefined` when no enabled kind has anything to change. */
  next(): ChurnOp | undefined {
    if (this.activeKinds.length === 0) return undefined;
    const kind = this.activeKinds[this.prng.below(this.activeKinds.length)]!;
    const seq = this.seq++;
    switch (kind) {
      case 'hotplug':
        return this.nextHotplug(seq);
      case 'bar':
        return this.nextBar(seq);
      case 'romd': {
        const i = this.prng.below(this.romd.length);
        this.romd[i] = !this.romd[i];
        return { seq, kind, region: this.targets.flash[i]!.name, romd: this.romd[i]! };
      }
      case 'alias': {
        const i = this.prng.below(this.aliasEnabled.length);
        this.aliasEnabled[i] = !this.aliasEnabled[i];
        return { seq, kind, region: this.targets.aliases[i]!.name, enabled: this.aliasEnabled[i]! };
      }
      case 'ioeventfd': {
        const i = this.prng.below(this.ioeventfdEnabled.length);
        this.ioeventfdEnabled[i] = !this.ioeventfdEnabled[i];
        return {
          seq,
          kind,
          region: this.targets.ioeventfdRegions[i]!,
          enabled: this.ioeventfdEnabled[i]!,
        };
      }
    }
  }

  /** The next `count` operations (fewer only when there is nothing to churn). */
  take(count: number): ChurnOp[] {
    const ops: ChurnOp[] = [];
    for (let i = 0; i < count; i++) {
      const op = this.next();
      if (op === undefined) break;
      ops.push(op);
    }
    return ops;
  }

  private hasTargets(kind: ChurnKind): boolean {
    const t = this.targets;
    switch (kind) {
      case 'hotplug':
        return t.hotplugSlots > 0;
      case 'bar':
        return t.bar.length > 0;
      case 'romd':
        return t.flash.length > 0;
      case 'alias':
        return t.aliases.length > 0;
      case 'ioeventfd':
        return t.ioeventfdRegions.length > 0;
    }
  }

  private nextHotplug(seq: number): ChurnOp {
    const slots = this.targets.hotplugSlots;
    const maxUnplugged = Math.max(1, Math.floor(slots / 8));
    const out = this.unplugged.length;
    const plugBack = out >= maxUnplugged || (out > 0 && this.prng.nextFloat() < 0.5);
    if (plugBack) {
      const slot = this.unplugged.splice(this.prng.below(out), 1)[0]!;
      return { seq, kind: 'hotplug', action: 'plug', slot };
    }
    // Pick one of the plugged slots uniformly.
    let pick = this.prng.below(slots - out);
    let slot = 0;
    for (; slot < slots; slot++) {
      if (this.unplugged.includes(slot)) continue;
      if (pick-- === 0) break;
    }
    this.unplugged.push(slot);
    return { seq, kind: 'hotplug', action: 'unplug', slot };
  }

  private nextBar(seq: number): ChurnOp {
    const index = this.prng.below(this.barSlotOf.length);
    const device = this.targets.bar[index]!;
    const fromSlot = this.barSlotOf[index]!;
    const toSlot = fromSlot === device.slots[0] ? device.slots[1] : device.slots[0];
    this.barSlotOf[index] = toSlot;
    return { seq, kind: 'bar', device: device.name, fromSlot, toSlot };
  }
}

/** One line per operation, for logs and determinism checks: `#3 hotplug unplug slot 5`. */
export function describeChurnOp(op: ChurnOp): string {
  switch (op.kind) {
    case 'hotplug':
      return `#${op.seq} hotplug ${op.action} slot ${op.slot}`;
    case 'bar':
      return `#${op.seq} bar ${op.device} slot ${op.fromSlot} -> ${op.toSlot}`;
    case 'romd':
      return `#${op.seq} romd ${op.region} ${op.romd ? 'on' : 'off'}`;
    case 'alias':
      return `#${op.seq} alias ${op.region} ${op.enabled ? 'on' : 'off'}`;
    case 'ioeventfd':
      return `#${op.seq} ioeventfd ${op.region} ${op.enabled ? 'on' : 'off'}`;
  }
}
