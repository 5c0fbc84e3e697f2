/**
 * `addrspace migrate` as a user runs it (the built binary; `npm run build` first) on a
 * small machine file: exit 0 with every byte matching, 1 with `--no-dirty-log`, 2 with
 * one line for a truncated stream; `--json -` is JSON alone on stdout.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const main = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const small = 'test/sim/fixtures/sim-small.json';
const dir = mkdtempSync(join(tmpdir(), 'addrspace-migrate-cli-'));

function cli(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
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

describe('addrspace migrate (built)', () => {
  it('exits 0 with a summary when every byte matches; writes the stream', async () => {
    const stream = join(dir, 'm.stream');
    const r = await cli(
      'migrate',
      '--machine',
      small,
      '--vcpus',
      '1',
      '--to',
      stream,
      '--bandwidth',
      '512',
    );
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(
      /^addrspace migrate: test\/sim\/fixtures\/sim-small\.json, rcu, 1 vCPU, mixed workload/,
    );
    expect(r.stdout).toContain('  compare       8,448 pages, 0 differ: every byte matches\n');
    expect(r.stdout).toContain('  result        OK\n');
    const cut = join(dir, 'cut.stream');
    writeFileSync(cut, readFileSync(stream).subarray(0, 5000));
    const bad = await cli('migrate', '--machine', small, '--from', cut);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(
      /^addrspace: migration stream .*cut\.stream is truncated at byte 5000 \(in page \d+ of ram0\)\n$/,
    );
  }, 60_000);

  it('--no-dirty-log exits 1; --json - prints only the JSON', async () => {
    const r = await cli(
      'migrate',
      '--machine',
      small,
      '--vcpus',
      '1',
      '--workload',
      'seq',
      '--no-dirty-log',
      '--json',
      '-',
    );
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as {
      dirtyLog: boolean;
      compare: { differingPages: number };
    };
    expect(report.dirtyLog).toBe(false);
    expect(report.compare.differingPages).toBeGreaterThan(0);
  }, 60_000);

  it('bad usage is one line and exit 2', async () => {
    const r = await cli('migrate', '--bandwidth', 'fast');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'addrspace: --bandwidth: must be a number of MiB/s above 0 and at most 1000000 (got "fast")\n',
    );
  });
});
