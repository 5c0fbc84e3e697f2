/**
 * The age check of a view table (SPEC 8; rcutorture's check that a reader's element was
 * not freed during its read-side critical section): the owner stamps a view table it
 * reclaims (gives back to its pool for the next publish) with an epoch no publish uses,
 * and a reader, at the end of each use of its adopted table inside an access, checks that
 * the table still carries the epoch it adopted. A strategy whose grace periods are right
 * never reclaims a table a reader is inside an access on, so the check never fires; one
 * that reclaims too early (`none`) is caught using a reclaimed table, whether or not the
 * next publish has rewritten it yet.
 *
 * This module only names the stamp; the owner's publisher writes it, the reader
 * (verified-access.ts) compares it.
 */
import { kTableEpoch } from './layout.js';

/** The epoch word of a reclaimed table: published epochs start at 1. */
export const RECLAIMED_TABLE_EPOCH = 0;

/** Stamps a table the owner has reclaimed (before anything reuses it). */
export function stampReclaimedTable(header: Int32Array): void {
  header[kTableEpoch] = RECLAIMED_TABLE_EPOCH;
}
