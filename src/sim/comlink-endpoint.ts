/**
 * A comlink `Endpoint` over a `node:worker_threads` `Worker` or `MessagePort`, for the
 * control plane of long-lived helper workers (the device backend).
 *
 * comlink speaks the DOM shape: `postMessage(message, transfer)` and
 * `addEventListener('message', listener)` where the listener gets an event with `data`.
 * Node's `Worker` and `parentPort` are event emitters whose 'message' handlers get the
 * data itself. This adapter wraps each listener once (so `removeEventListener` finds
 * it) and hands it `{ data }`. It is written here rather than taken from comlink's own
 * Node adapter, whose typings do not load under `moduleResolution: nodenext`.
 *
 * It moves messages only; it never interprets them and is never on a data path.
 */
import type { MessagePort, Transferable, Worker } from 'node:worker_threads';
import type { Endpoint } from 'comlink';

/** The part of `Worker` / `MessagePort` the adapter uses. */
export interface NodeMessageTarget {
  postMessage(message: unknown, transfer?: readonly Transferable[]): void;
  on(event: 'message', listener: (data: unknown) => void): unknown;
  off(event: 'message', listener: (data: unknown) => void): unknown;
  start?(): void;
}

/** What comlink registers: a function or an object with `handleEvent`. */
type MessageListener =
  | ((event: { data: unknown }) => void)
  | { handleEvent(event: { data: unknown }): void };

/** The comlink endpoint of `target` (a `Worker`, `parentPort`, or any `MessagePort`). */
export function comlinkEndpoint(target: Worker | MessagePort | NodeMessageTarget): Endpoint {
  const port = target as NodeMessageTarget;
  const wrapped = new Map<MessageListener, (data: unknown) => void>();
  const endpoint = {
    postMessage(message: unknown, transfer?: Transferable[]): void {
      port.postMessage(message, transfer);
    },
    addEventListener(_type: string, listener: MessageListener | null): void {
      if (listener === null || wrapped.has(listener)) return;
      const handler = (data: unknown): void => {
        const event = { data };
        if (typeof listener === 'function') listener(event);
        else listener.handleEvent(event);
      };
      wrapped.set(listener, handler);
      port.on('message', handler);
    },
    removeEventListener(_type: string, listener: MessageListener | null): void {
      if (listener === null) return;
      const handler = wrapped.get(listener);
      if (handler === undefined) return;
      wrapped.delete(listener);
      port.off('message', handler);
    },
    start(): void {
      port.start?.();
    },
  };
  return endpoint as unknown as Endpoint;
}
