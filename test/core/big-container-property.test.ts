/**
 * Property test for big containers (more children than the child-index threshold):
 * window queries go through the address index, so random overlapping children with tied
 * priorities are changed one at a time and each view is compared with the reference.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../src/core/address-space.js';
import { Region } from '../../src/core/region.js';
import { MirrorListener, recordingOps, rows } from './helpers.js';
import { referencePaint } from './reference-painter.js';

const SIZE = 512;

const child = fc.record({
  offset: fc.nat(SIZE - 1),
  size: fc.integer({ min: 1, max: 64 }),
  prio: fc.integer({ min: -1, max: 1 }),
});
const change = fc.record({ kind: fc.nat(3), pick: fc.nat(1000), value: fc.nat(1000) });

describe('big containers', () => {
  it('render like the reference under single changes', () => {
    fc.assert(
      fc.property(
        fc.array(child, { minLength: 40, maxLength: 120 }),
        fc.array(change, { minLength: 1, maxLength: 25 }),
        (children, changes) => {
          const root = Region.initContainerRegion(SIZE, 'root');
          const box = Region.initContainerRegion(SIZE, 'box');
          root.addSubregion(box, 0);
          const space = new AddressSpace(root, 'big');
          const leaves = children.map((c, i) => {
            const size = Math.min(c.size, SIZE - c.offset);
            const r = Region.initIoRegion(size, recordingOps(), `c${i}`);
            r.setPriority(c.prio);
            box.addSubregionNotUpdate(r, c.offset);
            return r;
          });
          space.updateTopology();
          const l = new MirrorListener();
          space.registerListener(l);
          const expectReference = () => {
            expect(rows(space.flatView)).toEqual(
              referencePaint(root).map((p) => [p.base, p.size, p.owner.name, p.offset]),
            );
            expect(l.mirrorRows()).toEqual(rows(space.flatView));
          };
          expectReference();
          for (const ch of changes) {
            const leaf = leaves[ch.pick % leaves.length]!;
            if (ch.kind === 0) leaf.setEnabled(!leaf.enabled);
            else if (ch.kind === 1) leaf.setPriority((ch.value % 3) - 1);
            else if (leaf.parent !== undefined) box.deleteSubregion(leaf);
            else box.addSubregion(leaf, ch.value % (SIZE - leaf.size + 1));
            expectReference();
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
