/**
 * Colours of the HTML report: one per vCPU line, one per churn kind, and the status
 * colours. Chosen to stay apart from each other on a white and on a dark background.
 * Only constants and a lookup; no drawing.
 */
import type { ChurnKind } from '../../machine/churn-kind.js';

/** A ten-colour categorical palette; vCPUs past ten get evenly spaced hues. */
const VCPU_COLOURS = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#b07aa1',
  '#76b7b2',
  '#edc948',
  '#ff9da7',
  '#9c755f',
  '#e15759',
  '#bab0ac',
];

export function vcpuColour(index: number, count: number): string {
  if (count <= VCPU_COLOURS.length) return VCPU_COLOURS[index % VCPU_COLOURS.length]!;
  const hue = Math.round((index * 360) / count);
  return `hsl(${hue} 60% 52%)`;
}

export const CHURN_COLOURS: Readonly<Record<ChurnKind, string>> = {
  hotplug: '#2f6fdf',
  bar: '#e8590c',
  romd: '#7b3fc4',
  alias: '#12946b',
  ioeventfd: '#c2255c',
};

/** The colour of a churn kind; unknown kinds (from a newer report) get grey. */
export function churnColour(kind: string): string {
  return (CHURN_COLOURS as Record<string, string>)[kind] ?? '#868e96';
}
