/**
 * Workloads: what a vCPU does with guest memory in a slice.
 *
 * An `AccessGenerator`, built inside the worker from a `WorkloadDescription` (plain data,
 * validated by `resolveWorkload`: `workload.ts`, re-exported here), turns it into a
 * deterministic stream of accesses. Kinds:
 *
 * - `seq`: a sequential sweep over the RAM ranges, one access-size step at a time, wrapping.
 * - `random`: uniform over every aligned slot of the RAM ranges.
 * - `hot`: `hotFraction` of the accesses (default 90%) in `hotPages` pages chosen from the
 *   seed, the rest uniform.
 * - `mmio`: the listed MMIO targets (UART registers, virtio doorbells), picked by weight:
 *   accesses that exit to the owner or hit an ioeventfd.
 * - `mixed`: each access picks one of the above by the `mix` weights.
 *
 * Two ways to read the stream, which give the same accesses in the same order:
 * `fill(block, n)` writes the next n accesses into an `AccessBlock` (typed arrays: one
 * address, size, kind, target and value per access), the slice runner's way; `next()`
 * generates one access into the generator's own fields. Neither allocates. The whole
 * mutable state (PRNG words and the sweep cursor) saves into an Int32Array, so a vCPU
 * resumes its stream on whichever pool thread runs its next slice; `rewindTo` steps back
 * into the last block when a slice ended before using all of it. This module never
 * touches memory itself: the slice runner performs the accesses.
 */
import { AddressSpaceError } from '../../base/errors.js';
import { upperBound } from '../../base/search.js';
import { ACCESS_READ, ACCESS_WRITE, type AccessBlock, RAM_ACCESS } from './access-block.js';
import { PRNG_STATE_WORDS, Prng } from './prng.js';
import { fillRam, INT32_ADDRESS_END, type RamStream } from './ram-fill.js';
import {
  type AccessSize,
  alignUp,
  type ResolvedWorkload,
  resolveWorkload,
  type WorkloadDescription,
} from './workload.js';
import {
  createWorkloadStep,
  loadedWorkloadPlugin,
  type WorkloadAccess,
  type WorkloadStep,
} from './workload-plugin.js';

export {
  type AccessSize,
  type MixWeights,
  type MmioTarget,
  type ResolvedWorkload,
  resolveWorkload,
  WORKLOAD_DEFAULTS,
  WORKLOAD_KINDS,
  type WorkloadDescription,
  type WorkloadKind,
} from './workload.js';

const TWO_POW_32 = 2 ** 32;

/** Int32 words `AccessGenerator.save` writes: PRNG state plus the sweep cursor (lo, hi). */
export const GENERATOR_STATE_WORDS = PRNG_STATE_WORDS + 2;

export { ACCESS_READ, ACCESS_WRITE, AccessBlock, RAM_ACCESS } from './access-block.js';

enum Component {
  Seq = 0,
  Random = 1,
  Hot = 2,
  Mmio = 3,
}

/**
 * Produces accesses. After `next()`: `target` is `RAM_ACCESS` or the index of the MMIO
 * target; `gpa`, `size`, `isWrite`; for writes `value` (low 32 bits) and `valueHigh`
 * (high 32 bits of an 8-byte write).
 */
export class AccessGenerator {
  readonly workload: ResolvedWorkload;
  target = RAM_ACCESS;
  gpa = 0;
  size: AccessSize;
  isWrite = false;
  value = 0;
  valueHigh = 0;

