/**
 * The seeded churn schedule: the sequence is a function of the seed, the kinds and the
 * machine's targets alone, and every operation it hands out is valid in the state the
 * previous ones leave (SPEC 9: same seed, same churn sequence).
 */
import { describe, expect, it } from 'vitest';
import { CHURN_KINDS } from '../../src/machine/churn-kind.js';
import {
  type ChurnOp,
  ChurnSchedule,
  type ChurnTargets,
  describeChurnOp,
} from '../../src/sim/churn-schedule.js';

const TARGETS: ChurnTargets = {
  hotplugSlots: 8,
  bar: [
    { name: 'virtio0', slots: [0, 2], slot: 0 },
    { name: 'virtio1', slots: [1, 3], slot: 1 },
  ],
  flash: [{ name: 'flash', romd: true }],
  aliases: [
    { name: 'pam0', enabled: true },
    { name: 'pam1', enabled: false },
  ],
  ioeventfdRegions: ['virtio0', 'virtio1'],
};

const schedule = (seed: number, kinds = CHURN_KINDS, targets = TARGETS) =>
  new ChurnSchedule({ seed, kinds, targets });

describe('ChurnSchedule', () => {
  it('seed 1, every kind: the first operations', () => {
    expect(schedule(1).take(8).map(describeChurnOp)).toEqual([
      '#0 alias pam1 on',
      '#1 romd flash off',
      '#2 bar virtio1 slot 1 -> 3',
      '#3 romd flash on',
      '#4 bar virtio1 slot 3 -> 1',
      '#5 ioeventfd virtio1 off',
      '#6 ioeventfd virtio0 off',
      '#7 romd flash off',
    ]);
  });

  it('the same seed gives the same sequence; another seed another one', () => {
    const a = schedule(42).take(2000);
    expect(schedule(42).take(2000)).toEqual(a);
    expect(schedule(43).take(2000)).not.toEqual(a);
    // Taking one at a time or in chunks changes nothing: no clock, no state outside.
    const chunked = schedule(42);
    const pieces = [...chunked.take(7), ...chunked.take(993), ...chunked.take(1000)];
    expect(pieces).toEqual(a);
  });

  it('leaves out enabled kinds the machine has nothing for, in CHURN_KINDS order', () => {
    const bare: ChurnTargets = {
      hotplugSlots: 0,
      bar: [],
      flash: [],
      aliases: [],
      ioeventfdRegions: ['uart'],
    };
    expect(schedule(1, ['ioeventfd', 'hotplug', 'bar'], bare).activeKinds).toEqual(['ioeventfd']);
    expect(schedule(1, ['romd', 'hotplug']).activeKinds).toEqual(['hotplug', 'romd']);
    expect(schedule(1, [], TARGETS).next()).toBeUndefined();
    expect(schedule(1, []).take(5)).toEqual([]);
  });

  it('every operation is valid in the state the earlier ones left', () => {
    const plugged = new Array<boolean>(8).fill(true);
    const barSlot = new Map([
      ['virtio0', 0],
      ['virtio1', 1],
    ]);
    const romd = new Map([['flash', true]]);
    const alias = new Map([
      ['pam0', true],
      ['pam1', false],
    ]);
    const doorbells = new Map([
      ['virtio0', true],
      ['virtio1', true],
    ]);
    const counts: Record<string, number> = {};
    for (const op of schedule(7).take(5000) as ChurnOp[]) {
      counts[op.kind] = (counts[op.kind] ?? 0) + 1;
      switch (op.kind) {
        case 'hotplug':
          expect(plugged[op.slot]).toBe(op.action === 'unplug');
          plugged[op.slot] = op.action === 'plug';
          // At most one slot in eight is out at a time.
          expect(plugged.filter((p) => !p).length).toBeLessThanOrEqual(1);
          break;
        case 'bar':
          // Each BAR goes back and forth between its two slots.
          expect(barSlot.get(op.device)).toBe(op.fromSlot);
          expect(op.toSlot).toBe(op.device === 'virtio0' ? 2 - op.fromSlot : 4 - op.fromSlot);
          barSlot.set(op.device, op.toSlot);
          break;
        case 'romd':
          expect(romd.get(op.region)).toBe(!op.romd);
          romd.set(op.region, op.romd);
          break;
        case 'alias':
          expect(alias.get(op.region)).toBe(!op.enabled);
          alias.set(op.region, op.enabled);
          break;
        case 'ioeventfd':
          expect(doorbells.get(op.region)).toBe(!op.enabled);
          doorbells.set(op.region, op.enabled);
          break;
      }
    }
    // Kinds are drawn uniformly: each of the five gets about a fifth of 5000.
    for (const kind of CHURN_KINDS) {
      expect(counts[kind]).toBeGreaterThan(850);
      expect(counts[kind]).toBeLessThan(1150);
    }
  });

  it('refuses a seed that is not an integer', () => {
    expect(() => schedule(1.5)).toThrowError(expect.objectContaining({ code: 'InvalidArgument' }));
  });
});
