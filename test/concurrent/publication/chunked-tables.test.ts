/**
 * Persistent tables (reader/layout.ts "Chunk arena"): a publish shares the previous
 * table's unchanged chunks and copies only the ones its change touched, splitting chunks
 * that outgrow `CHUNK_ROWS` and merging ones that shrink. Whatever the sequence of changes,
 * every table a reader adopts answers every lookup exactly as the view it was published
 * from (the reference `FlatView.findFlatRange`), doorbells marked on exactly their rows,
 * with chunks reused at once (mutex, none) or after grace periods (rcu).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SharedViewPublisher } from '../../../src/concurrent/publication/publisher.js';
import { CHUNK_ROWS } from '../../../src/concurrent/reader/layout.js';
import type { SharedViewReader } from '../../../src/concurrent/reader/reader-api.js';
import { Translation } from '../../../src/concurrent/reader/translation.js';
import { SharedView } from '../../../src/concurrent/strategies/shared-view.js';
import type { FlatIoEventFd, FlatView } from '../../../src/core/flat-view.js';
import type { Region } from '../../../src/core/region.js';
import { EventFd } from '../../../src/host/event-fd.js';
import { doorbell, ioRegion, plainView, type Row } from './helpers.js';

/** Slot s is the range [s * STRIDE, s * STRIDE + SIZE) when present. */
const SLOTS = 3 * CHUNK_ROWS;
const STRIDE = 0x2000;
const SIZE = 0x1000;

type Change =
  | { readonly kind: 'add'; readonly at: number; readonly count: number }
  | { readonly kind: 'remove'; readonly at: number; readonly count: number }
  | { readonly kind: 'replace'; readonly at: number }
  | { readonly kind: 'doorbell'; readonly at: number };

const change: fc.Arbitrary<Change> = fc.oneof(
  fc.record({
    kind: fc.constant('add' as const),
    at: fc.nat(SLOTS - 1),
    count: fc.integer({ min: 1, max: CHUNK_ROWS + 40 }),
  }),
  fc.record({
    kind: fc.constant('remove' as const),
    at: fc.nat(SLOTS - 1),
    count: fc.integer({ min: 1, max: CHUNK_ROWS + 40 }),
  }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(SLOTS - 1) }),
  fc.record({ kind: fc.constant('doorbell' as const), at: fc.nat(SLOTS - 1) }),
);

/** The model: which slots hold a range (and its region), which have a doorbell. */
class Model {
  readonly regions: (Region | undefined)[] = new Array(SLOTS).fill(undefined);
  readonly doorbells = new Map<number, EventFd>();
  generation = 1;

  apply(c: Change): void {
    const end = Math.min(SLOTS, c.at + ('count' in c ? c.count : 1));
    for (let s = c.at; s < end; s++) {
      if (c.kind === 'add' && this.regions[s] === undefined) this.regions[s] = ioRegion(`s${s}`);
      if (c.kind === 'remove') this.regions[s] = undefined;
      if (c.kind === 'replace') this.regions[s] = ioRegion(`s${s}'`);
    }
    if (c.kind === 'doorbell') {
      if (this.doorbells.has(c.at)) this.doorbells.delete(c.at);
      else this.doorbells.set(c.at, new EventFd());
    }
  }

  view(): FlatView {
    const rows: Row[] = [];
    this.regions.forEach((region, s) => {
      if (region !== undefined) rows.push([s * STRIDE, SIZE, region]);
    });
    const ios: FlatIoEventFd[] = [...this.doorbells]
      .sort(([a], [b]) => a - b)
      .map(([s, fd]) => doorbell(s * STRIDE, 4, fd));
    this.generation += 1;
    return plainView(this.generation, rows, ios);
  }
}

/** Every slot's first and last byte, and the hole after it, translate as `view` says. */
function expectSameLookups(reader: SharedViewReader, view: FlatView, t: Translation): void {
  const got: number[] = [];
  const want: number[] = [];
  for (let s = 0; s < SLOTS; s++) {
    for (const gpa of [s * STRIDE, s * STRIDE + SIZE - 1, s * STRIDE + SIZE]) {
      reader.translate(gpa, t);
      got.push(t.regionId);
      want.push(view.findFlatRange(gpa)?.owner.id ?? -1);
    }
  }
  expect(got).toEqual(want);
  expect(t.generation).toBe(view.generation);
}

