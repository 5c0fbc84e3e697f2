import { describe, expect, it } from 'vitest';
import * as addrspace from '../src/index.js';

describe('package entry', () => {
  it.each([
    'AddressSpace',
    'Region',
    'FlatView',
    'HostMemMapping',
    'HostMemory',
    'EventFd',
    'AddressSpaceError',
    'SharedViewPublisher',
    'SharedView',
    'VcpuPool',
    'buildPcMachine',
    'parseMachineFile',
    'runSimulation',
    'runBench',
    'renderHtmlReport',
    'migrate',
    'readStream',
  ])('exports %s', (name) => {
    expect(typeof (addrspace as Record<string, unknown>)[name]).toMatch(/function|object/);
  });

  it('exports the address limit and the strategies of SPEC 1 and 7', () => {
    expect(addrspace.ADDRESS_LIMIT).toBe(2 ** 53);
    expect(addrspace.STRATEGIES).toEqual([
      'rcu',
      'seqlock',
      'mutex',
      'rwlock',
      'refcount',
      'hazard',
      'ebr',
      'leftright',
      'none',
    ]);
    expect(addrspace.listStrategies()).toEqual([...addrspace.STRATEGIES]);
    expect(addrspace.getStrategy('hazard').safe).toBe(true);
    expect(typeof addrspace.registerStrategy).toBe('function');
  });
});
