#!/usr/bin/env node
/**
 * The `addrspace` executable (package.json `bin`: dist/src/cli/main.js). Wires `runCli`
 * to the process: real streams, Ctrl-C (the first stops the run early and still reports;
 * a second one exits at once with 130), and the exit status once output is flushed.
 * Everything else is in cli.ts.
 */
import { runCli } from './cli.js';

const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort(new Error('interrupted'));
});

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
