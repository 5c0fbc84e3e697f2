/**
 * Loading user code: a plug-in is an ES module whose default export is a definition
 * object (a strategy, a workload, a device model). SPEC 9: a value that contains `/` or
 * ends in `.js` names a module file (`--workload ./strided.js`); it is resolved against a
 * base directory (the working directory for flags, the machine file's directory for a
 * machine file's `device.module`) into a `file:` URL, which travels to worker threads as
 * plain text. Errors are `InvalidArgument` and name the file. Nothing here runs the code
 * beyond importing it.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AddressSpaceError } from './errors.js';

/** Whether a flag or field value names a module file rather than a built-in name. */
export function isModulePath(value: string): boolean {
  return value.includes('/') || value.endsWith('.js') || value.endsWith('.mjs');
}

/** The `file:` URL of `path`, relative paths taken from `baseDir`. URLs pass through. */
export function moduleUrl(path: string, baseDir: string = process.cwd()): string {
  if (path.startsWith('file:')) return path;
  return pathToFileURL(isAbsolute(path) ? path : resolve(baseDir, path)).href;
}

/**
 * Imports the module at `url` and returns its default export. `what` names the kind of
 * plug-in in the error (`workload`): `cannot load workload module file:///x.js: ...`.
 */
export async function importDefault(url: string, what: string): Promise<unknown> {
  let loaded: { default?: unknown };
  try {
    loaded = (await import(url)) as { default?: unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new AddressSpaceError('InvalidArgument', `cannot load ${what} module ${url}: ${message}`);
  }
  if (loaded.default === undefined) {
    throw new AddressSpaceError(
      'InvalidArgument',
      `${what} module ${url} has no default export (export default { ... })`,
    );
  }
  return loaded.default;
}
