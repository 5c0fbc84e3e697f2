/**
 * The churn driver's pacing and bookkeeping on the owner's event loop: it applies the
 * schedule's operations in order at about the requested rate, keeps the event loop
 * turning, counts refused operations without stopping, and stops on anything else.
 * `apply` here records what it is given (and refuses some): the driver under test is real.
 */
import { describe, expect, it } from 'vitest';
import { AddressSpaceError } from '../../src/base/errors.js';
import { ChurnDriver } from '../../src/sim/churn-driver.js';
import { type ChurnOp, ChurnSchedule, type ChurnTargets } from '../../src/sim/churn-schedule.js';

const TARGETS: ChurnTargets = {
  hotplugSlots: 8,
  bar: [],
  flash: [{ name: 'flash', romd: true }],
  aliases: [],
  ioeventfdRegions: ['virtio0'],
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ChurnDriver', () => {
  it('applies the schedule in order, about `rate` per second, and lets the event loop run', async () => {
    const applied: ChurnOp[] = [];
    const driver = new ChurnDriver({
      schedule: new ChurnSchedule({ seed: 9, kinds: ['hotplug', 'romd'], targets: TARGETS }),
      rate: 400,
      apply: (op) => applied.push(op),
      keepOps: 1000,
    });
    let turns = 0;
    const ticker = setInterval(() => turns++, 5);
    const started = performance.now();
    driver.start(started);
    await sleep(500);
    driver.stop();
    clearInterval(ticker);
    const seconds = (performance.now() - started) / 1000;
    const after = applied.length;
    await sleep(50);
    expect(applied.length).toBe(after); // nothing after stop()

    expect(applied.map((op) => op.seq)).toEqual(applied.map((_, i) => i));
    expect(applied).toEqual(
      new ChurnSchedule({ seed: 9, kinds: ['hotplug', 'romd'], targets: TARGETS }).take(
        applied.length,
      ),
    );
    expect(driver.ops).toEqual(applied);
    // Never ahead of the clock; behind only by what a loaded host costs.
    expect(applied.length).toBeLessThanOrEqual(Math.floor(seconds * 400) + 1);
    expect(applied.length).toBeGreaterThan(60);
    expect(driver.updates).toBe(applied.length);
    expect(driver.byKind.hotplug + driver.byKind.romd).toBe(applied.length);
    expect(driver.updateCostUs.count).toBe(applied.length);
    expect(turns).toBeGreaterThan(10);
  });

  it('counts operations the address space refuses, and stops on any other error', async () => {
    let calls = 0;
    const driver = new ChurnDriver({
      schedule: new ChurnSchedule({ seed: 1, kinds: ['romd'], targets: TARGETS }),
      rate: 1000,
      apply: () => {
        calls++;
        if (calls % 2 === 0) throw new AddressSpaceError('RegionType', 'refused');
        if (calls === 9) throw new TypeError('a bug');
      },
    });
    driver.start();
    await sleep(200);
    expect(driver.error).toBeInstanceOf(TypeError);
    expect([driver.updates, driver.failed, driver.failedByKind.romd]).toEqual([4, 4, 4]);
    await sleep(30);
    expect(calls).toBe(9);
    driver.stop();
  });

  it('does nothing at rate 0 or with nothing to churn', async () => {
    const schedule = new ChurnSchedule({ seed: 1, kinds: ['bar'], targets: TARGETS });
    const a = new ChurnDriver({ schedule, rate: 1000, apply: () => {} });
    const b = new ChurnDriver({
      schedule: new ChurnSchedule({ seed: 1, kinds: ['romd'], targets: TARGETS }),
      rate: 0,
      apply: () => {},
    });
    a.start();
    b.start();
    await sleep(30);
    expect([a.updates, b.updates]).toEqual([0, 0]);
  });
});
