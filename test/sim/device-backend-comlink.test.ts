/**
 * The comlink endpoint adapter over node:worker_threads ports, on which the device
 * backend's control plane runs: calls and results cross, callbacks cross as proxies, and a
 * removed listener hears nothing more.
 */
import { MessageChannel } from 'node:worker_threads';
import { expose, proxy, wrap } from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { comlinkEndpoint } from '../../src/sim/comlink-endpoint.js';

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

function pair() {
  const channel = new MessageChannel();
  channels.push(channel);
  return channel;
}

describe('comlinkEndpoint', () => {
  it('carries calls, results, errors and proxied callbacks', async () => {
    const { port1, port2 } = pair();
    const service = {
      add: (a: number, b: number) => a + b,
      fail: () => {
        throw new Error('refused');
      },
      twice: async (ask: () => Promise<number>) => (await ask()) * 2,
    };
    expose(service, comlinkEndpoint(port1));
    const remote = wrap<typeof service>(comlinkEndpoint(port2));
    expect(await remote.add(2, 3)).toBe(5);
    await expect(remote.fail()).rejects.toThrow('refused');
    expect(await remote.twice(proxy(async () => 21))).toBe(42);
  });

  it('hands the listener an event with data, and forgets it once removed', async () => {
    const { port1, port2 } = pair();
    const endpoint = comlinkEndpoint(port2);
    const seen: unknown[] = [];
    const listener = (event: { data: unknown }) => seen.push(event.data);
    endpoint.addEventListener('message', listener as never);
    endpoint.addEventListener('message', listener as never); // once only
    endpoint.start?.();
    port1.postMessage({ n: 1 });
    await new Promise((r) => setTimeout(r, 20));
    endpoint.removeEventListener('message', listener as never);
    port1.postMessage({ n: 2 });
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([{ n: 1 }]);
  });
});
