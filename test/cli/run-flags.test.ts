/**
 * `addrspace run` flags of SPEC 11 and the machine file's run defaults, through the built
 * CLI in a child process: the file's `churn` and `workload` apply unless a flag says
 * otherwise; `--faults` is checked like every flag; `--record` then `--replay` gives
 * back the same sequence. Runs are half a second on examples/small.json.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/sim/report-types.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const main = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const small = 'examples/small.json';
const dir = mkdtempSync(join(tmpdir(), 'addrspace-run-flags-'));

function cli(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [main, ...args], { cwd: root, timeout: 60_000 }, (e, o, r) => {
      resolve({ status: e ? Number((e as { code?: number }).code ?? 1) : 0, stdout: o, stderr: r });
    });
  });
}

function report(path: string): RunReport {
  return JSON.parse(readFileSync(path, 'utf8')) as RunReport;
}

describe('addrspace run (built): machine-file defaults and SPEC 11 flags', () => {
  it("takes the machine file's churn and workload when no flag gives them", async () => {
    const json = join(dir, 'defaults.json');
    const r = await cli(
      'run',
      '--machine',
      small,
      '--duration',
      '0.5',
      '--vcpus',
      '1',
      '--quiet',
      '--json',
      json,
    );
    expect(r.status).toBe(0);
    // examples/small.json: "churn": { "kinds": "hotplug,romd,alias,ioeventfd", "rate": 200 }
    expect(report(json)).toMatchObject({
      churnKinds: ['hotplug', 'romd', 'alias', 'ioeventfd'],
      churnRate: 200,
      workload: 'mixed',
    });
  });

  it('flags override the machine file', async () => {
    const json = join(dir, 'flags.json');
    const r = await cli(
      'run',
      '--machine',
      small,
      '--duration',
      '0.5',
      '--vcpus',
      '1',
      '--churn',
      'alias',
      '--churn-rate',
      '50',
      '--workload',
      'seq',
      '--quiet',
      '--json',
      json,
    );
    expect(r.status).toBe(0);
    expect(report(json)).toMatchObject({ churnKinds: ['alias'], churnRate: 50, workload: 'seq' });
  });

  it('--faults names a bad kind in one line, exit 2', async () => {
    const r = await cli('run', '--faults', 'kill-vcpu,kill-cpu');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'addrspace: --faults: must be one of kill-vcpu, kill-backend, throw-device, throw-listener, slow-owner, table-growth, got "kill-cpu"\n',
    );
  });

  it('--record then --replay: the same operations, the same generations', async () => {
    const file = join(dir, 'run.jsonl');
    const first = join(dir, 'recorded.json');
    const second = join(dir, 'replayed.json');
    const a = await cli(
      'run',
      '--machine',
      small,
      '--duration',
      '0.5',
      '--vcpus',
      '1',
      '--record',
      file,
      '--quiet',
      '--json',
      first,
    );
    expect(a.status).toBe(0);
    const b = await cli('run', '--replay', file, '--quiet', '--json', second);
    expect(b.status).toBe(0);
    const ops = report(first).record!.ops;
    expect(ops).toBeGreaterThan(0);
    expect(report(second)).toMatchObject({
      machine: small,
      replayed: ops,
      replay: { total: ops, replayed: ops, mismatches: 0 },
    });
  });
});
