/**
 * Argument checks of the `Region` constructors and mutators, and the cycle check of
 * `addSubregion`. Each throws `AddressSpaceError` and changes nothing.
 */

import { checkSize } from '../base/address.js';
import { AddressSpaceError } from '../base/errors.js';
import { HostMemMapping } from '../host/mapping.js';
import type { Region } from './region.js';
import type { RegionOps } from './types.js';

/** Whether `target` can be reached from `from` downwards (subregions and alias targets). */
export function reaches(from: Region, target: Region): boolean {
  const stack = [from];
  const seen = new Set<Region>();
  while (stack.length > 0) {
    const r = stack.pop()!;
    if (r === target) return true;
    if (seen.has(r)) continue;
    seen.add(r);
    if (r.aliasTarget !== undefined) stack.push(r.aliasTarget);
    for (const c of r.childList) stack.push(c);
  }
  return false;
}

export function checkMapping(mapping: unknown): HostMemMapping {
  if (!(mapping instanceof HostMemMapping)) {
    throw AddressSpaceError.invalidArgument('mapping must be a HostMemMapping');
  }
  if (mapping.isReleased) {
    throw AddressSpaceError.invalidArgument(`mapping ${mapping.name} was released`);
  }
  return mapping;
}

export function checkOps(ops: unknown): RegionOps {
  const o = ops as RegionOps | null | undefined;
  if (
    typeof o !== 'object' ||
    o === null ||
    typeof o.read !== 'function' ||
    typeof o.write !== 'function'
  ) {
    throw AddressSpaceError.invalidArgument('ops must be an object with read and write functions');
  }
  if (o.maxAccessSize !== undefined) {
    const m = checkSize(o.maxAccessSize, 'ops.maxAccessSize');
    if (m === 0) throw AddressSpaceError.invalidArgument('ops.maxAccessSize must be positive');
  }
  return o;
}

export function checkBoolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') {
    throw AddressSpaceError.invalidArgument(`${what} must be a boolean, got ${typeof value}`);
  }
  return value;
}
