/**
 * The owner's vCPU pool: one piscina thread per vCPU (`idleTimeout: Infinity`), each vCPU
 * run in slices back to back like `KVM_RUN`, its MMIO exits served on the owner's event
 * loop, its counters, samples and latencies readable live.
 *
 * Roles: the owner thread (the one that built the pool) schedules slices, serves exits and
 * reads shared state; pool threads run slices (`vcpu-slice.ts`). A vCPU is offline for
 * grace periods between slices. A pool thread that dies or is terminated fails its slice:
 * the vCPU is marked `Crashed`, its reader is marked offline at the publisher so no grace
 * period waits for it, and the pool reports it in `lost` (and `onReaderLost`) and carries
 * on with the others.
 *
 * It never publishes views and never changes topology; what memory the vCPUs see, and how
 * their exits reach devices, are given to it.
 */
import { Piscina } from 'piscina';
import { AddressSpaceError } from '../../base/errors.js';
import type { Region } from '../../core/region.js';
import { POISON_U32 } from '../reader/poison.js';
import type { ReaderHandle, Strategy } from '../reader/reader-api.js';
import { createMmioMailbox } from './mmio-mailbox.js';
import {
  type ExitedWriteMatcher,
  type MmioRequestHandler,
  MmioServer,
  regionIoHandler,
} from './mmio-server.js';
import type { GuestMemoryStrategy } from './raw-memory.js';
import {
  drainTranslationSamples,
  SampleRing,
  TRANSLATION_SAMPLE_WIDTH,
  type TranslationSample,
} from './sampler.js';
import type { VcpuMemorySpec, VcpuSliceExit, VcpuSliceTask } from './vcpu-protocol.js';
import { type VcpuCounters, VcpuStateTable, VcpuStatus } from './vcpu-state.js';
import { resolveWorkload, type WorkloadDescription } from './workload.js';

/** What the pool needs of the owner's publisher (`SharedViewPublisher` is one). */
export interface VcpuPublisher {
  readonly strategy: Strategy;
  readonly options?: { readonly check: boolean };
  allocateReader(): number;
  releaseReader(index: number): void;
  readerHandle(index: number): ReaderHandle;
  markReaderOffline(index: number): void;
  regionById(id: number): Region | undefined;
}

export interface VcpuPoolOptions {
  readonly vcpus: number;
  /**
   * The published address space the vCPUs run against: the pool allocates one reader per
   * vCPU, hands each slice a fresh handle, serves exits through `regionById` + the region's
   * ops, and marks the reader of a dead thread offline. Give this or `memory`.
   */
  readonly publisher?: VcpuPublisher;
  /** Other guest memory (raw: the benchmark's physical limit), one spec or one per vCPU. */
  readonly memory?: VcpuMemorySpec | ((vcpu: number) => VcpuMemorySpec);
  /** Serves MMIO exits (default with a publisher: the region's ops; else every exit fails). */
  readonly mmioHandler?: MmioRequestHandler;
  /**
   * The address space the default handler matches exited writes against first
   * (`matchExitedWrite`: with hyp_ioevtfd_enabled off, doorbells exit to the owner).
   */
  readonly doorbells?: ExitedWriteMatcher;
  /** Called once when a vCPU's thread died (after its reader was marked offline). */
  readonly onReaderLost?: (vcpu: number) => void;
  /** Called with every slice's exit record. */
  readonly onSliceExit?: (exit: VcpuSliceExit) => void;
  /** Worker entry (default: the built `workers/vcpu.js`). */
  readonly workerFile?: string | URL;
  /** Slice length in milliseconds (default 25). */
  readonly sliceMs?: number;
  /** Accesses per slice at most (default: unbounded, time decides). */
  readonly sliceAccesses?: number;
  /** Accesses between quiescent points, 1..1024 (default 256). */
  readonly batch?: number;
  /** One translation sample every N accesses; 0 = off (default 0). */
  readonly sampleEvery?: number;
  /** Records per vCPU sample ring, a power of two (default 4096). */
  readonly sampleCapacity?: number;
  /** The uint32 retired memory is poisoned with; -1 = do not check reads (default: the
   * publisher's `POISON_U32` in check mode, else -1). */
  readonly poisonWord?: number;
  /** Exit records kept in `exits` (default 10000, oldest dropped). */
  readonly keepExits?: number;
  /** Self-checking memory: every RAM access verified against its tags (default false). */
  readonly verify?: boolean;
}

