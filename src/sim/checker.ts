/**
 * The invariant checker of a simulation run (on by default): it validates what readers
 * observed against what the owner published, and keeps the count and the first few
 * violations with full detail for the report.
 *
 * - Translations: every sampled access names the generation its reader had adopted, the
 *   region and the host address it resolved to; the owner's generation history says
 *   what that generation maps the address to. A mismatch is a `translation` violation,
 *   or `mixed-generation` (a torn view) when another recent generation explains it.
 * - Poison: a reader that read the poison word through a view it believed current read
 *   memory reclaimed under it (SPEC 8): a `poison` violation, always.
 * - Other observers (the device backend's DMA, the end-of-run completion records) report
 *   their findings with `record`.
 *
 * The checker runs on the owner thread, between turns of the run loop. It never stops a
 * run and never touches guest memory; samples whose generation has left the history
 * window are counted as `unverified`, not guessed at.
 */

import { hex } from '../base/errors.js';
import type { ExpectedTranslation, ViewHistory } from '../concurrent/publication/history.js';
import { TAG_FAULT_NAMES } from '../concurrent/reader/memory-tags.js';
import { POISON_U32 } from '../concurrent/reader/poison.js';
import { SampleKind, type TranslationSample } from '../concurrent/vcpu/sampler.js';
import type { RunReport, Violation, ViolationKind } from './report-types.js';

/** Violations kept with full detail. */
export const KEPT_VIOLATIONS = 10;
/** Generations kept in the history behind the newest one. */
export const HISTORY_WINDOW = 4096;
/** How far from a sample's generation a torn-view explanation is looked for. */
const TORN_SEARCH = 64;
/** Violations for which the whole history window is searched for an explanation. */
const WIDE_SEARCHES = 100;

export interface CheckerOptions {
  readonly enabled: boolean;
  /** The publisher's history (`undefined` disables translation checks). */
  readonly history: ViewHistory | undefined;
  /** Names a region id for the report text (`ram-below-4g`). */
  readonly regionName?: (id: number) => string | undefined;
  readonly keep?: number;
}

const TAG_DETAIL: Record<(typeof TAG_FAULT_NAMES)[number], string> = {
  none: 'an unexplained tag fault',
  poison: 'memory was reclaimed while the translation that served the access still mapped it',
  'wrong-mapping': 'the translation led into memory that belongs to another region now',
  'wrong-offset': 'the translation led to another word of the region',
  torn: 'the word mixes halves of two region incarnations (a write through a stale translation)',
  'lost-write': 'an older write of this vCPU stands where its newer write should be',
};

function wordText(low: number, high: number): string {
  return `the word lo ${hex(low)} hi ${hex(high)}`;
}

export class Checker {
  readonly enabled: boolean;
  /** Observations verified (translation samples, DMA requests, completion records). */
  samples = 0;
  /** Samples naming a generation no longer (or not yet) in the history. */
  unverified = 0;
  violations = 0;
  readonly byKind: Partial<Record<ViolationKind, number>> = {};
  private readonly first: Violation[] = [];
  private readonly keep: number;
  private readonly history: ViewHistory | undefined;
  private readonly regionName: (id: number) => string | undefined;
  private newest = 0;
  private wideSearches = 0;

  constructor(options: CheckerOptions) {
    this.enabled = options.enabled;
    this.history = options.history;
    this.keep = options.keep ?? KEPT_VIOLATIONS;
    this.regionName = options.regionName ?? (() => undefined);
  }

  /** Checks one translation sample taken by vCPU `vcpu` (-1: another reader) at `t` s. */
  checkSample(sample: TranslationSample, vcpu: number, t: number): void {
    if (!this.enabled) return;
    this.samples++;
    if (sample.kind === SampleKind.Tag) {
      this.recordTag(sample, vcpu, t);
      return;
    }
    if (sample.kind === SampleKind.ReclaimedTable) {
      this.recordReclaimedTable(sample, vcpu, t);
      return;
    }
    if (sample.kind === SampleKind.Poison) {
      this.record({
        kind: 'poison',
        vcpu,
        generation: sample.generation,
        gpa: sample.gpa,
        expected: 'live guest memory',
        actual: `poison ${hex(POISON_U32)}`,
        detail: `read the poison word at ${hex(sample.gpa)} through generation ${sample.generation}: memory was reclaimed while that view still mapped it`,
        t,
      });
      if (sample.regionId === -1 && sample.hostAddress === -1) return;
    }
    const history = this.history;
    if (history === undefined || !history.has(sample.generation)) {
      this.unverified++;
      return;
    }
    if (sample.kind === SampleKind.Served && !history.readsMemory(sample.generation, sample.gpa)) {
      this.record({
        kind: 'translation',
        vcpu,
        generation: sample.generation,
        gpa: sample.gpa,
        expected: `no memory for a read (${this.describe(history.expected(sample.generation, sample.gpa))})`,
        actual: this.describe({ regionId: sample.regionId, hostAddress: sample.hostAddress }),
        detail: `an access at ${hex(sample.gpa)} was served by memory through generation ${sample.generation}, which maps no memory there (IO, or a ROM device with romd off): a translation cached from an older view`,
        t,
      });
      return;
    }
    if (history.matches(sample)) return;
    const expected = history.expected(sample.generation, sample.gpa);
    const torn = this.otherGenerationExplaining(sample);
    this.record({
      kind: torn === undefined ? 'translation' : 'mixed-generation',
      vcpu,
      generation: sample.generation,
      gpa: sample.gpa,
      expected: this.describe(expected),
      actual: this.describe(
        sample.regionId === -1
          ? undefined
          : { regionId: sample.regionId, hostAddress: sample.hostAddress },
      ),
      detail:
        torn === undefined
          ? `${hex(sample.gpa)} resolved to a translation that generation ${sample.generation} never published`
          : `${hex(sample.gpa)} resolved as generation ${torn} maps it while the reader held generation ${sample.generation} (a torn view)`,
      t,
    });
  }

