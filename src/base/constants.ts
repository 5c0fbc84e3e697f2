/**
 * Facts that several layers rely on, written once.
 *
 * Only numbers that are the same for every user live here (the page that dirty logging,
 * workloads and first-touch loops step by; the cache line that padded shared-memory slots
 * align to). A layout's own offsets stay with its layout (`concurrent/reader/layout.ts`).
 */

/** The guest page: 4 KiB, as on x86 and as QEMU's and KVM's dirty bitmaps count. */
export const PAGE_SIZE = 4096;

/** log2(PAGE_SIZE), for page-index arithmetic. */
export const PAGE_SHIFT = 12;

/**
 * The span that shared-memory slots written by different threads are padded to, so two
 * writers never share a line. 128 bytes: x86's adjacent-line prefetcher pulls lines in
 * pairs, and Apple M-series lines are 128 bytes; 64 would still false-share there.
 */
export const CACHE_LINE = 128;
