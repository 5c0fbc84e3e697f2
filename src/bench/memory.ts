/**
 * Resident memory against touched guest memory: a large guest made of `HostMemMapping`s
 * (SharedArrayBuffers of at most 4 GiB, committed lazily by the OS) is created, then
 * pages spread evenly over all of it are written, and the growth of the process's
 * resident set is compared with the bytes touched (SPEC 2: a 16 GiB guest that touched
 * 100 MiB costs about 100 MiB).
 *
 * It measures the process as a whole (`process.memoryUsage().rss`), so other allocations
 * in the same moment count too; the guests are released before it returns.
 */
import { PAGE_SIZE } from '../base/constants.js';
import { HostMemMapping } from '../host/mapping.js';
import { MAX_MAPPING_SIZE } from '../host/window.js';
import type { BenchMemoryRow } from './report-types.js';
import { significant } from './timing.js';

export interface MemoryPlan {
  readonly guestBytes: number;
  /** One row per amount of touched memory. */
  readonly touchedBytes: readonly number[];
}

export function measureMemory(plan: MemoryPlan): BenchMemoryRow[] {
  return plan.touchedBytes.map((touched) => measureOne(plan.guestBytes, touched));
}

function measureOne(guestBytes: number, touchedBytes: number): BenchMemoryRow {
  const before = process.memoryUsage().rss;
  const mappings: HostMemMapping[] = [];
  try {
    for (let left = guestBytes; left > 0; left -= MAX_MAPPING_SIZE) {
      const size = Math.min(left, MAX_MAPPING_SIZE);
      mappings.push(HostMemMapping.create({ size, name: `bench-guest${mappings.length}` }));
    }
    // Touch `touchedBytes / PAGE_SIZE` pages at an even stride over the whole guest.
    const pages = Math.floor(touchedBytes / PAGE_SIZE);
    const totalPages = Math.floor(guestBytes / PAGE_SIZE);
    const stride = Math.max(1, Math.floor(totalPages / pages));
    for (let k = 0; k < pages; k++) {
      const page = k * stride;
      const offset = page * PAGE_SIZE;
      const mapping = mappings[Math.floor(offset / MAX_MAPPING_SIZE)]!;
      mapping.bytes[offset % MAX_MAPPING_SIZE] = 1;
    }
    const resident = Math.max(0, process.memoryUsage().rss - before);
    return {
      guestBytes,
      touchedBytes: pages * PAGE_SIZE,
      residentBytes: resident,
      residentPerTouched: significant(resident / (pages * PAGE_SIZE)),
    };
  } finally {
    for (const m of mappings) m.release();
  }
}
