/**
 * `stallNextRead` (the stalled-reader scenario, SPEC 7): the next byte-span read that
 * reaches guest memory stops inside the access for the asked time and then copies what
 * it resolved; one read only. (That the stall holds the strategy's protection is the
 * stalled-reader invariant of `checkStrategy`, with real threads.)
 */
import { describe, expect, test } from 'vitest';
import { SharedViewPublisher } from '../../../src/concurrent/publication/publisher.js';
import { STRATEGIES } from '../../../src/concurrent/reader/reader-api.js';
import { SharedView } from '../../../src/concurrent/strategies/shared-view.js';
import { HostMemMapping } from '../../../src/host/mapping.js';
import { plainView, ramRegion } from './helpers.js';

describe.each(STRATEGIES)('stallNextRead under %s', (strategy) => {
  test('one read stops for 60 ms inside the access, then reads the bytes', () => {
    const mapping = HostMemMapping.create({ size: 4096, name: 'ram' });
    new Uint8Array(mapping.buffer).set([1, 2, 3, 4], 16);
    const publisher = new SharedViewPublisher({ strategy });
    publisher.publish(plainView(1, [[0, 4096, ramRegion(mapping), 0]]));
    const reader = SharedView.attach(publisher.readerHandle(publisher.allocateReader()));
    reader.online();
    const bytes = new Uint8Array(4);
    reader.stallNextRead(60);
    let started = performance.now();
    reader.read(16, bytes);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(Array.from(bytes)).toEqual([1, 2, 3, 4]);
    started = performance.now();
    reader.read(16, bytes);
    expect(performance.now() - started).toBeLessThan(50);
    expect(() => reader.stallNextRead(-1)).toThrow(
      'Invalid argument: stall must be a non-negative number of ms, got -1',
    );
    reader.offline();
    reader.close();
    publisher.close();
  });
});
