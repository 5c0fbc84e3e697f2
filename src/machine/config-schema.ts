/**
 * The shape of a machine file (SPEC 9), checked with zod: which fields exist, which are
 * required, and their JSON types. Numbers that may be written as strings (sizes, offsets,
 * ioeventfd data) and device options pass through as `unknown` here; `machine-file.ts`
 * parses them with their field path, then checks everything that relates two fields.
 *
 * Field reference (a region):
 * | field        | types                   | meaning                                          |
 * |--------------|-------------------------|--------------------------------------------------|
 * | type         | RegionType string       | `Ram`, `IO`, `Container`, `RomDevice`, `RamDevice`, `Alias` |
 * | name         | non-empty string        | unique in the whole file                         |
 * | size         | size                    | required except for mapping-backed types         |
 * | offset       | size                    | within the parent; default 0                     |
 * | priority     | integer                 | default 0                                        |
 * | enabled      | boolean                 | default true                                     |
 * | children     | region[]                | Container only                                   |
 * | target       | region name             | Alias only: any region of the file               |
 * | aliasOffset  | size                    | Alias only; default 0                            |
 * | mapping      | mapping name            | Ram, RamDevice, RomDevice                        |
 * | device       | model name or object    | IO, RomDevice: `"uart16550"` or `{ "model": "virtio-mmio", "deviceId": 2 }` |
 * | ioeventfds   | [{offset, size, data?, dataMatch?}] | IO only; region-relative             |
 *
 * Top level: `name`, `memory` (required) and `io` (root Containers), `regions` (regions in
 * no address space, reached only through aliases, like QEMU's `pc.ram`), `mappings`,
 * `machineRam`, `hotplug` ({container, blockSize}), `churn`, `workload`, and the board
 * features below (the built-in `pc` is a machine file that uses all of them).
 *
 * | key        | fields                                    | meaning                         |
 * |------------|-------------------------------------------|---------------------------------|
 * | mappings.X | size, readOnly?, fill?, content? [{offset, hex}] | a mapping; `fill` (a byte, default 0) then each `content` entry's bytes (hex digits) are written before the machine is built: firmware markers, ROM signatures |
 * | pam        | target, priority?                         | the i440FX PAM: aliases `pam0`-`pam12` over 0xC0000-0xFFFFF into `target` at the same offsets, in the memory root at `priority` (default 0), off at reset; the `alias` churn kind switches these (without `pam`: every alias) |
 * | barWindow  | container, offset, slotSize, slots, bars  | `slots` BAR slots of `slotSize` from `offset` in `container` (a Container of `memory`); `bars` are children of it that sit at slot starts and the `bar` churn kind moves between slots |
 * | targets    | ram? [{region, offset?, size}], mmio? [name] | what the workloads drive: RAM at `offset` in `region` (default: all RAM of the memory view), devices probed through the named regions, in order (a device's region, or an alias of a whole one; default: every device at an address) |
 *
 * This module never builds regions and never reads files.
 */
import { z } from 'zod';
import { WORKLOAD_KINDS, type WorkloadKind } from '../concurrent/vcpu/workload.js';
import { REGION_TYPES, type RegionType } from '../core/types.js';
import { CHURN_KINDS, type ChurnKind } from './churn-kind.js';
import { formatPath, MachineConfigError } from './errors.js';

/** Sizes, offsets and 64-bit data: parsed later with their path (sizes.ts). */
const numberLike = z.unknown();

export const ioeventfdSchema = z.strictObject({
  offset: numberLike,
  size: numberLike,
  data: numberLike.optional(),
  dataMatch: z.boolean().optional(),
});

export interface RawRegion {
  type: RegionType;
  name: string;
  size?: unknown;
  offset?: unknown;
  priority?: number;
  enabled?: boolean;
  children?: RawRegion[];
  target?: string;
  aliasOffset?: unknown;
  mapping?: string;
  device?: unknown;
  ioeventfds?: z.infer<typeof ioeventfdSchema>[];
}

export const regionSchema: z.ZodType<RawRegion> = z.lazy(() =>
  z.strictObject({
    type: z.enum(REGION_TYPES as [RegionType, ...RegionType[]]),
    name: z.string().min(1),
    size: numberLike.optional(),
    offset: numberLike.optional(),
    priority: z.int().optional(),
    enabled: z.boolean().optional(),
    children: z.array(regionSchema).optional(),
    target: z.string().min(1).optional(),
    aliasOffset: numberLike.optional(),
    mapping: z.string().min(1).optional(),
    device: z.unknown().optional(),
    ioeventfds: z.array(ioeventfdSchema).optional(),
  }),
);

