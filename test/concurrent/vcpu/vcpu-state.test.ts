import { describe, expect, it } from 'vitest';
import {
  Counter,
  VCPU_COUNTERS,
  VCPU_STATE_STRIDE,
  VcpuStateTable,
  VcpuStatus,
} from '../../../src/concurrent/vcpu/vcpu-state.js';

describe('VcpuStateTable', () => {
  it('starts idle, with no thread and zero counters', () => {
    const table = VcpuStateTable.create(3);
    expect(table.buffer.byteLength).toBe(3 * VCPU_STATE_STRIDE);
    expect(VCPU_STATE_STRIDE % 128).toBe(0);
    for (let v = 0; v < 3; v++) {
      expect([table.status(v), table.threadId(v), table.stopRequested(v)]).toEqual([
        VcpuStatus.Idle,
        -1,
        false,
      ]);
      expect(table.counters(v).accesses).toBe(0);
    }
  });

  it('keeps 64-bit counters per vCPU apart and sums them', () => {
    const table = VcpuStateTable.create(2);
    const c = new Float64Array(VCPU_COUNTERS.length);
    c[Counter.accesses] = 2 ** 40 + 5;
    c[Counter.mmioExits] = 7;
    table.storeCounters(0, c);
    c[Counter.accesses] = 1;
    c[Counter.mmioExits] = 0;
    c[Counter.faults] = 2;
    table.storeCounters(1, c);
    expect(table.counters(0)).toMatchObject({ accesses: 2 ** 40 + 5, mmioExits: 7, faults: 0 });
    expect(table.totals()).toMatchObject({ accesses: 2 ** 40 + 6, mmioExits: 7, faults: 2 });
    const back = new Float64Array(VCPU_COUNTERS.length);
    new VcpuStateTable(table.buffer).loadCounters(0, back);
    expect(back[Counter.accesses]).toBe(2 ** 40 + 5);
  });

  it('stores only the counters that moved since the thread last loaded or stored them', () => {
    const table = VcpuStateTable.create(1);
    const c = new Float64Array(VCPU_COUNTERS.length);
    c[Counter.accesses] = 10;
    c[Counter.faults] = 3;
    table.storeCounters(0, c);
    const stored = new Float64Array(VCPU_COUNTERS.length);
    table.loadCounters(0, stored);
    // Another thread's store of faults after our load: an unchanged faults value of ours
    // is not written back over it.
    c[Counter.faults] = 9;
    table.storeCounters(0, c);
    const mine = Float64Array.from(stored);
    mine[Counter.accesses] = 20;
    table.storeChangedCounters(0, mine, stored);
    expect(table.counters(0)).toMatchObject({ accesses: 20, faults: 9 });
    expect(stored[Counter.accesses]).toBe(20);
  });

  it('carries the stop request and status between threads’ views of one buffer', () => {
    const owner = VcpuStateTable.create(2);
    const vcpuSide = new VcpuStateTable(owner.buffer);
    owner.requestStop(1);
    vcpuSide.setStatus(1, VcpuStatus.InMmioExit);
    expect([vcpuSide.stopRequested(0), vcpuSide.stopRequested(1)]).toEqual([false, true]);
    expect(owner.status(1)).toBe(VcpuStatus.InMmioExit);
    owner.clearStop(1);
    expect(vcpuSide.stopRequested(1)).toBe(false);
  });

  it('refuses a bad vCPU count or buffer', () => {
    expect(() => VcpuStateTable.create(0)).toThrowError(
      expect.objectContaining({ code: 'InvalidArgument' }),
    );
    expect(() => new VcpuStateTable(new SharedArrayBuffer(VCPU_STATE_STRIDE + 4))).toThrowError(
      expect.objectContaining({ code: 'InvalidArgument' }),
    );
  });
});
