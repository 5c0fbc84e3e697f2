import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../src/core/address-space.js';
import { catchError, container, io, MirrorListener, rows } from './helpers.js';

function specSpace() {
  const root = container(8000, 'root');
  const space = new AddressSpace(root, 'space');
  const b = container(4000, 'B', 2);
  root.addSubregion(b, 2000);
  return { root, space, b };
}

describe('SPEC 5 listener example', () => {
  it('sends Add(0,6000), then Del(0,6000) Add(0,2000) Add(2000,1000) Add(3000,3000)', () => {
    const { root, space, b } = specSpace();
    const l = new MirrorListener();
    space.registerListener(l);
    root.addSubregion(io(6000, 'C', 1), 0);
    expect(space.flatView.ranges.length).toBe(1);
    expect(l.log).toEqual(['Add(0,6000)']);
    l.log.length = 0;
    b.addSubregion(io(1000, 'D'), 0);
    expect(l.log).toEqual(['Del(0,6000)', 'Add(0,2000)', 'Add(2000,1000)', 'Add(3000,3000)']);
    expect(l.mirrorRows()).toEqual(rows(space.flatView));
  });

  it('replays the current view to a late listener', () => {
    const { root, space, b } = specSpace();
    root.addSubregion(io(6000, 'C', 1), 0);
    b.addSubregion(io(1000, 'D'), 0);
    const l = new MirrorListener();
    space.registerListener(l);
    expect(l.log).toEqual(['Add(0,2000)', 'Add(2000,1000)', 'Add(3000,3000)']);
    expect(l.on).toBe(true);
  });
});

describe('dispatch order', () => {
  it('AddRegion ascending, DeleteRegion descending (later-registered first among equals)', () => {
    const { root, space } = specSpace();
    const shared: string[] = [];
    const make = (label: string, prio: number) => {
      const l = new MirrorListener(label, prio);
      l.log.push = (...items: string[]) => shared.push(...items);
      return l;
    };
    space.registerListener(make('p5', 5));
    space.registerListener(make('p0a', 0));
    space.registerListener(make('p0b', 0));
    space.registerListener(make('n1', -1));
    const c = io(100, 'C');
    root.addSubregion(c, 0);
    expect(shared).toEqual(['n1:Add(0,100)', 'p0a:Add(0,100)', 'p0b:Add(0,100)', 'p5:Add(0,100)']);
    shared.length = 0;
    root.deleteSubregion(c);
    expect(shared).toEqual(['p5:Del(0,100)', 'p0b:Del(0,100)', 'p0a:Del(0,100)', 'n1:Del(0,100)']);
  });

  it('disabled listeners are skipped; equal ranges send nothing', () => {
    const { root, space } = specSpace();
    const on = new MirrorListener('on');
    const off = new MirrorListener('off');
    space.registerListener(on);
    space.registerListener(off);
    off.disable();
    const c = io(100, 'C');
    root.addSubregion(c, 0);
    root.addSubregion(io(100, 'far'), 5000);
    expect(on.log).toEqual(['on:Add(0,100)', 'on:Add(5000,100)']);
    expect(off.log).toEqual([]);
    on.log.length = 0;
    c.setPriority(3);
    expect(on.log).toEqual([]);
  });

  it('every DeleteRegion comes before any AddRegion, each in address order', () => {
    const root = container(1000, 'root');
    const space = new AddressSpace(root, 's');
    const box = container(1000, 'box');
    root.addSubregion(box, 0);
    const a = io(100, 'a');
    const b = io(100, 'b');
    box.addSubregion(a, 0);
    box.addSubregion(b, 500);
    const l = new MirrorListener();
    space.registerListener(l);
    l.log.length = 0;
    space.transaction(() => {
      box.deleteSubregion(a);
      box.deleteSubregion(b);
      box.addSubregion(a, 700);
      box.addSubregion(b, 100);
    });
    expect(l.log).toEqual(['Del(0,100)', 'Del(500,100)', 'Add(100,100)', 'Add(700,100)']);
  });
});

