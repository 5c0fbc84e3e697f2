import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, wantsDebug } from '../../src/cli/args.js';
import { UsageError } from '../../src/cli/errors.js';

function usageError(argv: string[]): UsageError {
  try {
    parseCommandLine(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).code).toBe('InvalidArgument');
    return e as UsageError;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

function run(argv: string[]) {
  const c = parseCommandLine(['run', ...argv]);
  if (c.kind !== 'run') throw new Error(`expected a run command, got ${c.kind}`);
  return c.options;
}

describe('addrspace run flags', () => {
  it('with no flags: pc, one vCPU per core, 3 s, rcu, mixed, all churn at 1000/s, checks on', () => {
    expect(run([])).toMatchObject({
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
    });
  });

  it('reads every flag', () => {
    expect(
      run([
        '--machine',
        'machines/q35.json',
        '--vcpus',
        '4',
        '--duration',
        '0.5',
        '--strategy',
        'seqlock',
        '--workload',
        'mmio',
        '--churn',
        'hotplug,bar',
        '--churn-rate',
        '250',
        '--seed',
        '42',
        '--no-check',
        '--json',
        'out.json',
        '--html',
        'out.html',
        '--quiet',
        '--debug',
      ]),
    ).toMatchObject({
      machine: 'machines/q35.json',
      vcpus: 4,
      durationSeconds: 0.5,
      strategy: 'seqlock',
      workload: 'mmio',
      churn: ['hotplug', 'bar'],
      churnRate: 250,
      seed: 42,
      check: false,
      json: 'out.json',
      html: 'out.html',
      quiet: true,
      debug: true,
    });
  });

  it('takes --flag=value and --churn all / none', () => {
    expect(run(['--vcpus=2', '--churn=none']).churn).toEqual([]);
    expect(run(['--churn', 'all']).churn).toEqual(['hotplug', 'bar', 'romd', 'alias', 'ioeventfd']);
    expect(run(['--vcpus=2']).vcpus).toBe(2);
  });

  it.each([
    [['--vcpus', '0'], '--vcpus: must be an integer between 1 and 64 (got "0")'],
    [['--vcpus', 'many'], '--vcpus: must be an integer between 1 and 64 (got "many")'],
    [['--vcpus', '2.5'], '--vcpus: must be an integer between 1 and 64 (got "2.5")'],
    [
      ['--duration=-1'],
      '--duration: must be a number of seconds greater than 0 and at most 86400 (got "-1")',
    ],
    [
      ['--strategy', 'bogus'],
      '--strategy: must be one of rcu, seqlock, mutex, rwlock, refcount, hazard, ebr, leftright, none or a module path such as ./my-strategy.js, got "bogus"',
    ],
    [
      ['--workload', 'burst'],
      '--workload: must be one of seq, random, hot, mmio, mixed, got "burst"',
    ],
    [
      ['--churn', 'bar,dma'],
      '--churn: must be one of hotplug, bar, romd, alias, ioeventfd, got "dma"',
    ],
    [
      ['--churn-rate', 'fast'],
      '--churn-rate: must be a number of updates per second between 0 and 1000000 (got "fast")',
    ],
    [['--seed=-3'], '--seed: must be an integer between 0 and 4294967295 (got "-3")'],
    [['--seed', '-3'], '--seed: needs a value (write --seed=VALUE for one that starts with "-")'],
    [['--machine', ''], '--machine: must be \'pc\' or the path of a machine file (got "")'],
    [['--json', ''], '--json: must be a file path (got "")'],
    [['--vcpus'], '--vcpus: needs a value'],
    [
      ['--vcpus', '--quiet'],
      '--vcpus: needs a value (write --vcpus=VALUE for one that starts with "-")',
    ],
    [['--quiet=yes'], '--quiet: takes no value'],
    [['--check'], 'unknown option --check (see addrspace run --help)'],
    [['-x'], 'unknown option -x (see addrspace run --help)'],
    [['now'], 'unexpected argument "now" (see addrspace run --help)'],
  ])('run %j → %s', (argv, message) => {
    const e = usageError(['run', ...argv]);
    expect(e.message).toBe(message);
    expect(e.message).not.toContain('\n');
  });
});

describe('addrspace mtree flags', () => {
  it('defaults to the pc machine in StratoVirt format', () => {
    expect(parseCommandLine(['mtree'])).toEqual({
      kind: 'mtree',
      options: { machine: 'pc', flat: false, format: 'stratovirt', debug: false },
    });
  });

  it('reads --machine, --flat, --format and --debug', () => {
    expect(
      parseCommandLine(['mtree', '--machine', 'm.json', '--flat', '--format', 'qemu', '--debug']),
    ).toEqual({
      kind: 'mtree',
      options: { machine: 'm.json', flat: true, format: 'qemu', debug: true },
    });
  });

  it.each([
    [['--format', 'xml'], '--format: must be one of stratovirt, qemu, got "xml"'],
    [['--vcpus', '2'], 'unknown option --vcpus (see addrspace mtree --help)'],
    [['--machine'], '--machine: needs a value'],
  ])('mtree %j → %s', (argv, message) => {
    expect(usageError(['mtree', ...argv]).message).toBe(message);
  });
});

describe('addrspace bench flags', () => {
  it('reads --quick, --vcpus and --json', () => {
    const c = parseCommandLine(['bench', '--quick', '--vcpus', '1,2,4', '--json', 'b.json']);
    expect(c.kind).toBe('bench');
    if (c.kind !== 'bench') return;
    expect(c.options).toMatchObject({ quick: true, vcpus: [1, 2, 4], json: 'b.json' });
  });

  it.each([
    [['--vcpus', '1,0'], '--vcpus: must be an integer between 1 and 64 (got "1,0")'],
    [['--vcpus', ''], '--vcpus: must be a non-empty list of integers between 1 and 64 (got "")'],
    [['--html', 'x'], 'unknown option --html (see addrspace bench --help)'],
  ])('bench %j → %s', (argv, message) => {
    expect(usageError(['bench', ...argv]).message).toBe(message);
  });
});

describe('commands, help and version', () => {
  it.each([
    [[], 'main'],
    [['--help'], 'main'],
    [['-h'], 'main'],
    [['help'], 'main'],
    [['help', 'run'], 'run'],
    [['run', '--help'], 'run'],
    [['mtree', '-h'], 'mtree'],
    [['bench', '--quick', '--help'], 'bench'],
    [['run', '--vcpus', '0', '--help'], 'run'],
  ])('%j shows the %s help', (argv, topic) => {
    expect(parseCommandLine(argv)).toEqual({ kind: 'help', topic });
  });

  it('shows the version', () => {
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
    expect(parseCommandLine(['-v'])).toEqual({ kind: 'version' });
  });

  it.each([
    [['frob'], 'unknown command "frob" (expected run, mtree, bench, migrate or torture)'],
    [['help', 'frob'], 'unknown command "frob" (expected run, mtree, bench, migrate or torture)'],
    [
      ['--vcpus', '2'],
      'unknown option --vcpus (expected a command: run, mtree, bench, migrate or torture)',
    ],
  ])('%j → %s', (argv, message) => {
    expect(usageError(argv).message).toBe(message);
  });

  it('sees --debug even on a command line that does not parse', () => {
    expect(wantsDebug(['run', '--vcpus', '0', '--debug'])).toBe(true);
    expect(wantsDebug(['run'])).toBe(false);
  });
});
