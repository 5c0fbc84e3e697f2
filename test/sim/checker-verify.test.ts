/**
 * What the run checker does with self-checking memory's records (SPEC 11): a `Tag` sample
 * (a verified access's word contradicted its own translation) is a violation of its fault
 * kind, always; a `Served` sample (the translation a verified access used) must be what
 * its generation maps, and a read served by memory where that generation has none (a ROM
 * device with romd off) is a `translation` violation.
 *
 *   generation A:  0x0000 ┌── ram ──┐ 0x4000   0x8000 ┌── rom (romd on) ──┐ 0x9000
 *   generation B:  the same, romd off
 */
import { describe, expect, it } from 'vitest';
import { ViewHistory } from '../../src/concurrent/publication/history.js';
import { TagFault } from '../../src/concurrent/reader/memory-tags.js';
import { SampleKind } from '../../src/concurrent/vcpu/sampler.js';
import { AddressSpace } from '../../src/core/address-space.js';
import { Region } from '../../src/core/region.js';
import { HostMemMapping } from '../../src/host/mapping.js';
import { Checker } from '../../src/sim/checker.js';

function setup() {
  const root = Region.initContainerRegion(0x10000, 'root');
  const as = new AddressSpace(root, 'memory');
  const ram = Region.initRamRegion(HostMemMapping.create({ size: 0x4000, name: 'm' }), 'ram');
  const ops = { read: () => true, write: () => true };
  const rom = Region.initRomDeviceRegion(HostMemMapping.create({ size: 0x1000 }), ops, 'rom');
  const history = new ViewHistory();
  root.addSubregion(ram, 0);
  root.addSubregion(rom, 0x8000);
  const genA = as.flatView.generation;
  history.record(as.flatView);
  rom.setRomDeviceRomd(false);
  const genB = as.flatView.generation;
  history.record(as.flatView);
  const names = new Map([
    [ram.id, ram.name],
    [rom.id, rom.name],
  ]);
  const checker = new Checker({ enabled: true, history, regionName: (id) => names.get(id) });
  return { checker, ram, rom, genA, genB };
}

describe('Checker and self-checking memory', () => {
  it('a Tag sample is a violation of its kind, with the word it found', () => {
    const { checker, ram, genA } = setup();
    checker.checkSample(
      {
        generation: genA,
        gpa: 0x1234,
        regionId: ram.id,
        hostAddress: -1,
        kind: SampleKind.Tag,
        tag: { fault: TagFault.WrongMapping, offset: 0x1230, low: 0x00070c01, high: 0x1234abcd },
      },
      1,
      0.25,
    );
    expect(checker.byKind).toEqual({ 'wrong-mapping': 1 });
    expect(checker.summary().firstViolations).toEqual([
      {
        kind: 'wrong-mapping',
        vcpu: 1,
        generation: genA,
        gpa: 0x1234,
        expected: `a word tagged for ram (#${ram.id})`,
        actual: 'the word lo 0x70C01 hi 0x1234ABCD',
        detail: `a verified access at 0x1234 through generation ${genA} found the word lo 0x70C01 hi 0x1234ABCD (word at offset 0x1230 of its mapping): the translation led into memory that belongs to another region now`,
        t: 0.25,
      },
    ]);
  });

  it('a Served sample that its generation maps passes; ROM memory while romd is off does not', () => {
    const { checker, ram, rom, genA, genB } = setup();
    const ramHost = ram.mapping!.hostAddress;
    const romHost = rom.mapping!.hostAddress;
    const served = (generation: number, gpa: number, regionId: number, hostAddress: number) =>
      checker.checkSample(
        { generation, gpa, regionId, hostAddress, kind: SampleKind.Served },
        0,
        1,
      );
    served(genB, 0x10, ram.id, ramHost + 0x10);
    served(genA, 0x8004, rom.id, romHost + 4);
    expect(checker.violations).toBe(0);
    served(genB, 0x8004, rom.id, romHost + 4);
    expect(checker.byKind).toEqual({ translation: 1 });
    expect(checker.summary().firstViolations[0]).toMatchObject({
      kind: 'translation',
      generation: genB,
      gpa: 0x8004,
      expected: `no memory for a read (rom (#${rom.id}) at host 0x${(romHost + 4).toString(16).toUpperCase()})`,
    });
  });
});

describe('Checker and the table age check', () => {
  it('a ReclaimedTable sample is a reclaimed-table violation naming what the access found', () => {
    const { checker, genA } = setup();
    checker.checkSample(
      {
        generation: genA,
        gpa: 0x8004,
        regionId: 0,
        hostAddress: 3,
        kind: SampleKind.ReclaimedTable,
      },
      1,
      0.5,
    );
    checker.checkSample(
      { generation: genA, gpa: 0x10, regionId: 7, hostAddress: 1, kind: SampleKind.ReclaimedTable },
      0,
      0.75,
    );
    expect(checker.byKind).toEqual({ 'reclaimed-table': 2 });
    const [first, second] = checker.summary().firstViolations;
    expect(first).toEqual({
      kind: 'reclaimed-table',
      vcpu: 1,
      generation: genA,
      gpa: 0x8004,
      expected: `the table of generation ${genA}, live until the access ended`,
      actual: 'a table stamped reclaimed',
      detail: `an access at 0x8004 looked up in the view table of generation ${genA} after the owner reclaimed it (3 accesses of the batch): a use after free, which a grace period prevents`,
      t: 0.5,
    });
    expect(second).toMatchObject({ actual: 'a table rewritten for epoch 7', t: 0.75 });
    expect(second!.detail).toContain('(1 access of the batch)');
  });
});
