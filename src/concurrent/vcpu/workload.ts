/**
 * Workload descriptions: the plain data that tells a vCPU what to do with guest memory
 * (kind, seed, the RAM ranges and MMIO targets it may touch, read/write ratio, access
 * size), with its defaults and its one validating function.
 *
 * A description travels in every slice task, so it holds numbers and strings only.
 * `resolveWorkload` names the bad field in every message and fills the defaults. This
 * module never generates accesses (`access-pattern.ts` does).
 */
import type { AddressRange } from '../../base/address.js';
import { checkedAdd } from '../../base/address.js';
import { AddressSpaceError } from '../../base/errors.js';

/**
 * A built-in workload (exported as `Workload`): `seq` (a sequential RAM sweep), `random`
 * (uniform over RAM), `hot` (90% of accesses in a few hot pages), `mmio` (device
 * registers: exits and ioeventfds) or `mixed` (all of them by weight). Workloads from user
 * code are `WorkloadDefinition`s.
 */
export type WorkloadKind = 'seq' | 'random' | 'hot' | 'mmio' | 'mixed';
/** The built-in workloads, as `--workload` accepts them (exported as `WORKLOADS`). */
export const WORKLOAD_KINDS: readonly WorkloadKind[] = ['seq', 'random', 'hot', 'mmio', 'mixed'];

export type AccessSize = 1 | 2 | 4 | 8;

/** One device register a workload touches. `value` is what a write stores (size <= 4: a uint32). */
export interface MmioTarget {
  readonly name?: string;
  readonly gpa: number;
  readonly size: AccessSize;
  readonly isWrite: boolean;
  readonly value?: number;
  /** Relative frequency among the targets (default 1). */
  readonly weight?: number;
}

export interface MixWeights {
  readonly seq?: number;
  readonly random?: number;
  readonly hot?: number;
  readonly mmio?: number;
}

/** Plain data: travels in the slice task. */
export interface WorkloadDescription {
  readonly kind: WorkloadKind;
  readonly seed: number;
  /** Guest-physical ranges that hold RAM the workload may touch. */
  readonly ram?: readonly AddressRange[];
  readonly mmio?: readonly MmioTarget[];
  /** Fraction of RAM accesses that are reads (default 0.75). */
  readonly readRatio?: number;
  /** Bytes per RAM access, accesses aligned to it (default 4). */
  readonly accessSize?: AccessSize;
  readonly hotPages?: number;
  readonly hotFraction?: number;
  readonly pageSize?: number;
  /** Weights of `mixed` (default seq 3, random 3, hot 3, mmio 1 when targets exist). */
  readonly mix?: MixWeights;
  /**
   * A workload module (SPEC 9 `--workload ./file.js`): its `file:` URL and which vCPU of
   * how many this is. Its step function makes the accesses; `kind` and the mix are unused.
   */
  readonly plugin?: WorkloadPluginRef;
}

/** Which workload module drives a vCPU (plain data: it travels in the slice task). */
export interface WorkloadPluginRef {
  readonly url: string;
  readonly vcpu: number;
  readonly vcpus: number;
}

export interface ResolvedWorkload {
  readonly kind: WorkloadKind;
  readonly seed: number;
  readonly ram: readonly AddressRange[];
  readonly mmio: readonly MmioTarget[];
  readonly readRatio: number;
  readonly accessSize: AccessSize;
  readonly hotPages: number;
  readonly hotFraction: number;
  readonly pageSize: number;
  readonly mix: Required<MixWeights>;
  readonly plugin: WorkloadPluginRef | undefined;
}

export const WORKLOAD_DEFAULTS = {
  readRatio: 0.75,
  accessSize: 4 as AccessSize,
  hotPages: 16,
  hotFraction: 0.9,
  pageSize: 4096,
  mix: { seq: 3, random: 3, hot: 3, mmio: 1 },
} as const;

const ACCESS_SIZES: readonly number[] = [1, 2, 4, 8];
const TWO_POW_32 = 2 ** 32;

function bad(path: string, problem: string): AddressSpaceError {
  return AddressSpaceError.invalidArgument(`${path}: ${problem}`);
}

function isNonNegativeInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function fraction(v: unknown, path: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw bad(path, 'must be a number in [0, 1]');
  return v;
}

function weight(v: unknown, path: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw bad(path, 'must be a finite number >= 0');
  }
  return v;
}

function accessSize(v: unknown, path: string, fallback: AccessSize): AccessSize {
  if (v === undefined) return fallback;
  if (!ACCESS_SIZES.includes(v as number)) throw bad(path, 'must be 1, 2, 4 or 8');
  return v as AccessSize;
}

