/**
 * Invariant `mmio-exits`: a reader thread reads a device address without pause; every
 * read is an MMIO exit that it posts to the owner through a shared channel and waits on
 * (as a vCPU does). While it waits, the owner swaps the device at that address for
 * another one (removing the region the reader resolved), makes more changes and lets
 * its event loop run (grace periods may end there), and only then serves the exit by
 * the region id the reader resolved (`publisher.regionById`). SPEC 7: the exit is served
 * with the region as the reader resolved it, even if it was removed meanwhile, since its
 * grace period cannot end while the reader waits. Each device answers a tag of its own
 * region id, so the reader checks that the answer came from the region it resolved.
 */
import type { Strategy } from '../concurrent/reader/reader-api.js';
import { dispatchIo } from '../core/io-dispatch.js';
import { Region } from '../core/region.js';
import type { RegionOps } from '../core/types.js';
import { HostMemMapping } from '../host/mapping.js';
import {
  deviceTag,
  kMmioAnswered,
  kMmioClosed,
  kMmioOffset,
  kMmioOk,
  kMmioRegion,
  kMmioRequest,
  kMmioState,
  kMmioValue,
  MMIO_WORDS,
} from './check-protocol.js';
import type { InvariantResult } from './check-types.js';
import { first, Scene, sleep, tick, total } from './harness.js';

const DEVICE = 0x8_0000;
const DEVICE_SIZE = 0x1000;
/** Changes the owner makes while a reader waits in one exit (besides the swap). */
const CHANGES_PER_EXIT = 3;

/** A device whose reads answer the tag of its own region id. */
function taggedDevice(name: string): Region {
  const ops: RegionOps = {
    read(data) {
      const tag = deviceTag(region.id);
      for (let i = 0; i < data.length; i++) data[i] = (tag >>> (8 * (i % 4))) & 0xff;
      return true;
    },
    write: () => true,
  };
  const region = Region.initIoRegion(DEVICE_SIZE, ops, name);
  return region;
}

export async function mmioExits(
  strategy: Strategy,
  budgetMs: number,
  seed: number,
): Promise<InvariantResult> {
  const root = Region.initContainerRegion(1 << 20, 'root');
  const ram = Region.initRamRegion(HostMemMapping.create({ size: 1 << 16 }), 'ram');
  root.addSubregion(ram, 0);
  const devices = [taggedDevice('dev-a'), taggedDevice('dev-b')];
  root.addSubregion(devices[0]!, DEVICE);
  let attached = 0;
  const scene = new Scene(root, strategy, seed);
  const chanBuffer = new SharedArrayBuffer(MMIO_WORDS * 4);
  const chan = new Int32Array(chanBuffer);
  let swapped = 0;
  let gone = 0;
  let firstGone = '';
  try {
    const [reader] = await scene.start([
      { loop: 'mmio', span: 1 << 16, gpa: DEVICE + 0x10, mmio: chanBuffer },
    ]);
    let finished = false;
    void reader!.done.finally(() => {
      finished = true;
    });
    const deadline = performance.now() + budgetMs;
    const data = new Uint8Array(4);
    let stopping = false;
    while (!finished) {
      if (!stopping && performance.now() >= deadline) {
        stopping = true;
        scene.finish().catch(() => undefined);
      }
      const wait = Atomics.waitAsync(chan, kMmioState, 0, 20);
      if (wait.async) await wait.value;
      else await tick();
      if (Atomics.load(chan, kMmioState) !== kMmioRequest) continue;
      const regionId = chan[kMmioRegion]!;
      const offset = chan[kMmioOffset]!;
      if (performance.now() < deadline) {
        // Remove the region the reader resolved, change more, and let grace periods run.
        root.deleteSubregion(devices[attached]!);
        attached ^= 1;
        root.addSubregion(devices[attached]!, DEVICE);
        for (let i = 0; i < CHANGES_PER_EXIT; i++) ram.setEnabled(!ram.enabled);
        swapped++;
        await sleep(1);
      }
      const region = scene.publisher.regionById(regionId);
      let ok = 0;
      if (region === undefined) {
        gone++;
        if (firstGone === '')
          firstGone = `region ${regionId} was forgotten while a reader waited in an exit on it`;
      } else {
        dispatchIo(region, DEVICE, offset, data, false);
        chan[kMmioValue] = new DataView(data.buffer).getUint32(0, true) | 0;
        ok = 1;
      }
      chan[kMmioOk] = ok;
      Atomics.store(chan, kMmioState, kMmioAnswered);
      Atomics.notify(chan, kMmioState);
    }
    Atomics.store(chan, kMmioState, kMmioClosed);
    Atomics.notify(chan, kMmioState);
    const results = await scene.finish();
    const exits = total(results, 'exits');
    const wrong = total(results, 'wrongRegion');
    const failed = total(results, 'failedExits');
    const enough = swapped >= 10;
    const held = enough && gone === 0 && wrong === 0 && failed === 0;
    const problem = firstGone || first(results, 'firstMmioProblem');
    return {
      name: 'mmio-exits',
      held,
      detail: `${exits} exits served (${swapped} after their region was removed and ${CHANGES_PER_EXIT + 1} more changes): ${gone} regions forgotten, ${wrong} answered by another region, ${failed} failed${problem !== '' ? `; first: ${problem}` : ''}${enough ? '' : '; too few exits to judge'}`,
    };
  } finally {
    Atomics.store(chan, kMmioState, kMmioClosed);
    Atomics.notify(chan, kMmioState);
    await scene.close();
  }
}
