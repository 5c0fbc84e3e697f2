/**
 * The built `addrspace` binary as a user runs it: `node dist/src/cli/main.js ...` (run
 * `npm run build` first). Exit statuses, the one-line error format, help and version,
 * and `mtree` on a small machine file.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const main = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const tiny = 'test/cli/fixtures/tiny-machine.json';
const bad = 'test/cli/fixtures/bad-machine.json';

interface Result {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [main, ...args],
      { cwd: root, timeout: 60_000 },
      (error, stdout, stderr) => {
        const status = error ? Number((error as { code?: number }).code ?? 1) : 0;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

beforeAll(() => {
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
});

describe('addrspace (built)', () => {
  it('prints help with the SPEC 9 synopsis and exits 0', async () => {
    const r = await cli('--help');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(
      'addrspace run   [--machine pc|FILE.json] [--vcpus N] [--duration SECONDS]',
    );
    expect(r.stdout).toContain(
      'addrspace mtree [--machine pc|FILE.json] [--flat] [--format stratovirt|qemu]',
    );
    expect(r.stdout).toContain('addrspace bench [--quick] [--vcpus 1,2,4] [--json FILE]');
  });

  it.each([
    ['run', '--churn-rate PER_SECOND'],
    ['mtree', '--format stratovirt|qemu'],
    ['bench', '--quick'],
  ])('prints the help of %s', async (command, flag) => {
    const r = await cli(command, '--help');
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith(`Usage: addrspace ${command} [options]\n`)).toBe(true);
    expect(r.stdout).toContain(flag);
  });

  it('prints the version', async () => {
    expect(await cli('--version')).toEqual({ status: 0, stdout: 'addrspace 0.1.0\n', stderr: '' });
  });

  it.each([
    [['run', '--vcpus', '0'], 'addrspace: --vcpus: must be an integer between 1 and 64 (got "0")'],
    [
      ['run', '--vcpus', '65'],
      'addrspace: --vcpus: must be an integer between 1 and 64 (got "65")',
    ],
    [
      ['run', '--strategy', 'bogus'],
      'addrspace: --strategy: must be one of rcu, seqlock, mutex, rwlock, refcount, hazard, ebr, leftright, none or a module path such as ./my-strategy.js, got "bogus"',
    ],
    [
      ['run', '--churn', 'hotplug,dma'],
      'addrspace: --churn: must be one of hotplug, bar, romd, alias, ioeventfd, got "dma"',
    ],
    [['run', '--duration'], 'addrspace: --duration: needs a value'],
    [['run', '--frobnicate'], 'addrspace: unknown option --frobnicate (see addrspace run --help)'],
    [
      ['run', '--json', 'no/such/dir/report.json'],
      `addrspace: --json: cannot write no/such/dir/report.json: directory ${root}no/such/dir does not exist`,
    ],
    [
      ['mtree', '--format', 'xml'],
      'addrspace: --format: must be one of stratovirt, qemu, got "xml"',
    ],
    [
      ['bench', '--vcpus', '1,two'],
      'addrspace: --vcpus: must be an integer between 1 and 64 (got "1,two")',
    ],
    [
      ['launch'],
      'addrspace: unknown command "launch" (expected run, mtree, bench, migrate or torture)',
    ],
  ])('%j exits 2 with one line', async (args, line) => {
    const r = await cli(...args);
    expect(r).toEqual({ status: 2, stdout: '', stderr: `${line}\n` });
  });

  it('adds the stack with --debug', async () => {
    const r = await cli('run', '--vcpus', '0', '--debug');
    expect(r.status).toBe(2);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe('addrspace: --vcpus: must be an integer between 1 and 64 (got "0")');
    expect(lines[1]).toBe('UsageError: --vcpus: must be an integer between 1 and 64 (got "0")');
    expect(lines[2]).toMatch(/^ {4}at /);
  });

  it('mtree prints a machine file in StratoVirt layout', async () => {
    const r = await cli('mtree', '--machine', tiny);
    expect(r).toEqual({
      status: 0,
      stderr: '',
      stdout: [
        '----- address-space flat: memory -----',
        '  0x0 - 0x10000, (pri 0, Ram) Region ram @ offset 0x0',
        '  0x20000 - 0x20008, (pri 1, IO) Region uart0 @ offset 0x0',
        '------ regions show: system --------------',
        '0x0 - 0x100000, (Prio 0, Container) : system',
        '    0x20000 - 0x20008, (Prio 1, i/o romd None) : uart0',
        '    0x0 - 0x10000, (Prio 0, ram romd None) : ram',
        '--------------------------------------',
        '',
      ].join('\n'),
    });
  });

  it('mtree --flat prints only the flat view, in either layout', async () => {
    const strato = await cli('mtree', '--machine', tiny, '--flat');
    expect(strato.stdout).toBe(
      [
        '----- address-space flat: memory -----',
        '  0x0 - 0x10000, (pri 0, Ram) Region ram @ offset 0x0',
        '  0x20000 - 0x20008, (pri 1, IO) Region uart0 @ offset 0x0',
        '',
      ].join('\n'),
    );
    const qemu = await cli('mtree', '--machine', tiny, '--flat', '--format', 'qemu');
    expect(qemu.status).toBe(0);
    expect(qemu.stdout).toContain('  0000000000000000-000000000000ffff (prio 0, ram): ram\n');
    expect(qemu.stdout).toContain('  0000000000020000-0000000000020007 (prio 1, i/o): uart0\n');
  });

  it('a bad machine file exits 2 with one line naming the field', async () => {
    const r = await cli('mtree', '--machine', bad);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr.startsWith('addrspace: memory.children[0].size: ')).toBe(true);
  });

  it('a missing machine file exits 2 with one line', async () => {
    const r = await cli('mtree', '--machine', 'test/cli/fixtures/absent.json');
    expect(r).toEqual({
      status: 2,
      stdout: '',
      stderr: 'addrspace: cannot read machine file test/cli/fixtures/absent.json: ENOENT\n',
    });
  });

  it('run writes JSON with every SPEC 9 key and HTML, prints a summary, exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'addrspace-cli-'));
    const json = join(dir, 'run.json');
    const html = join(dir, 'run.html');
    const r = await cli(
      'run',
      '--machine',
      tiny,
      '--vcpus',
      '1',
      '--duration',
      '0.3',
      '--seed',
      '7',
      '--json',
      json,
      '--html',
      html,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^addrspace run: test\/cli\/fixtures\/tiny-machine\.json, rcu, 1 vCPU, /,
    );
    expect(lines[0]).toMatch(/, mixed workload, seed 7$/);
    expect(lines.map((l) => l.slice(0, 16).trim())).toEqual(
      expect.arrayContaining(['accesses', 'churn', 'generations', 'check', 'json', 'html']),
    );
    // Piped: no progress line, so no carriage returns or escape sequences.
    expect(r.stdout.includes('\r') || r.stdout.includes('\x1b')).toBe(false);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining([
        'version',
        'machine',
        'strategy',
        'vcpus',
        'durationSeconds',
        'seed',
        'accesses',
        'mmioExits',
        'ioeventfdSignals',
        'churn',
        'publish',
        'reclaimed',
        'check',
        'timeline',
      ]),
    );
    expect(report).toMatchObject({
      version: 1,
      machine: tiny,
      strategy: 'rcu',
      vcpus: 1,
      seed: 7,
      check: { enabled: true, violations: 0 },
    });
    expect(report.accesses.perVcpu).toHaveLength(1);
    expect(readFileSync(html, 'utf8').startsWith('<!doctype html>')).toBe(true);
  });

  it('run --quiet --no-check prints nothing and records checks off', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'addrspace-cli-'));
    const json = join(dir, 'run.json');
    const r = await cli(
      'run',
      '--machine',
      tiny,
      '--vcpus',
      '1',
      '--duration',
      '0.2',
      '--churn',
      'none',
      '--no-check',
      '--quiet',
      '--json',
      json,
    );
    expect(r).toEqual({ status: 0, stdout: '', stderr: '' });
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.check.enabled).toBe(false);
    expect(report.churn.updates).toBe(0);
  });

  it('run on a bad machine file exits 2 with one line', async () => {
    const r = await cli('run', '--machine', bad, '--duration', '0.2');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr.startsWith('addrspace: memory.children[0].size: ')).toBe(true);
  });
});
