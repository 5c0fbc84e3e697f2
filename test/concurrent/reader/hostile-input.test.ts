/**
 * A `SharedView` reader validates what it is given the way `AddressSpace` does (SPEC 5,
 * 6): a value that does not fit the width, NaN, a string, `undefined`, a bigint, a
 * negative or fractional address, a buffer that is not a Uint8Array: each is a typed
 * `AddressSpaceError` with the same code, and nothing is written, on the cached fast
 * path and off it, under every strategy. The property test throws anything at both and
 * asks for the same outcome.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { AddressSpaceError } from '../../../src/base/errors.js';
import { SharedViewPublisher } from '../../../src/concurrent/publication/publisher.js';
import {
  type SharedViewReader,
  STRATEGIES,
  type Strategy,
} from '../../../src/concurrent/reader/reader-api.js';
import { SharedView } from '../../../src/concurrent/strategies/shared-view.js';
import { AddressSpace } from '../../../src/core/address-space.js';
import { Region } from '../../../src/core/region.js';
import { HostMemMapping } from '../../../src/host/mapping.js';

const RAM = 0x1_0000;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function setup(strategy: Strategy): { as: AddressSpace; reader: SharedViewReader } {
  const root = Region.initContainerRegion(0x10_0000, 'root');
  const mapping = HostMemMapping.create({ size: RAM, name: 'ram' });
  root.addSubregion(Region.initRamRegion(mapping, 'ram'), 0);
  const as = new AddressSpace(root, 'memory');
  const publisher = SharedViewPublisher.attachTo(as, { strategy, check: false });
  const reader = SharedView.attach(publisher.readerHandle(publisher.allocateReader()));
  reader.online();
  cleanups.push(() => {
    reader.offline();
    reader.close();
    publisher.close();
    as.destroy();
    mapping.release();
  });
  return { as, reader };
}

/** The error code `fn` throws, `'ok'` when it returns; a non-AddressSpaceError fails the test. */
function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (error) {
    if (!(error instanceof AddressSpaceError)) {
      throw new Error(`not a typed error: ${String(error)}`, { cause: error });
    }
    return error.code;
  }
}

const BAD_VALUES: unknown[] = [300, 256, -1, 1.5, Number.NaN, '5', undefined, null, 5n, {}];
const BAD_ADDRESSES: unknown[] = [0x100n, -4, 1.5, Number.NaN, '256', undefined, null];

describe.each(STRATEGIES)('SharedView (%s) refuses what AddressSpace refuses', (strategy) => {
  it('writeU8(gpa, 300) throws InvalidArgument and writes nothing, cached or not', () => {
    const { as, reader } = setup(strategy);
    reader.writeU8(0x100, 7); // warms the write cache: the next write is a cached hit
    expect(() => reader.writeU8(0x100, 300)).toThrow(
      'value must be an integer in [0, 2**8), got 300',
    );
    expect(as.readU8(0x100)).toBe(7);
    expect(() => reader.writeU8(0x9000, 300)).toThrow(AddressSpaceError); // not cached
    expect(as.readU8(0x9000)).toBe(0);
  });

  it('every width refuses values AddressSpace refuses, with the same code', () => {
    const { as, reader } = setup(strategy);
    reader.writeU32(0x200, 0x1234_5678);
    for (const v of BAD_VALUES) {
      const value = v as number;
      expect(
        outcome(() => reader.writeU8(0x200, value)),
        `U8 ${String(v)}`,
      ).toBe(outcome(() => as.writeU8(0x200, value)));
      expect(
        outcome(() => reader.writeU16(0x200, value)),
        `U16 ${String(v)}`,
      ).toBe(outcome(() => as.writeU16(0x200, value)));
      expect(
        outcome(() => reader.writeU32(0x200, value)),
        `U32 ${String(v)}`,
      ).toBe(outcome(() => as.writeU32(0x200, value)));
      expect(
        outcome(() => reader.writeU64(0x200, v as bigint)),
        `U64 ${String(v)}`,
      ).toBe(outcome(() => as.writeU64(0x200, v as bigint)));
    }
    expect(outcome(() => reader.writeU64(0x200, 1n << 64n))).toBe('InvalidArgument');
    expect(outcome(() => reader.writeU32(0x200, -1))).toBe('InvalidArgument');
    // Nothing that was refused wrote: the last word stored is the last accepted one.
    reader.writeU32(0x200, 0x1234_5678);
    for (const v of [300, -1, Number.NaN, '5', undefined]) {
      expect(outcome(() => reader.writeU8(0x200, v as number))).toBe('InvalidArgument');
    }
    expect(as.readU32(0x200)).toBe(0x1234_5678);
  });

  it('bigint, negative, fractional and non-number addresses are typed errors', () => {
    const { as, reader } = setup(strategy);
    reader.readU32(0x100); // warm the read cache
    for (const a of BAD_ADDRESSES) {
      const gpa = a as number;
      const expected = outcome(() => as.readU32(gpa));
      expect(expected).not.toBe('ok');
      expect(
        outcome(() => reader.readU8(gpa)),
        `readU8 ${String(a)}`,
      ).toBe(expected);
      expect(
        outcome(() => reader.readU32(gpa)),
        `readU32 ${String(a)}`,
      ).toBe(expected);
      expect(
        outcome(() => reader.readU64(gpa)),
        `readU64 ${String(a)}`,
      ).toBe(expected);
      expect(
        outcome(() => reader.writeU32(gpa, 1)),
        `writeU32 ${String(a)}`,
      ).toBe(expected);
      expect(
        outcome(() => reader.writeU64(gpa, 1n)),
        `writeU64 ${String(a)}`,
      ).toBe(expected);
      expect(
        outcome(() => reader.read(gpa, new Uint8Array(4))),
        `read ${String(a)}`,
      ).toBe(expected);
    }
    expect(outcome(() => reader.read(0x100, undefined as never))).toBe('InvalidArgument');
    expect(outcome(() => reader.write(0x100, [1, 2] as never))).toBe('InvalidArgument');
  });

  it('property: anything as address and value, the same outcome and memory as AddressSpace', () => {
    const { as, reader } = setup(strategy);
    const address = fc.oneof(
      fc.integer({ min: 0, max: RAM + 16 }),
      fc.double(),
      fc.bigInt(),
      fc.constantFrom(undefined, null, '16', -0),
    );
    const value = fc.oneof(
      fc.integer({ min: -2, max: 2 ** 33 }),
      fc.double(),
      fc.bigInt({ min: -2n, max: 1n << 65n }),
      fc.constantFrom(undefined, null, '5', Number.NaN),
    );
    const width = fc.constantFrom(1, 2, 4, 8);
    fc.assert(
      fc.property(address, value, width, (a, v, w) => {
        const gpa = a as number;
        const write = (target: SharedViewReader | AddressSpace) => {
          if (w === 8) (target as AddressSpace).writeU64(gpa, v as bigint);
          else if (w === 4) target.writeU32(gpa, v as number);
          else if (w === 2) target.writeU16(gpa, v as number);
          else target.writeU8(gpa, v as number);
        };
        const before = new Uint8Array(16);
        const expected = outcome(() => as.read(before, 0, 'Ram'));
        expect(expected).toBe('ok');
        const viaReader = outcome(() => write(reader));
        const viaSpace = outcome(() => write(as));
        expect(viaReader).toBe(viaSpace);
      }),
      { numRuns: 300 },
    );
  });
});
