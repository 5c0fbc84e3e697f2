/**
 * `addrspace mtree`: builds the machine (the built-in `pc` or a machine file), prints each
 * of its address spaces — `memory`, then `io` when the machine has one — in StratoVirt's
 * `memspace show` layout or QEMU's `info mtree` layout, and gives the machine's memory
 * back. With `--flat` only the flat views are printed. A bad machine file fails with its
 * one-line `path: problem` error (exit 2). The text itself comes from the core layer.
 */
import type { AddressSpace } from '../core/address-space.js';
import { loadSimulationMachine } from '../sim/simulation-machine.js';
import type { MtreeOptions } from './args.js';
import { EXIT_OK } from './errors.js';
import type { CliIo } from './io.js';

export async function mtreeCommand(options: MtreeOptions, io: CliIo): Promise<number> {
  const machine = await loadSimulationMachine(options.machine);
  try {
    const spaces = [machine.memory, ...(machine.io ? [machine.io] : [])];
    io.stdout.write(spaces.map((space) => showSpace(space, options)).join('\n'));
  } finally {
    machine.dispose();
  }
  return EXIT_OK;
}

function showSpace(space: AddressSpace, options: MtreeOptions): string {
  if (options.format === 'qemu') return space.mtreeQemu({ flat: options.flat });
  const text = space.memspaceShow();
  if (!options.flat) return text;
  // The flat part of StratoVirt's memspace show: its header and one line per range.
  const lines = text.split('\n');
  const end = lines.findIndex((line) => line.startsWith('------ regions show'));
  return `${lines.slice(0, end < 0 ? lines.length : end).join('\n')}\n`;
}
