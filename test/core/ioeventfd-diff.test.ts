/**
 * The ioeventfd merge walk (SPEC 5): the SPEC's example end to end, the walk's order on
 * overlapping and distant entries, and the two places where it departs from StratoVirt
 * (entries in both lists send nothing; two size-0 entries at one base do not stall it).
 */
import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../src/core/address-space.js';
import type { FlatIoEventFd } from '../../src/core/flat-view.js';
import { ioeventfdRequests } from '../../src/core/ioeventfd-diff.js';
import { compareFlatIoEventFd } from '../../src/core/ioeventfds.js';
import type { Region } from '../../src/core/region.js';
import { EventFd } from '../../src/host/event-fd.js';
import { container, io, MirrorListener } from './helpers.js';

const owner = {} as Region;
const fd = new EventFd();

function entry(base: number, size: number, data = 0n, dataMatch = false): FlatIoEventFd {
  return { addrRange: { base, size }, dataMatch, data, fd, owner, regionBase: 0 };
}

function walk(before: FlatIoEventFd[], after: FlatIoEventFd[]): string[] {
  before.sort(compareFlatIoEventFd);
  after.sort(compareFlatIoEventFd);
  return ioeventfdRequests(before, after).map(
    (r) =>
      `${r.type === 'AddIoeventfd' ? 'Add' : 'Del'}(${r.evtfd!.addrRange.base},${r.evtfd!.addrRange.size}${r.evtfd!.dataMatch ? `=${r.evtfd!.data}` : ''})`,
  );
}

describe('SPEC 5 ioeventfd example', () => {
  it('adding B over C sends region requests, then AddIoeventfd(1000,4) DeleteIoeventfd(2000,4)', () => {
    //  0    1000  2000  3000  4000            8000
    //  |     |     [--- C ---]                  |   C = IO 2000 at 2000, fd (0,4) = 64
    //  |     [--- B ---]                        |   B = IO 2000 at 1000, prio 1, fd (0,4) = 64
    //  result: B 1000..3000, C 3000..4000; C's doorbell at 2000 is hidden by B
    const root = container(8000, 'root');
    const c = io(2000, 'C');
    const b = io(2000, 'B', 1);
    const doorbell = { addrRange: { base: 0, size: 4 }, dataMatch: true, data: 64n };
    c.setIoeventfds([{ ...doorbell, fd: new EventFd() }]);
    b.setIoeventfds([{ ...doorbell, fd: new EventFd() }]);
    root.addSubregion(c, 2000);
    const space = new AddressSpace(root, 'memory');
    const l = new MirrorListener();
    space.registerListener(l);
    expect(l.log).toEqual(['Add(2000,2000)', 'AddFd(2000,4)']);
    l.log.length = 0;
    root.addSubregion(b, 1000);
    expect(l.log).toEqual([
      'Del(2000,2000)',
      'Add(1000,2000)',
      'Add(3000,1000)',
      'AddFd(1000,4)',
      'DelFd(2000,4)',
    ]);
    expect(space.flatView.ioeventfds.map((e) => [e.addrRange.base, e.owner.name])).toEqual([
      [1000, 'B'],
    ]);
  });
});

describe('the merge walk', () => {
  it('interleaves adds and deletes in address order', () => {
    expect(
      walk([entry(0x10, 4), entry(0x30, 4), entry(0x50, 4)], [entry(0x20, 4), entry(0x40, 4)]),
    ).toEqual(['Del(16,4)', 'Add(32,4)', 'Del(48,4)', 'Add(64,4)', 'Del(80,4)']);
  });

  it('an old entry that overlaps the new one goes first, in the same step', () => {
    // (0,8) vs (4,4): neither lies after the other: delete (0,8), then add (4,4).
    expect(walk([entry(0, 8)], [entry(4, 4)])).toEqual(['Del(0,8)', 'Add(4,4)']);
    // (4,4) vs (0,8): the same, whichever list holds which.
    expect(walk([entry(4, 4)], [entry(0, 8)])).toEqual(['Del(4,4)', 'Add(0,8)']);
    // a new entry that lies after the old one waits for it
    expect(walk([entry(0, 4)], [entry(4, 4)])).toEqual(['Del(0,4)', 'Add(4,4)']);
  });

  it('entries in both lists send nothing, even where StratoVirt falls out of step', () => {
    // Two data-matched doorbells at one address; queue 0's goes away. StratoVirt sends
    // Del(Q0) Add(Q1) Del(Q1); Q1 never left.
    const q0 = entry(0x50, 4, 0n, true);
    const q1 = entry(0x50, 4, 1n, true);
    expect(walk([q0, q1], [q1])).toEqual(['Del(80,4=0)']);
    expect(walk([q1], [q0, q1])).toEqual(['Add(80,4=0)']);
    expect(walk([q0, q1], [q0, q1])).toEqual([]);
  });

  it('two size-0 entries at one base do not stall it', () => {
    expect(walk([entry(8, 0, 1n, true)], [entry(8, 0, 2n, true)])).toEqual([
      'Del(8,0=1)',
      'Add(8,0=2)',
    ]);
  });
});
