/**
 * The streams a CLI command writes to, as a small interface so commands run the same in
 * the real process and in tests that capture output. Types only.
 */
import type { ProgressStream } from './progress.js';

export interface CliIo {
  /** Results: summaries, tables, mtree text; the progress line when it is a terminal. */
  readonly stdout: ProgressStream;
  /** Error lines. */
  readonly stderr: { write(text: string): unknown };
  /** Aborts a running simulation early (Ctrl-C); the command still reports. */
  readonly signal?: AbortSignal;
}
