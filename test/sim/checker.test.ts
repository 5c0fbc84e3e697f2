/**
 * The run checker against the generation history of a real address space: samples that
 * match their generation pass; a translation no generation published, one that only
 * another generation explains (a torn view), and any poison read are violations, kept in
 * full up to the limit.
 *
 *   generation A:  0x0000 ┌── ram-a ──┐ 0x4000            (nothing at 0x8000)
 *   generation B:  0x0000 ┌── ram-a ──┐ 0x4000   0x8000 ┌── ram-b ──┐ 0xC000
 */
import { describe, expect, it } from 'vitest';
import { ViewHistory } from '../../src/concurrent/publication/history.js';
import { SampleKind, type TranslationSample } from '../../src/concurrent/vcpu/sampler.js';
import { AddressSpace } from '../../src/core/address-space.js';
import { Region } from '../../src/core/region.js';
import { HostMemMapping } from '../../src/host/mapping.js';
import { Checker } from '../../src/sim/checker.js';

function setup() {
  const root = Region.initContainerRegion(0x10000, 'root');
  const as = new AddressSpace(root, 'memory');
  const a = Region.initRamRegion(HostMemMapping.create({ size: 0x4000, name: 'a' }), 'ram-a');
  const b = Region.initRamRegion(HostMemMapping.create({ size: 0x4000, name: 'b' }), 'ram-b');
  const history = new ViewHistory();
  root.addSubregion(a, 0);
  const genA = as.flatView.generation;
  history.record(as.flatView);
  root.addSubregion(b, 0x8000);
  const genB = as.flatView.generation;
  history.record(as.flatView);
  const names = new Map([
    [a.id, a.name],
    [b.id, b.name],
  ]);
  const checker = new Checker({
    enabled: true,
    history,
    regionName: (id) => names.get(id),
    keep: 2,
  });
  const hostA = a.mapping!.hostAddress;
  const hostB = b.mapping!.hostAddress;
  return { checker, a, b, genA, genB, hostA, hostB };
}

const sample = (s: Omit<TranslationSample, 'kind'>, kind = SampleKind.Read): TranslationSample => ({
  ...s,
  kind,
});

