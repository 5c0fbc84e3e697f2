import { describe, expect, it } from 'vitest';
import { AddressSpaceError } from '../../src/base/errors.js';
import { MachineConfigError } from '../../src/machine/errors.js';
import { formatSize, parseSize, parseU64 } from '../../src/machine/sizes.js';

describe('parseSize', () => {
  it.each([
    [0, 0],
    [4096, 4096],
    ['4096', 4096],
    ['1_048_576', 0x100000],
    ['0x1000', 0x1000],
    ['0XFEB0_0000', 0xfeb00000],
    ['4KiB', 4096],
    ['4K', 4096],
    ['512MiB', 512 * 2 ** 20],
    ['512 M', 512 * 2 ** 20],
    ['2GiB', 2 ** 31],
    ['1G', 2 ** 30],
    ['1T', 2 ** 40],
    ['8192TiB', 2 ** 53],
  ])('%j is %d bytes', (input, bytes) => {
    expect(parseSize(input, 'memory.size')).toBe(bytes);
  });

  it.each([
    [
      '1.5G',
      'must be a non-negative integer or a size string such as "0x1000", "4096" or "2GiB", got "1.5G"',
    ],
    [
      '2GB',
      'must be a non-negative integer or a size string such as "0x1000", "4096" or "2GiB", got "2GB"',
    ],
    [
      '0x10M',
      'must be a non-negative integer or a size string such as "0x1000", "4096" or "2GiB", got "0x10M"',
    ],
    [
      '',
      'must be a non-negative integer or a size string such as "0x1000", "4096" or "2GiB", got ""',
    ],
    [
      true,
      'must be a non-negative integer or a size string such as "0x1000", "4096" or "2GiB", got true',
    ],
    [
      null,
      'must be a non-negative integer or a size string such as "0x1000", "4096" or "2GiB", got null',
    ],
    [-1, 'must be a non-negative integer, got -1'],
    [1.5, 'must be a non-negative integer, got 1.5'],
    ['16384TiB', '0x40000000000000 is past the address limit 2**53'],
    [2 ** 60, '0x1000000000000000 is past the address limit 2**53'],
  ])('%j is refused with the field path', (input, problem) => {
    let error: unknown;
    try {
      parseSize(input, 'memory.children[3].offset');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MachineConfigError);
    expect(error).toBeInstanceOf(AddressSpaceError);
    expect((error as MachineConfigError).code).toBe('InvalidArgument');
    expect((error as MachineConfigError).path).toBe('memory.children[3].offset');
    expect((error as Error).message).toBe(`memory.children[3].offset: ${problem}`);
  });

  it('refuses 0 where a positive size is needed', () => {
    expect(() => parseSize(0, 'memory.children[3].size', { positive: true })).toThrow(
      'memory.children[3].size: must be a positive integer',
    );
    expect(() => parseSize('0x0', 'memory.size', { positive: true })).toThrow(
      'memory.size: must be a positive integer',
    );
  });
});

describe('parseU64 and formatSize', () => {
  it('parses 64-bit ioeventfd data', () => {
    expect(parseU64(7, 'd')).toBe(7n);
    expect(parseU64('0xFFFFFFFFFFFFFFFF', 'd')).toBe(0xffffffffffffffffn);
    expect(() => parseU64('0x10000000000000000', 'io.ioeventfds[0].data')).toThrow(
      'io.ioeventfds[0].data: must be an unsigned 64-bit value such as 1 or "0xFFFFFFFFFFFFFFFF", got "0x10000000000000000"',
    );
    expect(() => parseU64('1K', 'd')).toThrow(MachineConfigError);
  });

  it('prints sizes for people', () => {
    expect(formatSize(2 ** 31)).toBe('2 GiB');
    expect(formatSize(0x200)).toBe('0x200 bytes');
    expect(formatSize(64 * 1024)).toBe('64 KiB');
  });
});
