/**
 * Property test: random region trees (containers, four leaf types, aliases of anything,
 * priorities with ties, disabled regions, ioeventfds) under random mutations, single and
 * in transactions, some of them refused by a listener. After every step the incremental
 * view of each address space must equal the cell-by-cell reference painter, each
 * listener's mirror (AddRegion/DeleteRegion applied to a map) must equal the view, no
 * request may contradict a mirror, and a change's ioeventfd requests must come in the
 * order of a reference merge walk (SPEC 5) from the old list to the new one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressSpaceError } from '../../src/base/errors.js';
import { AddressSpace } from '../../src/core/address-space.js';
import type { FlatIoEventFd, FlatView } from '../../src/core/flat-view.js';
import { Region } from '../../src/core/region.js';
import type { RegionIoEventFd } from '../../src/core/types.js';
import { EventFd } from '../../src/host/event-fd.js';
import { HostMemMapping } from '../../src/host/mapping.js';
import { MirrorListener, recordingOps } from './helpers.js';
import {
  ioeventfdKey,
  referenceIoeventfdKeys,
  referenceIoeventfdWalk,
  referencePaint,
} from './reference-painter.js';

const ROOT_SIZE = 128;
/** At least 500 per CI run; raise with CORE_PROPERTY_RUNS for a longer hunt. */
const TREES = Math.max(500, Number(process.env.CORE_PROPERTY_RUNS ?? 0));
const LEAF_TYPES = ['IO', 'Ram', 'RomDevice', 'RamDevice'] as const;

const mappings = new Map<number, HostMemMapping>();
function mappingOf(size: number): HostMemMapping {
  let m = mappings.get(size);
  if (m === undefined) {
    m = HostMemMapping.create({ size, name: `m${size}` });
    mappings.set(size, m);
  }
  return m;
}
const fds = [new EventFd(), new EventFd(), new EventFd()];

interface Step {
  kind: number;
  a: number;
  b: number;
  c: number;
  d: number;
}

class World {
  readonly root = Region.initContainerRegion(ROOT_SIZE, 'root');
  readonly sub = Region.initContainerRegion(64, 'sub');
  readonly regions: Region[] = [this.sub];
  readonly spaces: [AddressSpace, MirrorListener[]][];
  private serial = 0;

  constructor() {
    this.root.addSubregion(this.sub, 32);
    const s1 = new AddressSpace(this.root, 'main');
    const s2 = new AddressSpace(this.sub, 'sub');
    const l1 = new MirrorListener('a', 0);
    const l2 = new MirrorListener('b', 1);
    const l3 = new MirrorListener('c', 0);
    s1.registerListener(l1);
    s1.registerListener(l2);
    s2.registerListener(l3);
    this.spaces = [
      [s1, [l1, l2]],
      [s2, [l3]],
    ];
  }

  private pick<T>(list: readonly T[], n: number): T | undefined {
    return list.length === 0 ? undefined : list[n % list.length];
  }

  private containers(): Region[] {
    return [this.root, ...this.regions.filter((r) => r.regionType === 'Container')];
  }

  private name(prefix: string): string {
    return `${prefix}${this.serial++}`;
  }

  private newLeaf(size: number, typeSel: number): Region {
    const type = LEAF_TYPES[typeSel % LEAF_TYPES.length]!;
    switch (type) {
      case 'IO':
        return Region.initIoRegion(size, recordingOps(), this.name('io'));
      case 'Ram':
        return Region.initRamRegion(mappingOf(size), this.name('ram'));
      case 'RomDevice':
        return Region.initRomDeviceRegion(mappingOf(size), recordingOps(), this.name('rom'));
      default:
        return Region.initRamDeviceRegion(mappingOf(size), this.name('ramd'));
    }
  }

  /** Places `child` in a container picked by `sel` at an offset picked by `off`. */
  private place(child: Region, sel: number, off: number): void {
    const parent = this.pick(
      this.containers().filter((c) => c.size >= child.size),
      sel,
    );
    if (parent === undefined) return;
    parent.addSubregion(child, off % (parent.size - child.size + 1));
  }

