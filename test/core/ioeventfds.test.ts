import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../src/core/address-space.js';
import { matchIoeventfd } from '../../src/core/io-dispatch.js';
import { Region } from '../../src/core/region.js';
import { EventFd } from '../../src/host/event-fd.js';
import { catchError, container, MirrorListener, recordingOps } from './helpers.js';

function doorbellSpace() {
  const root = container(0x10000, 'root');
  const ops = recordingOps();
  const dev = Region.initIoRegion(0x100, ops, 'virtio');
  const notify = new EventFd();
  const queue = new EventFd();
  dev.setIoeventfds([
    { addrRange: { base: 0x50, size: 4 }, dataMatch: false, data: 0n, fd: notify },
    { addrRange: { base: 0x60, size: 2 }, dataMatch: true, data: 3n, fd: queue },
  ]);
  root.addSubregion(dev, 0x1000);
  const space = new AddressSpace(root, 'memory');
  return { root, dev, ops, notify, queue, space };
}

describe('ioeventfds', () => {
  it('are flattened into address-space coordinates, sorted', () => {
    const { space, notify, queue, dev } = doorbellSpace();
    expect(
      space.flatView.ioeventfds.map((e) => [e.addrRange.base, e.addrRange.size, e.fd, e.owner]),
    ).toEqual([
      [0x1050, 4, notify, dev],
      [0x1060, 2, queue, dev],
    ]);
  });

  it('a matching write signals the fd and does not reach the device', () => {
    const { space, ops, notify, queue } = doorbellSpace();
    space.writeU32(0x1050, 0x1234, 'MMIO');
    expect(notify.read()).toBe(1);
    space.writeU16(0x1060, 3, 'MMIO');
    expect(queue.read()).toBe(1);
    expect(ops.log).toEqual([]);
    // wrong size or wrong data: the device sees it
    space.writeU16(0x1050, 1, 'MMIO');
    space.writeU16(0x1060, 4, 'MMIO');
    expect(notify.read()).toBe(0);
    expect(queue.read()).toBe(0);
    expect(ops.log).toEqual(['write 1,0@80 base 4096', 'write 4,0@96 base 4096']);
  });

  it('size 0 matches any length; dataMatch compares the zero-extended value', () => {
    const fd = new EventFd();
    const any = {
      addrRange: { base: 8, size: 0 },
      dataMatch: false,
      data: 0n,
      fd,
      owner: {} as Region,
      regionBase: 0,
    };
    const exact = { ...any, addrRange: { base: 16, size: 0 }, dataMatch: true, data: 0x0201n };
    expect(matchIoeventfd([any, exact], 8, new Uint8Array(3))).toBe(any);
    expect(matchIoeventfd([any, exact], 16, Uint8Array.of(1, 2, 0, 0))).toBe(exact);
    expect(matchIoeventfd([any, exact], 16, Uint8Array.of(1, 2, 0, 1))).toBeUndefined();
    expect(matchIoeventfd([any, exact], 9, new Uint8Array(1))).toBeUndefined();
  });

  it('registerListener replays ioeventfds after the ranges; changes are diffed', () => {
    const { space, dev, notify } = doorbellSpace();
    const l = new MirrorListener();
    space.registerListener(l);
    expect(l.log).toEqual(['Add(4096,256)', 'AddFd(4176,4)', 'AddFd(4192,2)']);
    l.log.length = 0;
    dev.setIoeventfds([
      { addrRange: { base: 0x50, size: 4 }, dataMatch: false, data: 0n, fd: notify },
    ]);
    expect(l.log).toEqual(['DelFd(4192,2)']);
    l.log.length = 0;
    dev.setIoeventfds([]);
    expect(l.log).toEqual(['DelFd(4176,4)']);
    expect(space.flatView.ioeventfds).toEqual([]);
  });

  it('region requests come before ioeventfd requests, deletes before adds', () => {
    const { root, space, dev } = doorbellSpace();
    const l = new MirrorListener();
    space.registerListener(l);
    l.log.length = 0;
    space.transaction(() => {
      root.deleteSubregion(dev);
      root.addSubregion(dev, 0x2000);
    });
    expect(l.log).toEqual([
      'Del(4096,256)',
      'Add(8192,256)',
      'DelFd(4176,4)',
      'DelFd(4192,2)',
      'AddFd(8272,4)',
      'AddFd(8288,2)',
    ]);
  });

  it('an ioeventfd hidden by a higher-priority region is dropped, and comes back', () => {
    const { root, space } = doorbellSpace();
    const cover = Region.initIoRegion(0x10, recordingOps(), 'cover');
    cover.setPriority(1);
    root.addSubregion(cover, 0x1058);
    expect(space.flatView.ioeventfds.map((e) => e.addrRange.base)).toEqual([0x1050]);
    root.deleteSubregion(cover);
    expect(space.flatView.ioeventfds.map((e) => e.addrRange.base)).toEqual([0x1050, 0x1060]);
  });

  it('through an alias, the ioeventfd moves with the alias window', () => {
    const root = container(0x10000, 'root');
    const dev = Region.initIoRegion(0x100, recordingOps(), 'dev');
    const fd = new EventFd();
    dev.setIoeventfds([{ addrRange: { base: 0x10, size: 4 }, dataMatch: false, data: 0n, fd }]);
    root.addSubregion(Region.initAliasRegion(dev, 0, 0x100, 'win'), 0x8000);
    const space = new AddressSpace(root, 'memory');
    expect(space.flatView.ioeventfds.map((e) => e.addrRange.base)).toEqual([0x8010]);
    space.writeU32(0x8010, 7, 'MMIO');
    expect(fd.read()).toBe(1);
  });

  it('containers and aliases take no ioeventfds; bad entries are refused', () => {
    const { dev } = doorbellSpace();
    const fd = new EventFd();
    const entry = { addrRange: { base: 0, size: 4 }, dataMatch: false, data: 0n, fd };
    expect(catchError(() => container(16, 'c').setIoeventfds([entry])).code).toBe('RegionType');
    expect(
      catchError(() => dev.setIoeventfds([{ ...entry, addrRange: { base: 0xfe, size: 4 } }])).code,
    ).toBe('Overflow');
    expect(catchError(() => dev.setIoeventfds([{ ...entry, data: -1n }])).code).toBe(
      'InvalidArgument',
    );
    expect(
      catchError(() => dev.setIoeventfds([{ ...entry, data: 1 as unknown as bigint }])).code,
    ).toBe('InvalidArgument');
    expect(catchError(() => dev.setIoeventfds([{ ...entry, fd: {} as EventFd }])).code).toBe(
      'InvalidArgument',
    );
    expect(dev.ioeventfds().length).toBe(2);
  });
});

