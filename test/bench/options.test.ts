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
    [{ html: 'x.html' }, 'html: unknown option'],
  ])('%o → %s', (options, message) => {
    expect(() => resolveBenchOptions(options as never)).toThrow(message);
  });

  it('parseVcpuList keeps order', () => {
    expect(parseVcpuList('4,1')).toEqual([4, 1]);
  });
});
