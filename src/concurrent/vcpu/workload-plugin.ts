/**
 * Workloads from user code (SPEC 9: `--workload ./file.js`). A workload module's default
 * export is a `WorkloadDefinition`; each vCPU thread imports the module itself (its URL
 * travels in the slice task) and asks the definition for that vCPU's step function, which
 * the slice runner calls once per access.
 *
 * Why a step of an index rather than a stateful iterator: a vCPU's slices run on whichever
 * pool thread is free, so its position must live in shared memory. The runner keeps the
 * vCPU's access count there (saved and restored with the built-in generators' state) and
 * passes it in: `step(index, out)` must give the same access for the same index on any
 * thread, which also makes a run with the same seed repeat itself.
 */
import type { AddressRange } from '../../base/address.js';
import { AddressSpaceError } from '../../base/errors.js';
import { importDefault } from '../../base/plugin-module.js';
import type { AccessSize, MmioTarget } from './workload.js';

/** One access a workload asks for; the step function fills it in place. */
export interface WorkloadAccess {
  /** Guest physical address of the access. */
  gpa: number;
  /** Bytes: 1, 2, 4 or 8. */
  size: AccessSize;
  /** A write (true) or a read (false). */
  isWrite: boolean;
  /** For writes: the value, its low 32 bits (an 8-byte write repeats it in both halves). */
  value: number;
}

/** What a workload knows about the machine and the vCPU it drives. Plain data. */
export interface WorkloadContext {
  /** The vCPU's index, 0-based. */
  readonly vcpu: number;
  /** Number of vCPUs in the run. */
  readonly vcpus: number;
  /** This vCPU's seed: distinct per vCPU, a pure function of the run's `--seed`. */
  readonly seed: number;
  /** Guest-physical ranges of RAM the workload may touch (bytes). */
  readonly ram: readonly AddressRange[];
  /** Device registers that are safe to access at any time (`gpa`, `size`, `isWrite`, `value`). */
  readonly mmio: readonly MmioTarget[];
}

/**
 * Fills `out` with access number `index` (0, 1, 2, ...) of this vCPU. Called on the vCPU's
 * hot path: it must not allocate, block or throw. It must be a pure function of `index`
 * and the context (see the module comment). Anything it throws fails the run.
 */
export type WorkloadStep = (index: number, out: WorkloadAccess) => void;

/**
 * A workload plug-in: the default export of a module given to `--workload ./file.js`
 * (or `RunOptions.workload`). Loaded in the owner (checked, and `create` tried once for
 * each vCPU before the run starts) and in every vCPU thread.
 *
 * Errors: a module that cannot be imported, or whose default export lacks `name` or
 * `create`, is refused with `InvalidArgument` naming the file (exit 2 from the CLI);
 * `create` or a step that throws fails the run (a non-zero exit with the message).
 */
export interface WorkloadDefinition {
  /** Short name for reports (`strided`). */
  readonly name: string;
  /** One line saying what it does. */
  readonly description?: string;
  /** Returns the step function of one vCPU; called once per vCPU in each thread. */
  create(context: WorkloadContext): WorkloadStep;
}

/** Checks that `value` (a module's default export) is a `WorkloadDefinition`. */
export function checkWorkloadDefinition(value: unknown, url: string): WorkloadDefinition {
  const d = value as Partial<WorkloadDefinition> | null;
  if (typeof d !== 'object' || d === null) {
    throw bad(url, 'its default export must be an object { name, create }');
  }
  if (typeof d.name !== 'string' || d.name.trim() === '') {
    throw bad(url, 'its default export needs a name (a non-empty string)');
  }
  if (typeof d.create !== 'function') {
    throw bad(url, 'its default export needs create(context) returning a step function');
  }
  return d as WorkloadDefinition;
}

function bad(url: string, problem: string): AddressSpaceError {
  return new AddressSpaceError('InvalidArgument', `workload module ${url}: ${problem}`);
}

/** This thread's loaded workload modules, by URL. */
const loaded = new Map<string, WorkloadDefinition>();

/** Imports and checks the workload module at `url` once per thread. */
export async function loadWorkloadPlugin(url: string): Promise<WorkloadDefinition> {
  const known = loaded.get(url);
  if (known !== undefined) return known;
  const definition = checkWorkloadDefinition(await importDefault(url, 'workload'), url);
  loaded.set(url, definition);
  return definition;
}

/** The definition loaded from `url` in this thread; throws if it was not loaded. */
export function loadedWorkloadPlugin(url: string): WorkloadDefinition {
  const d = loaded.get(url);
  if (d === undefined) {
    throw new AddressSpaceError(
      'InvalidArgument',
      `workload module ${url} was not loaded in this thread`,
    );
  }
  return d;
}

/**
 * The step function `definition.create(context)` returns, checked: a `create` that
 * throws or returns something else than a function fails with the module named.
 */
export function createWorkloadStep(
  definition: WorkloadDefinition,
  context: WorkloadContext,
  url: string,
): WorkloadStep {
  let step: unknown;
  try {
    step = definition.create(context);
  } catch (error) {
    throw new Error(`workload ${definition.name} (${url}): create() threw: ${messageOf(error)}`, {
      cause: error,
    });
  }
  if (typeof step !== 'function') {
    throw new Error(`workload ${definition.name} (${url}): create() must return a step function`);
  }
  return step as WorkloadStep;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
