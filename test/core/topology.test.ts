import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../src/core/address-space.js';
import type { FlatView } from '../../src/core/flat-view.js';
import type { ViewPublisher } from '../../src/core/publisher.js';
import { Region } from '../../src/core/region.js';
import { catchError, container, io, MirrorListener, ram, rows } from './helpers.js';
import { referencePaint } from './reference-painter.js';

class RecordingPublisher implements ViewPublisher {
  readonly published: [number, number][] = [];
  readonly order: string[];
  failNext = false;
  rcu: (() => void)[] = [];

  constructor(order: string[] = []) {
    this.order = order;
  }
  publish(view: FlatView, previous: FlatView): void {
    this.order.push(`publish ${view.generation}`);
    if (this.failNext) {
      this.failNext = false;
      throw new Error('table full');
    }
    this.published.push([previous.generation, view.generation]);
  }
  synchronize(): Promise<void> {
    return Promise.resolve();
  }
  callRcu(fn: () => void): void {
    this.rcu.push(fn);
  }
}

describe('reachability: every change an address space can reach updates it', () => {
  it('changes deep in the tree update the view (StratoVirt links only direct children)', () => {
    const root = container(0x10000, 'root');
    const space = new AddressSpace(root, 'memory');
    const pci = container(0x8000, 'pci');
    const bridge = container(0x1000, 'bridge');
    root.addSubregion(pci, 0x8000);
    pci.addSubregion(bridge, 0x100);
    const bar = io(0x10, 'bar');
    bridge.addSubregion(bar, 0x20);
    expect(rows(space.flatView)).toEqual([[0x8120, 0x10, 'bar', 0]]);
    bar.setEnabled(false);
    expect(rows(space.flatView)).toEqual([]);
  });

  it('a subtree built before it is attached shows when attached', () => {
    const root = container(0x1000, 'root');
    const space = new AddressSpace(root, 'memory');
    const box = container(0x100, 'box');
    box.addSubregion(io(0x10, 'a'), 0);
    root.addSubregion(box, 0x200);
    expect(rows(space.flatView)).toEqual([[0x200, 0x10, 'a', 0]]);
  });

  it('changes under an alias target update every address space that sees it', () => {
    const machineRam = container(0x10000, 'machine-ram');
    const dimm = ram(0x1000, 'dimm');
    const memory = container(0x100000, 'memory');
    const below = Region.initAliasRegion(machineRam, 0, 0x8000, 'ram-below');
    memory.addSubregion(below, 0);
    const space = new AddressSpace(memory, 'memory', machineRam);
    const other = container(0x10000, 'dma');
    other.addSubregion(Region.initAliasRegion(machineRam, 0x2000, 0x4000, 'dma-window'), 0x100);
    const dma = new AddressSpace(other, 'dma');
    machineRam.addSubregion(dimm, 0x3000);
    expect(rows(space.flatView)).toEqual([[0x3000, 0x1000, 'dimm', 0]]);
    expect(rows(dma.flatView)).toEqual([[0x1100, 0x1000, 'dimm', 0]]);
    expect(space.getMachineRam()).toBe(machineRam);
    // a view that did not change is not republished
    const before = dma.flatView;
    machineRam.addSubregion(io(0x10, 'far'), 0x9000);
    expect(dma.flatView).toBe(before);
    expect(rows(space.flatView)).toEqual([[0x3000, 0x1000, 'dimm', 0]]);
  });

  it('an alias reached only through another alias still follows its target', () => {
    const root = container(0x100, 'root');
    const space = new AddressSpace(root, 's');
    const dev = container(0x40, 'dev');
    const inner = Region.initAliasRegion(dev, 0, 0x40, 'inner');
    const outer = Region.initAliasRegion(inner, 0x10, 0x10, 'outer');
    root.addSubregion(outer, 0x80);
    dev.addSubregion(io(4, 'reg'), 0x14);
    expect(rows(space.flatView)).toEqual([[0x84, 4, 'reg', 0]]);
  });

  it('setPriority re-sorts and re-renders; the same value changes nothing', () => {
    const root = container(100, 'root');
    const space = new AddressSpace(root, 's');
    const a = io(50, 'a');
    const b = io(50, 'b');
    root.addSubregion(a, 0);
    root.addSubregion(b, 25);
    expect(rows(space.flatView)[0]).toEqual([0, 25, 'a', 0]);
    a.setPriority(1);
    expect(root.subregions()).toEqual([a, b]);
    expect(rows(space.flatView)).toEqual([
      [0, 50, 'a', 0],
      [50, 25, 'b', 25],
    ]);
    const g = space.flatView.generation;
    a.setPriority(1);
    expect(space.flatView.generation).toBe(g);
    // equal priorities again: b re-inserted last wins
    b.setPriority(1);
    expect(root.subregions()).toEqual([b, a]);
    expect(rows(space.flatView)).toEqual([
      [0, 25, 'a', 0],
      [25, 50, 'b', 0],
    ]);
  });

  it('the generation starts at 0 and adds one per published change', () => {
    const root = container(100, 'root');
    const space = new AddressSpace(root, 's');
    expect(space.flatView.generation).toBe(0);
    root.addSubregion(io(10, 'a'), 0);
    root.addSubregion(io(10, 'b'), 20);
    expect(space.flatView.generation).toBe(2);
  });

  it('addSubregionNotUpdate shows at the next update', () => {
    const root = container(100, 'root');
    const space = new AddressSpace(root, 's');
    root.addSubregionNotUpdate(io(10, 'a'), 0);
    expect(rows(space.flatView)).toEqual([]);
    space.updateTopology();
    expect(rows(space.flatView)).toEqual([[0, 10, 'a', 0]]);
  });

  it('a destroyed address space no longer follows its tree', () => {
    const root = container(100, 'root');
    const space = new AddressSpace(root, 's');
    space.destroy();
    root.addSubregion(io(10, 'a'), 0);
    expect(rows(space.flatView)).toEqual([]);
  });
});