export interface LostVcpu {
  readonly vcpu: number;
  readonly error: string;
  readonly slice: number;
}

const DEFAULTS = {
  sliceMs: 25,
  batch: 256,
  sampleEvery: 0,
  sampleCapacity: 4096,
  keepExits: 10_000,
  latencyCapacity: 8192,
};

let poolCounter = 0;

/**
 * The pool threads' Node options: the parent's, plus `--no-experimental-require-module`
 * where Node has it. Piscina loads the entry with `require()` first and `import()` as a
 * fallback, and may do so twice at once (preload and first task); with require(esm) on
 * (Node >= 20.19) that race fails about one thread start in thirty with "Unexpected
 * status of a module that is imported again after being required". Without require(esm)
 * both loads take the `import()` path, which is safe.
 */
function workerExecArgv(): string[] {
  const flag = '--no-experimental-require-module';
  const known = process.allowedNodeEnvironmentFlags.has('--experimental-require-module');
  return known && !process.execArgv.includes(flag) ? [...process.execArgv, flag] : process.execArgv;
}

function positiveInteger(v: unknown, path: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > max) {
    throw AddressSpaceError.invalidArgument(`${path}: must be an integer in [1, ${max}]`);
  }
  return v;
}

export class VcpuPool {
  readonly vcpus: number;
  readonly state: VcpuStateTable;
  /** Exit records of finished slices, oldest first (bounded by `keepExits`). */
  readonly exits: VcpuSliceExit[] = [];
  /** vCPUs whose thread died, in the order it happened. */
  readonly lost: LostVcpu[] = [];
  readonly mmio: MmioServer;
  /** `raw`, or the publisher's strategy. */
  readonly strategy: GuestMemoryStrategy;
  /** The publisher's reader slot of each vCPU (empty without a publisher). */
  readonly readerIndices: readonly number[];

  private readonly id: string;
  private readonly options: VcpuPoolOptions;
  private readonly sliceMs: number;
  private readonly sliceAccesses: number;
  private readonly batch: number;
  private readonly sampleEvery: number;
  private readonly poisonWord: number;
  private readonly keepExits: number;
  private readonly mailboxes: SharedArrayBuffer[];
  private readonly sampleRings: SampleRing[];
  private readonly latencyRings: SampleRing[];
  private readonly memorySpecs: VcpuMemorySpec[];
  private readonly piscina: Piscina<VcpuSliceTask, VcpuSliceExit>;
  private readonly slicesStarted: number[];
  private readonly workloadKeys: string[] = [];
  private loops: Promise<void>[] = [];
  private stopping = false;
  private destroyed = false;
  /** Whether each vCPU is inside a slice now (its reader may be online). */
  private readonly inSlice: boolean[];
  private pausedNow = false;
  /** Resolves when `resume()` (or `stop()`) lets paused vCPUs go on. */
  private resumeGate: Promise<void> = Promise.resolve();
  private openGate: () => void = () => {};

