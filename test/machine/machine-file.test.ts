import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AddressSpaceError } from '../../src/base/errors.js';
import { HostMemMapping } from '../../src/host/mapping.js';
import { buildMachine } from '../../src/machine/build.js';
import { createMachine } from '../../src/machine/create.js';
import { MachineConfigError } from '../../src/machine/errors.js';
import { loadMachineFile, parseMachineFile } from '../../src/machine/machine-file.js';

const FIXTURE = new URL('./fixtures/small.json', import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: the tests edit arbitrary JSON.
type Json = any;
const fixture = (): Json => JSON.parse(readFileSync(FIXTURE, 'utf8'));

/** Parses and builds; returns the error message, or fails the test if it built. */
function failure(file: Json | string): MachineConfigError {
  try {
    buildMachine(parseMachineFile(file)).dispose();
  } catch (e) {
    expect(e).toBeInstanceOf(MachineConfigError);
    expect(e).toBeInstanceOf(AddressSpaceError);
    expect((e as MachineConfigError).code).toBe('InvalidArgument');
    expect((e as Error).message).not.toContain('\n');
    return e as MachineConfigError;
  }
  throw new Error('the machine file was accepted');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('malformed machine files: one line naming the field', () => {
  const cases: [string, (f: Json) => Json, string][] = [
    [
      'a zero size',
      (f) => void (f.memory.children[3].size = 0),
      'memory.children[3].size: must be a positive integer',
    ],
    [
      'a duplicate region name',
      (f) => void (f.memory.children[2].children[1].name = 'ram'),
      'memory.children[2].children[1].name: "ram" is already the name of memory.children[0]',
    ],
    [
      'an alias to nothing',
      (f) => void (f.memory.children[1].target = 'nope'),
      'memory.children[1].target: no region named "nope"',
    ],
    [
      'an alias past its target',
      (f) => void (f.memory.children[1].aliasOffset = '0x3F80000'),
      'memory.children[1].aliasOffset: aliasOffset 0x3F80000 + size 0x100000 passes the end of target "ram" (size 0x4000000)',
    ],
    [
      'a child past its parent',
      (f) => void (f.memory.children[2].children[2].offset = '0xF00000'),
      'memory.children[2].children[2].offset: offset 0xF00000 + size 0x200000 passes the end of "mmio" (size 0x1000000)',
    ],
    [
      'an unknown mapping',
      (f) => void (f.memory.children[0].mapping = 'ram1'),
      'memory.children[0].mapping: no mapping named "ram1" in mappings',
    ],
    [
      'a size that disagrees with the mapping',
      (f) => void (f.memory.children[0].size = '32MiB'),
      'memory.children[0].size: must equal the size of mapping "ram0" (0x4000000), got 0x2000000',
    ],
    [
      'a root that is not a Container',
      (f) => void (f.io = { type: 'IO', name: 'port', device: 'uart16550' }),
      'io.type: the root region must be a Container, got IO',
    ],
    [
      'a misspelt field',
      (f) => void (f.memory.children[4].sise = 1),
      'memory.children[4].sise: unknown field',
    ],
    [
      'an unknown region type',
      (f) => void (f.memory.children[4].type = 'Rom'),
      'memory.children[4].type: must be one of "Ram", "IO", "Container", "RomDevice", "RamDevice", "Alias", got "Rom"',
    ],
    [
      'a device on the wrong region type',
      (f) => void (f.memory.children[2].children[0].device = 'pflash'),
      'memory.children[2].children[0].device: pflash needs a RomDevice region, not IO',
    ],
    [
      'an unknown device model',
      (f) => void (f.memory.children[2].children[0].device = 'e1000'),
      'memory.children[2].children[0].device: must be one of "uart16550", "pflash", "virtio-mmio", got "e1000"',
    ],
    [
      'a device option out of range',
      (f) => void (f.memory.children[2].children[1].device.numQueues = 9),
      'memory.children[2].children[1].device.numQueues: must be at most 8',
    ],
    [
      'an alias cycle',
      (f) =>
        void (f.memory.children[4].children = [
          { type: 'Alias', name: 'loop', target: 'system', size: '1MiB' },
        ]),
      'memory.children[4].children[0].target: alias cycle: system -> dimms -> loop -> system',
    ],
    [
      'an ioeventfd outside its region',
      (f) => void (f.io.children[0].ioeventfds[0].offset = 8),
      'io.children[0].ioeventfds[0].offset: 0x8 + size 0x1 passes the end of the region (size 0x8)',
    ],
    ['no memory', (f) => void delete f.memory, 'memory: is required'],
    [
      'a fractional priority',
      (f) => void (f.memory.children[1].priority = 1.5),
      'memory.children[1].priority: must be an integer, got 1.5',
    ],
    [
      'children on a Ram region',
      (f) => void (f.memory.children[0].children = []),
      'memory.children[0].children: only a Container has children',
    ],
    [
      'a mapping over 4 GiB',
      (f) => void (f.mappings.ram0 = '5GiB'),
      'mappings.ram0: must be at most 4 GiB (one mapping), got 0x140000000',
    ],
    [
      'a hotplug area that is not empty',
      (f) => void (f.hotplug.container = 'mmio'),
      'hotplug.container: "mmio" must be an empty Container',
    ],
    [
      'an unknown churn kind',
      (f) => void (f.churn = ['hotplug', 'disk']),
      'churn[1]: must be one of "hotplug", "bar", "romd", "alias", "ioeventfd", got "disk"',
    ],
  ];

  it.each(cases)('%s', (_label, edit, message) => {
    const file = fixture();
    edit(file);
    expect(failure(file).message).toBe(message);
  });

  it('reports broken JSON and a non-object file', () => {
    expect(failure('{"memory": ').message).toBe('not valid JSON: Unexpected end of JSON input');
    expect(failure('[]').message).toBe('a machine file must be a JSON object, got an array');
  });

  it('a failure after allocation releases every mapping it created', () => {
    const created: HostMemMapping[] = [];
    const create = HostMemMapping.create.bind(HostMemMapping);
    vi.spyOn(HostMemMapping, 'create').mockImplementation((options) => {
      const mapping = create(options);
      created.push(mapping);
      return mapping;
    });
    const file = fixture();
    file.memory.children[2].children[1].device.queue.gpa = '0x3FF8000'; // Runs past RAM.
    const error = failure(file);
    expect(error.message).toBe(
      'memory.children[2].children[1].device.queue.gpa: 0x3FF8000 + size 0x10000 is not guest RAM of machine "small"',
    );
    expect(error.path).toBe('memory.children[2].children[1].device.queue.gpa');
    expect(created.map((m) => m.name)).toEqual(['ram0', 'vram', 'bios']);
    expect(created.every((m) => m.isReleased)).toBe(true);
  });
});

describe('a valid machine file', () => {
  it('turns hyp_ioevtfd on unless "hypIoeventfd": false; a build option overrides it', () => {
    const on = buildMachine(parseMachineFile(readFileSync(FIXTURE, 'utf8')));
    const off = buildMachine(
      parseMachineFile(JSON.stringify({ ...fixture(), hypIoeventfd: false })),
    );
    const forced = buildMachine(parseMachineFile(readFileSync(FIXTURE, 'utf8')), {
      hypIoeventfd: false,
    });
    try {
      expect([on, off, forced].map((m) => m.memory.ioevtfdEnabled)).toEqual([true, false, false]);
      expect(() => parseMachineFile(JSON.stringify({ ...fixture(), hypIoeventfd: 'no' }))).toThrow(
        /hypIoeventfd/,
      );
    } finally {
      for (const m of [on, off, forced]) m.dispose();
    }
  });

  it('builds, and its flat views list the expected ranges', () => {
    const machine = buildMachine(parseMachineFile(readFileSync(FIXTURE, 'utf8')));
    try {
      expect(machine.name).toBe('small');
      expect(machine.memory.memspaceShow().split('\n').slice(0, 8)).toEqual([
        '----- address-space flat: memory -----',
        '  0x0 - 0x4000000, (pri 0, Ram) Region ram @ offset 0x0',
        '  0x80000000 - 0x80100000, (pri 0, Ram) Region ram @ offset 0x100000',
        '  0xF0001000 - 0xF0001008, (pri 0, IO) Region uart0 @ offset 0x0',
        '  0xF0002000 - 0xF0002200, (pri 0, IO) Region virtio0 @ offset 0x0',
        '  0xF0100000 - 0xF0300000, (pri 0, RamDevice) Region vram @ offset 0x0',
        '  0xFFF00000 - 0x100000000, (pri 0, RomDevice) Region flash @ offset 0x0',
        '------ regions show: system --------------',
      ]);
      expect(machine.io!.memspaceShow().split('\n').slice(0, 4)).toEqual([
        '----- address-space flat: io -----',
        '  0x3F8 - 0x400, (pri 0, IO) Region uart0 @ offset 0x0',
        '  0x402 - 0x40A, (pri 0, IO) Region debug-port @ offset 0x0',
        '------ regions show: ioport --------------',
      ]);
      expect(machine.memory.getMachineRam()).toBe(machine.regions.get('ram'));
      expect([...machine.devices.keys()]).toEqual(['uart0', 'virtio0', 'flash', 'debug-port']);
    } finally {
      machine.dispose();
    }
  });

  it('derives the workload and churn lists', () => {
    const machine = buildMachine(parseMachineFile(fixture()));
    try {
      const t = machine.targets;
      // RAM minus the virtio queue area at 0x3F00000 (64 KiB).
      expect(t.ramRanges).toEqual([
        { base: 0, size: 0x3f00000, region: 'ram' },
        { base: 0x3f10000, size: 0xf0000, region: 'ram' },
        { base: 0x80000000, size: 0x100000, region: 'ram' },
      ]);
      expect(t.dmaAreas).toEqual([{ device: 'virtio0', gpa: 0x3f00000, size: 0x10000 }]);
      expect(t.mmio.map((m) => [m.device, m.space, m.base, m.size])).toEqual([
        ['uart0', 'memory', 0xf0001000, 8],
        ['virtio0', 'memory', 0xf0002000, 0x200],
        ['debug-port', 'io', 0x402, 8],
      ]);
      expect(t.doorbells.map((d) => [d.device, d.space, d.gpa, d.size, d.value])).toEqual([
        ['virtio0', 'memory', 0xf0002050, 4, 0n],
        ['virtio0', 'memory', 0xf0002050, 4, 1n],
        ['debug-port', 'io', 0x402, 1, 0x2an],
      ]);
      expect(t.flash.map((f) => [f.name, f.base, f.size])).toEqual([
        ['flash', 0xfff00000, 0x100000],
      ]);
      expect(t.toggleableAliases.map((r) => r.name)).toEqual(['ram-mirror', 'com1']);
      expect(machine.hotplug?.slotCount).toBe(8);
      expect(machine.hotplug?.gpaOf(1)).toBe(0x100200000);
    } finally {
      machine.dispose();
    }
  });

  it('loads from disk, named after the file when it has no name', async () => {
    const config = await loadMachineFile(
      new URL('../../examples/small.json', import.meta.url).pathname,
    );
    expect(config.name).toBe('small');
    expect(config.workload).toBe('mixed');
    expect(config.churn).toEqual({ kinds: 'hotplug,romd,alias,ioeventfd', rate: 200 });
    const machine = buildMachine(config);
    // sys.ram is in no address space: two aliases show its halves at 0 and 256 MiB.
    expect(machine.memory.memoryEndAddress()).toBe(0x18000000);
    expect(machine.memory.flatView.findFlatRange(0x10000000)?.owner.name).toBe('ram0');
    expect(machine.memory.flatView.findFlatRange(0x10000000)?.offsetInRegion).toBe(0x8000000);
    expect(machine.devices.get('com1')?.base).toBe(0x3f8);
    machine.dispose();
    await expect(loadMachineFile('/nonexistent/machine.json')).rejects.toThrow(
      'cannot read machine file /nonexistent/machine.json: ENOENT',
    );
  });
});

describe('createMachine', () => {
  it('builds the pc by name and a machine file by path', async () => {
    const pc = await createMachine('pc', { ramSize: '64MiB' });
    expect(pc.name).toBe('pc');
    expect(pc.memory.memoryEndAddress()).toBe(0x4000000);
    pc.dispose();
    const small = await createMachine(new URL('./fixtures/small.json', import.meta.url).pathname);
    expect(small.name).toBe('small');
    small.dispose();
    await expect(createMachine('pc.json')).rejects.toThrow(
      /cannot read machine file pc.json: ENOENT/,
    );
  });
});

describe('fields with more than one form', () => {
  it.each([
    [
      (f: Json) => void (f.mappings.vram = { size: '2MiB', readonly: true }),
      'mappings.vram.readonly: unknown field',
    ],
    [
      (f: Json) => void (f.mappings.vram = true),
      'mappings.vram: must be an object or a string or a number, got true',
    ],
    [(f: Json) => void (f.churn = { kinds: 'all', rate: -1 }), 'churn.rate: must be at least 0'],
    [(f: Json) => void (f.churn = 5), 'churn: must be a string or an array or an object, got 5'],
  ])('%#', (edit, message) => {
    const file = fixture();
    edit(file);
    expect(failure(file).message).toBe(message);
  });
});
