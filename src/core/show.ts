/**
 * Text dumps of the tree and the flat view (SPEC 5, "Showing"): StratoVirt's `mtree` and
 * `memspace_show`, and QEMU's `info mtree` layout (with `-f` for the flat view).
 *
 * Every function returns text (one `\n` after each line) and prints nothing. It only
 * reads regions and views.
 */
import { hex } from '../base/errors.js';
import type { FlatView } from './flat-view.js';
import type { Region } from './region.js';

const STRATOVIRT_INDENT = '    ';

function leafTypeName(r: Region): string {
  switch (r.regionType) {
    case 'Ram':
      return 'ram';
    case 'IO':
      return 'i/o';
    case 'RomDevice':
      return 'romd';
    case 'RamDevice':
      return 'ramd';
    default:
      return 'err type';
  }
}

/** StratoVirt's `Region::mtree(level)`. */
export function regionMtree(r: Region, level: number): string {
  const lines: string[] = [];
  mtreeLines(r, level, lines);
  return lines.join('');
}

function mtreeLines(r: Region, level: number, out: string[]): void {
  const tab = STRATOVIRT_INDENT.repeat(level);
  switch (r.regionType) {
    case 'Container':
      out.push(
        `${tab}${hex(r.offset)} - ${hex(r.offset + r.size)}, (Prio ${r.priority}, Container) : ${r.name}\n`,
      );
      for (const c of r.childList) mtreeLines(c, level + 1, out);
      return;
    case 'Alias':
      out.push(
        `${tab}${hex(r.aliasOffset)} - ${hex(r.aliasOffset + r.size)}, (Prio ${r.priority}, alias) : ${r.name} @alias name: ${r.aliasTarget!.name}\n`,
      );
      return;
    default: {
      const romd = r.getRomDeviceRomd();
      const romdText = romd === undefined ? 'None' : `Some(${romd})`;
      out.push(
        `${tab}${hex(r.offset)} - ${hex(r.offset + r.size)}, (Prio ${r.priority}, ${leafTypeName(r)} romd ${romdText}) : ${r.name}\n`,
      );
    }
  }
}

/** StratoVirt's `AddressSpace::memspace_show`, returned instead of printed. */
export function memspaceText(spaceName: string, root: Region, view: FlatView): string {
  const lines = [`----- address-space flat: ${spaceName} -----\n`];
  for (const fr of view.ranges) {
    const { base, size } = fr.addrRange;
    lines.push(
      `  ${hex(base)} - ${hex(base + size)}, (pri ${fr.owner.priority}, ${fr.owner.regionType}) Region ${fr.owner.name} @ offset ${hex(fr.offsetInRegion)}\n`,
    );
  }
  lines.push(`------ regions show: ${root.name} --------------\n`);
  lines.push(regionMtree(root, 0));
  lines.push('--------------------------------------\n');
  return lines.join('');
}

function qhex(v: number): string {
  return v.toString(16).padStart(16, '0');
}

/** QEMU's type word: aliases take their target's, containers are `i/o`. */
function qemuType(r: Region): string {
  switch (r.regionType) {
    case 'Alias':
      return qemuType(r.aliasTarget!);
    case 'Ram':
      return 'ram';
    case 'RamDevice':
      return 'ramd';
    case 'RomDevice':
      return r.romdMode ? 'romd' : 'i/o';
    default:
      return 'i/o';
  }
}

/**
 * QEMU's `info mtree` for one address space: the tree with absolute, inclusive bounds,
 * children sorted by address (then priority), followed by one `memory-region:` section
 * per alias target; with `flat`, the `info mtree -f` listing of the view.
 */
export function qemuMtreeText(
  spaceName: string,
  root: Region,
  view: FlatView,
  flat: boolean,
): string {
  if (flat) {
    const lines = [
      `FlatView #0\n`,
      ` AS "${spaceName}", root: ${root.name}\n`,
      ` Root memory region: ${root.name}\n`,
    ];
    if (view.ranges.length === 0) lines.push(' No rendered FlatView\n');
    for (const fr of view.ranges) {
      const { base, size } = fr.addrRange;
      const at = fr.offsetInRegion === 0 ? '' : ` @${qhex(fr.offsetInRegion)}`;
      lines.push(
        `  ${qhex(base)}-${qhex(base + size - 1)} (prio ${fr.owner.priority}, ${qemuType(fr.owner)}): ${fr.owner.name}${at}\n`,
      );
    }
    return lines.join('');
  }
  const lines = [`address-space: ${spaceName}\n`];
  const aliased: Region[] = [];
  qemuTreeLines(root, -root.offset, 1, lines, aliased);
  for (let i = 0; i < aliased.length; i++) {
    const target = aliased[i]!;
    lines.push(`\nmemory-region: ${target.name}\n`);
    qemuTreeLines(target, -target.offset, 1, lines, aliased);
  }
  return lines.join('');
}

function qemuTreeLines(
  r: Region,
  base: number,
  level: number,
  out: string[],
  aliased: Region[],
): void {
  const start = base + r.offset;
  const end = r.size === 0 ? start : start + r.size - 1;
  const pad = '  '.repeat(level);
  const disabled = r.enabled ? '' : ' [disabled]';
  if (r.regionType === 'Alias') {
    const target = r.aliasTarget!;
    if (!aliased.includes(target)) aliased.push(target);
    out.push(
      `${pad}${qhex(start)}-${qhex(end)} (prio ${r.priority}, ${qemuType(r)}${disabled}): alias ${r.name} @${target.name} ${qhex(r.aliasOffset)}-${qhex(r.aliasOffset + r.size - 1)}\n`,
    );
    return;
  }
  out.push(
    `${pad}${qhex(start)}-${qhex(end)} (prio ${r.priority}, ${qemuType(r)}${disabled}): ${r.name}\n`,
  );
  const children = r.childList
    .slice()
    .sort((a, b) => a.offset - b.offset || b.priority - a.priority);
  for (const c of children) qemuTreeLines(c, start, level + 1, out, aliased);
}
