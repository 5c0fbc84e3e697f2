/**
 * The machine of a simulation run: the built-in `pc` or a machine file, as
 * `createMachine` of the machine layer builds them. Bad files throw the machine layer's
 * `MachineConfigError`, one line naming the field. This module builds; it runs nothing.
 */
import { createMachine } from '../machine/create.js';
import type { Machine } from '../machine/machine.js';

/** The name `RunOptions.machine` uses for the built-in machine. */
export const BUILT_IN_MACHINE = 'pc';

/**
 * Builds the machine `name` names: `'pc'`, or the path of a machine file; `hypIoeventfd`
 * (when given) overrides the machine's hyp_ioevtfd_enabled (`--no-hyp-ioeventfd`).
 */
export function loadSimulationMachine(name: string, hypIoeventfd?: boolean): Promise<Machine> {
  return createMachine(name, {}, hypIoeventfd === undefined ? {} : { hypIoeventfd });
}
