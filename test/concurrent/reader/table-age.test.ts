/**
 * The table age check (reader/table-age.ts, SPEC 8): the owner stamps a view table when
 * it reclaims it, and an access that looks something up in a table reclaimed under it is
 * counted by the reader. In one thread: a reader that keeps the table it adopted first
 * (a busted strategy: `none`'s owner, no re-adoption) is caught on every kind of table
 * use (lookup, miss, MMIO exit, ioeventfd match, translate), first against the stamp,
 * then against the epoch of the view rewritten into it; a reader of each strategy that
 * adopts as its strategy says never counts anything.
 */
import { describe, expect, test } from 'vitest';
import { SharedViewPublisher } from '../../../src/concurrent/publication/publisher.js';
import { kEpoch } from '../../../src/concurrent/reader/layout.js';
import { STRATEGIES } from '../../../src/concurrent/reader/reader-api.js';
import { Translation } from '../../../src/concurrent/reader/translation.js';
import { NoneReader } from '../../../src/concurrent/strategies/none.js';
import { SharedView } from '../../../src/concurrent/strategies/shared-view.js';
import { EventFd } from '../../../src/host/event-fd.js';
import { HostMemMapping } from '../../../src/host/mapping.js';
import { doorbell, ioRegion, plainView, ramRegion } from '../publication/helpers.js';

/** A reader that adopts once and then never again: what a broken strategy looks like. */
class StuckReader extends NoneReader {
  protected override viewChanged(): void {
    if (this.generation === 0) super.viewChanged();
    else this.seen = this.control[kEpoch]!;
  }
}

//   0x0000 ┌─ ram ─┐ 0x1000 ┌─ io (doorbell at 0x1010) ─┐ 0x2000
function setup(strategy: (typeof STRATEGIES)[number]) {
  const ram = ramRegion(HostMemMapping.create({ size: 0x1000, name: 'm' }));
  const io = ioRegion('dev');
  const fd = new EventFd();
  const publisher = new SharedViewPublisher({ strategy, batchLimit: 8 });
  let generation = 0;
  const publish = () =>
    publisher.publish(
      plainView(
        ++generation,
        [
          [0, 0x1000, ram, 0],
          [0x1000, 0x1000, io, 0],
        ],
        [doorbell(0x1010, 4, fd)],
      ),
    );
  publisher.publishFlags({ hypIoeventfd: true, dirtyLog: false });
  publish();
  const exits: number[] = [];
  return { publisher, publish, exits };
}

function everyTableUse(reader: {
  readU32(gpa: number): number;
  read(gpa: number, dst: Uint8Array): void;
  writeU32(gpa: number, v: number): void;
  translate(gpa: number, out: Translation): boolean;
}): void {
  reader.read(0x20, new Uint8Array(8)); // a span: always looked up
  reader.readU32(0x1004); // an MMIO exit
  reader.writeU32(0x1010, 1); // an ioeventfd match
  expect(() => reader.readU32(0x3000)).toThrow(/0x3000/); // a miss
  reader.translate(0x30, new Translation());
}

describe('table age check', () => {
  test('a reader using a table the owner reclaimed counts each use: stamp, then rewrite', () => {
    const { publisher, publish } = setup('none');
    const reader = new StuckReader(publisher.readerHandle(publisher.allocateReader()));
    reader.setMmioHandler(() => true);
    reader.online();
    everyTableUse(reader);
    expect(reader.reclaimedTableUses).toBe(0);
    publish(); // generation 2; none reclaims generation 1's table at once
    everyTableUse(reader);
    expect(reader.reclaimedTableUses).toBe(5);
    expect(reader.lastReclaimedUse).toEqual({ gpa: 0x30, generation: 1, epochFound: 0 });
    publish(); // generation 3 is written into the reclaimed table (epoch 3)
    reader.readU32(0x1004);
    expect(reader.reclaimedTableUses).toBe(6);
    expect(reader.lastReclaimedUse).toEqual({ gpa: 0x1004, generation: 1, epochFound: 3 });
    reader.offline();
  });

  test('a cached RAM hit uses no table and is not counted (tags check those)', () => {
    const { publisher, publish } = setup('none');
    const reader = new StuckReader(publisher.readerHandle(publisher.allocateReader()));
    reader.online();
    reader.readU32(0x20);
    publish();
    reader.readU32(0x24);
    expect(reader.reclaimedTableUses).toBe(0);
    reader.offline();
  });

  test.each(STRATEGIES)('under %s a reader adopting as its strategy says counts nothing', (s) => {
    const { publisher, publish } = setup(s);
    const reader = SharedView.attach(publisher.readerHandle(publisher.allocateReader()));
    reader.setMmioHandler(() => true);
    reader.online();
    for (let i = 0; i < 5; i++) {
      everyTableUse(reader);
      reader.quiescent();
      publish();
    }
    everyTableUse(reader);
    expect(reader.reclaimedTableUses).toBe(0);
    reader.offline();
  });
});
