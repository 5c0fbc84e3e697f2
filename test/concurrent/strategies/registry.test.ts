/**
 * The strategy registry (SPEC 7): the built-ins are registered under their names, a user's
 * definition is added with `registerStrategy` and then found by `getStrategy` and by the
 * publisher, names are unique, and bad definitions are typed errors that change nothing.
 */
import { describe, expect, it } from 'vitest';
import { AddressSpaceError } from '../../../src/base/errors.js';
import { SharedViewPublisher } from '../../../src/concurrent/publication/publisher.js';
import { STRATEGIES } from '../../../src/concurrent/reader/reader-api.js';
import { rcu } from '../../../src/concurrent/strategies/rcu.js';
import {
  getStrategy,
  isStrategyPath,
  listStrategies,
  registerStrategy,
  resolveStrategy,
} from '../../../src/concurrent/strategies/registry.js';
import type { StrategyDefinition } from '../../../src/concurrent/strategies/strategy-definition.js';
import { HostMemMapping } from '../../../src/host/mapping.js';
import { plainView, ramRegion } from '../publication/helpers.js';

function invalid(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AddressSpaceError);
    expect((e as AddressSpaceError).code).toBe('InvalidArgument');
    return (e as Error).message;
  }
  throw new Error('did not throw');
}

describe('strategy registry', () => {
  it('lists every built-in first, in STRATEGIES order', () => {
    expect(listStrategies().slice(0, STRATEGIES.length)).toEqual([...STRATEGIES]);
    for (const name of STRATEGIES) expect(getStrategy(name).name).toBe(name);
    expect(getStrategy('none').safe).toBe(false);
    expect(STRATEGIES.filter((n) => n !== 'none').every((n) => getStrategy(n).safe)).toBe(true);
  });

  it('adds a user definition that the publisher then publishes with', () => {
    const calls: number[] = [];
    const mine: StrategyDefinition = {
      name: 'rcu-logged',
      safe: true,
      description: 'rcu that remembers each publish',
      createOwner: (ctx) => {
        const inner = rcu.createOwner(ctx);
        const publish = (id: number, epoch: number) => {
          calls.push(epoch);
          inner.publish(id, epoch);
        };
        return { ...inner, publish };
      },
      createReader: rcu.createReader,
    };
    expect(registerStrategy(mine)).toBe(mine);
    expect(registerStrategy(mine)).toBe(mine);
    expect(getStrategy('rcu-logged')).toBe(mine);
    expect(listStrategies()).toContain('rcu-logged');
    const publisher = new SharedViewPublisher({ strategy: 'rcu-logged' });
    expect(publisher.strategy).toBe('rcu-logged');
    expect(publisher.readerHandle(publisher.allocateReader()).strategy).toBe('rcu-logged');
    expect(publisher.readerHandle(0).strategyModule).toBeUndefined();
    const ram = ramRegion(HostMemMapping.create({ size: 0x2000, name: 'ram' }));
    publisher.publish(plainView(1, [[0, 0x1000, ram]]));
    publisher.publish(plainView(2, [[0, 0x2000, ram]]));
    expect(calls).toEqual([1, 2]);
    publisher.close();
  });

  it('refuses a second definition under a taken name', () => {
    const copy = { ...rcu };
    expect(invalid(() => registerStrategy(copy))).toBe(
      'Invalid argument: strategy rcu is already registered (names are unique)',
    );
    expect(getStrategy('rcu')).toBe(rcu);
  });

  it.each([
    [{}, "name must be letters, digits, '-' or '_' (got undefined)"],
    [{ name: 'a b' }, "name must be letters, digits, '-' or '_' (got a b)"],
    [{ name: 'x', safe: 'yes' }, 'x: safe must be a boolean'],
    [{ name: 'x', safe: true, description: 'd' }, 'x: createOwner must be a function'],
    [
      { name: 'x', safe: true, description: 'd', createOwner: () => ({}) },
      'x: createReader must be a function',
    ],
  ])('refuses %o', (definition, problem) => {
    expect(invalid(() => registerStrategy(definition as never))).toBe(
      `Invalid argument: strategy: ${problem}`,
    );
    expect(listStrategies()).not.toContain('x');
  });

  it('names the known strategies when asked for an unknown one', () => {
    expect(invalid(() => getStrategy('bogus'))).toMatch(
      /^Invalid argument: must be one of rcu, seqlock, mutex, .* or a module path such as \.\/my-strategy\.js, got "bogus"$/,
    );
  });

  it('tells module paths from names', () => {
    expect(['./x.js', 'a/b', 'plugin.js', '/abs/p.mjs'].map(isStrategyPath)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['rcu', 'my-strategy'].map(isStrategyPath)).toEqual([false, false]);
  });

  it('loads a module by path once, records its URL, and puts it in reader handles', async () => {
    const definition = await resolveStrategy('./examples/rcu-every-n.js');
    expect(definition.name).toBe('rcu-every-n');
    expect(await resolveStrategy('./examples/rcu-every-n.js')).toBe(definition);
    const publisher = new SharedViewPublisher({ strategy: 'rcu-every-n' });
    const handle = publisher.readerHandle(publisher.allocateReader());
    expect(handle.strategyModule).toMatch(/^file:\/\/.*\/examples\/rcu-every-n\.js$/);
    publisher.close();
  });
});
