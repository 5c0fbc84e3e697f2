import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseVcpuList, resolveBenchOptions } from '../../src/bench/options.js';

describe('resolveBenchOptions', () => {
  it('defaults to full rows of every strategy plus raw, random workload, 1000 updates/s', () => {
    const o = resolveBenchOptions();
    expect(o.quick).toBe(false);
    expect(o.strategies).toEqual([
      'rcu',
      'seqlock',
      'mutex',
      'rwlock',
      'refcount',
      'hazard',
      'ebr',
      'leftright',
      'none',
      'raw',
    ]);
    expect(o.workload).toBe('random');
    expect(o.churnRate).toBe(1000);
    expect(o.durationSeconds).toBe(1);
    expect(o.vcpus[0]).toBe(1);
    expect(o.vcpus[o.vcpus.length - 1]).toBe(Math.min(64, availableParallelism()));
  });

  it('shortens rows with quick and reads a comma list of vCPU counts', () => {
    const o = resolveBenchOptions({ quick: true, vcpus: '1,2,4', json: 'bench.json' });
    expect(o.durationSeconds).toBe(0.25);
    expect(o.vcpus).toEqual([1, 2, 4]);
    expect(o.json).toBe('bench.json');
  });

  it.each([
    [{ vcpus: '1,x' }, 'vcpus[1]: must be an integer between 1 and 64'],
    [{ vcpus: '' }, 'vcpus: must be a non-empty list of integers between 1 and 64'],
    [{ vcpus: [1, 100] }, 'vcpus[1]: must be an integer between 1 and 64'],
    [{ quick: 'no' }, 'quick: must be true or false'],
    [
      { strategies: ['rcu', 'rw'] },
      'strategies[1]: must be one of rcu, seqlock, mutex, rwlock, refcount, hazard, ebr, leftright, none, raw, got "rw"',
    ],
    [{ workloads: ['seq', 'mmio'] }, 'workloads[1]: must be one of seq, random, hot, got "mmio"'],
    [{ churnRates: [] }, 'churnRates: must be a non-empty list'],
    [{ rounds: 0 }, 'rounds: must be an integer between 1 and 100'],
    [
      { roundMs: 100, durationSeconds: 1 },
      'roundMs: give roundMs or durationSeconds (seconds per round), not both',
    ],
  ])('%o → %s', (options, message) => {
    expect(() => resolveBenchOptions(options as never)).toThrow(message);
  });

  it('defaults: every workload, churn 0/1000/10000, 3 rounds of 1000 ms; quick: 0/1000, 1 of 250', () => {
    expect(resolveBenchOptions({})).toMatchObject({
      workloads: ['seq', 'random', 'hot'],
      churnRates: [0, 1000, 10_000],
      rounds: 3,
      roundMs: 1000,
      durationSeconds: 1,
    });
    expect(resolveBenchOptions({ quick: true })).toMatchObject({
      churnRates: [0, 1000],
      rounds: 1,
      roundMs: 250,
    });
  });

  it('takes lists as arrays or comma text, and durationSeconds as the round length', () => {
    expect(
      resolveBenchOptions({
        strategies: 'rcu, none',
        workloads: 'hot',
        churnRates: '0,500',
        durationSeconds: 0.5,
      }),
    ).toMatchObject({
      strategies: ['rcu', 'none'],
      workloads: ['hot'],
      churnRates: [0, 500],
      roundMs: 500,
    });
  });

  it('parseVcpuList keeps order', () => {
    expect(parseVcpuList('4,1')).toEqual([4, 1]);
  });
});
