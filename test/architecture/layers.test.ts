/**
 * The house stays as drawn (DESIGN.md "Layers"): every import in src/ points to the same
 * layer or a lower one, and no import circle joins files of different layers.
 *
 *   base < host < core < concurrent < testing < machine < sim < bench < cli
 *   concurrent/: reader < strategies < publication < vcpu
 *
 * Type-only imports count too: a lower layer that names a higher layer's type depends on
 * it just the same (a strategy sees the owner's side through interfaces it declares
 * itself). Files directly under src/ (the package entries) sit above every layer.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, sourceFilesUnder } from './import-graph.js';
import { circlesAcrossLayers, LAYERS, layerOf, upwardImports } from './layers.js';

describe('the layers of src/ (DESIGN.md)', () => {
  const files = sourceFilesUnder('src');

  it('every file of src/ is in a layer or is a package entry directly under src/', () => {
    const lost = files.filter((f) => layerOf(f) === LAYERS.length && f.split('/').length > 2);
    expect(lost).toEqual([]);
    expect(files.length).toBeGreaterThan(150);
  });

  it('no file imports from a higher layer or room (types included)', () => {
    expect(upwardImports(files)).toEqual([]);
  });

  it('no import circle joins files of different layers', () => {
    expect(circlesAcrossLayers(files)).toEqual([]);
  });
});

describe('the layer check, on a tree built to break it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'layers-'));
  const src = relative(ROOT, join(dir, 'src'));
  const write = (file: string, text: string) => {
    mkdirSync(join(dir, 'src', file, '..'), { recursive: true });
    writeFileSync(join(dir, 'src', file), text);
  };
  write('base/a.ts', "import type { B } from '../core/b.js';\nexport type A = B;\n");
  write('core/b.ts', "import { a } from '../base/a.js';\nexport type B = typeof a;\n");
  write('concurrent/reader/r.ts', "export { s } from '../strategies/s.js';\n");
  write('concurrent/strategies/s.ts', 'export const s = 1;\n');
  write('index.ts', "export * from './core/b.js';\n");
  const files = sourceFilesUnder(src);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a type-only import into a higher layer, and a room-order break', () => {
    expect(upwardImports(files, src).sort()).toEqual([
      'base/a.ts (base) -> core/b.ts (core)',
      'concurrent/reader/r.ts (concurrent/reader) -> concurrent/strategies/s.ts (concurrent/strategies)',
    ]);
  });

  it('reports the circle between base and core', () => {
    expect(circlesAcrossLayers(files, src)).toEqual([['base/a.ts', 'core/b.ts']]);
  });
});
