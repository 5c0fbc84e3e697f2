/**
 * The owner's side shared by the quiescent-state strategies (`rcu`, `seqlock`): retired
 * tables and memory wait for a grace period over the reader slots' announced epochs
 * (publication/grace.ts, reached through `ctx.qsbr`). Only the publishing stores differ.
 *
 * With no reader counting right after the publishing store, the retired table is
 * unreachable already (the scan a grace period would make, made after the store): it is
 * given back at once, so a burst of changes in one task does not allocate a table per
 * change.
 */
import { countsForGrace } from '../reader/layout.js';
import type { OwnerContext, StrategyOwner } from './strategy-definition.js';

function anyReaderCounts(ctx: OwnerContext): boolean {
  for (let i = 0; i < ctx.registry.maxReaders; i++) {
    if (countsForGrace(ctx.registry.state(i))) return true;
  }
  return false;
}

export function qsbrOwner(
  ctx: OwnerContext,
  publish: (tableId: number, epoch: number) => void,
): StrategyOwner {
  return {
    publish,
    retireTable(_tableId, epoch, free) {
      if (anyReaderCounts(ctx)) ctx.qsbr.request(epoch, free);
      else free();
    },
    afterReaders(epoch, fn) {
      ctx.qsbr.request(epoch, fn);
    },
  };
}