export const mappingSchema = z.union([
  z.strictObject({
    size: numberLike,
    readOnly: z.boolean().optional(),
    fill: numberLike.optional(),
    content: z.array(z.strictObject({ offset: numberLike, hex: z.string() })).optional(),
  }),
  z.string(),
  z.number(),
]);

/** zod's enum wants a non-empty tuple; the name lists are declared once, elsewhere. */
const churnKindSchema = z.enum(CHURN_KINDS as [ChurnKind, ...ChurnKind[]]);
const workloadSchema = z.enum(WORKLOAD_KINDS as [WorkloadKind, ...WorkloadKind[]]);

export const churnSchema = z.union([
  z.string(),
  z.array(churnKindSchema),
  z.strictObject({
    kinds: z.union([z.string(), z.array(churnKindSchema)]).optional(),
    rate: z.number().nonnegative().optional(),
  }),
]);

export const hotplugSchema = z.strictObject({
  container: z.string().min(1),
  blockSize: numberLike.optional(),
});

export const pamSchema = z.strictObject({
  target: z.string().min(1),
  priority: z.int().optional(),
});

export const barWindowSchema = z.strictObject({
  container: z.string().min(1),
  offset: numberLike,
  slotSize: numberLike,
  slots: z.int().min(1),
  bars: z.array(z.string().min(1)),
});

export const targetsSchema = z.strictObject({
  ram: z
    .array(
      z.strictObject({
        region: z.string().min(1),
        offset: numberLike.optional(),
        size: numberLike,
      }),
    )
    .optional(),
  mmio: z.array(z.string().min(1)).optional(),
});

export const machineFileSchema = z.strictObject({
  name: z.string().min(1).optional(),
  memory: regionSchema,
  io: regionSchema.optional(),
  regions: z.array(regionSchema).optional(),
  mappings: z.record(z.string().min(1), mappingSchema).optional(),
  machineRam: z.string().min(1).optional(),
  churn: churnSchema.optional(),
  workload: workloadSchema.optional(),
  hypIoeventfd: z.boolean().optional(),
  hotplug: hotplugSchema.optional(),
  pam: pamSchema.optional(),
  barWindow: barWindowSchema.optional(),
  targets: targetsSchema.optional(),
});

export type RawMachineFile = z.infer<typeof machineFileSchema>;

/** Validates `value` against `schema`; the first problem becomes a `MachineConfigError`. */
export function parseWithSchema<T>(schema: z.ZodType<T>, value: unknown, basePath = ''): T {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw issueToError(issue, issue.path, basePath);
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
};

function issueToError(
  issue: z.core.$ZodIssue,
  segments: readonly PropertyKey[],
  base: string,
): MachineConfigError {
  const path = formatPath(segments, base);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return new MachineConfigError(path, 'is required');
      return new MachineConfigError(
        path,
        `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}, got ${describeInput(issue.input)}`,
      );
    case 'unrecognized_keys':
      return new MachineConfigError(formatPath([issue.keys[0]!], path), 'unknown field');
    case 'invalid_value':
      return new MachineConfigError(
        path,
        `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeInput(issue.input)}`,
      );
    case 'too_small':
      if (issue.origin === 'string') return new MachineConfigError(path, 'must not be empty');
      return new MachineConfigError(path, `must be at least ${String(issue.minimum)}`);
    case 'too_big':
      return new MachineConfigError(path, `must be at most ${String(issue.maximum)}`);
    case 'invalid_union':
      return unionError(issue, segments, base);
    default:
      return new MachineConfigError(path, issue.message);
  }
}

/**
 * A union failed. The branch whose JSON type matched the input (its first issue is not a
 * type mismatch at the union itself) explains best; if none matched, list the types.
 */
function unionError(
  issue: z.core.$ZodIssueInvalidUnion,
  segments: readonly PropertyKey[],
  base: string,
): MachineConfigError {
  const wrongType = (i: z.core.$ZodIssue) => i.code === 'invalid_type' && i.path.length === 0;
  const matched = issue.errors.find((branch) => branch.length > 0 && !wrongType(branch[0]!));
  if (matched !== undefined) {
    return issueToError(matched[0]!, [...segments, ...matched[0]!.path], base);
  }
  const expected = issue.errors.flatMap((branch) =>
    branch.filter(wrongType).map((i) => TYPE_WORDS[(i as { expected: string }).expected] ?? ''),
  );
  return new MachineConfigError(
    formatPath(segments, base),
    `must be ${[...new Set(expected)].filter((e) => e !== '').join(' or ')}, got ${describeInput(issue.input)}`,
  );
}

export function describeInput(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}