describe('transactions', () => {
  it('render, dispatch and publish once at the outermost commit', () => {
    const root = container(1000, 'root');
    const space = new AddressSpace(root, 's');
    const publisher = new RecordingPublisher();
    space.attachPublisher(publisher);
    const l = new MirrorListener();
    space.registerListener(l);
    space.beginTransaction();
    root.addSubregion(io(10, 'a'), 0);
    space.transaction(() => {
      root.addSubregion(io(10, 'b'), 100);
    });
    expect(rows(space.flatView)).toEqual([]);
    expect(l.log).toEqual([]);
    space.commitTransaction();
    expect(l.log).toEqual(['Add(0,10)', 'Add(100,10)']);
    expect(publisher.published).toEqual([[0, 1]]);
  });

  it.each([100, 4100])(
    '%i scattered changes in one transaction (full re-render) match the reference',
    (count) => {
      const root = container(count * 16, 'root');
      const space = new AddressSpace(root, 's');
      const leaves = Array.from({ length: count }, (_, i) => io(8, `io${i}`));
      for (const [i, leaf] of leaves.entries()) root.addSubregionNotUpdate(leaf, i * 16);
      space.updateTopology();
      const l = new MirrorListener();
      space.registerListener(l);
      space.transaction(() => {
        for (const [i, leaf] of leaves.entries()) if (i % 3 === 0) leaf.setEnabled(false);
      });
      expect(rows(space.flatView)).toEqual(
        referencePaint(root).map((p) => [p.base, p.size, p.owner.name, p.offset]),
      );
      expect(space.flatView.rangeCount).toBe(count - Math.ceil(count / 3));
      expect(l.mirrorRows()).toEqual(rows(space.flatView));
    },
  );

  it('an empty transaction publishes nothing', () => {
    const root = container(1000, 'root');
    const space = new AddressSpace(root, 's');
    const publisher = new RecordingPublisher();
    space.attachPublisher(publisher);
    space.transaction(() => undefined);
    expect(publisher.published).toEqual([]);
    expect(space.flatView.generation).toBe(0);
  });

  it('a transaction function that throws undoes its own changes', () => {
    const root = container(1000, 'root');
    const space = new AddressSpace(root, 's');
    const a = io(10, 'a');
    expect(() =>
      space.transaction(() => {
        root.addSubregion(a, 0);
        throw new Error('device init failed');
      }),
    ).toThrow('device init failed');
    expect(a.parent).toBeUndefined();
    expect(rows(space.flatView)).toEqual([]);
    root.addSubregion(a, 0);
    expect(rows(space.flatView)).toEqual([[0, 10, 'a', 0]]);
  });

  it('undoing a delete puts the region back in its old render place', () => {
    const root = container(100, 'root');
    const space = new AddressSpace(root, 's');
    const under = io(20, 'under');
    const over = io(20, 'over');
    root.addSubregion(under, 0);
    root.addSubregion(over, 10);
    const view = space.flatView;
    expect(() =>
      space.transaction(() => {
        root.deleteSubregion(under);
        throw new Error('abandon');
      }),
    ).toThrow('abandon');
    expect(root.subregions()).toEqual([over, under]);
    root.addSubregion(io(1, 'elsewhere'), 90);
    expect(rows(space.flatView).slice(0, 2)).toEqual(rows(view));
  });

  it('commit without begin is InvalidArgument', () => {
    const space = new AddressSpace(container(10, 'root'), 's');
    expect(catchError(() => space.commitTransaction()).code).toBe('InvalidArgument');
  });
});

