/**
 * The owner's side of the device backend: a long-lived worker thread, controlled through
 * comlink, that serves the doorbells of the machine's virtio devices by DMA through its
 * own `SharedView` reader (device-backend-service.ts does the work there).
 *
 * The owner plays the guest driver's part once: it writes a request into each device's
 * queue area before the backend starts. During the run it drains the backend's counters,
 * translation samples and findings; at the end it stops it, checks the completion records
 * the backend left in guest RAM, terminates the thread and gives its reader slot back.
 * A backend thread that dies is marked offline for grace periods and reported, never
 * waited for. comlink is the control plane only: the data path is shared memory.
 */
import { Worker } from 'node:worker_threads';
import { proxy, type Remote, releaseProxy, wrap } from 'comlink';
import type { SharedViewPublisher } from '../concurrent/publication/publisher.js';
import { Prng } from '../concurrent/vcpu/prng.js';
import type { HostMemMapping } from '../host/mapping.js';
import type { VirtioMmio } from '../machine/devices/virtio-mmio.js';
import type { Machine } from '../machine/machine.js';
import { comlinkEndpoint } from './comlink-endpoint.js';
import {
  type BackendDevice,
  type BackendReport,
  COMPLETION_MAGIC,
  COMPLETION_WORDS,
  checksumOf,
  type DeviceBackendApi,
  DMA_AREA_BYTES,
  kCompletionOffset,
  kRequestOffset,
  REQUEST_MAGIC,
  REQUEST_WORDS,
} from './device-backend-protocol.js';

export interface DeviceBackendOptions {
  readonly machine: Machine;
  readonly publisher: SharedViewPublisher;
  readonly seed: number;
  /** A translation sample every this many DMA requests (0: none). */
  readonly sampleEvery?: number;
  /** The poison word to look for, or -1. */
  readonly poisonWord?: number;
  /** Worker entry (default: the built `workers/device-backend.js`). */
  readonly workerFile?: string | URL;
  /** Longest doorbell wait between looks at the stop flag, in ms (default 20). */
  readonly pollMs?: number;
}

/** The virtio devices of `machine` that have a queue area large enough to serve. */
export function backendDevicesOf(machine: Machine): BackendDevice[] {
  const out: BackendDevice[] = [];
  for (const d of machine.devices.values()) {
    if (d.model !== 'virtio-mmio') continue;
    const { notify, queue } = (d.device as VirtioMmio).backendDescriptor();
    if (queue === undefined || queue.size < DMA_AREA_BYTES || notify.length === 0) continue;
    out.push({ name: d.name, notify, gpa: queue.gpa });
  }
  return out;
}

/** The request the driver posts for device `index` (16 words, checksummed). */
export function requestWordsFor(seed: number, index: number): Uint32Array {
  const words = new Uint32Array(REQUEST_WORDS);
  const prng = new Prng((seed * 31 + index + 0x62616b) >>> 0);
  words[0] = REQUEST_MAGIC;
  words[1] = index;
  for (let i = 2; i < REQUEST_WORDS - 1; i++) words[i] = prng.nextUint32();
  words[REQUEST_WORDS - 1] = checksumOf(words, REQUEST_WORDS - 1);
  return words;
}

/** What is wrong with a completion record, or `undefined` when it is intact and says `served`. */
export function completionProblem(bytes: Uint8Array, served: number): string | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const words = [0, 1, 2, 3].map((i) => view.getUint32(i * 4, true));
  if (served === 0 && words.every((w) => w === 0)) return undefined;
  if (words[0] !== COMPLETION_MAGIC) return `magic 0x${words[0]!.toString(16)}`;
  if (checksumOf(words, 3) !== words[3]) return 'checksum does not match';
  if (words[1] !== served >>> 0)
    return `says ${words[1]} requests served, the backend counted ${served}`;
  return undefined;
}

/** What `DeviceBackend.verifyCompletions` found. */
export interface CompletionCheck {
  /** One line per record that is torn or disagrees with the backend's counts. */
  readonly problems: string[];
  /** One line per record that could not be read at all (its RAM is gone). */
  readonly notRun: string[];
}

export class DeviceBackend {
  readonly devices: readonly BackendDevice[];
  readonly readerIndex: number;
  /** Set when the worker thread died. */
  error: Error | undefined;
  /**
   * Why the thread ended while it was not being stopped (`undefined` while it runs or
   * after a clean stop): its error's text, or its exit code.
   */
  died: string | undefined;
  /**
   * Where each device's completion record was in host memory when the backend started,
   * for reading it back while churn has the guest address switched off (`undefined`: not
   * RAM then).
   */
  private readonly completionHome: ({ mapping: HostMemMapping; offset: number } | undefined)[] = [];
  private readonly worker: Worker;
  private readonly remote: Remote<DeviceBackendApi>;
  private readonly publisher: SharedViewPublisher;
  private readonly exited: Promise<void>;
  private stopped = false;