  /**
   * `count` doorbells on `leaf`: half the time 7 bytes apart, half the time all at one
   * address (queues told apart by data, as virtio's notify register has them).
   */
  private doorbells(leaf: Region, count: number, s: Step): RegionIoEventFd[] {
    const list: RegionIoEventFd[] = [];
    const stride = ((s.b >> 2) & 1) === 0 ? 7 : 0;
    for (let k = 0; k < count; k++) {
      const base = (s.c + stride * k) % leaf.size;
      list.push({
        addrRange: { base, size: (s.d + k) % Math.min(4, leaf.size - base + 1) },
        dataMatch: (s.d & 1) === 1,
        data: BigInt(k),
        fd: fds[(s.c + k) % fds.length]!,
      });
    }
    return list;
  }

  apply(s: Step): void {
    switch (s.kind) {
      case 0:
      case 1: {
        const leaf = this.newLeaf(1 + (s.a % 24), s.c);
        leaf.setPriority((s.d % 5) - 2);
        if (((s.b >> 4) & 1) === 1) leaf.setIoeventfds(this.doorbells(leaf, 2 + (s.c % 2), s));
        this.regions.push(leaf);
        this.place(leaf, s.b, s.d >> 3);
        return;
      }
      case 2: {
        const c = Region.initContainerRegion(1 + (s.a % 64), this.name('box'));
        c.setPriority((s.d % 5) - 2);
        this.regions.push(c);
        this.place(c, s.b, s.c);
        return;
      }
      case 3: {
        const target = this.pick(
          this.regions.filter((r) => r.size > 0),
          s.a,
        );
        if (target === undefined) return;
        const aliasOffset = s.b % target.size;
        const size = 1 + (s.c % (target.size - aliasOffset));
        const alias = Region.initAliasRegion(target, aliasOffset, size, this.name('alias'));
        alias.setPriority((s.d % 5) - 2);
        this.regions.push(alias);
        this.place(alias, s.d >> 2, s.a >> 2);
        return;
      }
      case 4: {
        const child = this.pick(
          this.regions.filter((r) => r.parent !== undefined),
          s.a,
        );
        if (child !== undefined) child.parent!.deleteSubregion(child);
        return;
      }
      case 5:
        this.pick(this.regions, s.a)?.setPriority((s.b % 5) - 2);
        return;
      case 6: {
        const r = this.pick(this.regions, s.a);
        r?.setEnabled(!r.enabled);
        return;
      }
      case 7: {
        const rom = this.pick(
          this.regions.filter((r) => r.regionType === 'RomDevice'),
          s.a,
        );
        rom?.setRomDeviceRomd(!rom.getRomDeviceRomd());
        return;
      }
      case 8:
        this.spaces[0]![0].transaction(() => {
          this.apply({ kind: s.b % 8, a: s.c, b: s.d, c: s.a, d: s.b });
          this.apply({ kind: s.c % 8, a: s.d, b: s.a, c: s.b, d: s.c });
        });
        return;
      case 9: {
        const leaf = this.pick(
          this.regions.filter((r) => r.regionType !== 'Container' && r.regionType !== 'Alias'),
          s.a,
        );
        if (leaf === undefined) return;
        const current = leaf.ioeventfds();
        if (((s.b >> 3) & 1) === 1 && current.length > 0) {
          // One doorbell goes away (a queue reset), the others stay.
          leaf.setIoeventfds(current.filter((_, k) => k !== s.c % current.length));
          return;
        }
        leaf.setIoeventfds(this.doorbells(leaf, s.b % 3, s));
        return;
      }
      case 10: {
        const victim = this.spaces[0]![1][1]!;
        let budget = s.b % 4;
        victim.failOn = () => budget-- === 0;
        try {
          this.apply({ kind: s.c % 8, a: s.a, b: s.d, c: s.b, d: s.c });
        } finally {
          victim.failOn = undefined;
        }
        return;
      }
      default: {
        const loose = this.pick(
          this.regions.filter((r) => r.parent === undefined),
          s.a,
        );
        if (loose !== undefined) this.place(loose, s.b, s.c);
      }
    }
  }

