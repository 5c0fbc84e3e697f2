/**
 * The built-in pc is a machine file: written out as JSON and loaded from disk like any
 * other, it builds the same machine as `buildPcMachine`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMachine } from '../../src/machine/create.js';
import type { Machine } from '../../src/machine/machine.js';
import { buildPcMachine } from '../../src/machine/pc.js';
import { pcMachineConfig, pcMachineFile } from '../../src/machine/pc-config.js';

/** Everything `mtree` shows, and the lists a run drives. */
function portrait(m: Machine) {
  const t = m.targets;
  return {
    name: m.name,
    memory: m.memory.mtreeQemu(),
    io: m.io?.memspaceShow(),
    ram: t.ramRanges,
    mmio: t.mmio.map((x) => [x.device, x.space, x.base]),
    doorbells: t.doorbells.map((d) => [d.device, d.gpa, d.value]),
    aliases: t.toggleableAliases.map((r) => r.name),
    bars: t.barSlots?.devices,
    flash: [...m.mappings.get('pc.flash')!.bytes.subarray(-16, -11)],
  };
}

describe('the pc machine file', () => {
  it('loaded from disk builds what buildPcMachine builds', async () => {
    const options = { ramSize: '5GiB', virtioDevices: 3 };
    const dir = mkdtempSync(join(tmpdir(), 'pc-file-'));
    const path = join(dir, 'pc.json');
    writeFileSync(path, JSON.stringify(pcMachineFile(options), null, 2));
    const fromFile = await createMachine(path);
    const builtIn = buildPcMachine(options);
    try {
      expect(portrait(fromFile)).toEqual(portrait(builtIn));
      expect(portrait(builtIn).flash).toEqual([0xea, 0x5b, 0xe0, 0x00, 0xf0]);
    } finally {
      fromFile.dispose();
      builtIn.dispose();
      rmSync(dir, { recursive: true });
    }
  });

  it('names the board features it uses', () => {
    const file = pcMachineFile();
    expect(file.pam).toEqual({ target: 'pc.ram', priority: 2 });
    expect(file.barWindow).toEqual({
      container: 'pci-hole',
      offset: '0x3EB00000',
      slotSize: '0x200',
      slots: 2040,
      bars: ['virtio-mmio.0', 'virtio-mmio.1'],
    });
    expect(file.targets).toEqual({
      ram: [
        { region: 'ram-below-4g', offset: 0, size: '0xC0000' },
        { region: 'ram-below-4g', offset: '0x100000', size: '0x7FF00000' },
      ],
      mmio: ['serial0', 'serial0-mmio', 'virtio-mmio.0', 'virtio-mmio.1'],
    });
    const config = pcMachineConfig();
    expect([config.name, config.machineRam, config.hotplug]).toEqual([
      'pc',
      'pc.ram',
      { container: 'hotplug', blockSize: 0x20_0000 },
    ]);
  });
});
