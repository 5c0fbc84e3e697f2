/**
 * Device models writing their own memory mark it dirty (SPEC 10): the pc machine's flash
 * (pflash) programs and erases its array directly, not through `write*`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildPcMachine, type PcMachine } from '../../src/machine/pc.js';

let pc: PcMachine | undefined;
afterEach(() => {
  pc?.dispose();
  pc = undefined;
});

describe('dirty logging of device models', () => {
  it('a pflash program marks its page; an erase marks its whole block; nothing while off', async () => {
    pc = buildPcMachine();
    const flash = pc.targets.flash[0]!;
    const name = flash.region.mapping!.name;
    const program = (offset: number, value: number) => {
      pc!.memory.writeU8(flash.base + offset, 0x40, 'MMIO');
      pc!.memory.writeU8(flash.base + offset, value, 'MMIO');
      pc!.memory.writeU8(flash.base, 0xff, 'MMIO'); // back to read-array
    };
    program(0x3000, 0x0f); // logging off: not logged
    await pc.memory.startDirtyLog();
    expect(pc.memory.syncDirtyLog().total).toBe(0);
    program(0x5010, 0x0f);
    expect(pc.memory.readU8(flash.base + 0x5010, 'RomDevice')).toBe(0x0f);
    const log = pc.memory.syncDirtyLog();
    expect(log.mappings.map((m) => [m.name, [...m.pages]])).toEqual([[name, [5]]]);
    pc.memory.writeU8(flash.base + 0x10000, 0x20, 'MMIO'); // block erase (64 KiB blocks)
    pc.memory.writeU8(flash.base + 0x10000, 0xd0, 'MMIO');
    const erased = pc.memory.syncDirtyLog();
    expect(erased.mappings[0]!.pages).toEqual(Array.from({ length: 16 }, (_, i) => 16 + i));
    pc.memory.stopDirtyLog();
  });
});
