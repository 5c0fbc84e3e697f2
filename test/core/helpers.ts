/**
 * Small builders shared by the core tests: IO regions with recording ops, RAM regions on
 * fresh mappings, a listener that mirrors requests into a map, and views as plain rows.
 */

import { AddressSpaceError } from '../../src/base/errors.js';
import type { AddressSpace } from '../../src/core/address-space.js';
import type { FlatIoEventFd, FlatRange, FlatView } from '../../src/core/flat-view.js';
import type { Listener } from '../../src/core/listeners.js';
import { Region } from '../../src/core/region.js';
import type { ListenerReqType, RegionIoEventFd, RegionOps } from '../../src/core/types.js';
import { HostMemMapping } from '../../src/host/mapping.js';

/** Ops that accept everything and remember each access. */
export function recordingOps(maxAccessSize?: number): RegionOps & { log: string[] } {
  const log: string[] = [];
  const ops: RegionOps & { log: string[] } = {
    log,
    read(data, base, offset) {
      log.push(`read ${data.length}@${offset} base ${base}`);
      data.fill(0xee);
      return true;
    },
    write(data, base, offset) {
      log.push(`write ${Array.from(data).join(',')}@${offset} base ${base}`);
      return true;
    },
  };
  if (maxAccessSize !== undefined) ops.maxAccessSize = maxAccessSize;
  return ops;
}

export function io(size: number, name: string, priority = 0): Region {
  const r = Region.initIoRegion(size, recordingOps(), name);
  if (priority !== 0) r.setPriority(priority);
  return r;
}

export function container(size: number, name: string, priority = 0): Region {
  const r = Region.initContainerRegion(size, name);
  if (priority !== 0) r.setPriority(priority);
  return r;
}

export function ram(size: number, name: string, readOnly = false): Region {
  return Region.initRamRegion(HostMemMapping.create({ size, name, readOnly }), name);
}

/** `(base, size, owner priority)` rows, as SPEC 4 writes them. */
export function priorityRows(view: FlatView): [number, number, number][] {
  return view.ranges.map((r) => [r.addrRange.base, r.addrRange.size, r.owner.priority]);
}

/** `(base, size, owner name, offset)` rows. */
export function rows(view: FlatView): [number, number, string, number][] {
  return view.ranges.map((r) => [
    r.addrRange.base,
    r.addrRange.size,
    r.owner.name,
    r.offsetInRegion,
  ]);
}

export function describeRange(r: FlatRange | undefined): string {
  return r === undefined ? '-' : `(${r.addrRange.base},${r.addrRange.size})`;
}

/**
 * A listener that logs requests and mirrors them: ranges by base, ioeventfds by their
 * full identity (with the owner and region base of a flattened entry). A request that
 * does not fit the mirror (an add of something present, a delete of something absent)
 * is written to `faults` and thrown.
 */
export class MirrorListener implements Listener {
  readonly log: string[] = [];
  readonly ranges = new Map<number, FlatRange>();
  readonly ioeventfds = new Map<string, RegionIoEventFd>();
  /** Every ioeventfd request, in the order it came. */
  readonly ioeventfdLog: { type: ListenerReqType; evtfd: FlatIoEventFd }[] = [];
  readonly faults: string[] = [];
  on = false;
  failOn: ((type: ListenerReqType, range: FlatRange | undefined) => boolean) | undefined;

  constructor(
    readonly label = 'L',
    readonly prio = 0,
  ) {}

  /** Makes the next request that matches `pred` throw (once). */
  failOnce(pred: (type: ListenerReqType, range: FlatRange | undefined) => boolean): void {
    this.failOn = (type, range) => {
      if (!pred(type, range)) return false;
      this.failOn = undefined;
      return true;
    };
  }

  priority(): number {
    return this.prio;
  }
  enabled(): boolean {
    return this.on;
  }
  enable(): void {
    this.on = true;
  }
  disable(): void {
    this.on = false;
  }
  handleRequest(
    range: FlatRange | undefined,
    evtfd: RegionIoEventFd | undefined,
    type: ListenerReqType,
  ): void {
    if (this.failOn?.(type, range)) throw new Error(`${this.label} refuses ${type}`);
    if (range !== undefined) {
      const text = `${type === 'AddRegion' ? 'Add' : 'Del'}(${range.addrRange.base},${range.addrRange.size})`;
      this.log.push(this.label === 'L' ? text : `${this.label}:${text}`);
      if (type === 'AddRegion') {
        if (this.ranges.has(range.addrRange.base))
          this.fault(`mirror: duplicate add at ${range.addrRange.base}`);
        this.ranges.set(range.addrRange.base, range);
      } else {
        if (!this.ranges.has(range.addrRange.base))
          this.fault(`mirror: delete of missing ${range.addrRange.base}`);
        this.ranges.delete(range.addrRange.base);
      }
    }
    if (evtfd !== undefined) {
      const flat = evtfd as FlatIoEventFd;
      const key = `${evtfd.addrRange.base}+${evtfd.addrRange.size}:${evtfd.fd.id}:${evtfd.dataMatch}:${evtfd.data}:${flat.owner?.id}@${flat.regionBase}`;
      const text = `${type === 'AddIoeventfd' ? 'AddFd' : 'DelFd'}(${evtfd.addrRange.base},${evtfd.addrRange.size})`;
      this.log.push(this.label === 'L' ? text : `${this.label}:${text}`);
      this.ioeventfdLog.push({ type, evtfd: flat });
      if (type === 'AddIoeventfd') {
        if (this.ioeventfds.has(key)) this.fault(`mirror: duplicate ioeventfd add ${key}`);
        this.ioeventfds.set(key, evtfd);
      } else {
        if (!this.ioeventfds.has(key)) this.fault(`mirror: delete of missing ioeventfd ${key}`);
        this.ioeventfds.delete(key);
      }
    }
  }

  private fault(message: string): never {
    this.faults.push(message);
    throw new Error(message);
  }

  /** The mirrored ranges, sorted, as rows. */
  mirrorRows(): [number, number, string, number][] {
    return [...this.ranges.values()]
      .sort((a, b) => a.addrRange.base - b.addrRange.base)
      .map((r) => [r.addrRange.base, r.addrRange.size, r.owner.name, r.offsetInRegion]);
  }
}

export function expectUnchanged(space: AddressSpace, before: FlatView): boolean {
  return space.flatView === before;
}

/** Runs `fn` and returns the AddressSpaceError it throws; fails when it throws none. */
export function catchError(fn: () => unknown): AddressSpaceError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AddressSpaceError) return e;
    throw e;
  }
  throw new Error('expected an AddressSpaceError');
}
