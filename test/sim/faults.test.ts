/**
 * Fault injection and failures in a real run (SPEC 11): every kind of `--faults` is
 * injected, counted and survived, and the same faults happening on their own (a listener
 * that always throws a TypeError, a device callback that throws, a vCPU thread and the
 * device backend dying) are failures with their error text, exit status 3. Short runs on
 * the small fixture, 2 vCPUs. Imports the built module (workers load from dist/).
 */
import { describe, expect, it } from 'vitest';
import type { Listener } from '../../src/core/listeners.js';
import type { RunReport } from '../../src/sim/report-types.js';
import type * as Simulation from '../../src/sim/simulation.js';

const { runSimulation } = (await import(
  new URL('../../dist/src/sim/simulation.js', import.meta.url).href
)) as typeof Simulation;

const MACHINE = new URL('./fixtures/sim-small.json', import.meta.url).pathname;
const short = { machine: MACHINE, vcpus: 2, durationSeconds: 1.5, workload: 'mixed' } as const;

function kindsOf(report: RunReport): string[] {
  return (report.failures ?? []).map((f) => f.kind);
}

describe('fault injection', () => {
  it('injects every kind on a schedule, and the run survives each one (exit 0)', async () => {
    const report = await runSimulation({ ...short, durationSeconds: 3, faults: 'all' });
    expect(report.failures).toEqual([]);
    expect(report.check.violations).toBe(0);
    expect(report.exitCode).toBe(0);
    const { injected, survived } = report.faults!;
    expect(survived).toEqual(injected);
    // How many fit in the run depends on how long each takes on this host; some do.
    expect(Object.values(injected).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    // Killed vCPUs were restarted and ran on: each vCPU has accesses.
    for (const n of report.accesses.perVcpu) expect(n).toBeGreaterThan(0);
    expect(report.vcpuFaults!.lostThreads).toBe(injected['kill-vcpu']);
  });

  it.each([['kill-vcpu,kill-backend'], ['slow-owner,table-growth']] as const)(
    'injects and survives %s',
    async (faults) => {
      const report = await runSimulation({ ...short, durationSeconds: 3, faults });
      expect(report.failures).toEqual([]);
      expect(report.exitCode).toBe(0);
      const { injected, survived } = report.faults!;
      expect(survived).toEqual(injected);
      for (const kind of faults.split(',') as (keyof typeof injected)[]) {
        expect(injected[kind], kind).toBeGreaterThan(0);
      }
    },
  );

  it('keeps the text of the errors injected throws came back as', async () => {
    const report = await runSimulation({
      ...short,
      durationSeconds: 2,
      workload: 'mmio',
      churn: 'alias',
      churnRate: 500,
      faults: 'throw-device,throw-listener',
    });
    expect(report.failures).toEqual([]);
    const { injected, survived, errors } = report.faults!;
    expect(survived).toEqual(injected);
    expect(errors!.length).toBe(injected['throw-device'] + injected['throw-listener']);
    expect(injected['throw-device']).toBeGreaterThan(0);
    expect(injected['throw-listener']).toBeGreaterThan(0);
    for (const text of errors!) {
      expect(text).toMatch(
        /(^vCPU \d+: AddressSpaceError: Failed to access IO-type region.* \(caused by InjectedFault: injected fault throw-device: \w+ (read|write)\)$)|(^churn #\d+ alias .*: AddressSpaceError: listener failed to handle \w+: injected fault throw-listener: a memory listener refused the change \(caused by InjectedFault: .*\)$)/,
      );
    }
  });

  it('reports no faults key without --faults', async () => {
    const report = await runSimulation({ ...short, durationSeconds: 0.5 });
    expect(report.faults).toBeUndefined();
    expect(report.failures).toEqual([]);
  });
});

describe('failures that were not injected (exit 3)', () => {
  it('a listener that always throws a TypeError', async () => {
    const broken: Listener = {
      priority: () => 0,
      enabled: () => true,
      enable: () => {},
      disable: () => {},
      handleRequest: (_range, _evtfd, type) => {
        if (type === 'AddRegion' || type === 'DeleteRegion') {
          throw new TypeError("Cannot read properties of undefined (reading 'slot')");
        }
      },
    };
    let armed = false;
    const report = await runSimulation(
      { ...short, churn: 'hotplug', churnRate: 200 },
      {
        prepareMachine: (machine) => {
          // Registering replays the current view: let that through, then always throw.
          machine.memory.registerListener({
            ...broken,
            handleRequest: (...args) => {
              if (armed) broken.handleRequest(...args);
            },
          });
          armed = true;
        },
      },
    );
    expect(report.exitCode).toBe(3);
    expect(kindsOf(report)[0]).toBe('listener-failed');
    expect(report.failures![0]!.detail).toContain(
      "TypeError: Cannot read properties of undefined (reading 'slot')",
    );
    expect(report.failures![0]!.detail).toMatch(/^a memory listener failed churn #\d+ hotplug/);
  });

  it('a device callback that throws', async () => {
    const report = await runSimulation(
      { ...short, workload: 'mmio', churn: 'none' },
      {
        prepareMachine: (machine) => {
          const uart = machine.devices.get('uart0')!.device;
          uart.read = () => {
            throw new RangeError('uart0: register file corrupted');
          };
        },
      },
    );
    expect(report.exitCode).toBe(3);
    expect(kindsOf(report)).toContain('device-failed');
    const failure = report.failures!.find((f) => f.kind === 'device-failed')!;
    expect(failure.detail).toContain('RangeError: uart0: register file corrupted');
  });

  it('a vCPU thread and the device backend dying', async () => {
    const report = await runSimulation(short, {
      onRunning: ({ pool, backend }) => {
        const killVcpu = async () => {
          // Between slices no thread runs vCPU 0: try until one does.
          while (!(await pool.terminateVcpuThread(0))) await new Promise((r) => setTimeout(r, 5));
        };
        setTimeout(() => {
          void killVcpu();
          void backend.current?.kill().then(() => {
            // Not injected: the kill is the test's, so the run must not excuse it.
            backend.current!.killed = false;
          });
        }, 200);
      },
    });
    expect(report.exitCode).toBe(3);
    expect(kindsOf(report)).toEqual(
      expect.arrayContaining(['vcpu-died', 'backend-died', 'check-not-run']),
    );
    expect(report.failures!.find((f) => f.kind === 'vcpu-died')!.detail).toMatch(
      /^vCPU 0 died in slice \d+: /,
    );
  });
});
