/**
 * Render benchmark: the cost of a full render and of one topology change, for trees with
 * a given number of leaf regions. Run: `npm run build && node dist/src/bench/render.js
 * [1000,10000,100000] [grouped|flat]`. The bench harness calls `measureRender`.
 *
 * Tree shapes (a background IO region at priority -1 under everything, so holes between
 * leaves are painted too and pieces are about twice the leaves):
 * - `grouped`: the root holds containers of 256 leaves each (4 KiB leaves on an 8 KiB
 *   stride, types cycling IO / Ram / RamDevice), priorities cycling 0..2;
 * - `flat`: all leaves directly in one container (a hotplug area with many DIMMs).
 * A change toggles one random leaf's `enabled` (each toggle is one published change,
 * with one listener attached). Times are medians of several runs, in microseconds.
 * With `{ published: true }` the same changes run again with a `SharedViewPublisher`
 * (rcu, check off, no reader online) attached: `singleChangePublishedUs` adds writing the
 * view into a shared-memory table and the publishing store.
 */
import { SharedViewPublisher } from '../concurrent/publication/publisher.js';
import { AddressSpace } from '../core/address-space.js';
import type { Listener } from '../core/listeners.js';
import { Region } from '../core/region.js';
import type { RegionOps } from '../core/types.js';
import { HostMemMapping } from '../host/mapping.js';

export interface RenderMeasurement {
  regions: number;
  fullRenderUs: number;
  singleChangeUs: number;
  /** With a shared-memory publisher attached (only with `{ published: true }`). */
  singleChangePublishedUs?: number;
}

export interface RenderOptions {
  /** Also time the changes with a `SharedViewPublisher` attached. */
  readonly published?: boolean;
}

export type RenderTreeShape = 'grouped' | 'flat';

const LEAF_SIZE = 0x1000;
const STRIDE = 0x2000;
const GROUP = 256;

const nullOps: RegionOps = {
  read: () => true,
  write: () => true,
};

const countingListener = (): Listener & { requests: number } => {
  let on = false;
  return {
    requests: 0,
    priority: () => 0,
    enabled: () => on,
    enable: () => {
      on = true;
    },
    disable: () => {
      on = false;
    },
    handleRequest() {
      this.requests++;
    },
  };
};

export interface BenchTree {
  root: Region;
  leaves: Region[];
}

/** The benchmark tree of `count` leaves in `shape` (RAM leaves share `mapping`). */
export function buildTree(
  count: number,
  shape: RenderTreeShape,
  mapping: HostMemMapping,
): BenchTree {
  const span = count * STRIDE;
  const root = Region.initContainerRegion(span, 'root');
  const background = Region.initIoRegion(span, nullOps, 'background');
  background.setPriority(-1);
  root.addSubregionNotUpdate(background, 0);
  const leaves: Region[] = [];
  const groupSize = shape === 'flat' ? count : GROUP;
  for (let g = 0; g * groupSize < count; g++) {
    const n = Math.min(groupSize, count - g * groupSize);
    const group = Region.initContainerRegion(n * STRIDE, `group${g}`);
    for (let i = 0; i < n; i++) {
      const k = g * groupSize + i;
      const leaf =
        k % 3 === 0
          ? Region.initIoRegion(LEAF_SIZE, nullOps, `io${k}`)
          : k % 3 === 1
            ? Region.initRamRegion(mapping, `ram${k}`)
            : Region.initRamDeviceRegion(mapping, `ramd${k}`);
      group.addSubregionNotUpdate(leaf, i * STRIDE);
      leaves.push(leaf);
    }
    group.setPriority(g % 3);
    root.addSubregionNotUpdate(group, g * groupSize * STRIDE);
  }
  return { root, leaves };
}

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Median cost of one change (toggling a random leaf) over 5 batches of `changes`, in µs. */
function timeChanges(leaves: readonly Region[], changes: number): number {
  let seed = 12345;
  const changeRuns: number[] = [];
  for (let batch = 0; batch < 5; batch++) {
    const t0 = performance.now();
    for (let i = 0; i < changes; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const leaf = leaves[seed % leaves.length]!;
      leaf.setEnabled(!leaf.enabled);
    }
    changeRuns.push(((performance.now() - t0) * 1000) / changes);
  }
  return Math.round(median(changeRuns) * 10) / 10;
}

/** Full-render and one-change cost for each leaf count. */
export function measureRender(
  regionCounts: number[],
  shape: RenderTreeShape = 'grouped',
  options: RenderOptions = {},
): RenderMeasurement[] {
  const mapping = HostMemMapping.create({ size: LEAF_SIZE, name: 'bench-leaf' });
  const out: RenderMeasurement[] = [];
  try {
    for (const count of regionCounts) {
      const { root, leaves } = buildTree(count, shape, mapping);
      const fullRuns: number[] = [];
      let space: AddressSpace | undefined;
      for (let run = 0; run < 5; run++) {
        const t0 = performance.now();
        space = new AddressSpace(root, `bench${run}`);
        fullRuns.push((performance.now() - t0) * 1000);
        if (run < 4) space.destroy();
      }
      const listener = countingListener();
      space!.registerListener(listener);
      const changes = Math.min(2000, Math.max(200, 200_000 / Math.max(count, 1)));
      const singleChangeUs = timeChanges(leaves, changes);
      let singleChangePublishedUs: number | undefined;
      if (options.published === true) {
        const publisher = SharedViewPublisher.attachTo(space!, {
          check: false,
          history: false,
        });
        // As many changes as without the publisher: a publish copies only the chunks its
        // change touched (persistent tables), so large counts no longer need fewer.
        singleChangePublishedUs = timeChanges(leaves, changes);
        space!.detachPublisher();
        publisher.close();
      }
      space!.destroy();
      out.push({
        regions: count,
        fullRenderUs: Math.round(median(fullRuns)),
        singleChangeUs,
        ...(singleChangePublishedUs === undefined ? {} : { singleChangePublishedUs }),
      });
    }
  } finally {
    mapping.release();
  }
  return out;
}

const invokedDirectly =
  typeof process !== 'undefined' &&
  process.argv[1] !== undefined &&
  import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (invokedDirectly) {
  const counts = (process.argv[2] ?? '1000,10000,100000').split(',').map(Number);
  const shape = (process.argv[3] ?? 'grouped') as RenderTreeShape;
  console.log(`node ${process.version}, shape ${shape}`);
  console.table(measureRender(counts, shape));
}
