/**
 * The built-in strategies (SPEC 7), in the order usage text, reports and the bench list
 * them. Each is a `StrategyDefinition` defined in its own file, exactly as a plug-in is.
 */
import { ebr } from './ebr.js';
import { hazard } from './hazard.js';
import { leftright } from './leftright.js';
import { mutex } from './mutex.js';
import { none } from './none.js';
import { rcu } from './rcu.js';
import { refcount } from './refcount.js';
import { rwlock } from './rwlock.js';
import { seqlock } from './seqlock.js';
import type { StrategyDefinition } from './strategy-definition.js';

export const BUILTIN_STRATEGIES: readonly StrategyDefinition[] = [
  rcu,
  seqlock,
  mutex,
  rwlock,
  refcount,
  hazard,
  ebr,
  leftright,
  none,
];
