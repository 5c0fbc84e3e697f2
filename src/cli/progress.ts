/**
 * The progress line of the long commands (`run`, `bench`): one line on stderr, rewritten
 * in place, for `run` with elapsed time, accesses per second, generation, churn per
 * second and violations. SPEC 9: it is written only when the stream is a terminal, and
 * never with --quiet, so logs, pipes and `2>file` never get carriage returns. It formats
 * and writes; it measures nothing.
 */

import { formatCount } from '../sim/html/format.js';
import type { RunProgress } from '../sim/report-types.js';

/** The part of a `tty.WriteStream` the progress line uses. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

/** `  1.2/3.0 s   39.3 M acc/s   gen 1,204   churn 998/s   violations 0` */
export function formatProgress(p: RunProgress): string {
  const elapsed = `${p.elapsedSeconds.toFixed(1)}/${p.durationSeconds.toFixed(1)} s`;
  return [
    elapsed.padStart(11),
    `${formatCount(p.accessesPerSecond)} acc/s`.padStart(14),
    `gen ${p.generation.toLocaleString('en-US')}`,
    `churn ${formatCount(p.churnPerSecond)}/s`,
    `violations ${p.violations.toLocaleString('en-US')}`,
  ].join('   ');
}

export class ProgressLine {
  readonly enabled: boolean;
  private shown = false;

  constructor(
    private readonly stream: ProgressStream,
    quiet: boolean,
  ) {
    this.enabled = !quiet && stream.isTTY === true;
  }

  /** Shows a run's progress (`formatProgress`). */
  update(progress: RunProgress): void {
    this.show(formatProgress(progress));
  }

  /** Shows one line of text, cut to the terminal's width. */
  show(text: string): void {
    if (!this.enabled) return;
    // A pseudo-terminal may report 0 columns: treat that as unknown.
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    const line = text.slice(0, width);
    // \r back to column 0, the line, then erase whatever an older, longer line left.
    this.stream.write(`\r${line}\x1b[K`);
    this.shown = true;
  }

  /** Erases the line so the next output starts on a clean row. */
  clear(): void {
    if (!this.shown) return;
    this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}