describe('who matches doorbells: setIoevtfdEnabled (hyp_ioevtfd_enabled)', () => {
  it("is off by default: the owner's write signals and the device sees nothing", () => {
    const { space, ops, notify } = doorbellSpace();
    expect(space.ioevtfdEnabled).toBe(false);
    space.writeU32(0x1050, 1, 'MMIO');
    expect(notify.read()).toBe(1);
    expect(ops.log).toEqual([]);
  });

  it('off, set explicitly: the same', () => {
    const { space, ops, notify } = doorbellSpace();
    space.setIoevtfdEnabled(false);
    expect(space.ioevtfdEnabled).toBe(false);
    space.writeU32(0x1050, 1, 'MMIO');
    expect(notify.read()).toBe(1);
    expect(ops.log).toEqual([]);
  });

  it("on: the owner's write reaches the device and signals nothing", () => {
    const { space, ops, notify, queue } = doorbellSpace();
    space.setIoevtfdEnabled(true);
    expect(space.ioevtfdEnabled).toBe(true);
    space.writeU32(0x1050, 0x1234, 'MMIO');
    space.writeU16(0x1060, 3, 'MMIO');
    expect(notify.read()).toBe(0);
    expect(queue.read()).toBe(0);
    expect(ops.log).toEqual(['write 52,18,0,0@80 base 4096', 'write 3,0@96 base 4096']);
  });

  it('may be set once: a second call is InvalidArgument and changes nothing', () => {
    const { space } = doorbellSpace();
    space.setIoevtfdEnabled(true);
    const err = catchError(() => space.setIoevtfdEnabled(false));
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toBe(
      'Invalid argument: ioevtfdEnabled of address space memory is already set (true); it can be set once',
    );
    expect(space.ioevtfdEnabled).toBe(true);
    expect(catchError(() => space.setIoevtfdEnabled(true)).code).toBe('InvalidArgument');
  });

  it('a bad argument is InvalidArgument and leaves it unset', () => {
    const { space } = doorbellSpace();
    for (const bad of [1, 'true', undefined, null]) {
      expect(catchError(() => space.setIoevtfdEnabled(bad as unknown as boolean)).code).toBe(
        'InvalidArgument',
      );
    }
    expect(space.ioevtfdEnabled).toBe(false);
    space.setIoevtfdEnabled(true);
    expect(space.ioevtfdEnabled).toBe(true);
  });
});

