/**
 * The import graph of src/, read from the TypeScript sources, for the architecture tests.
 *
 * Two readings of a file's imports: every import and re-export (`import type` included:
 * what a layer may even name), and the run-time ones (with `verbatimModuleSyntax` only
 * `import type` / `export type` statements are erased; an import naming only types still
 * loads its module). It reads files; it judges nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const STATIC_IMPORT = /^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

export interface ImportEdge {
  /** The specifier as written. */
  readonly specifier: string;
  /** For a relative specifier: the imported source file, relative to the repository root. */
  readonly file: string | undefined;
  /** False for `import type` / `export type`, which are erased from the emitted module. */
  readonly atRunTime: boolean;
}

/** The imports of `file` (relative to the repository root). */
export function importsOf(file: string): ImportEdge[] {
  const source = readFileSync(resolve(ROOT, file), 'utf8');
  const edge = (specifier: string, atRunTime: boolean): ImportEdge => ({
    specifier,
    file: specifier.startsWith('.')
      ? relative(ROOT, resolve(ROOT, dirname(file), specifier)).replace(/\.js$/, '.ts')
      : undefined,
    atRunTime,
  });
  const out: ImportEdge[] = [];
  for (const m of source.matchAll(STATIC_IMPORT)) out.push(edge(m[2]!, m[1] === undefined));
  for (const m of source.matchAll(DYNAMIC_IMPORT)) out.push(edge(m[1]!, true));
  return out;
}

export interface Closure {
  /** Source files, relative to the repository root. */
  readonly files: Set<string>;
  /** Bare specifiers (packages and `node:` built-ins). */
  readonly packages: Set<string>;
}

/** The run-time import closure of `entry` (relative to the repository root). */
export function runtimeClosureOf(entry: string): Closure {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const edge of importsOf(file)) {
      if (!edge.atRunTime) continue;
      if (edge.file !== undefined) pending.push(edge.file);
      else packages.add(edge.specifier);
    }
  }
  return { files, packages };
}

/** Every `.ts` file under `dir` (relative to the repository root), sorted. */
export function sourceFilesUnder(dir: string): string[] {
  return readdirSync(resolve(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .sort();
}