/** A write at each doorbell whose slot holds a range signals its EventFd (the row is marked). */
function expectDoorbellsSignal(reader: SharedViewReader, model: Model): void {
  for (const [s, fd] of model.doorbells) {
    if (model.regions[s] === undefined) continue;
    reader.writeU32(s * STRIDE, 1);
    expect([s, fd.read()]).toEqual([s, 1]);
  }
}

describe('persistent (chunked) tables', () => {
  for (const strategy of ['mutex', 'none', 'rcu'] as const) {
    it(`answer every lookup as the view does, after any changes (${strategy})`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.boolean(), { minLength: SLOTS, maxLength: SLOTS }),
          fc.array(change, { minLength: 1, maxLength: 12 }),
          (initial, changes) => {
            const model = new Model();
            initial.forEach((present, s) => {
              if (present) model.apply({ kind: 'add', at: s, count: 1 });
            });
            const publisher = new SharedViewPublisher({ strategy, check: false });
            publisher.publishFlags({ hypIoeventfd: true, dirtyLog: false });
            publisher.publish(model.view());
            const reader = SharedView.attach(publisher.readerHandle(publisher.allocateReader()));
            reader.online();
            reader.setMmioHandler(() => true);
            const t = new Translation();
            try {
              for (const c of changes) {
                model.apply(c);
                const view = model.view();
                publisher.publish(view);
                expectSameLookups(reader, view, t);
                expectDoorbellsSignal(reader, model);
              }
            } finally {
              reader.offline();
              reader.close();
              publisher.close();
            }
          },
        ),
        { numRuns: 25 },
      );
    });
  }

  it('answer every lookup after grace periods give chunks back for reuse (rcu)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.boolean(), { minLength: SLOTS, maxLength: SLOTS }),
        fc.array(change, { minLength: 1, maxLength: 12 }),
        async (initial, changes) => {
          const model = new Model();
          initial.forEach((present, s) => {
            if (present) model.apply({ kind: 'add', at: s, count: 1 });
          });
          const publisher = new SharedViewPublisher({ strategy: 'rcu', check: false, pollMs: 1 });
          publisher.publishFlags({ hypIoeventfd: true, dirtyLog: false });
          publisher.publish(model.view());
          const reader = SharedView.attach(publisher.readerHandle(publisher.allocateReader()));
          reader.online();
          const t = new Translation();
          try {
            for (const c of changes) {
              model.apply(c);
              const view = model.view();
              publisher.publish(view);
              expectSameLookups(reader, view, t);
              expectDoorbellsSignal(reader, model);
              // The reader passes a quiescent state: the replaced table and its chunks go back.
              reader.quiescent();
              await publisher.synchronize();
            }
            // Two tables in turn and at most three arenas (8, 16, 32 chunks: 768 rows in
            // chunks of at least 64 are at most 12, plus what a change copies), however
            // many changes: without reuse every publish would take a new table.
            expect(publisher.stats().tables).toBeLessThanOrEqual(5);
          } finally {
            reader.offline();
            reader.close();
            publisher.close();
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it('reuses chunks and tables: 50 changes allocate nothing after the second table', () => {
    const model = new Model();
    for (let s = 0; s < SLOTS; s++) model.apply({ kind: 'add', at: s, count: 1 });
    const publisher = new SharedViewPublisher({ strategy: 'mutex', check: false });
    publisher.publish(model.view());
    model.apply({ kind: 'replace', at: 1 });
    publisher.publish(model.view());
    const before = publisher.stats().tableBytes;
    for (let i = 0; i < 50; i++) {
      model.apply({ kind: 'replace', at: (i * 97) % SLOTS });
      publisher.publish(model.view());
    }
    // Tables are reused at once under mutex and chunks with them: nothing new allocated.
    expect(publisher.stats().tableBytes).toBe(before);
    publisher.close();
  });
});
