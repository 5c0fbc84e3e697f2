/**
 * The machine of a simulation run: the built-in `pc` (src/machine/pc.ts, loaded when a
 * run asks for it) or a machine file (parsed, checked and built by the machine layer).
 * Bad files throw the machine layer's `MachineConfigError`, one line naming the field.
 * This module builds; it never runs anything.
 */
import { buildMachine } from '../machine/build.js';
import type { Machine } from '../machine/machine.js';
import { loadMachineFile } from '../machine/machine-file.js';

/** The name `RunOptions.machine` uses for the built-in machine. */
export const BUILT_IN_MACHINE = 'pc';

type BuildPcMachine = () => Machine;

/** Builds the machine `name` names: `'pc'`, or the path of a machine file. */
export async function loadSimulationMachine(name: string): Promise<Machine> {
  if (name === BUILT_IN_MACHINE) return (await loadPcBuilder())();
  return buildMachine(await loadMachineFile(name));
}

async function loadPcBuilder(): Promise<BuildPcMachine> {
  // Loaded by path at run time: runs of machine files do not need the pc module.
  const url = new URL('../machine/pc.js', import.meta.url);
  const module = (await import(url.href)) as { buildPcMachine?: unknown };
  if (typeof module.buildPcMachine !== 'function') {
    throw new Error('src/machine/pc.ts does not export buildPcMachine()');
  }
  return module.buildPcMachine as BuildPcMachine;
}
