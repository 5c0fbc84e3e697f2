/**
 * `runSimulation({ verify: 'all' })` (SPEC 11): self-checking guest memory on the `pc`
 * machine. Under `rcu` every RAM access checks its words and nothing is violated; under
 * `none` with hotplug churn a verified access meets memory reclaimed or reused under it,
 * and with bar or ioeventfd churn an access looks up in a view table reclaimed under it.
 * The report carries `check.mode`, `ramAccesses`, `verifiedAccesses`, `unverified` and
 * `dropped`, in the sampled mode too. Workers load from dist/ (build first).
 */
import { describe, expect, it } from 'vitest';
import type * as Simulation from '../../src/sim/simulation.js';

const { runSimulation } = (await import(
  new URL('../../dist/src/sim/simulation.js', import.meta.url).href
)) as typeof Simulation;

describe('run --verify all', () => {
  it('under rcu verifies nearly every RAM access and finds nothing', async () => {
    // Without alias churn: the workload then also reads the first page of each PAM window,
    // and the ROM below a window switched off carries no tags (unverified), which in a
    // one-second run (the seq sweep passes the windows first) is a large share.
    const report = await runSimulation({
      vcpus: 2,
      durationSeconds: 1,
      verify: 'all',
      churn: 'hotplug,bar,romd,ioeventfd',
    });
    const check = report.check;
    expect(check).toMatchObject({ mode: 'all', violations: 0, dropped: 0 });
    expect(check.ramAccesses!).toBeGreaterThan(10_000);
    expect(check.verifiedAccesses! / check.ramAccesses!).toBeGreaterThanOrEqual(0.9);
    expect(check.unverified).toBe(check.ramAccesses! - check.verifiedAccesses!);
    expect(report.exitCode).toBe(0);
  });

  it('under rcu with every churn kind (PAM windows switched under the workload) finds nothing', async () => {
    const report = await runSimulation({ vcpus: 2, durationSeconds: 1, verify: 'all' });
    expect(report.check).toMatchObject({ mode: 'all', violations: 0 });
    expect(report.check.verifiedAccesses!).toBeGreaterThan(0);
  });

  it('under none with hotplug churn meets reclaimed or reused memory (exit 1)', async () => {
    const report = await runSimulation({
      vcpus: 2,
      durationSeconds: 1,
      verify: 'all',
      strategy: 'none',
      churn: 'hotplug',
      churnRate: 5000,
      workload: 'random',
    });
    expect(report.exitCode).toBe(1);
    const kinds = Object.keys(report.check.byKind ?? {});
    expect(kinds.some((k) => ['poison', 'wrong-mapping', 'torn'].includes(k))).toBe(true);
    // The kept ones (lookups in reclaimed view tables are among them too) name the block.
    const tagged = report.check.firstViolations.filter((v) => v.detail.includes('verified access'));
    for (const v of tagged)
      expect(v.expected).toMatch(/^a word tagged for hotplug\.slot\d+ \(#\d+\)$/);
  });

  // The small version of scripts/verify-targets.mjs: each churn kind with a workload that
  // touches what it changes. romd and alias switch what memory serves a range (a cached
  // translation kept past the switch); bar and ioeventfd move and switch device registers
  // and doorbells, which are looked up in the view table on every access, and `none`
  // reclaims the table an access is still looking up in (the table age check).
  it.each([
    ['romd', 'mmio'],
    ['alias', 'mixed'],
    ['bar', 'mmio'],
    ['ioeventfd', 'mmio'],
  ] as const)(
    'under none, %s churn with the %s workload is caught (exit 1)',
    async (churn, workload) => {
      const report = await runSimulation({
        vcpus: 2,
        durationSeconds: 2,
        verify: 'all',
        strategy: 'none',
        churn,
        churnRate: 10_000,
        workload,
      });
      expect(report.exitCode).toBe(1);
      expect(report.check.violations).toBeGreaterThan(0);
      if (churn === 'bar' || churn === 'ioeventfd') {
        expect(report.check.byKind?.['reclaimed-table']).toBeGreaterThan(0);
      }
    },
  );

  it('the sampled mode reports its unverified and dropped samples too', async () => {
    const report = await runSimulation({ vcpus: 1, durationSeconds: 0.5, churnRate: 200 });
    expect(report.check).toMatchObject({ mode: 'sampled', dropped: 0, violations: 0 });
    expect(report.check.unverified).toBeGreaterThanOrEqual(0);
    expect(report.check.ramAccesses!).toBeGreaterThan(report.check.verifiedAccesses!);
  });
});
