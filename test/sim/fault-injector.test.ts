/**
 * How the fault injector tells what it caused from what happened on its own, on the
 * owner thread without a run: errors as the MMIO server and the churn driver hand them
 * over (an injected throw wrapped in `IoAccess` or `ListenerRequest`, a device's own
 * change refused by the armed listener, a device or listener failing by itself).
 */
import { describe, expect, it } from 'vitest';
import { AddressSpaceError } from '../../src/base/errors.js';
import { FaultInjector } from '../../src/sim/fault-injector.js';
import { InjectedFault } from '../../src/sim/fault-kinds.js';
import { FailureLog } from '../../src/sim/run-failures.js';

function injector() {
  const publisher = { generation: 5 };
  const pool = { vcpus: 1, lost: [], counters: () => ({ accesses: 0 }) };
  const failures = new FailureLog();
  const faults = new FaultInjector({
    kinds: [],
    seed: 1,
    durationSeconds: 10,
    machine: {} as never,
    publisher: publisher as never,
    pool: pool as never,
    backend: { reportDeath: () => {} } as never,
    failures,
  });
  return { faults, failures, publisher };
}

const listenerRefusal = () =>
  new AddressSpaceError('ListenerRequest', 'listener failed to handle DeleteRegion', {
    cause: new InjectedFault('throw-listener', 'a memory listener refused the change'),
  });

describe('FaultInjector', () => {
  it("a device's own change refused by the armed listener is that listener fault, not a device failure", () => {
    const { faults, failures, publisher } = injector();
    const error = AddressSpaceError.ioAccess(0xfff0_0000, 0x10, 4, listenerRefusal());
    faults.onMmioError(1, error);
    expect(failures.kept).toEqual([]);
    faults.tick(1);
    expect(faults.report().survived['throw-listener']).toBe(0); // nothing published since
    publisher.generation = 6;
    faults.tick(1.1);
    expect(faults.report().survived['throw-listener']).toBe(1);
    expect(faults.report().errors[0]).toMatch(/^a device's own change \(vCPU 1\): /);
  });

  it('a device callback that threw on its own is a device-failed failure with its text', () => {
    const { faults, failures } = injector();
    faults.onMmioError(0, AddressSpaceError.ioAccess(0x1000, 0, 4, new RangeError('bad register')));
    expect(failures.kept).toEqual([
      expect.objectContaining({
        kind: 'device-failed',
        detail: expect.stringContaining('(caused by RangeError: bad register)'),
      }),
    ]);
  });

  it('a device that refused (returned false) is no failure', () => {
    const { faults, failures } = injector();
    faults.onMmioError(0, AddressSpaceError.ioAccess(0x1000, 0, 4));
    expect(failures.kept).toEqual([]);
  });

  it('a listener that threw a TypeError is a listener-failed failure; a typed refusal is not', () => {
    const { faults, failures } = injector();
    faults.onRefused(
      'churn #3 alias pam-0 off',
      new AddressSpaceError('ListenerRequest', 'listener failed', { cause: new TypeError('x') }),
    );
    faults.onRefused(
      'churn #4 alias pam-0 on',
      new AddressSpaceError('ListenerRequest', 'listener failed', {
        cause: AddressSpaceError.invalidArgument('no slot'),
      }),
    );
    expect(failures.kept.map((f) => f.kind)).toEqual(['listener-failed']);
    expect(failures.kept[0]!.detail).toBe(
      'a memory listener failed churn #3 alias pam-0 off: AddressSpaceError: listener failed (caused by TypeError: x)',
    );
  });
});
