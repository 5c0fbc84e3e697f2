/**
 * A vCPU's RAM access in self-checking mode (`--verify all`, SPEC 11): the access the
 * workload generated, varied in size (1, 2, 4, 8 bytes) and alignment (0 to 7 bytes past
 * the generated address, so some accesses cross words and, at the end of a range, run
 * into the adjacent one), performed through the reader's `verifiedAccess`, which checks
 * the words it touched against the translation that served it (reader/memory-tags.ts).
 *
 * A violation is pushed to the vCPU's sample ring as a `Tag` sample for the owner's
 * checker (or counted as dropped when the ring is full); the access itself has happened.
 * An address that is not memory for the access, or a reader without a verified path,
 * leaves the access to the caller's ordinary path (unverified).
 *
 * One instance per pool thread and vCPU; nothing here allocates per access.
 */
import { TagVerifier, Verified } from '../reader/memory-tags.js';
import type { SharedViewReader } from '../reader/reader-api.js';
import type { RawGuestMemory } from './raw-memory.js';
import { pushTagSample, pushTranslationSample, SampleKind, type SampleRing } from './sampler.js';
import type { VcpuSliceTask } from './vcpu-protocol.js';

/**
 * One RAM access in this many reports the translation that served it (a `Served` sample,
 * checked by the owner against its history of views); an access to a device register
 * that memory served (a ROM device in romd mode) always does.
 */
export const SERVED_EVERY = 64;

export class VerifiedVcpu {
  readonly verifier: TagVerifier;
  /** This slice's counts. */
  verified = 0;
  unverified = 0;
  violations = 0;
  private turn = 0;

  constructor(vcpu: number) {
    this.verifier = new TagVerifier(vcpu);
  }

  /** A slice starts: zero the counts, forget the shadow of own writes. */
  startSlice(): void {
    this.verified = 0;
    this.unverified = 0;
    this.violations = 0;
    this.verifier.resetShadow();
  }

  /**
   * Performs the generated access (`generatedGpa`, `generatedSize` bytes, from the
   * slice's access block) verified; false when the caller must make it the
   * ordinary way (not memory here, or no verified path). Throws what the access throws.
   */
  access(
    memory: SharedViewReader | RawGuestMemory,
    generatedGpa: number,
    generatedSize: number,
    isWrite: boolean,
    samples: SampleRing,
    ram: boolean,
  ): boolean {
    const reader = memory as SharedViewReader;
    if (reader.verifiedAccess === undefined) return false;
    const k = this.turn++;
    // A device register is accessed exactly as generated; RAM at every size and alignment.
    const size = ram ? 1 << (k & 3) : generatedSize;
    const gpa = ram ? generatedGpa + ((k >>> 2) & 7) : generatedGpa;
    const result = reader.verifiedAccess(gpa, size, isWrite, this.verifier);
    if (result === Verified.NotMemory) return false;
    if (!ram || k % SERVED_EVERY === 0) {
      const v = this.verifier;
      pushTranslationSample(
        samples,
        reader.generation,
        gpa,
        v.servedRegion,
        v.servedHost,
        SampleKind.Served,
      );
    }
    if (!ram) return true;
    switch (result) {
      case Verified.Ok:
        this.verified++;
        return true;
      case Verified.Unverified:
        this.unverified++;
        return true;
      default: {
        this.violations++;
        const v = this.verifier;
        pushTagSample(
          samples,
          reader.generation,
          gpa,
          v.lastRegionId,
          v.lastFault,
          v.lastOffset,
          v.lastLow,
          v.lastHigh,
        );
        return true;
      }
    }
  }
}

const perVcpu = new Map<string, VerifiedVcpu>();

/** This thread's verified-access state of the task's vCPU (kept across its slices here). */
export function verifiedVcpuFor(task: VcpuSliceTask): VerifiedVcpu {
  const key = `${task.poolId}/${task.vcpu}`;
  let v = perVcpu.get(key);
  if (v === undefined) {
    v = new VerifiedVcpu(task.vcpu);
    perVcpu.set(key, v);
  }
  return v;
}
