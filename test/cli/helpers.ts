/**
 * Runs the built `addrspace` binary (`node dist/src/cli/main.js`, run `npm run build`
 * first) the way a user's shell would, for the CLI tests: to completion, or started and
 * then interrupted with SIGINT, or under a pseudo-terminal (util-linux `script`).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MAIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
export const TINY_MACHINE = 'test/cli/fixtures/tiny-machine.json';

export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function assertBuilt(): void {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
}

/** Runs `addrspace ...args` with piped stdio and resolves when it exits. */
export function cli(args: readonly string[], timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 * 2 ** 20 },
      (error, stdout, stderr) => {
        const status = error ? Number((error as { code?: number }).code ?? 1) : 0;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

/**
 * Starts `addrspace ...args`, sends SIGINT after `afterMs`, and resolves with what it
 * printed and its exit status (`-1` if a signal killed it instead of a clean exit).
 */
export function cliInterrupted(
  args: readonly string[],
  afterMs: number,
): Promise<CliResult & { readonly exitedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const started = performance.now();
    const timer = setTimeout(() => child.kill('SIGINT'), afterMs);
    const guard = setTimeout(() => child.kill('SIGKILL'), afterMs + 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(guard);
      resolve({
        status: code ?? -1,
        stdout,
        stderr,
        exitedAfterMs: performance.now() - started,
      });
    });
  });
}

/** Whether util-linux `script` is there to give a command a pseudo-terminal. */
export function hasScript(): boolean {
  return spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
}

/**
 * Runs a shell command line under a pseudo-terminal: what the command writes to the
 * terminal (its stderr, and its stdout unless the line redirects it) comes back.
 */
export function underTerminal(commandLine: string, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      'script',
      ['-qec', commandLine, '/dev/null'],
      { cwd: ROOT, timeout: timeoutMs, env: { ...process.env, COLUMNS: '160', TERM: 'xterm' } },
      (error, stdout, stderr) => {
        const status = error ? Number((error as { code?: number }).code ?? 1) : 0;
        resolve({ status, stdout, stderr });
      },
    );
  });
}
