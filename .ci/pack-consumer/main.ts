/**
 * The pack check's consumer (.ci/pack-check): a project that installed the packed
 * tarball. It builds a 1 MiB RAM space with 'addrspace', publishes it, and hands a
 * reader handle to its own worker (reader-worker.ts), which attaches a `SharedView`
 * through 'addrspace/reader', reads what the owner wrote and writes an answer back.
 * Exit 0 and `pack-check consumer: ok` when both directions went through.
 */
import { Worker } from 'node:worker_threads';
import { AddressSpace, HostMemMapping, Region, SharedViewPublisher } from 'addrspace';

const root = Region.initContainerRegion(0x10_0000, 'memory');
root.addSubregion(Region.initRamRegion(HostMemMapping.create({ size: 0x10_0000 }), 'ram'), 0);
const space = new AddressSpace(root, 'memory');
space.writeU32(0x1000, 0x1234_5678);

const publisher = SharedViewPublisher.attachTo(space, { strategy: 'rcu' });
const handle = publisher.readerHandle(publisher.allocateReader());
const worker = new Worker(new URL('./reader-worker.js', import.meta.url), { workerData: handle });
const seen = await new Promise<number>((resolve, reject) => {
  worker.once('message', (value: number) => resolve(value));
  worker.once('error', reject);
});
await worker.terminate();

const answer = space.readU32(0x2000);
if (seen !== 0x1234_5678 || answer !== 0x9abc_def0) {
  console.error(
    `pack-check consumer: worker saw 0x${seen.toString(16)}, wrote 0x${answer.toString(16)}`,
  );
  process.exit(1);
}
console.log('pack-check consumer: ok');