  constructor(options: VcpuPoolOptions) {
    if (typeof options !== 'object' || options === null) {
      throw AddressSpaceError.invalidArgument('VcpuPool needs an options object');
    }
    this.vcpus = positiveInteger(options.vcpus, 'vcpus', 1024);
    this.sliceMs = positiveInteger(options.sliceMs ?? DEFAULTS.sliceMs, 'sliceMs');
    this.sliceAccesses = positiveInteger(
      options.sliceAccesses ?? Number.MAX_SAFE_INTEGER,
      'sliceAccesses',
    );
    this.batch = positiveInteger(options.batch ?? DEFAULTS.batch, 'batch', 1024);
    const sampleEvery = options.sampleEvery ?? DEFAULTS.sampleEvery;
    this.sampleEvery = sampleEvery === 0 ? 0 : positiveInteger(sampleEvery, 'sampleEvery');
    if ((options.publisher === undefined) === (options.memory === undefined)) {
      throw AddressSpaceError.invalidArgument('VcpuPool needs either publisher or memory');
    }
    const poison =
      options.poisonWord ?? (options.publisher?.options?.check === true ? POISON_U32 : -1);
    if (poison !== -1 && !(Number.isSafeInteger(poison) && poison >= 0 && poison < 2 ** 32)) {
      throw AddressSpaceError.invalidArgument('poisonWord: must be -1 or a uint32');
    }
    this.poisonWord = poison;
    this.keepExits = positiveInteger(options.keepExits ?? DEFAULTS.keepExits, 'keepExits');
    this.options = options;
    this.id = `vcpu-pool-${process.pid}-${++poolCounter}`;

    const capacity = positiveInteger(
      options.sampleCapacity ?? DEFAULTS.sampleCapacity,
      'sampleCapacity',
      1 << 20,
    );
    if ((capacity & (capacity - 1)) !== 0) {
      throw AddressSpaceError.invalidArgument('sampleCapacity: must be a power of two');
    }
    const publisher = options.publisher;
    const memory = options.memory;
    const perVcpu = Array.from({ length: this.vcpus }, (_, v) => v);
    this.strategy = publisher?.strategy ?? 'raw';
    this.memorySpecs =
      memory === undefined
        ? []
        : perVcpu.map((v) => (typeof memory === 'function' ? memory(v) : memory));
    this.readerIndices =
      publisher === undefined ? [] : perVcpu.map(() => publisher.allocateReader());
    this.state = VcpuStateTable.create(this.vcpus);
    this.slicesStarted = perVcpu.map(() => 0);
    this.inSlice = perVcpu.map(() => false);
    this.mailboxes = perVcpu.map(() => createMmioMailbox());
    this.sampleRings = perVcpu.map(() => SampleRing.create(capacity, TRANSLATION_SAMPLE_WIDTH));
    this.latencyRings = perVcpu.map(() => SampleRing.create(DEFAULTS.latencyCapacity, 1));
    const handler =
      options.mmioHandler ??
      (publisher === undefined
        ? () => false
        : regionIoHandler((id) => publisher.regionById(id), options.doorbells));
    this.mmio = new MmioServer(this.mailboxes, handler);

    const filename = options.workerFile ?? new URL('../../../workers/vcpu.js', import.meta.url);
    this.piscina = new Piscina({
      filename: filename instanceof URL ? filename.href : filename,
      minThreads: this.vcpus,
      maxThreads: this.vcpus,
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: 1,
      execArgv: workerExecArgv(),
    });
    // A thread that dies between tasks surfaces here; its vCPU is handled by its slice.
    this.piscina.on('error', () => {});
  }

  get running(): boolean {
    return this.loops.length > 0 && !this.stopping;
  }

