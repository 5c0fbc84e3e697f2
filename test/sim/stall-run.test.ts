/**
 * `runSimulation({ stall })` (`run --stall MS`, SPEC 7): vCPU 0 stops inside an access
 * once a second while hotplug churn goes on; the run stays safe under rcu, reports the
 * stalls, and reports what retired memory waited (retention). Workers load from dist/:
 * this imports the built module (build first).
 */
import { expect, it } from 'vitest';
import type * as Simulation from '../../src/sim/simulation.js';

const { runSimulation } = (await import(
  new URL('../../dist/src/sim/simulation.js', import.meta.url).href
)) as typeof Simulation;
const MACHINE = new URL('./fixtures/sim-small.json', import.meta.url).pathname;

it('a 200 ms stall once a second under rcu: stalls reported, no violation, memory retained', async () => {
  const report = await runSimulation({
    machine: MACHINE,
    vcpus: 2,
    durationSeconds: 2.2,
    churn: 'hotplug',
    churnRate: 500,
    workload: 'random',
    stall: 200,
  });
  expect(report.stall).toEqual({ vcpu: 0, ms: 200, stalls: report.stall!.stalls });
  expect(report.stall!.stalls).toBeGreaterThanOrEqual(1);
  expect(report.check.violations).toBe(0);
  expect(report.exitCode).toBe(0);
  expect(report.retention!.retainedBytesMax).toBeGreaterThan(0);
  expect(report.retention!.reclaimLatencyUs.p99).toBeGreaterThanOrEqual(100_000);
  expect(report.retention!.ownerBlockedUs).toBeGreaterThanOrEqual(0);
});
