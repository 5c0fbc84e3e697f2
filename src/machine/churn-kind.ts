/**
 * The kinds of topology change a machine can be churned with, named once: the machine
 * has one churn method per kind (machine.ts), machine files name them in their `churn`
 * defaults, and the simulation's schedule and reports count by them. Names only; what
 * each kind does is the machine's method, and when it happens is the churn driver's.
 */

/** Kinds of topology change the churn driver makes. */
export type ChurnKind = 'hotplug' | 'bar' | 'romd' | 'alias' | 'ioeventfd';
/**
 * The topology changes a run applies (`--churn`): `hotplug` (2 MiB RAM blocks), `bar`
 * (PCI BAR moves), `romd` (flash ROM-device mode flips), `alias` (PAM windows) and
 * `ioeventfd` (doorbells added and removed).
 */
export const CHURN_KINDS: readonly ChurnKind[] = ['hotplug', 'bar', 'romd', 'alias', 'ioeventfd'];
