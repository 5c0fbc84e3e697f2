/**
 * `createMachine(spec)`: what `--machine pc|FILE.json` means. `'pc'` builds the built-in
 * machine (with `pcOptions`); anything else is the path of a machine file, read, checked
 * and built. Errors are `MachineConfigError`s (one line, exit status 2 in the CLI).
 */
import { type BuildOptions, buildMachine } from './build.js';
import type { Machine } from './machine.js';
import { loadMachineFile } from './machine-file.js';
import { buildPcMachine } from './pc.js';
import type { PcOptions } from './pc-layout.js';

export const BUILTIN_MACHINES = ['pc'] as const;

export async function createMachine(
  spec: string,
  pcOptions: PcOptions = {},
  build: BuildOptions = {},
): Promise<Machine> {
  if (spec === 'pc') return buildPcMachine(pcOptions, build);
  return buildMachine(await loadMachineFile(spec), build);
}