  /**
   * A verified access's word contradicted the translation that served it (the vCPU
   * checked it against its own translation; reader/memory-tags.ts explains the kinds).
   */
  private recordTag(sample: TranslationSample, vcpu: number, t: number): void {
    const tag = sample.tag;
    const kind = TAG_FAULT_NAMES[tag?.fault ?? 0] ?? 'none';
    const word = tag === undefined ? 'an unknown word' : wordText(tag.low, tag.high);
    const where = tag === undefined ? '' : ` (word at offset ${hex(tag.offset)} of its mapping)`;
    const region = this.describe({ regionId: sample.regionId, hostAddress: -1 });
    this.record({
      kind: kind === 'none' ? 'torn' : kind,
      vcpu,
      generation: sample.generation,
      gpa: sample.gpa,
      expected: `a word tagged for ${region.replace(', no host memory', '')}`,
      actual: word,
      detail: `a verified access at ${hex(sample.gpa)} through generation ${sample.generation} found ${word}${where}: ${TAG_DETAIL[kind]}`,
      t,
    });
  }

  /**
   * Accesses used a view table after the owner reclaimed it (reader/table-age.ts): the
   * sample names the last one; `regionId` carries the table's epoch word as found, and
   * `hostAddress` how many accesses of the batch did so.
   */
  private recordReclaimedTable(sample: TranslationSample, vcpu: number, t: number): void {
    const found = sample.regionId;
    const count = sample.hostAddress;
    this.record({
      kind: 'reclaimed-table',
      vcpu,
      generation: sample.generation,
      gpa: sample.gpa,
      expected: `the table of generation ${sample.generation}, live until the access ended`,
      actual: found === 0 ? 'a table stamped reclaimed' : `a table rewritten for epoch ${found}`,
      detail: `an access at ${hex(sample.gpa)} looked up in the view table of generation ${sample.generation} after the owner reclaimed it (${count} access${count === 1 ? '' : 'es'} of the batch): a use after free, which a grace period prevents`,
      t,
    });
  }

  /** Counts observations made elsewhere that held (DMA requests read intact, ...). */
  countSamples(count = 1): void {
    if (this.enabled && count > 0) this.samples += count;
  }

  /** Records a violation found anywhere; keeps the first `keep` in full. */
  record(violation: Violation): void {
    if (!this.enabled) return;
    this.violations++;
    this.byKind[violation.kind] = (this.byKind[violation.kind] ?? 0) + 1;
    if (this.first.length < this.keep) this.first.push(violation);
  }

  /** Tells the checker the newest published generation; trims the history window. */
  published(generation: number): void {
    this.newest = generation;
    if (generation > HISTORY_WINDOW) this.history?.trimBefore(generation - HISTORY_WINDOW);
  }

  /** The `check` key of the run report. */
  summary(): RunReport['check'] {
    return {
      enabled: this.enabled,
      samples: this.samples,
      violations: this.violations,
      firstViolations: [...this.first],
    };
  }

  /**
   * The nearest other generation that maps the sample's address the way the reader found
   * it: a reader reading a table rewritten under it (`none` reuses tables at once) sees a
   * later view under an older label. Looks `TORN_SEARCH` generations back and forward
   * from the sample's, and for the first `WIDE_SEARCHES` violations through the whole
   * history window up to the newest generation.
   */
  private otherGenerationExplaining(sample: TranslationSample): number | undefined {
    const history = this.history!;
    const g0 = sample.generation;
    const wide = this.wideSearches < WIDE_SEARCHES;
    if (wide) this.wideSearches++;
    const forward = wide ? Math.max(TORN_SEARCH, this.newest - g0) : TORN_SEARCH;
    for (let d = 1; d <= forward; d++) {
      for (const g of [g0 + d, g0 - d]) {
        if (g < 0 || (g > g0 && d > forward) || (g < g0 && d > TORN_SEARCH)) continue;
        if (history.has(g) && history.matches({ ...sample, generation: g })) return g;
      }
    }
    return undefined;
  }

  private describe(t: ExpectedTranslation | undefined): string {
    if (t === undefined) return 'unmapped';
    const name = this.regionName(t.regionId);
    const region = name === undefined ? `region #${t.regionId}` : `${name} (#${t.regionId})`;
    return t.hostAddress < 0
      ? `${region}, no host memory`
      : `${region} at host ${hex(t.hostAddress)}`;
  }
}
