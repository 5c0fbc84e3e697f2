/**
 * What went wrong in a run that is not a checker finding (SPEC 11): a vCPU or device
 * backend thread that died without being killed on purpose, a device callback or memory
 * listener that threw something other than an injected fault, churn that failed with an
 * error the address space does not raise, an end-of-run check that could not run, an
 * injected fault the run did not survive. Each is a `RunFailure` in the report's
 * `failures` list and makes the exit status 3 (a violation still wins with 1).
 *
 * `FailureLog.guard` is how the owner runs the steps of a run's end: a step that throws
 * becomes a failure in the report instead of an exception past it. Owner thread only.
 */
import type { RunFailure, RunFailureKind } from './report-types.js';

/** Failures kept with full detail; the rest are counted in `truncated`. */
export const KEPT_FAILURES = 100;

export class FailureLog {
  readonly kept: RunFailure[] = [];
  /** Failures past `KEPT_FAILURES`, counted only. */
  truncated = 0;

  get count(): number {
    return this.kept.length + this.truncated;
  }

  record(kind: RunFailureKind, detail: string, t?: number): void {
    if (this.kept.length >= KEPT_FAILURES) {
      this.truncated++;
      return;
    }
    this.kept.push(
      t === undefined ? { kind, detail } : { kind, detail, t: Math.round(t * 1000) / 1000 },
    );
  }

  /**
   * Runs one step of the run's end; what it throws is recorded as a `kind` failure
   * (`what: message`) and the step resolves `undefined`.
   */
  async guard<T>(
    kind: RunFailureKind,
    what: string,
    step: () => T | Promise<T>,
  ): Promise<T | undefined> {
    try {
      return await step();
    } catch (error) {
      this.record(kind, `${what}: ${errorText(error)}`);
      return undefined;
    }
  }
}

/** `Name: message` of an error (its cause's too, when it has one), or its string form. */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const own = `${error.name}: ${error.message}`;
  const cause = error.cause;
  if (cause === undefined || (cause instanceof Error && error.message.includes(cause.message))) {
    return own;
  }
  return `${own} (caused by ${errorText(cause)})`;
}
