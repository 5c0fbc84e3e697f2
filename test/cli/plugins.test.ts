/**
 * SPEC 9 plug-ins through the built CLI: `--workload ./file.js` and a machine file's
 * `"device": { "module": "./file.js", ... }`, with the examples under examples/ that the
 * docs describe, and plug-ins that are broken or throw: those are refused (exit 2, one
 * line) or fail the run with the plug-in's message (exit 3), never exit 0.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli, ROOT, TINY_MACHINE } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'addrspace-plugins-'));
const fixtures = 'test/cli/fixtures';

beforeAll(assertBuilt);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--workload ./file.js', () => {
  it('runs examples/strided-workload.js on every vCPU: RAM only, no exits, no violations', async () => {
    const json = join(dir, 'strided.json');
    const r = await cli([
      'run',
      '--machine',
      TINY_MACHINE,
      '--vcpus',
      '2',
      '--duration',
      '0.5',
      '--workload',
      './examples/strided-workload.js',
      '--json',
      json,
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toContain(', ./examples/strided-workload.js workload, seed 1');
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.workload).toBe('./examples/strided-workload.js');
    expect(report.accesses.perVcpu.every((n: number) => n > 0)).toBe(true);
    // The tiny machine has a UART: the built-in mixed workload would exit to it; this
    // module only walks RAM.
    expect(report.mmioExits.count).toBe(0);
    expect(report.check.violations).toBe(0);
  });

  it('fails the run with the step function’s message and exit 3 when it throws', async () => {
    const r = await cli([
      'run',
      '--machine',
      TINY_MACHINE,
      '--vcpus',
      '1',
      '--duration',
      '1',
      '--workload',
      `${fixtures}/throwing-workload.js`,
    ]);
    expect(r.status).toBe(3);
    expect(r.stdout).toContain('vcpu-died: vCPU 0 died in slice');
    expect(r.stdout).toContain('strided walk fell off the end');
  });

  it.each([
    [
      `${fixtures}/shapeless-workload.js`,
      `addrspace: workload module file://${ROOT}${fixtures}/shapeless-workload.js: its default export needs create(context) returning a step function\n`,
    ],
    [
      './no-such-workload.js',
      `addrspace: cannot load workload module file://${ROOT}no-such-workload.js: Cannot find module`,
    ],
  ])('refuses %s with one line and exit 2', async (module, line) => {
    const r = await cli(['run', '--machine', TINY_MACHINE, '--workload', module]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.startsWith(line.trimEnd())).toBe(true);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });
});

describe('"device": { "module": "./file.js" }', () => {
  it('mtree shows examples/counter-device.js behind its IO region', async () => {
    const r = await cli(['mtree', '--machine', 'examples/counter-machine.json', '--flat']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      '  0xFE000000 - 0xFE000010, (pri 0, IO) Region counter0 @ offset 0x0\n',
    );
  });

  it('runs the counter machine: the mmio workload exits to the module device, no violations', async () => {
    const json = join(dir, 'counter.json');
    const r = await cli([
      'run',
      '--machine',
      'examples/counter-machine.json',
      '--vcpus',
      '1',
      '--duration',
      '0.5',
      '--workload',
      'mmio',
      '--json',
      json,
      '--quiet',
    ]);
    expect(r).toEqual({ status: 0, stdout: '', stderr: '' });
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.mmioExits.count).toBeGreaterThan(0);
    expect(report.vcpuFaults?.ioAccess ?? 0).toBe(0);
    expect(report.failures ?? []).toEqual([]);
  });

  it('fails the run with the device’s message and exit 3 when its write throws', async () => {
    const r = await cli([
      'run',
      '--machine',
      `${fixtures}/throwing-device-machine.json`,
      '--vcpus',
      '1',
      '--duration',
      '0.5',
      '--workload',
      'mmio',
    ]);
    expect(r.status).toBe(3);
    expect(r.stdout).toContain('device-failed: vCPU 0: a device callback threw');
    expect(r.stdout).toContain('(caused by Error: the counter register caught fire)');
  });

  it('refuses a module that cannot be loaded with the field path and exit 2', async () => {
    const r = await cli(['mtree', '--machine', `${fixtures}/missing-device-machine.json`]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(
      r.stderr.startsWith(
        `addrspace: memory.children[1].device.module: cannot load device module file://${ROOT}${fixtures}/no-such-device.js: `,
      ),
    ).toBe(true);
  });
});
