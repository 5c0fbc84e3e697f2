/**
 * The streams a CLI command writes to, as a small interface so commands run the same in
 * the real process and in tests that capture output. Types only.
 *
 * SPEC 9's conventions: stdout carries results (a summary, tables, mtree text, or the
 * report itself with `--json -`) and nothing else; stderr carries the progress line (only
 * when it is a terminal) and error lines.
 */
import type { ProgressStream } from './progress.js';

export interface CliIo {
  /** Results: summaries, tables, mtree text, or a report written to `-`. */
  readonly stdout: ProgressStream;
  /** Error lines; the progress line when it is a terminal; the summary when stdout is a report. */
  readonly stderr: ProgressStream;
  /** Aborts a running command early (Ctrl-C); the command still reports. */
  readonly signal?: AbortSignal;
}
