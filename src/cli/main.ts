#!/usr/bin/env node
/**
 * The `addrspace` executable (package.json `bin`: dist/src/cli/main.js). Wires `runCli`
 * to the process: real streams, Ctrl-C, and the exit status once output is flushed.
 * Everything else is in cli.ts.
 *
 * Ctrl-C (SPEC 9): the first SIGINT aborts the command, which stops early, still writes
 * the reports asked for (`"interrupted": true`) and exits 130; a second one exits at once
 * with 130. The handler is installed before the CLI's modules load, so a Ctrl-C during
 * start-up is an interruption too, not a kill.
 */
const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort(new Error('interrupted'));
});

const { runCli } = await import('./cli.js');
const status = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  signal: interrupt.signal,
});

// Exit only once both streams have flushed: piped output is written asynchronously.
await Promise.all([drain(process.stdout), drain(process.stderr)]);
process.exit(status);

function drain(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.writableLength === 0) resolve();
    else stream.write('', () => resolve());
  });
}
