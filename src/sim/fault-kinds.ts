/**
 * The fault kinds a run can inject (SPEC 11, `--faults`), parsing their list, and the
 * error an injected fault throws, so the run can tell a fault it caused from one that
 * happened on its own. Plain data and a tiny error class: nothing here injects anything
 * (fault-injector.ts does).
 *
 * - `kill-vcpu`: terminate the thread running one vCPU in the middle of a slice; the pool
 *   restarts the vCPU on a fresh thread.
 * - `kill-backend`: terminate the device backend worker; a new one is started (a device
 *   reset: the queue's request is posted again and its completion record cleared).
 * - `throw-device`: the next callback of one device model throws.
 * - `throw-listener`: a memory listener throws on the next topology change, which is
 *   refused and rolled back.
 * - `slow-owner`: the owner thread stalls (busy) for a while; readers must not wait for it.
 * - `table-growth`: publish a view many times larger than the machine's (a container of
 *   IO regions in a free gap), then take it away again.
 */
import { OptionsError, oneOf, splitList } from './option-checks.js';

export const FAULT_KINDS = [
  'kill-vcpu',
  'kill-backend',
  'throw-device',
  'throw-listener',
  'slow-owner',
  'table-growth',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Counts per fault kind, every kind present. */
export type FaultCounts = Record<FaultKind, number>;

export function zeroFaultCounts(): FaultCounts {
  return {
    'kill-vcpu': 0,
    'kill-backend': 0,
    'throw-device': 0,
    'throw-listener': 0,
    'slow-owner': 0,
    'table-growth': 0,
  };
}

/**
 * Fault kinds from a list, `'all'`, `'none'` or a comma list, in `FAULT_KINDS` order,
 * duplicates dropped. Throws `OptionsError` at `faults` / `faults[i]`.
 */
export function parseFaultList(value: unknown, path = 'faults'): FaultKind[] {
  if (value === 'all') return [...FAULT_KINDS];
  if (value === 'none') return [];
  const items = typeof value === 'string' ? splitList(value) : value;
  if (!Array.isArray(items)) {
    throw new OptionsError(path, `must be a list of ${FAULT_KINDS.join(', ')}, or all, or none`);
  }
  const kinds = new Set<FaultKind>();
  items.forEach((item, i) => {
    kinds.add(oneOf(item, `${path}[${i}]`, FAULT_KINDS));
  });
  return FAULT_KINDS.filter((k) => kinds.has(k));
}

/** What an injected `throw-device` or `throw-listener` fault throws. */
export class InjectedFault extends Error {
  readonly kind: FaultKind;

  constructor(kind: FaultKind, detail: string) {
    super(`injected fault ${kind}: ${detail}`);
    this.name = 'InjectedFault';
    this.kind = kind;
  }
}

/** Whether `error`, or the cause it wraps, is an `InjectedFault` of `kind`. */
export function isInjected(error: unknown, kind: FaultKind): boolean {
  for (let e = error, depth = 0; e !== undefined && depth < 4; depth++) {
    if (e instanceof InjectedFault) return e.kind === kind;
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}
