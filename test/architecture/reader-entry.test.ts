/**
 * The reader entry (`addrspace/reader`, src/reader.ts) loads what a reader thread needs
 * and nothing else: its run-time import closure stays inside the reader room, the
 * strategies, host and base (DESIGN "Layers"), and reaches no region model, machine,
 * simulation, bench, zod or piscina.
 *
 * The closure is walked over the TypeScript sources. With `verbatimModuleSyntax`, only
 * `import type` / `export type` statements are erased; every other import or re-export
 * (even one naming only types) loads its module at run time, so it counts.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const STATIC_IMPORT = /^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The specifiers a module loads at run time. */
function runtimeSpecifiers(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(STATIC_IMPORT)) if (m[1] === undefined) out.push(m[2]!);
  for (const m of source.matchAll(DYNAMIC_IMPORT)) out.push(m[1]!);
  return out;
}

interface Closure {
  /** Source files, relative to the repository root. */
  readonly files: Set<string>;
  /** Bare specifiers (packages and `node:` built-ins). */
  readonly packages: Set<string>;
}

/** The run-time import closure of `entry` (a path relative to the repository root). */
function closureOf(entry: string): Closure {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [resolve(ROOT, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    const name = relative(ROOT, file);
    if (files.has(name)) continue;
    files.add(name);
    for (const specifier of runtimeSpecifiers(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) {
        pending.push(resolve(dirname(file), specifier).replace(/\.js$/, '.ts'));
      } else {
        packages.add(specifier);
      }
    }
  }
  return { files, packages };
}

const READER_ROOMS = [
  'src/base/',
  'src/host/',
  'src/concurrent/reader/',
  'src/concurrent/strategies/',
];
const FORBIDDEN = [
  'src/core/',
  'src/machine/',
  'src/sim/',
  'src/bench/',
  'src/cli/',
  'src/concurrent/publication/',
  'src/concurrent/vcpu/',
];

describe('the reader entry', () => {
  const reader = closureOf('src/reader.ts');

  test('the walk follows re-exports down to the strategies', () => {
    expect(reader.files).toContain('src/concurrent/strategies/shared-view.ts');
    for (const strategy of ['rcu', 'seqlock', 'mutex', 'none']) {
      expect(reader.files).toContain(`src/concurrent/strategies/${strategy}.ts`);
    }
    expect(reader.files).toContain('src/host/event-fd.ts');
  });

  test('the walk sees what the whole package loads (so it would see a stray import)', () => {
    const whole = closureOf('src/index.ts');
    expect([...whole.files].some((f) => f.startsWith('src/core/'))).toBe(true);
    expect([...whole.files].some((f) => f.startsWith('src/machine/'))).toBe(true);
    expect(whole.packages).toContain('piscina');
    expect(whole.packages).toContain('zod');
  });

  test('its closure holds no region model, machine, sim, bench, cli, owner side or vCPU runtime', () => {
    const reached = [...reader.files].filter((f) => FORBIDDEN.some((dir) => f.startsWith(dir)));
    expect(reached).toEqual([]);
  });

  test('its closure stays in the reader room, the strategies, host and base', () => {
    const outside = [...reader.files].filter(
      (f) => f !== 'src/reader.ts' && !READER_ROOMS.some((dir) => f.startsWith(dir)),
    );
    expect(outside).toEqual([]);
  });

  test('it loads no package but Node built-ins (no zod, piscina, comlink, tinybench)', () => {
    expect([...reader.packages].filter((p) => !p.startsWith('node:'))).toEqual([]);
  });

  test('the package exports it as addrspace/reader, types and module', () => {
    const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
      exports: Record<string, { types: string; import: string }>;
    };
    expect(pkg.exports['./reader']).toEqual({
      types: './dist/src/reader.d.ts',
      import: './dist/src/reader.js',
    });
  });
});