describe("matchExitedWrite: the owner's half of a vCPU's exited write", () => {
  it('off: a matching write signals and is served; any other write is left to the device', () => {
    const { space, ops, notify, queue } = doorbellSpace();
    expect(space.matchExitedWrite(0x1050, Uint8Array.of(1, 0, 0, 0))).toBe(true);
    expect(space.matchExitedWrite(0x1060, Uint8Array.of(3, 0))).toBe(true);
    expect([notify.read(), queue.read()]).toEqual([1, 1]);
    // wrong width, wrong data, no doorbell there, nothing at all
    expect(space.matchExitedWrite(0x1050, Uint8Array.of(1, 0))).toBe(false);
    expect(space.matchExitedWrite(0x1060, Uint8Array.of(4, 0))).toBe(false);
    expect(space.matchExitedWrite(0x1054, Uint8Array.of(1, 0, 0, 0))).toBe(false);
    expect(space.matchExitedWrite(0x1050, new Uint8Array(0))).toBe(false);
    expect([notify.read(), queue.read()]).toEqual([0, 0]);
    // it never runs the device itself
    expect(ops.log).toEqual([]);
  });

  it('matches the current view: a doorbell added or removed since counts as it is now', () => {
    const { space, dev, notify } = doorbellSpace();
    dev.setIoeventfds([]);
    expect(space.matchExitedWrite(0x1050, Uint8Array.of(1, 0, 0, 0))).toBe(false);
    dev.setIoeventfds([
      { addrRange: { base: 0x50, size: 4 }, dataMatch: false, data: 0n, fd: notify },
    ]);
    expect(space.matchExitedWrite(0x1050, Uint8Array.of(1, 0, 0, 0))).toBe(true);
    expect(notify.read()).toBe(1);
  });

  it('on: never matches (the vCPU did); the exit goes to the device', () => {
    const { space, notify } = doorbellSpace();
    space.setIoevtfdEnabled(true);
    expect(space.matchExitedWrite(0x1050, Uint8Array.of(1, 0, 0, 0))).toBe(false);
    expect(notify.read()).toBe(0);
  });

  it('bad arguments are typed errors and signal nothing', () => {
    const { space, notify } = doorbellSpace();
    const bytes = Uint8Array.of(1, 0, 0, 0);
    expect(catchError(() => space.matchExitedWrite(-1, bytes)).code).toBe('InvalidArgument');
    expect(catchError(() => space.matchExitedWrite(4176.5, bytes)).code).toBe('InvalidArgument');
    expect(catchError(() => space.matchExitedWrite(2 ** 53 - 2, bytes)).code).toBe('Overflow');
    expect(catchError(() => space.matchExitedWrite(2 ** 53 + 2, bytes)).code).toBe('Overflow');
    expect(
      catchError(() => space.matchExitedWrite(0x1050, [1, 0, 0, 0] as unknown as Uint8Array)).code,
    ).toBe('InvalidArgument');
    expect(notify.read()).toBe(0);
  });
});
