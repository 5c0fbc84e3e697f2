/**
 * `runCli(argv, io)`: the whole CLI as a function — parse, dispatch to a command, turn any
 * error into one line on stderr — returning the exit status instead of exiting, so tests
 * can call it in-process. main.ts wires it to the real process.
 *
 * Ctrl-C (SPEC 9): `io.signal` aborts; the long commands stop early and still write their
 * reports (marked `"interrupted": true`). Whatever the command returns, a command that
 * ended after the signal exits 130.
 */
import { parseCommandLine, wantsDebug } from './args.js';
import { EXIT_INTERRUPTED, EXIT_OK, exitCodeFor, formatError } from './errors.js';
import type { CliIo } from './io.js';
import { helpText } from './usage.js';
import { packageVersion } from './version.js';

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const status = await dispatch(argv, io);
    return io.signal?.aborted === true ? EXIT_INTERRUPTED : status;
  } catch (error) {
    io.stderr.write(formatError(error, wantsDebug(argv)));
    return io.signal?.aborted === true ? EXIT_INTERRUPTED : exitCodeFor(error);
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const command = parseCommandLine(argv);
  switch (command.kind) {
    case 'help':
      io.stdout.write(helpText(command.topic));
      return EXIT_OK;
    case 'version':
      io.stdout.write(`addrspace ${packageVersion()}\n`);
      return EXIT_OK;
    case 'run': {
      const { runCommand } = await import('./run-command.js');
      return await runCommand(command.options, io, command.given);
    }
    case 'mtree': {
      const { mtreeCommand } = await import('./mtree-command.js');
      return await mtreeCommand(command.options, io);
    }
    case 'bench': {
      const { benchCommand } = await import('./bench-command.js');
      return await benchCommand(command.options, io);
    }
    case 'migrate': {
      const { migrateCommand } = await import('./migrate-command.js');
      return await migrateCommand(command.options, io, command.machineGiven);
    }
    case 'torture': {
      const { tortureCommand } = await import('./torture-command.js');
      return await tortureCommand(command.options, io);
    }
    case 'compare': {
      const { compareCommand } = await import('./compare-command.js');
      return await compareCommand(command.options, io);
    }
  }
}