  /**
   * Runs every vCPU in back-to-back slices until `stop()`. `workload` is one description
   * per vCPU, or one for all (vCPU `v` then gets seed `seed + v`). Throws `InvalidArgument`
   * for a bad workload before anything runs.
   */
  start(workload: WorkloadDescription | readonly WorkloadDescription[]): void {
    if (this.destroyed) throw AddressSpaceError.invalidArgument('the vCPU pool was destroyed');
    if (this.loops.length > 0) throw AddressSpaceError.invalidArgument('the vCPU pool is running');
    const perVcpu: WorkloadDescription[] = [];
    for (let v = 0; v < this.vcpus; v++) {
      const w = Array.isArray(workload) ? workload[v] : workload;
      if (w === undefined) {
        throw AddressSpaceError.invalidArgument(`workload[${v}]: missing (one per vCPU)`);
      }
      const d = w as WorkloadDescription;
      const own = Array.isArray(workload) ? d : { ...d, seed: d.seed + v };
      resolveWorkload(own, Array.isArray(workload) ? `workload[${v}]` : 'workload');
      perVcpu.push(own);
    }
    // A vCPU given a different workload starts that stream from its seed; the same
    // workload resumes where the last slice left it.
    perVcpu.forEach((w, v) => {
      const key = JSON.stringify(w);
      if (this.workloadKeys[v] !== key) this.state.resetGenerator(v);
      this.workloadKeys[v] = key;
    });
    this.stopping = false;
    this.mmio.start();
    this.loops = perVcpu.map((w, v) => this.runVcpu(v, w));
  }

  private async runVcpu(vcpu: number, workload: WorkloadDescription): Promise<void> {
    this.state.clearStop(vcpu);
    while (!this.stopping && this.state.status(vcpu) !== VcpuStatus.Crashed) {
      if (this.pausedNow) {
        await this.resumeGate;
        continue;
      }
      const slice = this.slicesStarted[vcpu]!;
      this.slicesStarted[vcpu] = slice + 1;
      const task: VcpuSliceTask = {
        poolId: this.id,
        vcpu,
        slice,
        stateBuffer: this.state.buffer,
        mailbox: this.mailboxes[vcpu]!,
        sampleRing: this.sampleRings[vcpu]!.buffer,
        latencyRing: this.latencyRings[vcpu]!.buffer,
        memory: this.memoryFor(vcpu),
        workload,
        budget: { maxAccesses: this.sliceAccesses, maxMs: this.sliceMs },
        batch: this.batch,
        sampleEvery: this.sampleEvery,
        poisonWord: this.poisonWord,
        verify: this.options.verify === true,
      };
      let exit: VcpuSliceExit;
      this.inSlice[vcpu] = true;
      try {
        exit = await this.piscina.run(task);
      } catch (error) {
        this.loseVcpu(vcpu, slice, error);
        return;
      } finally {
        this.inSlice[vcpu] = false;
      }
      this.exits.push(exit);
      if (this.exits.length > this.keepExits)
        this.exits.splice(0, this.exits.length - this.keepExits);
      this.options.onSliceExit?.(exit);
    }
    if (this.state.status(vcpu) !== VcpuStatus.Crashed)
      this.state.setStatus(vcpu, VcpuStatus.Stopped);
  }

  /** A published address space gets a fresh handle per slice (it names every buffer so far). */
  private memoryFor(vcpu: number): VcpuMemorySpec {
    const publisher = this.options.publisher;
    if (publisher === undefined) return this.memorySpecs[vcpu]!;
    return { kind: 'shared', handle: publisher.readerHandle(this.readerIndices[vcpu]!) };
  }

  private loseVcpu(vcpu: number, slice: number, error: unknown): void {
    this.state.setStatus(vcpu, VcpuStatus.Crashed);
    this.state.setThreadId(vcpu, -1);
    const reader = this.readerIndices[vcpu];
    if (reader !== undefined) this.options.publisher?.markReaderOffline(reader);
    this.lost.push({ vcpu, slice, error: error instanceof Error ? error.message : String(error) });
    this.options.onReaderLost?.(vcpu);
  }

  /**
   * Terminates the pool thread running `vcpu` now (fault injection: a vCPU thread dying in
   * the middle of a slice). Resolves true when a thread was running it.
   */
  async terminateVcpuThread(vcpu: number): Promise<boolean> {
    const threadId = this.state.threadId(vcpu);
    if (threadId < 0) return false;
    const worker = this.piscina.threads.find((w) => w.threadId === threadId);
    if (worker === undefined) return false;
    await worker.terminate();
    return true;
  }

