/**
 * Every export of the package root (`dist/src/index.d.ts`, what a user's editor shows)
 * has a doc comment on its declaration: the class, function, constant, interface or type
 * a user reaches from `import { ... } from 'addrspace'`. It reads the built declaration
 * files (run `npm run build` first) and follows re-exports down to the declaring file.
 * A missing comment fails with the list of names and files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../../dist/src/', import.meta.url));
const INDEX = join(DIST, 'index.d.ts');

interface Reexport {
  /** The name in the module it comes from. */
  readonly local: string;
  /** The name it is exported under. */
  readonly exported: string;
  readonly from: string;
}

/** `export { a, type b as c } from './x.js';` and `export type { ... } from` statements. */
function reexportsOf(text: string, file: string): Reexport[] {
  const out: Reexport[] = [];
  const re = /export\s+(?:type\s+)?\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g;
  for (const m of text.matchAll(re)) {
    const from = resolve(dirname(file), m[2]!.replace(/\.js$/, '.d.ts'));
    for (const part of m[1]!.split(',')) {
      const item = part.trim().replace(/^type\s+/, '');
      if (item === '') continue;
      const [local, exported] = item.split(/\s+as\s+/);
      out.push({ local: local!.trim(), exported: (exported ?? local!).trim(), from });
    }
  }
  return out;
}

const DECLARATION = (name: string) =>
  new RegExp(
    `^export\\s+(?:declare\\s+)?(?:abstract\\s+)?(?:class|function|const|let|interface|type|enum)\\s+${name}\\b`,
    'm',
  );

/** Whether `name` is declared in `file` (or re-exported from it) with a doc comment. */
function documented(name: string, file: string, seen = new Set<string>()): boolean | 'missing' {
  if (seen.has(`${file}#${name}`)) return 'missing';
  seen.add(`${file}#${name}`);
  const text = readFileSync(file, 'utf8');
  const m = DECLARATION(name).exec(text);
  if (m !== null) {
    const before = text.slice(0, m.index).trimEnd();
    return (
      before.endsWith('*/') &&
      before.lastIndexOf('/**') > before.lastIndexOf('*/', before.length - 3)
    );
  }
  const again = reexportsOf(text, file).find((r) => r.exported === name);
  if (again === undefined) return 'missing';
  return documented(again.local, again.from, seen);
}

beforeAll(() => {
  if (!existsSync(INDEX)) throw new Error(`${INDEX} is missing: run npm run build first`);
});

describe('the package root’s public surface', () => {
  it('has a doc comment on every export', () => {
    const exports = reexportsOf(readFileSync(INDEX, 'utf8'), INDEX);
    expect(exports.length).toBeGreaterThan(60);
    const undocumented: string[] = [];
    for (const e of exports) {
      const result = documented(e.local, e.from);
      if (result !== true) {
        undocumented.push(
          `${e.exported} (${e.from.slice(DIST.length)}${result === 'missing' ? ', declaration not found' : ''})`,
        );
      }
    }
    expect(undocumented).toEqual([]);
  });
});
