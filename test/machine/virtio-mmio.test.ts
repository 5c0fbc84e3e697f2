import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../src/core/address-space.js';
import { Region } from '../../src/core/region.js';
import { VirtioMmio } from '../../src/machine/devices/virtio-mmio.js';

const BASE = 0xfeb00000;

/** A virtio-blk-like device with two queues at 0xFEB00000, its doorbells installed. */
function setup() {
  const device = new VirtioMmio({
    deviceId: 2,
    numQueues: 2,
    queue: { gpa: 0x100000, size: 0x10000 },
  });
  const region = Region.initIoRegion(device.size, device, 'virtio-mmio.0');
  region.setIoeventfds(device.ioeventfds());
  const root = Region.initContainerRegion(2 ** 32, 'memory');
  root.addSubregion(region, BASE);
  const as = new AddressSpace(root, 'memory');
  return { as, device, region };
}

describe('virtio-mmio registers', () => {
  it('identifies itself: magic "virt", version 2, device and vendor ids', () => {
    const { as } = setup();
    expect(as.readU32(BASE + 0x000, 'MMIO')).toBe(0x74726976);
    expect(as.readU32(BASE + 0x004, 'MMIO')).toBe(2);
    expect(as.readU32(BASE + 0x008, 'MMIO')).toBe(2);
    expect(as.readU32(BASE + 0x00c, 'MMIO')).toBe(0x554d4551);
  });

  it('feature words, queue setup, status and reset', () => {
    const { as, device } = setup();
    as.writeU32(BASE + 0x014, 1, 'MMIO');
    expect(as.readU32(BASE + 0x010, 'MMIO')).toBe(1); // VIRTIO_F_VERSION_1 is bit 32
    as.writeU32(BASE + 0x024, 1, 'MMIO');
    as.writeU32(BASE + 0x020, 1, 'MMIO');
    expect(device.driverFeatures).toBe(1n << 32n);
    as.writeU32(BASE + 0x030, 1, 'MMIO'); // QueueSel 1
    expect(as.readU32(BASE + 0x034, 'MMIO')).toBe(256);
    as.writeU32(BASE + 0x080, 0x100000, 'MMIO');
    as.writeU32(BASE + 0x090, 0x101000, 'MMIO');
    as.writeU32(BASE + 0x0a4, 0x1, 'MMIO');
    as.writeU32(BASE + 0x044, 1, 'MMIO');
    expect(as.readU32(BASE + 0x044, 'MMIO')).toBe(1);
    expect(device.queueAddresses(1)).toEqual({ desc: 0x100000, driver: 0x101000, device: 2 ** 32 });
    as.writeU32(BASE + 0x030, 5, 'MMIO'); // no such queue
    expect(as.readU32(BASE + 0x034, 'MMIO')).toBe(0);
    as.writeU32(BASE + 0x070, 0x0f, 'MMIO');
    expect(as.readU32(BASE + 0x070, 'MMIO')).toBe(0x0f);
    device.raiseInterrupt(1);
    expect(as.readU32(BASE + 0x060, 'MMIO')).toBe(1);
    as.writeU32(BASE + 0x064, 1, 'MMIO');
    expect(as.readU32(BASE + 0x060, 'MMIO')).toBe(0);
    as.writeU32(BASE + 0x070, 0, 'MMIO'); // reset
    expect(as.readU32(BASE + 0x070, 'MMIO')).toBe(0);
    expect(device.queueAddresses(1)).toEqual({ desc: 0, driver: 0, device: 0 });
  });

  it('refuses control accesses that are not 32-bit and aligned; config space takes any width', () => {
    const { as } = setup();
    expect(() => as.readU16(BASE, 'MMIO')).toThrow(/Failed to access IO-type region/);
    expect(() => as.readU32(BASE + 2, 'MMIO')).toThrow(/Failed to access IO-type region/);
    as.writeU8(BASE + 0x101, 0x7f, 'MMIO');
    expect(as.readU16(BASE + 0x100, 'MMIO')).toBe(0x7f00);
  });
});

describe('virtio-mmio doorbells', () => {
  it('a QueueNotify write signals its queue EventFd through the ioeventfd, not the device', () => {
    const { as, device } = setup();
    as.writeU32(BASE + 0x050, 1, 'MMIO');
    as.writeU32(BASE + 0x050, 1, 'MMIO');
    as.writeU32(BASE + 0x050, 0, 'MMIO');
    expect(device.notifyFds[1]!.read()).toBe(2);
    expect(device.notifyFds[0]!.read()).toBe(1);
    expect(device.exitNotifies).toBe(0); // the write op never ran
  });

  it('without its ioeventfds the notify is an exit: the device signals the same EventFd', () => {
    const { as, device, region } = setup();
    region.setIoeventfds([]);
    as.writeU32(BASE + 0x050, 1, 'MMIO');
    as.writeU32(BASE + 0x050, 7, 'MMIO'); // no queue 7
    expect(device.exitNotifies).toBe(1);
    expect(device.invalidNotifies).toBe(1);
    expect(device.notifyFds[1]!.read()).toBe(1);
  });

  it('describes itself to a backend thread', () => {
    const { device } = setup();
    const d = device.backendDescriptor();
    expect(d.deviceId).toBe(2);
    expect(d.queue).toEqual({ gpa: 0x100000, size: 0x10000 });
    expect(d.notify.map((n) => n.buffer)).toEqual(device.notifyFds.map((fd) => fd.buffer));
    expect(device.probes().map((p) => p.what)).toEqual([
      'MagicValue',
      'Version',
      'DeviceID',
      'QueueNotify',
    ]);
  });
});
