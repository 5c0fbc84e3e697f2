/**
 * Hostile machine files (issue 11): whatever a file holds, reading it ends in one line
 * naming the field, never a stack overflow or an endless build: nesting and size limits,
 * a 1,000-deep nested file, a 5,000-alias chain, numbers past 2**53 (with the text the
 * file wrote), control characters in names, priorities outside int32, two virtio devices
 * sharing a queue area. A property test throws generated files at the reader.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressSpaceError } from '../../src/base/errors.js';
import { buildMachine } from '../../src/machine/build.js';
import { MachineConfigError } from '../../src/machine/errors.js';
import {
  MAX_FILE_BYTES,
  MAX_REGION_DEPTH,
  MAX_REGIONS,
  MAX_RENDER_DEPTH,
} from '../../src/machine/file-limits.js';
import { parseMachineFile } from '../../src/machine/machine-file.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests build arbitrary JSON.
type Json = any;

function small(): Json {
  return {
    mappings: { ram: '16MiB' },
    memory: {
      type: 'Container',
      name: 'system',
      size: '4GiB',
      children: [{ type: 'Ram', name: 'ram', mapping: 'ram' }],
    },
  };
}

/** The one-line message of the MachineConfigError that reading `file` throws. */
function refusal(file: Json | string): string {
  try {
    buildMachine(parseMachineFile(file)).dispose();
  } catch (e) {
    expect(e).toBeInstanceOf(MachineConfigError);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('the machine file was accepted');
}

function nested(levels: number): Json {
  const file = small();
  let parent = file.memory;
  for (let i = 1; i < levels; i++) {
    const child = { type: 'Container', name: `c${i}`, size: '1MiB', children: [] as Json[] };
    parent.children = [child];
    parent = child;
  }
  return file;
}

describe('machine file limits', () => {
  it(`refuses regions nested deeper than ${MAX_REGION_DEPTH} levels, naming the field`, () => {
    expect(() => buildMachine(parseMachineFile(nested(MAX_REGION_DEPTH))).dispose()).not.toThrow();
    const path = `memory${'.children[0]'.repeat(MAX_REGION_DEPTH)}`;
    expect(refusal(nested(MAX_REGION_DEPTH + 1))).toBe(
      `${path}: regions nest deeper than ${MAX_REGION_DEPTH} levels`,
    );
  });

  it('a file nested 1,000 levels deep is one line, not a stack overflow', () => {
    expect(refusal(JSON.stringify(nested(1000)))).toMatch(
      /^memory(\.children\[0\]){32}: regions nest deeper than 32 levels$/,
    );
    // Not regions: 1,000 levels of arrays in a device option.
    const file = small();
    file.name = JSON.parse(`${'['.repeat(1000)}${']'.repeat(1000)}`);
    expect(refusal(file)).toMatch(/^name(\[0\]){127}: nests deeper than 128 levels$/);
  });

  it('an alias chain of 5,000 (or 3,000) is one line, not a stack overflow', () => {
    const chain = (length: number): Json => {
      const file = small();
      file.regions = [{ type: 'Ram', name: 'base', mapping: 'ram' }];
      file.memory.children = [];
      for (let i = 0; i < length; i++) {
        file.regions.push({
          type: 'Alias',
          name: `a${i}`,
          target: i === 0 ? 'base' : `a${i - 1}`,
          size: '4KiB',
        });
      }
      file.memory.children.push({
        type: 'Alias',
        name: 'top',
        target: `a${length - 1}`,
        size: '4KiB',
      });
      return file;
    };
    expect(refusal(chain(5000))).toBe(
      `regions[4094]: the file has more than ${MAX_REGIONS} regions`,
    );
    expect(refusal(chain(3000))).toBe(
      // The first region found too deep: a63 (regions[64]) is 65 levels above the RAM.
      `regions[64].target: children and alias targets reach more than ${MAX_RENDER_DEPTH} levels deep from "a63"`,
    );
  });

  it(`refuses more than ${MAX_REGIONS} regions and more than ${MAX_FILE_BYTES} bytes`, () => {
    const file = small();
    for (let i = 0; i < MAX_REGIONS; i++) {
      file.memory.children.push({ type: 'Container', name: `x${i}`, size: '4KiB' });
    }
    expect(refusal(file)).toBe(
      `memory.children[${MAX_REGIONS - 1}]: the file has more than ${MAX_REGIONS} regions`,
    );
    const text = JSON.stringify({ ...small(), name: 'x'.repeat(MAX_FILE_BYTES) });
    expect(refusal(text)).toBe(
      `the machine file is ${text.length} bytes, more than the limit of ${MAX_FILE_BYTES}`,
    );
  });
});

describe('machine file values', () => {
  it('refuses a number past 2**53 with the text the file wrote', () => {
    const text = JSON.stringify(small()).replace('"4GiB"', '9007199254740993');
    expect(refusal(text)).toBe(
      'memory.size: 9007199254740993 is past 2**53, where JSON numbers stop being exact (write it as a string such as "0x20000000000001" if it is meant)',
    );
  });

  it('refuses control characters in names, naming the field', () => {
    const file = small();
    file.memory.children[0].name = 'ram\u001b[2J';
    expect(refusal(file)).toBe(
      'memory.children[0].name: must not contain control characters, got "ram\\u001b[2J"',
    );
    const keyed = small();
    keyed.mappings = { 'r\nam': '16MiB' };
    expect(refusal(keyed)).toBe(
      'mappings: a key must not contain control characters, got "r\\nam"',
    );
  });

  it('refuses priorities outside int32', () => {
    for (const priority of [-(2 ** 31) - 1, 2 ** 31]) {
      const file = small();
      file.memory.children[0].priority = priority;
      expect(refusal(file)).toMatch(/^memory\.children\[0\]\.priority: /);
    }
    const file = small();
    file.memory.children[0].priority = -(2 ** 31);
    expect(() => buildMachine(parseMachineFile(file)).dispose()).not.toThrow();
  });

  it('refuses two virtio devices whose queue areas overlap', () => {
    const file = small();
    const virtio = (name: string, offset: string, gpa: string) => ({
      type: 'IO',
      name,
      offset,
      device: { model: 'virtio-mmio', deviceId: 2, queue: { gpa, size: '64KiB' } },
    });
    file.memory.children.push(virtio('blk0', '0xFEB00000', '0x100000'));
    file.memory.children.push(virtio('blk1', '0xFEB01000', '0x108000'));
    expect(refusal(file)).toBe(
      'memory.children[2].device.queue.gpa: the queue area 0x108000..0x118000 overlaps the queue area of "blk0" (0x100000..0x110000)',
    );
  });
});

describe('property: any file is read or refused in one line naming a field', () => {
  const name = fc.string({ maxLength: 6 });
  const size = fc.oneof(
    fc.integer({ min: -2, max: 2 ** 40 }),
    fc.constantFrom('4KiB', '1MiB', '0x1000', 'x', '', 2 ** 53 + 2, 1.5),
  );
  const leaf = fc.record(
    {
      type: fc.constantFrom('Ram', 'IO', 'Container', 'Alias', 'RamDevice', 'RomDevice', 'Nope'),
      name,
      size,
      offset: size,
      priority: fc.oneof(fc.integer(), fc.double()),
      target: name,
      mapping: fc.constantFrom('ram', 'none'),
      device: fc.constantFrom('uart16550', 'pflash', { model: 'virtio-mmio', deviceId: 2 }),
    },
    { requiredKeys: ['type', 'name'] },
  );
  const region: fc.Arbitrary<Json> = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({
        type: fc.constant('Container'),
        name,
        size,
        children: fc.array(tie('node'), { maxLength: 4 }),
      }),
    ),
  })).node;

  it('never throws anything but a one-line MachineConfigError', () => {
    fc.assert(
      fc.property(region, fc.option(fc.array(region, { maxLength: 3 })), (memory, regions) => {
        const file: Json = { mappings: { ram: '1MiB' }, memory };
        if (regions !== null) file.regions = regions;
        try {
          buildMachine(parseMachineFile(JSON.stringify(file))).dispose();
        } catch (e) {
          if (!(e instanceof MachineConfigError) && !(e instanceof AddressSpaceError)) throw e;
          expect((e as Error).message).not.toContain('\n');
        }
      }),
      { numRuns: 400 },
    );
  });
});
