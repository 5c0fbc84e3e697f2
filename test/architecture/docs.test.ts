/**
 * The documentation that ships (README.md and docs/): every relative link points at a
 * file of the package, every `examples/...` file it names exists, and nothing cites the
 * specification, which does not ship.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FILES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

describe.each(FILES)('%s', (file) => {
  const text = readFileSync(join(ROOT, file), 'utf8');

  it('links only to files that exist', () => {
    const broken = [...text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
      .map((m) => m[1]!)
      .filter((target) => !/^[a-z]+:/.test(target))
      .filter((target) => !existsSync(resolve(dirname(join(ROOT, file)), target)));
    expect(broken).toEqual([]);
  });

  it('names only examples that exist', () => {
    const missing = [...text.matchAll(/examples\/[\w.-]+/g)]
      .map((m) => m[0])
      .filter((path) => !existsSync(join(ROOT, path)));
    expect(missing).toEqual([]);
  });

  it('cites no section of the specification (it does not ship)', () => {
    expect(text).not.toMatch(/\bSPEC(\.md)?\b/);
  });
});

it('the package ships docs/ and examples/', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  expect(pkg.files).toEqual(expect.arrayContaining(['docs', 'examples']));
});