describe('Checker', () => {
  it('passes samples that are exactly what their generation maps', () => {
    const { checker, a, b, genA, genB, hostA, hostB } = setup();
    checker.checkSample(
      sample({ generation: genA, gpa: 0x100, regionId: a.id, hostAddress: hostA + 0x100 }),
      0,
      0.1,
    );
    checker.checkSample(
      sample({ generation: genB, gpa: 0x8010, regionId: b.id, hostAddress: hostB + 0x10 }),
      1,
      0.2,
    );
    // Unmapped in generation A, and the reader found nothing: consistent.
    checker.checkSample(
      sample({ generation: genA, gpa: 0x8010, regionId: -1, hostAddress: -1 }),
      0,
      0.3,
    );
    expect(checker.summary()).toEqual({
      enabled: true,
      samples: 3,
      violations: 0,
      firstViolations: [],
    });
  });

  it('tells a torn view from a wrong translation, and keeps the first ones in full', () => {
    const { checker, a, b, genA, genB, hostA, hostB } = setup();
    // The reader held generation A but resolved 0x8010 the way generation B does.
    checker.checkSample(
      sample({ generation: genA, gpa: 0x8010, regionId: b.id, hostAddress: hostB + 0x10 }),
      1,
      0.5,
    );
    // No generation maps 0x100 four bytes off.
    checker.checkSample(
      sample({ generation: genB, gpa: 0x100, regionId: a.id, hostAddress: hostA + 0x104 }),
      0,
      0.75,
    );
    checker.checkSample(
      sample(
        { generation: genB, gpa: 0x200, regionId: a.id, hostAddress: hostA + 0x200 },
        SampleKind.Poison,
      ),
      0,
      1,
    );
    const summary = checker.summary();
    expect(summary.samples).toBe(3);
    expect(summary.violations).toBe(3);
    expect(checker.byKind).toEqual({ 'mixed-generation': 1, translation: 1, poison: 1 });
    expect(summary.firstViolations).toEqual([
      {
        kind: 'mixed-generation',
        vcpu: 1,
        generation: genA,
        gpa: 0x8010,
        expected: 'unmapped',
        actual: `ram-b (#${b.id}) at host 0x${(hostB + 0x10).toString(16).toUpperCase()}`,
        detail: `0x8010 resolved as generation ${genB} maps it while the reader held generation ${genA} (a torn view)`,
        t: 0.5,
      },
      {
        kind: 'translation',
        vcpu: 0,
        generation: genB,
        gpa: 0x100,
        expected: `ram-a (#${a.id}) at host 0x${(hostA + 0x100).toString(16).toUpperCase()}`,
        actual: `ram-a (#${a.id}) at host 0x${(hostA + 0x104).toString(16).toUpperCase()}`,
        detail: `0x100 resolved to a translation that generation ${genB} never published`,
        t: 0.75,
      },
    ]);
  });

  it('finds the torn view in a generation far ahead (a table reused under the reader)', () => {
    const root = Region.initContainerRegion(0x10000, 'root');
    const as = new AddressSpace(root, 'memory');
    const b = Region.initRamRegion(HostMemMapping.create({ size: 0x4000, name: 'b' }), 'ram-b');
    const c = Region.initRamRegion(HostMemMapping.create({ size: 0x1000, name: 'c' }), 'ram-c');
    root.addSubregion(c, 0);
    const history = new ViewHistory();
    const record = () => history.record(as.flatView);
    record();
    const first = as.flatView.generation;
    for (let i = 0; i < 100; i++) {
      if (i === 99)
        root.addSubregion(b, 0x8000); // only the newest view maps 0x8000
      else c.setEnabled(i % 2 === 1); // changes that publish and leave 0x8000 unmapped
      record();
    }
    const newest = as.flatView.generation;
    expect(newest - first).toBeGreaterThan(64);
    const checker = new Checker({ enabled: true, history });
    checker.published(newest);
    checker.checkSample(
      sample({
        generation: first,
        gpa: 0x8000,
        regionId: b.id,
        hostAddress: b.mapping!.hostAddress,
      }),
      0,
      0,
    );
    expect(checker.summary().firstViolations[0]).toMatchObject({
      kind: 'mixed-generation',
      detail: `0x8000 resolved as generation ${newest} maps it while the reader held generation ${first} (a torn view)`,
    });
  });

  it('counts samples of generations outside the history as unverified, not as violations', () => {
    const { checker, a, genB, hostA } = setup();
    checker.checkSample(
      sample({ generation: genB + 50, gpa: 0x100, regionId: a.id, hostAddress: hostA }),
      0,
      0,
    );
    expect([checker.samples, checker.unverified, checker.violations]).toEqual([1, 1, 0]);
  });

  it('records findings of other observers, and nothing at all when disabled', () => {
    const { checker } = setup();
    const finding = {
      kind: 'torn' as const,
      vcpu: -1,
      generation: 2,
      gpa: 0x40,
      expected: 'request magic 0x51455256',
      actual: 'magic 0x0',
      detail: 'device backend read a torn request',
    };
    checker.record(finding);
    checker.countSamples();
    expect(checker.summary()).toMatchObject({
      samples: 1,
      violations: 1,
      firstViolations: [finding],
    });

    const off = new Checker({ enabled: false, history: undefined });
    off.record(finding);
    off.countSamples(3);
    off.checkSample(sample({ generation: 1, gpa: 0, regionId: -1, hostAddress: -1 }), 0, 0);
    expect(off.summary()).toEqual({
      enabled: false,
      samples: 0,
      violations: 0,
      firstViolations: [],
    });
  });
});