  private constructor(
    worker: Worker,
    devices: readonly BackendDevice[],
    publisher: SharedViewPublisher,
    readerIndex: number,
  ) {
    this.worker = worker;
    this.devices = devices;
    this.publisher = publisher;
    this.readerIndex = readerIndex;
    this.remote = wrap<DeviceBackendApi>(comlinkEndpoint(worker));
    worker.on('error', (error) => {
      this.error = error;
    });
    this.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        // A dead backend must not hold up grace periods.
        if (!this.stopped) {
          publisher.markReaderOffline(readerIndex);
          this.died = this.error
            ? `${this.error.name}: ${this.error.message}`
            : `exit code ${code}`;
        }
        resolve();
      });
    });
  }

  /**
   * Writes each device's request into guest RAM and starts the backend thread. Resolves
   * `undefined` when the machine has no device to serve.
   */
  static async start(options: DeviceBackendOptions): Promise<DeviceBackend | undefined> {
    const devices = backendDevicesOf(options.machine);
    if (devices.length === 0) return undefined;
    const memory = options.machine.memory;
    devices.forEach((device, index) => {
      const words = requestWordsFor(options.seed, index);
      memory.write(new Uint8Array(words.buffer), device.gpa + kRequestOffset);
      memory.write(new Uint8Array(COMPLETION_WORDS * 4), device.gpa + kCompletionOffset);
    });
    const publisher = options.publisher;
    const readerIndex = publisher.allocateReader();
    const file = options.workerFile ?? new URL('../../workers/device-backend.js', import.meta.url);
    const worker = new Worker(file);
    const backend = new DeviceBackend(worker, devices, publisher, readerIndex);
    for (const device of devices) {
      const gpa = device.gpa + kCompletionOffset;
      const piece = memory.flatView.findFlatRange(gpa);
      const mapping = piece?.owner.regionType === 'Ram' ? piece.owner.mapping : undefined;
      backend.completionHome.push(
        mapping === undefined
          ? undefined
          : { mapping, offset: piece!.offsetInRegion + (gpa - piece!.addrRange.base) },
      );
    }
    try {
      await backend.call(
        backend.remote.start(
          {
            handle: publisher.readerHandle(readerIndex),
            devices,
            sampleEvery: options.sampleEvery ?? 16,
            poisonWord: options.poisonWord ?? -1,
            pollMs: options.pollMs ?? 20,
          },
          proxy(() => publisher.readerHandle(readerIndex)),
        ),
      );
    } catch (error) {
      await backend.terminate();
      throw error;
    }
    return backend;
  }

  /** Counters so far, and the samples and findings since the last drain. */
  drain(): Promise<BackendReport | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    return this.call(this.remote.drain()).catch(() => undefined);
  }

  /** Stops serving and returns the last drain (`undefined` if the thread had died). */
  async stop(): Promise<BackendReport | undefined> {
    if (this.stopped) return undefined;
    let report: BackendReport | undefined;
    try {
      report = await this.call(this.remote.stop());
    } catch {
      report = undefined;
    }
    await this.terminate();
    return report;
  }

  /**
   * Reads each device's completion record (after `stop`) and says which are torn or
   * disagree with `report`. A record is read through `memory` where the guest address is
   * RAM now, else from the host memory it was in when the backend started (churn may
   * have switched the guest's window onto it off); a record in neither is `notRun`.
   */
  verifyCompletions(memory: Machine['memory'], report: BackendReport): CompletionCheck {
    const problems: string[] = [];
    const notRun: string[] = [];
    this.devices.forEach((device, index) => {
      const gpa = device.gpa + kCompletionOffset;
      const bytes = new Uint8Array(COMPLETION_WORDS * 4);
      const home = this.completionHome[index];
      if (memory.addressInMemory(gpa, bytes.length)) {
        memory.read(bytes, gpa);
      } else if (home !== undefined && !home.mapping.isReleased) {
        bytes.set(home.mapping.bytes.subarray(home.offset, home.offset + bytes.length));
      } else {
        notRun.push(
          `${device.name}: completion record at 0x${gpa.toString(16)} is in no RAM now and its host memory is gone`,
        );
        return;
      }
      const problem = completionProblem(bytes, report.requestsByDevice[index] ?? 0);
      if (problem !== undefined) problems.push(`${device.name}: completion record ${problem}`);
    });
    return { problems, notRun };
  }

  private async terminate(): Promise<void> {
    this.stopped = true;
    this.remote[releaseProxy]();
    await this.worker.terminate();
    await this.exited;
    this.publisher.releaseReader(this.readerIndex);
  }

  /** A comlink call that fails instead of hanging when the thread dies. */
  private call<T>(pending: Promise<T>): Promise<T> {
    return Promise.race([
      pending,
      this.exited.then(() => {
        throw this.error ?? new Error('the device backend thread exited');
      }),
    ]);
  }
}
