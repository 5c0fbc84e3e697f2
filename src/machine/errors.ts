/**
 * `MachineConfigError`: the one error a machine description raises (SPEC 9, machine file).
 *
 * Its message is exactly one readable line, `path: problem`, where `path` names the bad
 * field the way a user would write it (`memory.children[3].size`). The CLI prints the
 * message as is and exits with status 2. This module only formats; it never validates.
 */
import { AddressSpaceError } from '../base/errors.js';

/**
 * The error a bad machine description raises: an `AddressSpaceError` (`InvalidArgument`)
 * whose message is one line, `path: problem` (`memory.children[3].size: must be a positive
 * integer`), with the path in `path`. The CLI prints it as is and exits 2.
 */
export class MachineConfigError extends AddressSpaceError {
  /** Where the problem is, e.g. `memory.children[3].size`; `''` for the whole file. */
  readonly path: string;
  /** What is wrong, without the path. */
  readonly problem: string;

  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super('InvalidArgument', path === '' ? problem : `${path}: ${problem}`, options);
    this.name = 'MachineConfigError';
    this.path = path;
    this.problem = problem;
  }
}

/**
 * A field path in user notation: `['memory', 'children', 3, 'size']` →
 * `memory.children[3].size`; `base` is a path already formatted that the segments extend.
 */
export function formatPath(segments: readonly PropertyKey[], base = ''): string {
  let out = base;
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}
