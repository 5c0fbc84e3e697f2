/**
 * The reader entry (`addrspace/reader`, src/reader.ts) loads what a reader thread needs
 * and nothing else: its run-time import closure stays inside the reader room, the
 * strategies, host and base (DESIGN "Layers"), and reaches no region model, machine,
 * simulation, bench, zod or piscina.
 *
 * The closure is walked over the TypeScript sources (import-graph.ts): with
 * `verbatimModuleSyntax` only `import type` / `export type` statements are erased, so
 * every other import or re-export (even one naming only types) counts.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, runtimeClosureOf } from './import-graph.js';

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
  const reader = runtimeClosureOf('src/reader.ts');

  test('the walk follows re-exports down to the strategies', () => {
    expect(reader.files).toContain('src/concurrent/strategies/shared-view.ts');
    for (const strategy of ['rcu', 'seqlock', 'mutex', 'none']) {
      expect(reader.files).toContain(`src/concurrent/strategies/${strategy}.ts`);
    }
    expect(reader.files).toContain('src/host/event-fd.ts');
  });

  test('the walk sees what the whole package loads (so it would see a stray import)', () => {
    const whole = runtimeClosureOf('src/index.ts');
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
