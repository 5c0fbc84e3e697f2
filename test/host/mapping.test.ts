import { describe, expect, it } from 'vitest';
import { AddressSpaceError } from '../../src/base/errors.js';
import { hostMemory } from '../../src/host/host-memory.js';
import { HostMemMapping } from '../../src/host/mapping.js';
import { HOST_WINDOW } from '../../src/host/window.js';

describe('HostMemMapping', () => {
  it('creates a zeroed shared mapping with a host address at its own 4 GiB window', () => {
    const m = HostMemMapping.create({ size: 0x1000, name: 'ram0' });
    expect(m.size).toBe(0x1000);
    expect(m.name).toBe('ram0');
    expect(m.readOnly).toBe(false);
    expect(m.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(m.hostAddress % HOST_WINDOW).toBe(0);
    expect(m.hostAddress).toBeGreaterThan(0);
    expect(m.bytes.every((b) => b === 0)).toBe(true);
    m.release();
  });

  it('gives live mappings distinct host addresses', () => {
    const a = HostMemMapping.create({ size: 16 });
    const b = HostMemMapping.create({ size: 16 });
    expect(a.hostAddress).not.toBe(b.hostAddress);
    a.release();
    b.release();
  });

  it('resolves host addresses back to bytes through HostMemory', () => {
    const m = HostMemMapping.create({ size: 64 });
    m.bytes[10] = 0xab;
    expect(hostMemory.bytes(m.hostAddress + 10, 1)[0]).toBe(0xab);
    expect(() => hostMemory.bytes(m.hostAddress + 60, 8)).toThrow(AddressSpaceError);
    m.release();
    expect(hostMemory.windowOf(m.hostAddress)).toBeUndefined();
  });

  it.each([
    [0, 'InvalidArgument'],
    [-1, 'InvalidArgument'],
    [1.5, 'InvalidArgument'],
    [Number.NaN, 'InvalidArgument'],
    ['4096', 'InvalidArgument'],
    [2 ** 32 + 1, 'InvalidArgument'],
    [2 ** 53 + 2, 'Overflow'],
  ])('rejects size %s with %s', (size, code) => {
    expect(() => HostMemMapping.create({ size: size as number })).toThrow(
      expect.objectContaining({ code }),
    );
  });
});