  check(): void {
    for (const [space, listeners] of this.spaces) {
      const view = space.flatView;
      const ref = referencePaint(space.root);
      expect(viewRows(view)).toEqual(
        ref.map((p) => `${p.base}+${p.size} ${p.owner.name}@${p.offset} romd=${p.romd}`),
      );
      expect(view.ioeventfds.map(ioeventfdKey)).toEqual(referenceIoeventfdKeys(ref));
      for (const l of listeners) {
        expect(l.faults).toEqual([]);
        expect(mirrorRows(l)).toEqual(viewRows(view));
        expect(
          [...l.ioeventfds.values()].map((e) => ioeventfdKey(e as FlatIoEventFd)).sort(),
        ).toEqual(view.ioeventfds.map(ioeventfdKey).sort());
      }
    }
  }

  /** Where each listener's ioeventfd log stands now. */
  ioeventfdMarks(): number[][] {
    return this.spaces.map(([, listeners]) => listeners.map((l) => l.ioeventfdLog.length));
  }

  /**
   * After a step that went through: each listener got exactly the reference walk from
   * the view before the step to the view now (nothing when the view did not change).
   */
  checkIoeventfdOrder(before: readonly FlatView[], marks: number[][]): void {
    this.spaces.forEach(([space, listeners], s) => {
      const expected = referenceIoeventfdWalk(before[s]!.ioeventfds, space.flatView.ioeventfds);
      listeners.forEach((l, k) => {
        const got = l.ioeventfdLog
          .slice(marks[s]![k])
          .map((r) => `${r.type === 'AddIoeventfd' ? 'Add' : 'Del'} ${ioeventfdKey(r.evtfd)}`);
        expect(got).toEqual(expected);
      });
    });
  }

  views(): FlatView[] {
    return this.spaces.map(([s]) => s.flatView);
  }
}

function viewRows(view: FlatView): string[] {
  return view.ranges.map(
    (r) =>
      `${r.addrRange.base}+${r.addrRange.size} ${r.owner.name}@${r.offsetInRegion} romd=${r.romd}`,
  );
}

function mirrorRows(l: MirrorListener): string[] {
  return [...l.ranges.values()]
    .sort((a, b) => a.addrRange.base - b.addrRange.base)
    .map(
      (r) =>
        `${r.addrRange.base}+${r.addrRange.size} ${r.owner.name}@${r.offsetInRegion} romd=${r.romd}`,
    );
}

const step = fc.record({
  kind: fc.nat(11),
  a: fc.nat(1000),
  b: fc.nat(1000),
  c: fc.nat(1000),
  d: fc.nat(1000),
});

describe('incremental rendering against a cell-by-cell reference', () => {
  it(`holds for ${TREES} random trees under random mutations`, () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), (steps) => {
        const world = new World();
        world.check();
        for (const s of steps) {
          const before = world.views();
          const treeBefore = world.root.mtree(0);
          const marks = world.ioeventfdMarks();
          try {
            world.apply(s);
            world.checkIoeventfdOrder(before, marks);
          } catch (e) {
            if (!(e instanceof AddressSpaceError)) throw e;
            expect(['InvalidArgument', 'ListenerRequest']).toContain(e.code);
            expect(world.root.mtree(0)).toBe(treeBefore);
            expect(world.views()).toEqual(before);
            for (const [i, v] of world.views().entries()) expect(v).toBe(before[i]);
          }
          world.check();
          for (const [i, v] of world.views().entries()) {
            expect(v.generation - before[i]!.generation).toBe(v === before[i] ? 0 : 1);
          }
        }
      }),
      { numRuns: TREES },
    );
  });
});
