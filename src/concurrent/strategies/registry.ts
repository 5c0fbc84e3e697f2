/**
 * The strategies this thread knows, by name (SPEC 7): the built-ins, those added with
 * `registerStrategy`, and plug-in modules loaded by path (`--strategy ./file.js`).
 *
 * A plug-in must be known in the owner and in every reader thread. Loading one by path
 * records its module URL with the definition; the publisher puts that URL into every
 * `ReaderHandle` (`strategyModule`), and a reader thread calls `SharedView.prepare(handle)`
 * (asynchronous: it imports the module) before `SharedView.attach(handle)`.
 *
 * Each thread has its own registry (module state is per thread). This module loads and
 * checks definitions; it never creates owners or readers.
 */
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AddressSpaceError } from '../../base/errors.js';
import { BUILTIN_STRATEGIES } from './builtins.js';
import type { StrategyDefinition } from './strategy-definition.js';

interface Registered {
  readonly definition: StrategyDefinition;
  /** The module URL a plug-in was loaded from (undefined: built in or registered in code). */
  readonly moduleUrl: string | undefined;
}

const registry = new Map<string, Registered>();
for (const definition of BUILTIN_STRATEGIES) {
  registry.set(definition.name, { definition, moduleUrl: undefined });
}

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Throws `InvalidArgument` unless `value` has the shape of a `StrategyDefinition`. */
export function checkStrategyDefinition(value: unknown, where = 'strategy'): StrategyDefinition {
  const d = value as Partial<StrategyDefinition> | null;
  const bad = (problem: string) => AddressSpaceError.invalidArgument(`${where}: ${problem}`);
  if (typeof d !== 'object' || d === null) throw bad('is not a StrategyDefinition object');
  if (typeof d.name !== 'string' || !NAME.test(d.name)) {
    throw bad(`name must be letters, digits, '-' or '_' (got ${String(d.name)})`);
  }
  if (typeof d.safe !== 'boolean') throw bad(`${d.name}: safe must be a boolean`);
  if (typeof d.description !== 'string') throw bad(`${d.name}: description must be a string`);
  if (typeof d.createOwner !== 'function') throw bad(`${d.name}: createOwner must be a function`);
  if (typeof d.createReader !== 'function') {
    throw bad(`${d.name}: createReader must be a function`);
  }
  return d as StrategyDefinition;
}

/**
 * Adds `definition` to this thread's registry and returns it. Registering the same object
 * again is a no-op; another definition under a taken name is `InvalidArgument`.
 */
export function registerStrategy(
  definition: StrategyDefinition,
  moduleUrl?: string,
): StrategyDefinition {
  checkStrategyDefinition(definition);
  const known = registry.get(definition.name);
  if (known !== undefined) {
    if (known.definition === definition) return definition;
    throw AddressSpaceError.invalidArgument(
      `strategy ${definition.name} is already registered (names are unique)`,
    );
  }
  registry.set(definition.name, { definition, moduleUrl });
  return definition;
}

/** The registered strategy `name`; `InvalidArgument` naming the known ones otherwise. */
export function getStrategy(name: string): StrategyDefinition {
  const known = typeof name === 'string' ? registry.get(name) : undefined;
  if (known === undefined) throw AddressSpaceError.invalidArgument(unknownStrategy(name));
  return known.definition;
}

/** The problem with a strategy name nobody registered. */
export function unknownStrategy(name: unknown): string {
  return `must be one of ${listStrategies().join(', ')} or a module path such as ./my-strategy.js, got "${String(name)}"`;
}

/** Whether `name` is registered in this thread. */
export function hasStrategy(name: string): boolean {
  return registry.has(name);
}

/** Names of the registered strategies: the built-ins first, in registration order. */
export function listStrategies(): string[] {
  return [...registry.keys()];
}

/** The module URL strategy `name` was loaded from, if it was loaded by path. */
export function strategyModuleUrl(name: string): string | undefined {
  return registry.get(name)?.moduleUrl;
}

/** Whether a `--strategy` value names a module rather than a registered strategy. */
export function isStrategyPath(value: string): boolean {
  return value.includes('/') || value.endsWith('.js');
}

/** Loads (once) the plug-in module at `url` and registers its default export. */
export async function importStrategyModule(
  url: string,
  shownAs = url,
): Promise<StrategyDefinition> {
  for (const r of registry.values()) {
    if (r.moduleUrl === url) return r.definition;
  }
  let module: { default?: unknown };
  try {
    module = (await import(url)) as { default?: unknown };
  } catch (cause) {
    const why = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new AddressSpaceError(
      'InvalidArgument',
      `strategy module ${shownAs}: cannot load it (${why})`,
      { cause },
    );
  }
  const definition = checkStrategyDefinition(
    module.default,
    `strategy module ${shownAs}: default export`,
  );
  return registerStrategy(definition, url);
}

/**
 * The strategy a `--strategy` value names: a registered name, or a module path (any value
 * containing `/` or ending in `.js`, relative to `baseDir`) whose default export is a
 * `StrategyDefinition`, imported and registered on first use.
 */
export async function resolveStrategy(
  value: string | StrategyDefinition,
  baseDir: string = process.cwd(),
): Promise<StrategyDefinition> {
  if (typeof value === 'object' && value !== null) {
    const d = checkStrategyDefinition(value);
    return hasStrategy(d.name) && getStrategy(d.name) === d ? d : registerStrategy(d);
  }
  if (typeof value !== 'string') {
    throw AddressSpaceError.invalidArgument(`strategy must be a name or a module path`);
  }
  if (!isStrategyPath(value)) return getStrategy(value);
  const url = value.startsWith('file:') ? value : pathToFileURL(resolvePath(baseDir, value)).href;
  return importStrategyModule(url, value);
}
