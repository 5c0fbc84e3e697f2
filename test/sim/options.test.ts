import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { AddressSpaceError } from '../../src/base/errors.js';
import { CHURN_KINDS } from '../../src/machine/churn-kind.js';
import { OptionsError } from '../../src/sim/option-checks.js';
import {
  DEFAULT_RUN_OPTIONS,
  parseChurnList,
  type RunOptions,
  resolveRunOptions,
} from '../../src/sim/options.js';

/** The message `resolveRunOptions(options)` throws, checking it is a typed OptionsError. */
function runError(options: Record<string, unknown>): string {
  try {
    resolveRunOptions(options as RunOptions);
  } catch (e) {
    expect(e).toBeInstanceOf(OptionsError);
    expect(e).toBeInstanceOf(AddressSpaceError);
    expect((e as AddressSpaceError).code).toBe('InvalidArgument');
    return (e as Error).message;
  }
  throw new Error('expected resolveRunOptions to throw');
}

describe('resolveRunOptions defaults (addrspace run with no flags)', () => {
  it('runs the pc machine, one vCPU per core, 3 s, mixed, all churn, rcu, checks on', () => {
    const o = resolveRunOptions();
    expect(o).toMatchObject({
      machine: 'pc',
      vcpus: Math.min(64, availableParallelism()),
      durationSeconds: 3,
      strategy: 'rcu',
      workload: 'mixed',
      churn: ['hotplug', 'bar', 'romd', 'alias', 'ioeventfd'],
      churnRate: 1000,
      seed: 1,
      check: true,
      json: undefined,
      html: undefined,
      quiet: false,
      debug: false,
      progressIntervalMs: 250,
    });
    expect(DEFAULT_RUN_OPTIONS.churn).toEqual(CHURN_KINDS);
  });

  it('keeps every valid value it is given', () => {
    const o = resolveRunOptions({
      machine: 'machines/q35.json',
      vcpus: 4,
      durationSeconds: 0.5,
      strategy: 'seqlock',
      workload: 'hot',
      churn: ['bar', 'romd'],
      churnRate: 0,
      seed: 42,
      check: false,
      json: 'out.json',
      html: 'out.html',
      quiet: true,
      debug: true,
    });
    expect(o).toMatchObject({
      machine: 'machines/q35.json',
      vcpus: 4,
      durationSeconds: 0.5,
      strategy: 'seqlock',
      workload: 'hot',
      churn: ['bar', 'romd'],
      churnRate: 0,
      seed: 42,
      check: false,
      json: 'out.json',
      html: 'out.html',
      quiet: true,
      debug: true,
    });
  });
});

describe('resolveRunOptions names the bad option', () => {
  it.each([
    [{ machine: '' }, "machine: must be 'pc' or the path of a machine file"],
    [{ machine: 7 }, "machine: must be 'pc' or the path of a machine file"],
    [{ vcpus: 0 }, 'vcpus: must be an integer between 1 and 64'],
    [{ vcpus: 65 }, 'vcpus: must be an integer between 1 and 64'],
    [{ vcpus: 1.5 }, 'vcpus: must be an integer between 1 and 64'],
    [{ vcpus: '2' }, 'vcpus: must be an integer between 1 and 64'],
    [
      { durationSeconds: 0 },
      'durationSeconds: must be a number of seconds greater than 0 and at most 86400',
    ],
    [
      { durationSeconds: Number.NaN },
      'durationSeconds: must be a number of seconds greater than 0 and at most 86400',
    ],
    [
      { strategy: 'bogus' },
      'strategy: must be one of rcu, seqlock, mutex, rwlock, refcount, hazard, ebr, leftright, none or a module path such as ./my-strategy.js, got "bogus"',
    ],
    [{ workload: 'burst' }, 'workload: must be one of seq, random, hot, mmio, mixed, got "burst"'],
    [
      { churn: ['bar', 'dma'] },
      'churn[1]: must be one of hotplug, bar, romd, alias, ioeventfd, got "dma"',
    ],
    [
      { churn: 3 },
      'churn: must be a list of hotplug, bar, romd, alias, ioeventfd, or all, or none',
    ],
    [{ churnRate: -1 }, 'churnRate: must be a number of updates per second between 0 and 1000000'],
    [
      { churnRate: Number.POSITIVE_INFINITY },
      'churnRate: must be a number of updates per second between 0 and 1000000',
    ],
    [{ seed: -1 }, 'seed: must be an integer between 0 and 4294967295'],
    [{ seed: 2 ** 32 }, 'seed: must be an integer between 0 and 4294967295'],
    [{ check: 'yes' }, 'check: must be true or false'],
    [{ quiet: 1 }, 'quiet: must be true or false'],
    [{ debug: null }, 'debug: must be true or false'],
    [{ json: '' }, 'json: must be a file path'],
    [{ html: 5 }, 'html: must be a file path'],
    [{ onProgress: 'log' }, 'onProgress: must be a function'],
    [{ signal: {} }, 'signal: must be an AbortSignal'],
    [{ progressIntervalMs: 1 }, 'progressIntervalMs: must be an integer between 10 and 60000'],
    [{ churn_rate: 5 }, 'churn_rate: unknown option'],
  ])('%o → %s', (options, message) => {
    expect(runError(options)).toBe(message);
  });

  it('carries the path and the problem apart', () => {
    try {
      resolveRunOptions({ vcpus: 0 });
      expect.unreachable();
    } catch (e) {
      expect((e as OptionsError).path).toBe('vcpus');
      expect((e as OptionsError).problem).toBe('must be an integer between 1 and 64');
    }
  });

  it('rejects something that is not an object', () => {
    expect(runError([] as unknown as Record<string, unknown>)).toBe('options: must be an object');
  });
});

describe('parseChurnList', () => {
  it('reads all, none, comma lists and arrays, dropping duplicates in order', () => {
    expect(parseChurnList('all')).toEqual(['hotplug', 'bar', 'romd', 'alias', 'ioeventfd']);
    expect(parseChurnList('none')).toEqual([]);
    expect(parseChurnList('romd, bar,romd')).toEqual(['romd', 'bar']);
    expect(parseChurnList(['alias'])).toEqual(['alias']);
  });

  it('names the position of a bad kind', () => {
    expect(() => parseChurnList('bar,,romd')).toThrow(
      'churn[1]: must be one of hotplug, bar, romd, alias, ioeventfd',
    );
  });
});
