#!/usr/bin/env node
/**
 * The `addrspace` executable (package.json `bin`: dist/src/cli/main.js). Wires `runCli`
 * to the process: real streams, Ctrl-C, the exit status once output is flushed, and a
 * closed pipe on stdout (EPIPE) ends the output quietly.
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

// A reader that goes away (`addrspace mtree | head -1`) is not an error: later output is
// dropped quietly and the command ends with its own status.
const gone = new Set<NodeJS.WriteStream>();
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || (gone.has(stream) && error.code === 'ERR_STREAM_DESTROYED')) {
      gone.add(stream);
      return;
    }
    throw error;
  });
}

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
    if (gone.has(stream) || stream.destroyed || stream.writableLength === 0) resolve();
    else stream.write('', () => resolve());
  });
}
