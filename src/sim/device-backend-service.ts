/**
 * The device backend's work, inside its own worker thread: wait on each device's doorbell
 * EventFds, and on every ring do DMA through this thread's own `SharedView` reader, like a
 * vhost-user backend serving a virtqueue: read the request from guest RAM, check it, write
 * a completion (layout in device-backend-protocol.ts).
 *
 * The reader is a second kind of reader for grace periods: it is online only while it
 * serves a ring and offline while it waits, so a grace period waits for a DMA in flight
 * and never for an idle backend. Waiting is `EventFd.waitAsync` with a timeout (one
 * pending wait per doorbell), so the comlink control calls (`drain`, `stop`) are served
 * between rings. A `ReaderFault` (this reader was never told of a new buffer) makes it
 * attach afresh with a handle asked from the owner.
 *
 * This module never changes topology and never decides what a violation costs: it
 * reports what it saw to the owner.
 */
import { type Remote, releaseProxy } from 'comlink';
import { hex } from '../base/errors.js';
import type { ReaderHandle, SharedViewReader } from '../concurrent/reader/reader-api.js';
import { Translation } from '../concurrent/reader/translation.js';
import { SharedView } from '../concurrent/strategies/shared-view.js';
import { EventFd } from '../host/event-fd.js';
import {
  type BackendDevice,
  type BackendReport,
  type BackendSample,
  type BackendStartConfig,
  type BackendViolation,
  COMPLETION_MAGIC,
  COMPLETION_WORDS,
  checksumOf,
  type DeviceBackendApi,
  kCompletionOffset,
  kRequestOffset,
  REQUEST_MAGIC,
  REQUEST_WORDS,
} from './device-backend-protocol.js';

/** Most samples and violations kept between two drains. */
const KEEP_PER_DRAIN = 1024;

export class DeviceBackendService implements DeviceBackendApi {
  private config: BackendStartConfig | undefined;
  private requestHandle: Remote<() => ReaderHandle> | (() => ReaderHandle) | undefined;
  private reader: SharedViewReader | undefined;
  private readonly request = new Uint8Array(REQUEST_WORDS * 4);
  private readonly requestView = new DataView(this.request.buffer);
  private readonly requestWords = new Uint32Array(REQUEST_WORDS);
  private readonly completion = new Uint8Array(COMPLETION_WORDS * 4);
  private readonly completionView = new DataView(this.completion.buffer);
  private readonly translation = new Translation();
  private loops: Promise<void>[] = [];
  private stopping = false;
  private reattaching: Promise<void> | undefined;
  private dmaOps = 0;
  private requests = 0;
  private requestsByDevice: number[] = [];
  private signalsByDevice: number[] = [];
  private signals = 0;
  private faults = 0;
  private reattached = 0;
  private checked = 0;
  private samples: BackendSample[] = [];
  private violations: BackendViolation[] = [];

  async start(config: BackendStartConfig, requestHandle: () => ReaderHandle): Promise<void> {
    if (this.config !== undefined) throw new Error('the device backend is already running');
    // A plug-in strategy's module is imported in this thread before attaching.
    await SharedView.prepare(config.handle);
    this.config = config;
    this.requestHandle = requestHandle;
    this.reader = SharedView.attach(config.handle);
    this.requestsByDevice = config.devices.map(() => 0);
    this.signalsByDevice = config.devices.map(() => 0);
    this.loops = config.devices.flatMap((device, index) =>
      device.notify.map((fd) => this.serve(index, device, EventFd.fromShared(fd))),
    );
  }

  drain(): BackendReport {
    const report: BackendReport = {
      dmaOps: this.dmaOps,
      requests: this.requests,
      requestsByDevice: [...this.requestsByDevice],
      signals: this.signals,
      faults: this.faults,
      reattached: this.reattached,
      checked: this.checked,
      samples: this.samples,
      violations: this.violations,
    };
    this.samples = [];
    this.violations = [];
    return report;
  }

  async stop(): Promise<BackendReport> {
    this.stopping = true;
    await Promise.all(this.loops);
    await this.reattaching;
    this.reader?.offline();
    this.reader?.close();
    this.reader = undefined;
    const remote = this.requestHandle as Partial<Remote<() => ReaderHandle>> | undefined;
    remote?.[releaseProxy]?.();
    this.requestHandle = undefined;
    return this.drain();
  }

