/**
 * A vCPU's RAM access in self-checking mode (`--verify all`, SPEC 11): the access the
 * workload generated, varied in size (1, 2, 4, 8 bytes) and alignment (0 to 7 bytes past
 * the generated address, so some accesses cross words and, at the end of a range, run
 * into the adjacent one), performed through the reader's `verifiedAccess`, which checks
 * the words it touched against the translation that served it (reader/memory-tags.ts).
 *
 * A violation is pushed to the vCPU's sample ring as a `Tag` sample for the owner's
 * checker (or counted as dropped when the ring is full); the access itself has happened.
 * Device-register accesses go the same way, unvaried: the reader makes the ordinary access
 * (exit, doorbell) inside the same critical section when the address is not memory. A RAM
 * access that is not memory reads the ordinary way, but its write is refused with
 * `RegionType` (counted as a fault): its random data never reaches a device (the flash
 * below a switched-off PAM window would take it as commands). A
 * reader without a verified path leaves every access to the caller (unverified).
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
   * Performs the generated access (`generatedGpa`, `generatedSize` bytes, `value` and
   * `valueHigh` for a write, from the slice's access block) through the verified path (an
   * access that is not memory is made the ordinary way there); false when the reader has
   * no verified path and the caller must make it. Throws what the access throws.
   */
  access(
    memory: SharedViewReader | RawGuestMemory,
    generatedGpa: number,
    generatedSize: number,
    isWrite: boolean,
    value: number,
    valueHigh: number,
    samples: SampleRing,
    ram: boolean,
  ): boolean {
    const reader = memory as SharedViewReader;
    if (reader.verifiedAccess === undefined) return false;
    const k = this.turn++;
    // A device register is accessed exactly as generated; RAM at every size and alignment.
    const size = ram ? 1 << (k & 3) : generatedSize;
    const gpa = ram ? generatedGpa + ((k >>> 2) & 7) : generatedGpa;
    if (isWrite) this.verifier.setFallback(value, valueHigh);
    this.verifier.deviceWrites = !ram;
    const result = reader.verifiedAccess(gpa, size, isWrite, this.verifier);
    // Not memory: the reader made the ordinary access (exit, doorbell, typed error).
    if (result === Verified.NotMemory) return true;
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