  private readonly prng: Prng;
  private readonly ramAccessSize: AccessSize;
  private readonly mixed: boolean;
  private cursor = 0;
  private readonly totalSlots: number;
  private readonly rangeStarts: Float64Array;
  private readonly rangeFirstSlot: Float64Array;
  private readonly hotBase: Float64Array;
  private readonly hotSlots: Float64Array;
  private readonly targetCumulative: Float64Array;
  private readonly targetWeightSum: number;
  private readonly componentCumulative: Float64Array;
  private readonly fixedComponent: Component;
  private readonly writeThreshold: number;
  /** A workload module's step function (then `index` counts its accesses), or undefined. */
  private readonly step: WorkloadStep | undefined;
  private readonly access: WorkloadAccess = { gpa: 0, size: 4, isWrite: false, value: 0 };
  private index = 0;
  private readonly hotFraction: number;
  /** The stream position where the last `fill` began (for `rewindTo`). */
  private readonly blockStart = new Int32Array(GENERATOR_STATE_WORDS);
  private blockFilled = 0;
  /**
   * Set for `seq`, and `random` and `hot` under 2**32 slots: what `openRamRun` lends out;
   * `fill` takes `fillRam` with it (but for `hot`).
   */
  private readonly fastFill: RamStream | undefined;
  /** Whether `fastFill` is lent out (`openRamRun`): the stream position is in it. */
  private ramRunOpen = false;

  constructor(description: WorkloadDescription | ResolvedWorkload) {
    const w = resolveWorkload(description);
    this.workload = w;
    this.size = w.accessSize;
    this.ramAccessSize = w.accessSize;
    this.mixed = w.kind === 'mixed';
    this.prng = new Prng(w.seed);
    this.writeThreshold = 1 - w.readRatio;
    this.hotFraction = w.hotFraction;

    const starts: number[] = [];
    const firsts: number[] = [];
    let total = 0;
    for (const r of w.ram) {
      const start = alignUp(r.base, w.accessSize);
      const end = r.base + r.size;
      if (end <= start || end - start < w.accessSize) continue;
      starts.push(start);
      firsts.push(total);
      total += Math.floor((end - start) / w.accessSize);
    }
    firsts.push(total);
    this.totalSlots = total;
    this.rangeStarts = Float64Array.from(starts);
    this.rangeFirstSlot = Float64Array.from(firsts);

    // Hot pages: picked once from the seed (a separate stream, so the access stream does
    // not depend on how many pages were picked).
    const picker = new Prng(w.seed ^ 0x5bd1e995);
    const slotsPerPage = w.pageSize / w.accessSize;
    const count = total === 0 ? 0 : w.hotPages;
    this.hotBase = new Float64Array(count);
    this.hotSlots = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const slot = picker.below(total);
      const range = this.rangeOf(slot);
      const gpa = this.gpaOf(slot);
      const pageStart = Math.max(Math.floor(gpa / w.pageSize) * w.pageSize, starts[range]!);
      const rangeEndSlot = this.rangeFirstSlot[range + 1]!;
      const firstSlot = slot - (gpa - pageStart) / w.accessSize;
      this.hotBase[i] = pageStart;
      this.hotSlots[i] = Math.min(slotsPerPage, rangeEndSlot - firstSlot);
    }

    this.targetCumulative = new Float64Array(w.mmio.length);
    let sum = 0;
    w.mmio.forEach((t, i) => {
      sum += t.weight ?? 1;
      this.targetCumulative[i] = sum;
    });
    this.targetWeightSum = sum;

