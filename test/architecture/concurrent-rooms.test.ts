/**
 * The rooms of src/concurrent (DESIGN "Layers") import downwards only:
 * reader < strategies < publication < vcpu. A room may import a lower room, never a
 * higher one, not even for a type: a strategy sees the owner's side through interfaces
 * it declares itself (strategies/owner-strategy.ts), and the reader room sees no strategy.
 * And concurrent/ itself imports nothing above it (machine, sim, bench, cli).
 */
import { describe, expect, test } from 'vitest';
import { importsOf, sourceFilesUnder } from './import-graph.js';

const ROOMS = ['reader', 'strategies', 'publication', 'vcpu'] as const;
const ABOVE_CONCURRENT = ['src/machine/', 'src/sim/', 'src/bench/', 'src/cli/'];

function roomOf(file: string): number {
  const m = /^src\/concurrent\/([^/]+)\//.exec(file);
  return m === null ? -1 : ROOMS.indexOf(m[1] as (typeof ROOMS)[number]);
}

describe('the rooms of src/concurrent', () => {
  const files = sourceFilesUnder('src/concurrent');

  test('every file is in one of the four rooms', () => {
    expect(files.filter((f) => roomOf(f) < 0)).toEqual([]);
    expect(files.length).toBeGreaterThan(30);
  });

  test('no room imports a higher room (types included)', () => {
    const upward: string[] = [];
    for (const file of files) {
      for (const edge of importsOf(file)) {
        if (edge.file === undefined) continue;
        const to = roomOf(edge.file);
        if (to > roomOf(file)) upward.push(`${file} -> ${edge.file}`);
      }
    }
    expect(upward).toEqual([]);
  });

  test('nothing in src/concurrent imports machine, sim, bench or cli', () => {
    const upward: string[] = [];
    for (const file of files) {
      for (const edge of importsOf(file)) {
        if (edge.file !== undefined && ABOVE_CONCURRENT.some((dir) => edge.file!.startsWith(dir))) {
          upward.push(`${file} -> ${edge.file}`);
        }
      }
    }
    expect(upward).toEqual([]);
  });
});
