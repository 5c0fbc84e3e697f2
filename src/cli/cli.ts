/**
 * `runCli(argv, io)`: the whole CLI as a function — parse, dispatch to a command, turn any
 * error into one line on stderr — returning the exit status instead of exiting, so tests
 * can call it in-process. main.ts wires it to the real process.
 */
import { parseCommandLine, wantsDebug } from './args.js';
import { EXIT_OK, exitCodeFor, formatError } from './errors.js';
import type { CliIo } from './io.js';
import { helpText } from './usage.js';
import { packageVersion } from './version.js';

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
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
        return await runCommand(command.options, io);
      }
      case 'mtree': {
        const { mtreeCommand } = await import('./mtree-command.js');
        return await mtreeCommand(command.options, io);
      }
      case 'torture': {
        const { tortureCommand } = await import('./torture-command.js');
        return await tortureCommand(command.options, io);
      }
      case 'bench': {
        const { benchCommand } = await import('./bench-command.js');
        return await benchCommand(command.options, io);
      }
      case 'migrate': {
        const { migrateCommand } = await import('./migrate-command.js');
        return await migrateCommand(command.options, io);
      }
    }
  } catch (error) {
    io.stderr.write(formatError(error, wantsDebug(argv)));
    return exitCodeFor(error);
  }
}