  private async serve(index: number, device: BackendDevice, fd: EventFd): Promise<void> {
    const pollMs = this.config!.pollMs;
    while (!this.stopping) {
      if (!(await fd.waitAsync(pollMs)) || this.stopping) continue;
      await this.reattaching;
      const rung = fd.read();
      if (rung === 0) continue;
      this.signals += rung;
      this.signalsByDevice[index]! += rung;
      this.serveRequest(index, device);
    }
  }

  /** One request: online, read it whole, check it, write the completion, offline. */
  private serveRequest(index: number, device: BackendDevice): void {
    const reader = this.reader;
    if (reader === undefined) return;
    const config = this.config!;
    const requestGpa = device.gpa + kRequestOffset;
    try {
      reader.online();
      reader.read(requestGpa, this.request);
      this.dmaOps++;
      const generation = reader.generation;
      this.checkRequest(index, device, requestGpa, generation);
      const served = this.requestsByDevice[index]! + 1;
      const words = [COMPLETION_MAGIC, served >>> 0, this.signalsByDevice[index]! >>> 0];
      for (let i = 0; i < 3; i++) this.completionView.setUint32(i * 4, words[i]!, true);
      this.completionView.setUint32(12, checksumOf(words, 3), true);
      reader.write(device.gpa + kCompletionOffset, this.completion);
      this.dmaOps++;
      this.requestsByDevice[index] = served;
      this.requests++;
      if (config.sampleEvery > 0 && this.requests % config.sampleEvery === 0) {
        this.sample(reader, requestGpa);
      }
      reader.offline();
    } catch (error) {
      reader.offline();
      const code = (error as { code?: string }).code;
      if (code === undefined) throw error;
      if (code === 'ReaderFault') this.reattach();
      else this.faults++;
    }
  }

  private checkRequest(
    index: number,
    device: BackendDevice,
    gpa: number,
    generation: number,
  ): void {
    const poison = this.config!.poisonWord;
    let poisoned = false;
    for (let i = 0; i < REQUEST_WORDS; i++) {
      const word = this.requestView.getUint32(i * 4, true);
      this.requestWords[i] = word;
      if (word === poison) poisoned = true;
    }
    const magic = this.requestWords[0]!;
    const sum = checksumOf(this.requestWords, REQUEST_WORDS - 1);
    const stored = this.requestWords[REQUEST_WORDS - 1]!;
    if (!poisoned && magic === REQUEST_MAGIC && this.requestWords[1] === index && sum === stored) {
      this.checked++;
      return;
    }
    this.report({
      kind: poisoned ? 'poison' : 'torn',
      device: device.name,
      generation,
      gpa,
      expected: `request magic ${hex(REQUEST_MAGIC)}, checksum ${hex(sum)}`,
      actual: `magic ${hex(magic)}, checksum ${hex(stored)}`,
      detail: poisoned
        ? `device backend ${device.name} read the poison word in its request at ${hex(gpa)}`
        : `device backend ${device.name} read a request at ${hex(gpa)} whose bytes do not belong together`,
      at: performance.timeOrigin + performance.now(),
    });
  }

  private sample(reader: SharedViewReader, gpa: number): void {
    if (this.samples.length >= KEEP_PER_DRAIN) return;
    const t = this.translation;
    const found = reader.translate(gpa, t);
    this.samples.push({
      generation: t.generation,
      gpa,
      regionId: found ? t.regionId : -1,
      hostAddress: found ? t.hostAddress : -1,
    });
  }

  private report(violation: BackendViolation): void {
    if (this.violations.length < KEEP_PER_DRAIN) this.violations.push(violation);
  }

  /** Attaches a fresh reader; doorbells rung meanwhile wait (their counts stay in the fd). */
  private reattach(): void {
    if (this.reattaching !== undefined || this.stopping) return;
    const old = this.reader;
    this.reader = undefined;
    old?.close();
    this.reattaching = (async () => {
      try {
        const handle = await this.requestHandle!();
        if (!this.stopping) this.reader = SharedView.attach(handle);
        this.reattached++;
      } finally {
        this.reattaching = undefined;
      }
    })();
  }
}
