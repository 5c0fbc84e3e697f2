/**
 * Writes the pack-check consumer's package.json and package-lock.json, so that
 * `npm ci --offline` installs the packed tarball without asking a registry: the lock
 * takes the package's run-time dependencies (and @types/node for the type-check) with
 * the versions and integrity of the repository's own lock, whose tarballs `npm ci`
 * already put in the npm cache.
 *
 * usage: node lockfile.mjs REPO_DIR CONSUMER_DIR TARBALL_NAME TARBALL_INTEGRITY
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [repo, consumer, tarball, integrity] = process.argv.slice(2);
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8'));

const typesNode = lock.packages['node_modules/@types/node'];
const manifest = {
  name: 'addrspace-pack-consumer',
  private: true,
  type: 'module',
  dependencies: { addrspace: `file:${tarball}` },
  devDependencies: { '@types/node': typesNode.version },
};

/** The repository's entries that the consumer needs: run-time closure plus @types/node. */
const wanted = (path, entry) =>
  path !== '' &&
  (!entry.dev ||
    path === 'node_modules/@types/node' ||
    Object.keys(typesNode.dependencies ?? {}).some((d) => path === `node_modules/${d}`));

const packages = {
  '': {
    name: manifest.name,
    dependencies: manifest.dependencies,
    devDependencies: manifest.devDependencies,
  },
  'node_modules/addrspace': {
    version: pkg.version,
    resolved: `file:${tarball}`,
    integrity,
    license: pkg.license,
    dependencies: pkg.dependencies,
    bin: pkg.bin,
    engines: pkg.engines,
  },
};
for (const [path, entry] of Object.entries(lock.packages)) {
  if (wanted(path, entry)) packages[path] = entry;
}

writeFileSync(join(consumer, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
writeFileSync(
  join(consumer, 'package-lock.json'),
  `${JSON.stringify({ name: manifest.name, lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
);
