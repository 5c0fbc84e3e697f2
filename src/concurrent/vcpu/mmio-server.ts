/**
 * The owner's side of MMIO exits: waits on every vCPU mailbox with `Atomics.waitAsync`
 * (the owner's event loop never blocks), runs each request through a handler and answers.
 *
 * Requests of one vCPU are served one at a time, in the order the vCPU posted them; a
 * handler that throws or returns false fails that access (the vCPU raises `IoAccess`) and
 * serving goes on. This module never resolves regions itself: the handler does (see
 * `regionIoHandler` below), and never decides when vCPUs run.
 */
import { dispatchIo } from '../../core/io-dispatch.js';
import type { Region } from '../../core/region.js';
import { MmioMailboxPort, type MmioRequest } from './mmio-mailbox.js';

/** Runs one request's device access; for a read, fills `request.data`. False fails it. */
export type MmioRequestHandler = (vcpu: number, request: MmioRequest) => boolean;

export interface MmioServerStats {
  served: number;
  failed: number;
}

export class MmioServer {
  readonly stats: MmioServerStats = { served: 0, failed: 0 };
  private readonly ports: MmioMailboxPort[];
  private readonly handler: MmioRequestHandler;
  private readonly loops: Promise<void>[] = [];
  private running = false;

  constructor(mailboxes: readonly SharedArrayBuffer[], handler: MmioRequestHandler) {
    this.ports = mailboxes.map((b) => new MmioMailboxPort(b));
    this.handler = handler;
  }

  /** Starts serving every mailbox. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.ports.forEach((port, vcpu) => {
      this.loops.push(this.serve(vcpu, port));
    });
  }

  /** Answers the waiting request of `vcpu` now, if any (owner code that cannot yield). */
  serveNow(vcpu: number): boolean {
    const port = this.ports[vcpu];
    const request = port?.pending();
    if (port === undefined || request === undefined) return false;
    this.answer(vcpu, port, request);
    return true;
  }

  private async serve(vcpu: number, port: MmioMailboxPort): Promise<void> {
    while (!port.closed) {
      await port.nextRequest();
      const request = port.pending();
      if (request !== undefined) this.answer(vcpu, port, request);
    }
  }

  private answer(vcpu: number, port: MmioMailboxPort, request: MmioRequest): void {
    let ok = false;
    try {
      ok = this.handler(vcpu, request) === true;
    } catch {
      ok = false;
    }
    this.stats.served++;
    if (!ok) this.stats.failed++;
    port.answer(request, ok);
  }

  /**
   * Stops serving: closes every mailbox (a vCPU still waiting gets a failed access) and
   * resolves once the serving loops have ended.
   */
  async close(): Promise<void> {
    for (const port of this.ports) port.close();
    this.running = false;
    await Promise.all(this.loops);
  }
}

/**
 * The owner's ioeventfd matching for exited writes (`AddressSpace.matchExitedWrite`):
 * with hyp_ioevtfd_enabled off the vCPU does not match doorbells, so its write exits and
 * the owner signals a matching ioeventfd before the device would see it (SPEC 5).
 */
export interface ExitedWriteMatcher {
  matchExitedWrite(addr: number, data: Uint8Array): boolean;
}

/**
 * The handler that runs a request on the region it names: `lookup` gives the region for
 * an id (the publisher's `regionById`, which still knows a region removed in a grace
 * period that has not ended, as it cannot end while the vCPU waits), and core's
 * `dispatchIo` runs its ops. An unknown id or a region without ops fails the access.
 */
export function regionIoHandler(
  lookup: (regionId: number) => Region | undefined,
  doorbells?: ExitedWriteMatcher,
): MmioRequestHandler {
  return (_vcpu, request) => {
    if (
      request.isWrite &&
      doorbells?.matchExitedWrite(request.regionBase + request.offset, request.data) === true
    ) {
      return true; // an ioeventfd took it: the device never sees the write
    }
    const region = lookup(request.regionId);
    if (region?.ops === undefined) return false;
    dispatchIo(region, request.regionBase, request.offset, request.data, request.isWrite);
    return true;
  };
}
