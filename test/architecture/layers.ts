/**
 * DESIGN.md's layers, and the two judgements the layer test makes on an import graph:
 * imports into a higher layer, and import circles that join layers. Paths are relative to
 * the repository root (as `import-graph.ts` gives them); `src` names the source root.
 */
import { importsOf } from './import-graph.js';

/** Lowest first. A file directly under the source root is a package entry, above all. */
export const LAYERS = [
  'base',
  'host',
  'core',
  'concurrent/reader',
  'concurrent/strategies',
  'concurrent/publication',
  'concurrent/vcpu',
  'testing',
  'machine',
  'sim',
  'bench',
  'cli',
] as const;

/** Index in LAYERS of `file`, or LAYERS.length for a package entry. */
export function layerOf(file: string, src = 'src'): number {
  const rel = file.startsWith(`${src}/`) ? file.slice(src.length + 1) : file;
  let found: number = LAYERS.length;
  LAYERS.forEach((layer, i) => {
    if (rel.startsWith(`${layer}/`)) found = i;
  });
  return found;
}

const name = (file: string, src: string) =>
  `${file.slice(src.length + 1)} (${LAYERS[layerOf(file, src)] ?? 'entry'})`;

/** `from (layer) -> to (layer)` for each import of `files` into a higher layer. */
export function upwardImports(files: readonly string[], src = 'src'): string[] {
  return files.flatMap((file) =>
    importsOf(file)
      .filter((e) => e.file !== undefined && layerOf(e.file, src) > layerOf(file, src))
      .map((e) => `${name(file, src)} -> ${name(e.file!, src)}`),
  );
}

/** Strongly connected components (Tarjan) of `files` that hold more than one layer. */
export function circlesAcrossLayers(files: readonly string[], src = 'src'): string[][] {
  const inTree = new Set(files);
  const edges = new Map(
    files.map((f) => [
      f,
      importsOf(f).flatMap((e) => (e.file && inTree.has(e.file) ? [e.file] : [])),
    ]),
  );
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const mixed: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (new Set(component.map((f) => layerOf(f, src))).size > 1) {
      mixed.push(component.map((f) => f.slice(src.length + 1)).sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return mixed;
}
