/**
 * Limits a machine file must keep before anything else looks at it (SPEC 9, issue 11's
 * hostile inputs): its size in bytes, how deep regions nest, how many regions it has,
 * how deep JSON nests anywhere, numbers JSON cannot hold exactly (past 2**53, refused
 * with the text the file wrote), and control characters in its strings and keys.
 *
 * Everything here walks with an explicit stack, so no file can overflow the call stack;
 * the later passes (the zod shape, `parseRegion`, the relation checks, the builder)
 * recurse only as deep as these limits allow. Each problem is one `MachineConfigError`
 * naming the field. Nothing here allocates more than the walk's stack.
 */
import { MachineConfigError } from './errors.js';

/** Largest machine file, in bytes of text. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;
/** Deepest region nesting (the root region is level 1). */
export const MAX_REGION_DEPTH = 32;
/** Most regions in one file (roots, children and detached regions together). */
export const MAX_REGIONS = 4096;
/** Deepest JSON nesting anywhere in the file (objects and arrays). */
export const MAX_JSON_DEPTH = 128;
/** Longest path of children and alias targets that rendering follows. */
export const MAX_RENDER_DEPTH = 64;

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks the text of a file before it is parsed: its size, and the number literals JSON
 * would round (past 2**53). Returns each such number's parsed value → its text as written.
 */
export function checkFileText(text: string): Map<number, string> {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_FILE_BYTES) {
    throw new MachineConfigError(
      '',
      `the machine file is ${bytes} bytes, more than the limit of ${MAX_FILE_BYTES}`,
    );
  }
  const rounded = new Map<number, string>();
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1;
      while (end < text.length && /[0-9eE.+-]/.test(text[end]!)) end++;
      const literal = text.slice(i, end);
      const value = Number(literal);
      if (Math.abs(value) > Number.MAX_SAFE_INTEGER && !rounded.has(value)) {
        rounded.set(value, literal);
      }
      i = end - 1;
    }
  }
  return rounded;
}

interface Pending {
  readonly value: unknown;
  readonly path: string;
  readonly jsonDepth: number;
  /** Region nesting level of `value` when it is a region (0: not a region). */
  readonly regionDepth: number;
  /** When `value` is an array of regions: the level of its items (0: not such an array). */
  readonly itemDepth: number;
}

/**
 * Walks a parsed file without recursion: JSON depth, region depth and count, numbers
 * past 2**53 (named with their text from `rounded`), control characters in strings and
 * keys. Regions are the values of `memory`, `io`, `regions[i]` and every `children[i]`.
 */
export function checkFileShape(file: object, rounded: ReadonlyMap<number, string>): void {
  const stack: Pending[] = [{ value: file, path: '', jsonDepth: 1, regionDepth: 0, itemDepth: 0 }];
  let regions = 0;
  while (stack.length > 0) {
    const { value, path, jsonDepth, regionDepth, itemDepth } = stack.pop()!;
    if (typeof value === 'number') {
      if (Math.abs(value) > Number.MAX_SAFE_INTEGER) {
        const text = rounded.get(value) ?? String(value);
        throw new MachineConfigError(
          path,
          `${text} is past 2**53, where JSON numbers stop being exact (write it as a string such as "0x20000000000001" if it is meant)`,
        );
      }
      continue;
    }
    if (typeof value === 'string') {
      if (CONTROL.test(value)) {
        throw new MachineConfigError(
          path,
          `must not contain control characters, got ${JSON.stringify(value)}`,
        );
      }
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (jsonDepth > MAX_JSON_DEPTH) {
      throw new MachineConfigError(path, `nests deeper than ${MAX_JSON_DEPTH} levels`);
    }
    if (regionDepth > 0) {
      regions++;
      if (regionDepth > MAX_REGION_DEPTH) {
        throw new MachineConfigError(path, `regions nest deeper than ${MAX_REGION_DEPTH} levels`);
      }
      if (regions > MAX_REGIONS) {
        throw new MachineConfigError(path, `the file has more than ${MAX_REGIONS} regions`);
      }
    }
    const at = (key: string | number) =>
      typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({
          value: value[i],
          path: at(i),
          jsonDepth: jsonDepth + 1,
          regionDepth: itemDepth,
          itemDepth: 0,
        });
      }
      continue;
    }
    const keys = Object.keys(value);
    for (let k = keys.length - 1; k >= 0; k--) {
      const key = keys[k]!;
      if (CONTROL.test(key)) {
        throw new MachineConfigError(
          path,
          `a key must not contain control characters, got ${JSON.stringify(key)}`,
        );
      }
      const top = path === '';
      stack.push({
        value: (value as Record<string, unknown>)[key],
        path: at(key),
        jsonDepth: jsonDepth + 1,
        regionDepth: top && (key === 'memory' || key === 'io') ? 1 : 0,
        itemDepth:
          top && key === 'regions'
            ? 1
            : regionDepth > 0 && key === 'children'
              ? regionDepth + 1
              : 0,
      });
    }
  }
}