    const m = w.mix;
    this.componentCumulative = Float64Array.from([
      m.seq,
      m.seq + m.random,
      m.seq + m.random + m.hot,
      m.seq + m.random + m.hot + m.mmio,
    ]);
    this.fixedComponent =
      w.kind === 'seq'
        ? Component.Seq
        : w.kind === 'random'
          ? Component.Random
          : w.kind === 'hot'
            ? Component.Hot
            : Component.Mmio;
    const plugin = w.plugin;
    this.step =
      plugin === undefined
        ? undefined
        : createWorkloadStep(
            loadedWorkloadPlugin(plugin.url),
            { vcpu: plugin.vcpu, vcpus: plugin.vcpus, seed: w.seed, ram: w.ram, mmio: w.mmio },
            plugin.url,
          );
    // `seq`, and `random` and `hot` whose slot draw is one 32-bit draw (below 2**32 slots).
    const fast =
      plugin === undefined &&
      (w.kind === 'seq' || ((w.kind === 'random' || w.kind === 'hot') && total <= TWO_POW_32));
    const writeBelow = (1 - w.readRatio) * TWO_POW_32;
    let addressEnd = 0;
    for (let i = 0; i < starts.length; i++) {
      const end = starts[i]! + (firsts[i + 1]! - firsts[i]!) * w.accessSize;
      addressEnd = Math.max(addressEnd, end);
    }
    this.fastFill = fast
      ? {
          state: new Int32Array(PRNG_STATE_WORDS),
          sweep: w.kind === 'seq',
          accessSize: w.accessSize,
          writeBelow,
          totalSlots: total,
          rangeStarts: this.rangeStarts,
          rangeFirstSlot: this.rangeFirstSlot,
          cursor: 0,
          range: 0,
          writeLimit: Math.ceil(writeBelow) - 2 ** 31,
          int32Addresses: addressEnd <= INT32_ADDRESS_END,
          hot: w.kind === 'hot',
          hotFraction: w.hotFraction,
          hotBase: this.hotBase,
          hotSlots: this.hotSlots,
        }
      : undefined;
  }

  /**
   * For the RAM workloads of 4-byte accesses (`seq`; `random` and `hot` under 2**32 slots;
   * no workload module) that read at least sometimes (readRatio > 0): lends out the stream
   * position (PRNG words, sweep cursor and its range) so a fused loop can generate the same
   * accesses itself, in the same order; undefined for the others. Until `closeRamRun` the
   * stream lives in the returned object only: call no other method in between.
   */
  openRamRun(): RamStream | undefined {
    const run = this.fastFill;
    // An all-write workload (readRatio 0) has no int32 `writeLimit`: it fills blocks.
    if (
      run === undefined ||
      this.totalSlots === 0 ||
      run.accessSize !== 4 ||
      !(run.writeLimit < 2 ** 31)
    ) {
      return undefined;
    }
    this.prng.save(run.state, 0);
    run.cursor = this.cursor;
    run.range = this.rangeOf(this.cursor);
    this.ramRunOpen = true;
    return run;
  }

  /** Takes the stream position back from the object `openRamRun` lent out. */
  closeRamRun(): void {
    const run = this.fastFill;
    if (run === undefined || !this.ramRunOpen) {
      throw AddressSpaceError.invalidArgument('no RAM run is open on this generator');
    }
    this.prng.restore(run.state, 0);
    this.cursor = run.cursor;
    this.blockFilled = 0;
    this.ramRunOpen = false;
  }

  /** Number of aligned RAM slots the workload covers. */
  get ramSlots(): number {
    return this.totalSlots;
  }

  /**
   * Writes the next `count` accesses of the stream into `block` (count <= its capacity),
   * exactly those `count` calls of `next()` would give, and sets `block.length`.
   */
  fill(block: AccessBlock, count: number): void {
    if (!(count >= 0 && count <= block.capacity)) {
      throw AddressSpaceError.invalidArgument(
        `cannot fill ${count} accesses into a block of ${block.capacity}`,
      );
    }
    this.save(this.blockStart, 0);
    this.blockFilled = count;
    if (this.step !== undefined) {
      // A workload module: its step function makes one access per call.
      block.uniformSize = 0;
      for (let i = 0; i < count; i++) {
        this.next();
        block.gpa[i] = this.gpa;
        block.size[i] = this.size;
        block.kind[i] = this.isWrite ? ACCESS_WRITE : ACCESS_READ;
        block.target[i] = this.target;
        block.value[i] = this.value;
        block.valueHigh[i] = this.valueHigh;
      }
      block.length = count;
      return;
    }
    if (this.fastFill !== undefined && !this.fastFill.hot) {
      const input = this.fastFill;
      this.prng.save(input.state, 0);
      const range = this.rangeOf(this.cursor);
      this.cursor = fillRam(input, block, count, this.cursor, range);
      this.prng.restore(input.state, 0);
      return;
    }
    block.uniformSize = 0;
    const { gpa: gpas, size: sizes, kind: kinds, target: targets, value: values } = block;
    const highs = block.valueHigh;
    const prng = this.prng;
    const ramSize = this.ramAccessSize;
    const wide = ramSize === 8;
    const writeThreshold = this.writeThreshold;
    const hotFraction = this.hotFraction;
    const total = this.totalSlots;
    const starts = this.rangeStarts;
    const firsts = this.rangeFirstSlot;
    const oneRange = starts.length === 1;
    const firstStart = oneRange ? starts[0]! : 0;
    const mixed = this.mixed;
    const cum = this.componentCumulative;
    const fixed = this.fixedComponent;
    // The sweep walks its range incrementally: no range search per access.
    let cursor = this.cursor;
    let range = total === 0 ? 0 : this.rangeOf(cursor);
    let rangeEnd = total === 0 ? 0 : firsts[range + 1]!;
    let seqGpa = total === 0 ? 0 : starts[range]! + (cursor - firsts[range]!) * ramSize;
    for (let i = 0; i < count; i++) {
      let c = fixed;
      if (mixed) {
        const r = prng.nextFloat() * cum[3]!;
        if (r < cum[0]!) c = Component.Seq;
        else if (r < cum[1]!) c = Component.Random;
        else if (r < cum[2]!) c = Component.Hot;
        else c = Component.Mmio;
      }
      if (c === Component.Mmio) {
        const t = this.pickMmio();
        const target = this.workload.mmio[t]!;
        gpas[i] = target.gpa;
        sizes[i] = target.size;
        kinds[i] = target.isWrite ? ACCESS_WRITE : ACCESS_READ;
        targets[i] = t;
        values[i] = target.value ?? 0;
        highs[i] = 0;
        continue;
      }
      let gpa: number;
      if (c === Component.Seq) {
        gpa = seqGpa;
        cursor++;
        seqGpa += ramSize;
        if (cursor === rangeEnd) {
          if (cursor === total) {
            cursor = 0;
            range = 0;
          } else {
            range++;
          }
          rangeEnd = firsts[range + 1]!;
          seqGpa = starts[range]!;
        }
      } else if (c === Component.Random || prng.nextFloat() >= hotFraction) {
        const slot = prng.below(total);
        gpa = oneRange ? firstStart + slot * ramSize : this.gpaOf(slot);
      } else {
        const page = prng.below(this.hotBase.length);
        gpa = this.hotBase[page]! + prng.below(this.hotSlots[page]!) * ramSize;
      }
      gpas[i] = gpa;
      sizes[i] = ramSize;
      targets[i] = RAM_ACCESS;
      if (prng.nextFloat() < writeThreshold) {
        kinds[i] = ACCESS_WRITE;
        values[i] = prng.nextUint32();
        highs[i] = wide ? prng.nextUint32() : 0;
      } else {
        kinds[i] = ACCESS_READ;
        values[i] = 0;
        highs[i] = 0;
      }
    }
    this.cursor = cursor;
    block.length = count;
  }

  /**
   * Sets the stream position to just after the first `used` accesses of the last `fill`
   * (a slice that stopped part way through its block saves this position, so the accesses
   * it did not perform come first in the next slice).
   */
  rewindTo(used: number): void {
    if (!(used >= 0 && used <= this.blockFilled)) {
      throw AddressSpaceError.invalidArgument(
        `cannot rewind to access ${used} of a block of ${this.blockFilled}`,
      );
    }
    if (used === this.blockFilled) return;
    this.restore(this.blockStart, 0);
    for (let i = 0; i < used; i++) this.next();
    this.blockFilled = used;
  }

  /** Generates the next access into the fields. */
  next(): void {
    if (this.step !== undefined) {
      const a = this.access;
      this.step(this.index++, a);
      this.target = RAM_ACCESS;
      this.gpa = a.gpa;
      this.size = a.size;
      this.isWrite = a.isWrite;
      this.value = a.value >>> 0;
      this.valueHigh = this.value;
      return;
    }
    let c = this.fixedComponent;
    if (this.mixed) {
      const cum = this.componentCumulative;
      const r = this.prng.nextFloat() * cum[3]!;
      if (r < cum[0]!) c = Component.Seq;
      else if (r < cum[1]!) c = Component.Random;
      else if (r < cum[2]!) c = Component.Hot;
      else c = Component.Mmio;
    }
    if (c === Component.Mmio) {
      this.nextMmio();
      return;
    }
    let slot: number;
    if (c === Component.Seq) {
      slot = this.cursor;
      this.cursor = slot + 1 === this.totalSlots ? 0 : slot + 1;
    } else if (c === Component.Random || this.prng.nextFloat() >= this.workload.hotFraction) {
      slot = this.prng.below(this.totalSlots);
    } else {
      const page = this.prng.below(this.hotBase.length);
      this.target = RAM_ACCESS;
      this.gpa = this.hotBase[page]! + this.prng.below(this.hotSlots[page]!) * this.ramAccessSize;
      this.nextDirection();
      return;
    }
    this.target = RAM_ACCESS;
    this.gpa = this.gpaOf(slot);
    this.nextDirection();
  }

  private nextDirection(): void {
    this.size = this.ramAccessSize;
    this.isWrite = this.prng.nextFloat() < this.writeThreshold;
    if (this.isWrite) {
      this.value = this.prng.nextUint32();
      this.valueHigh = this.size === 8 ? this.prng.nextUint32() : 0;
    }
  }

  /** Draws an MMIO target's index by weight. */
  private pickMmio(): number {
    const r = this.prng.nextFloat() * this.targetWeightSum;
    const cum = this.targetCumulative;
    let i = 0;
    while (i < cum.length - 1 && r >= cum[i]!) i++;
    return i;
  }

  private nextMmio(): void {
    const i = this.pickMmio();
    const t = this.workload.mmio[i]!;
    this.target = i;
    this.gpa = t.gpa;
    this.size = t.size;
    this.isWrite = t.isWrite;
    this.value = t.value ?? 0;
    this.valueHigh = 0;
  }

  /** The RAM range holding `slot`: the last one whose first slot is <= `slot` (0 when none). */
  private rangeOf(slot: number): number {
    const firsts = this.rangeFirstSlot;
    // `firsts` ends with the total: search the range starts only.
    return Math.max(0, upperBound(firsts, slot, 0, firsts.length - 1) - 1);
  }

  private gpaOf(slot: number): number {
    const range = this.rangeOf(slot);
    return this.rangeStarts[range]! + (slot - this.rangeFirstSlot[range]!) * this.ramAccessSize;
  }

  /** Goes back to the start of the stream (as just built from the seed). */
  reset(): void {
    this.prng.reseed(this.workload.seed);
    this.cursor = 0;
    this.index = 0;
    this.blockFilled = 0;
    this.ramRunOpen = false;
  }

  /** Saves the stream position (GENERATOR_STATE_WORDS words at `at`). */
  save(into: Int32Array, at: number): void {
    this.prng.save(into, at);
    // A module's stream position is its access index; the built-ins' is the sweep cursor.
    const position = this.step === undefined ? this.cursor : this.index;
    into[at + PRNG_STATE_WORDS] = (position % TWO_POW_32) | 0;
    into[at + PRNG_STATE_WORDS + 1] = Math.floor(position / TWO_POW_32);
  }

  /** Resumes a stream saved by `save`. */
  restore(from: Int32Array, at: number): void {
    this.prng.restore(from, at);
    const lo = from[at + PRNG_STATE_WORDS]! >>> 0;
    const hi = from[at + PRNG_STATE_WORDS + 1]! >>> 0;
    const cursor = hi * TWO_POW_32 + lo;
    if (this.step !== undefined) this.index = cursor;
    else this.cursor = cursor < this.totalSlots ? cursor : 0;
    this.blockFilled = 0;
    this.ramRunOpen = false;
  }
}
