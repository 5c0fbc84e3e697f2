/**
 * `--strategy ./file.js` (SPEC 7): the example plug-in under examples/ runs by path through
 * the built binary, loaded in the owner and in every reader thread (vCPUs and the device
 * backend); a path that does not load, or whose default export is not a
 * StrategyDefinition, is one line and exit status 2.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const main = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

function cli(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [main, ...args],
      { cwd: root, timeout: 90_000 },
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

describe('addrspace run --strategy ./module.js', () => {
  it('runs examples/rcu-every-n.js with 0 violations and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'addrspace-plugin-'));
    const json = join(dir, 'run.json');
    const r = await cli(
      'run',
      '--strategy',
      './examples/rcu-every-n.js',
      '--duration',
      '2',
      '--vcpus',
      '2',
      '--quiet',
      '--json',
      json,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.strategy).toBe('rcu-every-n');
    expect(report.check.violations).toBe(0);
    expect(report.accesses.total).toBeGreaterThan(0);
    expect(report.accesses.perVcpu.every((n: number) => n > 0)).toBe(true);
    // The plug-in's readers adopted published views (the owner waited for their announcements).
    expect(report.publish.generations).toBeGreaterThan(1);
  }, 90_000);

  it('refuses a module whose default export is not a StrategyDefinition: one line, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'addrspace-plugin-'));
    const file = join(dir, 'not-a-strategy.js');
    writeFileSync(file, 'export default { name: "x", safe: true };\n');
    const r = await cli('run', '--strategy', file, '--duration', '1', '--quiet');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `addrspace: Invalid argument: strategy module ${file}: default export: x: description must be a string\n`,
    );
  });

  it('refuses a module path that does not exist: one line, exit 2', async () => {
    const r = await cli('run', '--strategy', './no-such-strategy.js', '--duration', '1');
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr).toMatch(
      /^addrspace: strategy module \.\/no-such-strategy\.js: cannot load it/,
    );
  });
});