describe('register and unregister', () => {
  it('unregister removes exactly that listener and sends it DeleteRegion for every range', () => {
    const { root, space } = specSpace();
    root.addSubregion(io(6000, 'C', 1), 0);
    const first = new MirrorListener('first');
    const second = new MirrorListener('second');
    space.registerListener(first);
    space.registerListener(second);
    first.disable();
    second.log.length = 0;
    space.unregisterListener(second);
    expect(second.log).toEqual(['second:Del(0,6000)']);
    expect(second.on).toBe(false);
    // `first` (disabled, registered earlier) is still registered: StratoVirt would have removed it
    expect(catchError(() => space.registerListener(first)).code).toBe('InvalidArgument');
    expect(catchError(() => space.unregisterListener(second)).code).toBe('InvalidArgument');
  });

  it('a listener that fails its replay is not registered and gets its adds taken back', () => {
    const root = container(1000, 'root');
    const space = new AddressSpace(root, 's');
    root.addSubregion(io(10, 'a'), 0);
    root.addSubregion(io(10, 'b'), 100);
    const l = new MirrorListener();
    l.failOn = (type, range) => type === 'AddRegion' && range?.addrRange.base === 100;
    expect(catchError(() => space.registerListener(l)).code).toBe('ListenerRequest');
    expect(l.log).toEqual(['Add(0,10)', 'Del(0,10)']);
    expect(l.on).toBe(false);
    l.failOn = undefined;
    space.registerListener(l);
    expect(l.mirrorRows()).toEqual(rows(space.flatView));
  });

  it('a listener that fails unregistering stays registered and whole', () => {
    const root = container(1000, 'root');
    const space = new AddressSpace(root, 's');
    root.addSubregion(io(10, 'a'), 0);
    root.addSubregion(io(10, 'b'), 100);
    const l = new MirrorListener();
    space.registerListener(l);
    l.failOn = (type, range) => type === 'DeleteRegion' && range?.addrRange.base === 100;
    expect(catchError(() => space.unregisterListener(l)).code).toBe('ListenerRequest');
    expect(l.mirrorRows()).toEqual(rows(space.flatView));
    expect(l.on).toBe(true);
    l.failOn = undefined;
    space.unregisterListener(l);
    expect(l.ranges.size).toBe(0);
  });
});

describe('re-entrancy', () => {
  it('a listener cannot change the topology or the listener list during an update', () => {
    const root = container(1000, 'root');
    const space = new AddressSpace(root, 's');
    const l = new MirrorListener();
    const codes: string[] = [];
    space.registerListener(l);
    l.failOn = () => {
      for (const attempt of [
        () => root.addSubregion(io(1, 'late'), 900),
        () => space.registerListener(new MirrorListener('late')),
      ]) {
        try {
          attempt();
        } catch (e) {
          codes.push((e as { code: string }).code);
        }
      }
      return false;
    };
    root.addSubregion(io(10, 'a'), 0);
    expect(codes).toEqual(['UpdateTopology', 'UpdateTopology']);
    expect(rows(space.flatView)).toEqual([[0, 10, 'a', 0]]);
  });
});

describe('rollback on listener failure', () => {
  it('restores the tree, the view and the listeners that saw part of the change', () => {
    const { root, space, b } = specSpace();
    const c = io(6000, 'C', 1);
    root.addSubregion(c, 0);
    const low = new MirrorListener('low', 0);
    const high = new MirrorListener('high', 9);
    space.registerListener(low);
    space.registerListener(high);
    low.log.length = 0;
    high.log.length = 0;
    const view = space.flatView;
    // DeleteRegion goes high first, then low; AddRegion low first: fail on high's first add
    high.failOnce((type) => type === 'AddRegion');
    const d = io(1000, 'D');
    const err = catchError(() => b.addSubregion(d, 0));
    expect(err.code).toBe('ListenerRequest');
    expect(err.message).toBe('listener failed to handle AddRegion: high refuses AddRegion');
    expect(space.flatView).toBe(view);
    expect(b.subregions()).toEqual([]);
    expect(d.parent).toBeUndefined();
    expect(high.log).toEqual(['high:Del(0,6000)', 'high:Add(0,6000)']);
    expect(low.log).toEqual([
      'low:Del(0,6000)',
      'low:Add(0,2000)',
      'low:Del(0,2000)',
      'low:Add(0,6000)',
    ]);
    expect(low.mirrorRows()).toEqual(rows(view));
    expect(high.mirrorRows()).toEqual(rows(view));
    b.addSubregion(d, 0);
    expect(rows(space.flatView)).toEqual([
      [0, 2000, 'C', 0],
      [2000, 1000, 'D', 0],
      [3000, 3000, 'C', 3000],
    ]);
  });

  it('undoes every change of a failed transaction, in reverse', () => {
    const root = container(1000, 'root');
    const space = new AddressSpace(root, 's');
    const a = io(100, 'a');
    root.addSubregion(a, 0);
    const l = new MirrorListener();
    space.registerListener(l);
    l.failOnce((type) => type === 'AddRegion');
    const b = io(100, 'b');
    const err = catchError(() =>
      space.transaction(() => {
        a.setPriority(4);
        a.setEnabled(false);
        root.deleteSubregion(a);
        root.addSubregion(b, 300);
      }),
    );
    expect(err.code).toBe('ListenerRequest');
    expect(a.parent).toBe(root);
    expect(a.enabled).toBe(true);
    expect(a.priority).toBe(0);
    expect(b.parent).toBeUndefined();
    expect(root.subregions()).toEqual([a]);
    expect(rows(space.flatView)).toEqual([[0, 100, 'a', 0]]);
    expect(l.mirrorRows()).toEqual(rows(space.flatView));
  });
});
