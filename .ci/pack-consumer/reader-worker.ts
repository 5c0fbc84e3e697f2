/**
 * The consumer's reader thread: attaches a `SharedView` from the handle in `workerData`
 * using only 'addrspace/reader', reads the owner's word at 0x1000, writes 0x9abc_def0 at
 * 0x2000, goes offline and posts what it read.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type ReaderHandle, SharedView } from 'addrspace/reader';

const view = SharedView.attach(workerData as ReaderHandle);
view.online();
const seen = view.readU32(0x1000);
view.writeU32(0x2000, 0x9abc_def0);
view.offline();
parentPort?.postMessage(seen);
