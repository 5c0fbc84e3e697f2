/**
 * The package version for `addrspace --version`, read from the package.json found by
 * walking up from this module (src/cli/ when run from sources, dist/src/cli/ when built).
 */
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  for (const relative of ['../../package.json', '../../../package.json']) {
    try {
      const text = readFileSync(new URL(relative, import.meta.url), 'utf8');
      const pkg = JSON.parse(text) as { name?: string; version?: string };
      if (pkg.name === 'addrspace' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not this level: try the next one up
    }
  }
  return 'unknown';
}