  /**
   * Resolves once every vCPU has entered its first slice (or crashed): the threads are up
   * and running guest code. For tests and start barriers.
   */
  async whenRunning(timeoutMs = 10_000): Promise<void> {
    const until = performance.now() + timeoutMs;
    const started = (v: number) => {
      const s = this.state.status(v);
      return s !== VcpuStatus.Idle || this.state.counters(v).accesses > 0;
    };
    while (!Array.from({ length: this.vcpus }, (_, v) => started(v)).every(Boolean)) {
      if (performance.now() > until) {
        throw AddressSpaceError.invalidArgument(`vCPUs not running after ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  /** Whether `pause()` was called and `resume()` not yet. */
  get paused(): boolean {
    return this.pausedNow;
  }

  /**
   * Pauses the vCPUs (a migration's stop-and-copy, QEMU's `vm_stop`): every vCPU is asked
   * to end its slice, and no new slice starts until `resume()`. Resolves once every vCPU
   * is out of its slice and so offline: from then on no vCPU touches guest memory.
   * Pausing a paused pool just waits for that.
   */
  async pause(): Promise<void> {
    if (!this.pausedNow) {
      this.pausedNow = true;
      this.resumeGate = new Promise((resolve) => {
        this.openGate = resolve;
      });
      for (let v = 0; v < this.vcpus; v++) this.state.requestStop(v);
    }
    while (this.inSlice.some(Boolean)) await new Promise((r) => setTimeout(r, 1));
  }

  /** Lets paused vCPUs run again: each starts a new slice where its workload left off. */
  resume(): void {
    if (!this.pausedNow) return;
    this.pausedNow = false;
    for (let v = 0; v < this.vcpus; v++) this.state.clearStop(v);
    this.openGate();
  }

  /** Asks every vCPU to end its slice and resolves once all slices have returned. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.pausedNow = false;
    this.openGate();
    for (let v = 0; v < this.vcpus; v++) this.state.requestStop(v);
    await Promise.all(this.loops);
    this.loops = [];
  }

  /** Live counters of one vCPU, or the sum over all. */
  counters(vcpu?: number): VcpuCounters {
    return vcpu === undefined ? this.state.totals() : this.state.counters(vcpu);
  }

  status(vcpu: number): VcpuStatus {
    return this.state.status(vcpu);
  }

  /** Drains the translation samples recorded so far (one vCPU, or all in vCPU order). */
  drainSamples(vcpu?: number): TranslationSample[] {
    const out: TranslationSample[] = [];
    const rings = vcpu === undefined ? this.sampleRings : [this.sampleRings[vcpu]!];
    for (const ring of rings) drainTranslationSamples(ring, out);
    return out;
  }

  /** Samples lost because a ring was full. */
  droppedSamples(): number {
    return this.sampleRings.reduce((sum, r) => sum + r.dropped, 0);
  }

  /** Drains MMIO round-trip latencies (microseconds, measured by the vCPU) into `visit`. */
  drainMmioLatencies(visit: (us: number, vcpu: number) => void): number {
    let n = 0;
    this.latencyRings.forEach((ring, vcpu) => {
      n += ring.drain((values, at) => visit(values[at]!, vcpu));
    });
    return n;
  }

  /** Latencies lost because a vCPU's ring was full (drain more often to lose none). */
  droppedMmioLatencies(): number {
    return this.latencyRings.reduce((sum, r) => sum + r.dropped, 0);
  }

  /** Stops the vCPUs, closes the mailboxes and ends every pool thread. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    await this.stop();
    this.destroyed = true;
    await this.mmio.close();
    await this.piscina.destroy();
    for (const reader of this.readerIndices) this.options.publisher?.releaseReader(reader);
  }
}
