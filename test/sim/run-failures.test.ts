/**
 * Failures of a run that are not violations (SPEC 11): how they are kept, how the end of
 * a run turns a throwing step into one, and the exit status 3 they give a report (a
 * violation still wins with 1).
 */
import { describe, expect, it } from 'vitest';
import { AddressSpaceError } from '../../src/base/errors.js';
import { exitCodeOfReport } from '../../src/cli/run-command.js';
import { formatRunSummary } from '../../src/cli/summary.js';
import { errorText, FailureLog, KEPT_FAILURES } from '../../src/sim/run-failures.js';
import { healthyRunReport, violatingRunReport } from './report-fixture.js';

describe('FailureLog', () => {
  it('turns a step that throws into a failure naming the step and the error', async () => {
    const log = new FailureLog();
    const value = await log.guard('check-not-run', 'checking the completion records', () => {
      throw AddressSpaceError.regionNotFound(0x7f0_0040);
    });
    expect(value).toBeUndefined();
    expect(log.kept).toEqual([
      {
        kind: 'check-not-run',
        detail:
          'checking the completion records: AddressSpaceError: Failed to find matched region, addr 0x7F00040',
      },
    ]);
    expect(await log.guard('check-not-run', 'a step that works', () => 7)).toBe(7);
    expect(log.count).toBe(1);
  });

  it('keeps the first failures and says how many more there were', () => {
    const log = new FailureLog();
    for (let i = 0; i < KEPT_FAILURES + 5; i++) log.record('vcpu-died', `vCPU ${i} died`);
    expect(log.kept).toHaveLength(KEPT_FAILURES);
    expect(log.truncated).toBe(5);
    expect(log.count).toBe(KEPT_FAILURES + 5);
  });

  it("names an error's cause when its message does not already carry it", () => {
    const error = new Error('listener failed', { cause: new TypeError('x is not a function') });
    expect(errorText(error)).toBe(
      'Error: listener failed (caused by TypeError: x is not a function)',
    );
  });
});

describe('exit status of a run report', () => {
  it('is 3 with failures and no violation, 1 with both, 0 with neither', () => {
    const failed = { ...healthyRunReport(), failures: [{ kind: 'vcpu-died', detail: 'x' }] };
    expect(exitCodeOfReport(healthyRunReport())).toBe(0);
    expect(exitCodeOfReport(failed as never)).toBe(3);
    expect(exitCodeOfReport({ ...violatingRunReport(), failures: failed.failures } as never)).toBe(
      1,
    );
  });

  it('lists the failures in the summary', () => {
    const report = {
      ...healthyRunReport(),
      failures: [{ kind: 'backend-died', detail: 'the device backend thread died: exit code 1' }],
    } as never;
    expect(formatRunSummary(report)).toContain(
      '  failures      1 (exit status 3 unless a violation was found)\n    backend-died: the device backend thread died: exit code 1\n',
    );
  });
});