/** Validates a description (every message names the field) and fills the defaults. */
export function resolveWorkload(d: WorkloadDescription, path = 'workload'): ResolvedWorkload {
  if (typeof d !== 'object' || d === null) throw bad(path, 'must be an object');
  if (!WORKLOAD_KINDS.includes(d.kind)) {
    throw bad(`${path}.kind`, `must be one of ${WORKLOAD_KINDS.join(', ')}`);
  }
  if (typeof d.seed !== 'number' || !Number.isSafeInteger(d.seed)) {
    throw bad(`${path}.seed`, 'must be an integer');
  }
  const ram = (d.ram ?? []).map((r, i) => {
    const p = `${path}.ram[${i}]`;
    if (typeof r !== 'object' || r === null) throw bad(p, 'must be an object {base, size}');
    if (!isNonNegativeInteger(r.base)) throw bad(`${p}.base`, 'must be a non-negative integer');
    if (!isNonNegativeInteger(r.size) || r.size === 0) {
      throw bad(`${p}.size`, 'must be a positive integer');
    }
    if (checkedAdd(r.base, r.size) === undefined) throw bad(`${p}.size`, 'range passes 2**53');
    return { base: r.base, size: r.size };
  });
  const mmio = (d.mmio ?? []).map((t, i) => {
    const p = `${path}.mmio[${i}]`;
    if (typeof t !== 'object' || t === null) throw bad(p, 'must be an object');
    if (!isNonNegativeInteger(t.gpa)) throw bad(`${p}.gpa`, 'must be a non-negative integer');
    const size = accessSize(t.size, `${p}.size`, 4);
    if (typeof t.isWrite !== 'boolean') throw bad(`${p}.isWrite`, 'must be a boolean');
    if (t.value !== undefined && !(isNonNegativeInteger(t.value) && t.value < TWO_POW_32)) {
      throw bad(`${p}.value`, 'must be an integer in [0, 2**32)');
    }
    const target: MmioTarget = {
      gpa: t.gpa,
      size,
      isWrite: t.isWrite,
      value: t.value ?? 0,
      weight: weight(t.weight, `${p}.weight`, 1),
      ...(t.name === undefined ? {} : { name: String(t.name) }),
    };
    return target;
  });
  const size = accessSize(d.accessSize, `${path}.accessSize`, WORKLOAD_DEFAULTS.accessSize);
  const pageSize = d.pageSize ?? WORKLOAD_DEFAULTS.pageSize;
  if (!isNonNegativeInteger(pageSize) || pageSize < size || pageSize % size !== 0) {
    throw bad(`${path}.pageSize`, 'must be a positive multiple of accessSize');
  }
  const hotPages = d.hotPages ?? WORKLOAD_DEFAULTS.hotPages;
  if (!isNonNegativeInteger(hotPages) || hotPages === 0 || hotPages > 65536) {
    throw bad(`${path}.hotPages`, 'must be an integer in [1, 65536]');
  }
  const defaults = WORKLOAD_DEFAULTS.mix;
  const mix = {
    seq: weight(d.mix?.seq, `${path}.mix.seq`, defaults.seq),
    random: weight(d.mix?.random, `${path}.mix.random`, defaults.random),
    hot: weight(d.mix?.hot, `${path}.mix.hot`, defaults.hot),
    mmio: weight(d.mix?.mmio, `${path}.mix.mmio`, mmio.length > 0 ? defaults.mmio : 0),
  };
  const resolved: ResolvedWorkload = {
    kind: d.kind,
    seed: d.seed,
    ram,
    mmio,
    readRatio: fraction(d.readRatio, `${path}.readRatio`, WORKLOAD_DEFAULTS.readRatio),
    accessSize: size,
    hotPages,
    hotFraction: fraction(d.hotFraction, `${path}.hotFraction`, WORKLOAD_DEFAULTS.hotFraction),
    pageSize,
    mix,
    plugin: pluginRef(d.plugin, `${path}.plugin`),
  };
  if (resolved.plugin !== undefined) return resolved; // the module decides what it touches
  const needsRam = d.kind === 'mixed' ? mix.seq + mix.random + mix.hot > 0 : d.kind !== 'mmio';
  const needsMmio = d.kind === 'mixed' ? mix.mmio > 0 : d.kind === 'mmio';
  if (needsRam && ramSlots(resolved) === 0) {
    throw bad(`${path}.ram`, `must hold at least one aligned ${size}-byte slot`);
  }
  if (needsMmio && mmio.reduce((sum, t) => sum + (t.weight ?? 1), 0) <= 0) {
    throw bad(`${path}.mmio`, 'must list at least one target with a positive weight');
  }
  if (d.kind === 'mixed' && mix.seq + mix.random + mix.hot + mix.mmio <= 0) {
    throw bad(`${path}.mix`, 'must have a positive weight');
  }
  return resolved;
}

function pluginRef(v: unknown, path: string): WorkloadPluginRef | undefined {
  if (v === undefined) return undefined;
  const r = v as Partial<WorkloadPluginRef> | null;
  if (typeof r !== 'object' || r === null || typeof r.url !== 'string' || r.url === '') {
    throw bad(path, 'must be { url, vcpu, vcpus } with the module URL');
  }
  if (!isNonNegativeInteger(r.vcpus) || r.vcpus === 0)
    throw bad(`${path}.vcpus`, 'must be a positive integer');
  if (!isNonNegativeInteger(r.vcpu) || r.vcpu >= r.vcpus) {
    throw bad(`${path}.vcpu`, 'must be an integer in [0, vcpus)');
  }
  return { url: r.url, vcpu: r.vcpu, vcpus: r.vcpus };
}

/** `v` rounded up to a multiple of `a`. */
export function alignUp(v: number, a: number): number {
  return Math.ceil(v / a) * a;
}

/** Aligned `accessSize` slots in the RAM ranges. */
export function ramSlots(w: ResolvedWorkload): number {
  let total = 0;
  for (const r of w.ram) {
    const start = alignUp(r.base, w.accessSize);
    const end = r.base + r.size;
    if (end > start) total += Math.floor((end - start) / w.accessSize);
  }
  return total;
}
