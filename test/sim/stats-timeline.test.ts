import { describe, expect, it } from 'vitest';
import { ChurnEventLog, TimelineRecorder } from '../../src/sim/stats-timeline.js';

describe('TimelineRecorder', () => {
  it('turns cumulative per-vCPU counts into per-interval rates', () => {
    const tl = new TimelineRecorder({ vcpus: 2 });
    tl.sample(0.5, [1000, 500], 3);
    tl.sample(1.0, [3000, 500], 7);
    expect(tl.points()).toEqual([
      { t: 0.5, accessesPerSecond: 3000, generation: 3, perVcpuAccessesPerSecond: [2000, 1000] },
      { t: 1, accessesPerSecond: 4000, generation: 7, perVcpuAccessesPerSecond: [4000, 0] },
    ]);
  });

  it('ignores a sample that is not later than the previous one', () => {
    const tl = new TimelineRecorder({ vcpus: 1 });
    tl.sample(1, [10], 1);
    tl.sample(1, [99], 2);
    tl.sample(0.5, [99], 2);
    expect(tl.points()).toEqual([
      { t: 1, accessesPerSecond: 10, generation: 1, perVcpuAccessesPerSecond: [10] },
    ]);
  });

  it('when full, merges pairs and then merges new samples two at a time', () => {
    const tl = new TimelineRecorder({ vcpus: 1, capacity: 4 });
    // One sample per second; vCPU 0 does 100·k accesses in second k.
    let total = 0;
    for (let k = 1; k <= 6; k++) {
      total += 100 * k;
      tl.sample(k, [total], k);
    }
    // Samples 1..4 fill it; sample 5 first compacts them to (1+2) (3+4), and from then
    // on two samples make one point: 5 and 6 merge.
    expect(tl.points().map((p) => [p.t, p.accessesPerSecond, p.generation])).toEqual([
      [2, 150, 2],
      [4, 350, 4],
      [6, 550, 6],
    ]);
  });

  it('shows a half-merged last point', () => {
    const tl = new TimelineRecorder({ vcpus: 1, capacity: 2 });
    tl.sample(1, [10], 1);
    tl.sample(2, [30], 2);
    tl.sample(3, [60], 3); // stride is now 2: pending with one sample
    expect(tl.points().map((p) => [p.t, p.accessesPerSecond])).toEqual([
      [2, 15],
      [3, 30],
    ]);
  });

  it('is empty before the first sample', () => {
    expect(new TimelineRecorder({ vcpus: 3 }).points()).toEqual([]);
  });
});

describe('ChurnEventLog', () => {
  it('keeps events in order up to its capacity and counts the rest', () => {
    const log = new ChurnEventLog(2);
    log.record(0.1, 'bar');
    log.record(0.25, 'ioeventfd');
    log.record(0.3, 'romd');
    expect(log.events()).toEqual([
      { t: 0.1, kind: 'bar' },
      { t: 0.25, kind: 'ioeventfd' },
    ]);
    expect(log.dropped).toBe(1);
  });
});