describe('publisher hook', () => {
  it('publishes after the listeners, with the new and the previous view', () => {
    const root = container(1000, 'root');
    const space = new AddressSpace(root, 's');
    const order: string[] = [];
    const l = new MirrorListener();
    l.log.push = (...items: string[]) => order.push(...items);
    space.registerListener(l);
    space.attachPublisher(new RecordingPublisher(order));
    root.addSubregion(io(10, 'a'), 0);
    expect(order).toEqual(['Add(0,10)', 'publish 1']);
  });

  it('a failing publish rolls back like a listener failure: UpdateTopology', () => {
    const root = container(1000, 'root');
    const space = new AddressSpace(root, 's');
    const l = new MirrorListener();
    space.registerListener(l);
    const publisher = new RecordingPublisher();
    space.attachPublisher(publisher);
    const view = space.flatView;
    publisher.failNext = true;
    const a = io(10, 'a');
    const err = catchError(() => root.addSubregion(a, 0));
    expect(err.code).toBe('UpdateTopology');
    expect((err.cause as Error).message).toBe('table full');
    expect(space.flatView).toBe(view);
    expect(a.parent).toBeUndefined();
    expect(l.log).toEqual(['Add(0,10)', 'Del(0,10)']);
    expect(l.ranges.size).toBe(0);
  });

  it('when a second address space fails to publish, the first one republishes its old content', () => {
    const shared = container(0x100, 'shared');
    const rootA = container(0x1000, 'a');
    const rootB = container(0x1000, 'b');
    rootA.addSubregion(Region.initAliasRegion(shared, 0, 0x100, 'in-a'), 0);
    rootB.addSubregion(Region.initAliasRegion(shared, 0, 0x100, 'in-b'), 0x800);
    const a = new AddressSpace(rootA, 'a');
    const b = new AddressSpace(rootB, 'b');
    const pa = new RecordingPublisher();
    const pb = new RecordingPublisher();
    a.attachPublisher(pa);
    b.attachPublisher(pb);
    const la = new MirrorListener('la');
    a.registerListener(la);
    pb.failNext = true;
    const dev = io(0x10, 'dev');
    expect(catchError(() => shared.addSubregion(dev, 0)).code).toBe('UpdateTopology');
    expect(dev.parent).toBeUndefined();
    // a published generation 1 (with dev), then generation 2 with its old content again
    expect(pa.published).toEqual([
      [0, 1],
      [1, 2],
    ]);
    expect(rows(a.flatView)).toEqual([]);
    expect(a.flatView.generation).toBe(2);
    expect(b.flatView.generation).toBe(0);
    expect(la.ranges.size).toBe(0);
    shared.addSubregion(dev, 0);
    expect(rows(a.flatView)).toEqual([[0, 0x10, 'dev', 0]]);
    expect(rows(b.flatView)).toEqual([[0x800, 0x10, 'dev', 0]]);
  });

  it('at most one publisher; synchronize and callRcu delegate to it', async () => {
    const space = new AddressSpace(container(10, 'root'), 's');
    let ran = false;
    space.callRcu(() => {
      ran = true;
    });
    expect(ran).toBe(false);
    await space.synchronize();
    expect(ran).toBe(true);
    const publisher = new RecordingPublisher();
    space.attachPublisher(publisher);
    expect(catchError(() => space.attachPublisher(new RecordingPublisher())).code).toBe(
      'InvalidArgument',
    );
    const fn = () => undefined;
    space.callRcu(fn);
    expect(publisher.rcu).toEqual([fn]);
    space.detachPublisher();
    space.attachPublisher(new RecordingPublisher());
  });
});
