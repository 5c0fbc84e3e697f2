/**
 * SPEC 9 "CLI conventions", each checked on the built binary as a shell runs it:
 * `--json -` puts the report and nothing else on stdout; the progress line goes to
 * stderr, and only when stderr is a terminal; `--quiet` means no progress and no summary
 * in `run` and `bench`; Ctrl-C stops early, still writes the reports marked
 * `"interrupted": true` and exits 130; the bench flags pick the rows; `compare` lines
 * reports up with ratios to the first. Run `npm run build` first.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  cli,
  cliInterrupted,
  hasScript,
  MAIN,
  TINY_MACHINE,
  underTerminal,
} from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'addrspace-conventions-'));
const tinyRun = ['run', '--machine', TINY_MACHINE, '--vcpus', '1', '--churn', 'none'];

beforeAll(assertBuilt);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--json -', () => {
  it('writes the JSON report and nothing else to stdout; the summary goes to stderr', async () => {
    const r = await cli([...tinyRun, '--duration', '0.3', '--json', '-']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ version: 1, machine: TINY_MACHINE, strategy: 'rcu', vcpus: 1 });
    expect(
      r.stderr.startsWith('addrspace run: test/cli/fixtures/tiny-machine.json, rcu, 1 vCPU'),
    ).toBe(true);
  });

  it('with --quiet: stdout is the report, stderr is empty', async () => {
    const r = await cli([...tinyRun, '--duration', '0.2', '--json', '-', '--quiet']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).accesses.perVcpu).toHaveLength(1);
  });

  it.each([
    ['run', ...tinyRun.slice(1)],
    ['bench', '--vcpus', '1'],
  ])('%s refuses two reports on stdout with one line and exit 2', async (...command) => {
    const r = await cli([...command, '--json', '-', '--html', '-']);
    expect(r).toEqual({
      status: 2,
      stdout: '',
      stderr: 'addrspace: --html: only one report can go to stdout (--json - already does)\n',
    });
  });
});

describe.skipIf(!hasScript())(
  'progress line (under a pseudo-terminal from util-linux script)',
  () => {
    it('is drawn on stderr when stderr is a terminal, and never reaches a redirected stdout', async () => {
      const out = join(dir, 'tty-stdout.txt');
      const r = await underTerminal(
        `${process.execPath} ${MAIN} ${tinyRun.join(' ')} --duration 1.5 > ${out}`,
      );
      expect(r.status).toBe(0);
      // The terminal got the progress line: rewritten in place, erased at the end.
      expect(r.stdout).toContain('acc/s');
      expect(r.stdout).toContain('\x1b[K');
      const stdout = readFileSync(out, 'utf8');
      expect(stdout.startsWith('addrspace run: ')).toBe(true);
      expect(stdout).not.toContain('\x1b');
      expect(stdout).not.toContain('\r');
    });

    it('is not drawn when stderr is a pipe', async () => {
      const r = await cli([...tinyRun, '--duration', '0.6']);
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).not.toContain('\x1b');
    });

    it('--quiet on a terminal: no progress line and no summary', async () => {
      const json = join(dir, 'quiet-tty.json');
      const r = await underTerminal(
        `${process.execPath} ${MAIN} ${tinyRun.join(' ')} --duration 0.8 --quiet --json ${json}`,
      );
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('');
      expect(JSON.parse(readFileSync(json, 'utf8')).vcpus).toBe(1);
    });
  },
);

describe('Ctrl-C (SIGINT)', () => {
  it('run stops early, writes JSON and HTML marked interrupted, and exits 130', async () => {
    const json = join(dir, 'interrupted-run.json');
    const html = join(dir, 'interrupted-run.html');
    const r = await cliInterrupted(
      [...tinyRun, '--duration', '300', '--json', json, '--html', html],
      2500,
    );
    expect(r.status).toBe(130);
    expect(r.exitedAfterMs).toBeLessThan(60_000);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.interrupted).toBe(true);
    expect(report.durationSeconds).toBeLessThan(60);
    expect(readFileSync(html, 'utf8')).toContain('<span class="badge warn">interrupted</span>');
    expect(r.stdout).toContain('interrupted: the report covers the time run');
  });

  it('bench stops early, keeps the rows measured, writes both reports and exits 130; --quiet prints nothing', async () => {
    const json = join(dir, 'interrupted-bench.json');
    const html = join(dir, 'interrupted-bench.html');
    const r = await cliInterrupted(
      [
        'bench',
        '--vcpus',
        '1',
        '--strategies',
        'rcu,none',
        '--workloads',
        'seq',
        '--churn-rates',
        '0',
        '--round-ms',
        '300000',
        '--rounds',
        '1',
        '--json',
        json,
        '--html',
        html,
        '--quiet',
      ],
      6000,
    );
    expect(r).toMatchObject({ status: 130, stdout: '', stderr: '' });
    expect(r.exitedAfterMs).toBeLessThan(60_000);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.interrupted).toBe(true);
    expect(report.roundSeconds).toBe(300);
    expect(report.rounds).toBe(1);
    // The round that was running ends early and keeps its row (none when Ctrl-C came
    // before the first round began, on a loaded host); later rows never start.
    expect(report.strategies.length).toBeLessThanOrEqual(1);
    for (const row of report.strategies) {
      expect(row).toMatchObject({ strategy: 'rcu', vcpus: 1, workload: 'seq', churnPerSecond: 0 });
    }
    expect(report.render).toEqual([]);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<span class="badge warn">interrupted</span>');
    expect(page).toContain('data-panel="throughput"');
  }, 120_000);
});

describe('bench flags', () => {
  it.each([
    [['--strategies', 'rcu,rwlockx'], '--strategies: must be one of'],
    [['--workloads', 'mmio'], '--workloads: must be one of seq, random, hot, got "mmio"'],
    [['--churn-rates', '0,-5'], '--churn-rates: must be a number of updates per second'],
    [['--round-ms', '0'], '--round-ms: must be an integer between 1 and 600000 (got "0")'],
    [['--rounds', '1.5'], '--rounds: must be an integer between 1 and 100 (got "1.5")'],
  ])('%j is refused with one line naming the flag, exit 2', async (flags, message) => {
    const r = await cli(['bench', ...flags]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.startsWith(`addrspace: ${message}`)).toBe(true);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });
});

describe('compare', () => {
  const a = join(dir, 'a.json');
  const b = join(dir, 'b.json');

  beforeAll(async () => {
    const base = [...tinyRun, '--duration', '0.3', '--quiet'];
    expect((await cli([...base, '--json', a])).status).toBe(0);
    expect((await cli([...base, '--strategy', 'seqlock', '--json', b])).status).toBe(0);
  }, 60_000);

  it('prints the files, then every key aligned with ratios to the first, on stdout only', async () => {
    const r = await cli(['compare', a, b]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('addrspace compare: 2 run reports, ratios to A');
    expect(lines[1]).toMatch(/^ {2}A {2}.*a\.json {2}\(run: .*, rcu, 1 vCPU, /);
    expect(lines[2]).toMatch(/^ {2}B {2}.*b\.json {2}\(run: .*, seqlock, 1 vCPU, /);
    const ra = JSON.parse(readFileSync(a, 'utf8'));
    const rb = JSON.parse(readFileSync(b, 'utf8'));
    const strategy = lines.find((l) => l.startsWith('strategy '))!;
    expect(strategy.trim().split(/\s+/)).toEqual(['strategy', 'rcu', 'seqlock']);
    const vcpus = lines.find((l) => l.startsWith('vcpus '))!;
    expect(vcpus.trim().split(/\s+/)).toEqual(['vcpus', '1', '1', '1.00x']);
    const generations = lines.find((l) => l.startsWith('publish.generations '))!;
    const ratio = rb.publish.generations / ra.publish.generations;
    expect(generations.trim().endsWith(`${ratio.toFixed(2)}x`)).toBe(true);
  });

  it('--html writes one self-contained page; the text still goes to stdout', async () => {
    const html = join(dir, 'compare.html');
    const r = await cli(['compare', a, b, '--html', html]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('addrspace compare: 2 run reports');
    const page = readFileSync(html, 'utf8');
    expect(page.startsWith('<!doctype html>')).toBe(true);
    for (const panel of ['files', 'charts', 'table']) {
      expect(page).toContain(`data-panel="${panel}"`);
    }
    expect(page).not.toMatch(/(src|href)="https?:/);
  });

  it('refuses a run report beside a bench report, and a file that is not a report', async () => {
    const bench = join(dir, 'bench-like.json');
    writeFileSync(bench, JSON.stringify({ strategies: [], render: [] }));
    expect(await cli(['compare', a, bench])).toEqual({
      status: 2,
      stdout: '',
      stderr: `addrspace: compare: ${a} is a run report but ${bench} is a bench report\n`,
    });
    const other = join(dir, 'other.json');
    writeFileSync(other, '[1, 2]');
    const r = await cli(['compare', a, other]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `addrspace: compare: ${other} is not a run or bench report (not an object)\n`,
    );
  });

  it('needs two files', async () => {
    expect(await cli(['compare', a])).toEqual({
      status: 2,
      stdout: '',
      stderr:
        'addrspace: compare: needs at least two report files (addrspace compare A.json B.json)\n',
    });
  });
});
