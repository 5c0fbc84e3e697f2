/**
 * `migrate --from FILE` (SPEC 10): builds the machine the options name, reads and checks
 * the whole migration stream (stream.ts: magic, header, record bounds, checksum) before
 * touching memory, checks that the stream's mappings are the machine's (same names and
 * sizes, in the view's order), applies the page records in order, then runs the vCPUs on
 * the loaded memory for `runMs`. A bad stream or a layout that does not match is one
 * `StreamError` line (exit status 2) and leaves the machine untouched.
 */
import { crc32 } from 'node:zlib';
import { PAGE_SIZE } from '../../base/constants.js';
import { mappingsOf } from '../../core/dirty-log.js';
import { createMachine } from '../../machine/create.js';
import type { ResolvedMigrateOptions } from './options.js';
import type { MigrationLoadReport } from './report.js';
import { RunningMachine } from './running-machine.js';
import { readStream, StreamError } from './stream.js';

export async function loadStream(
  o: ResolvedMigrateOptions,
  file: string,
): Promise<MigrationLoadReport> {
  const loaded = readStream(file);
  const machine = await createMachine(o.machine);
  try {
    const mappings = mappingsOf(machine.memory.flatView);
    const want = loaded.header.mappings;
    const layout = (list: readonly { name: string; size: number }[]) =>
      list.map((m) => `${m.name} (${m.size} bytes)`).join(', ');
    if (
      want.length !== mappings.length ||
      want.some((m, i) => m.name !== mappings[i]!.name || m.size !== mappings[i]!.size)
    ) {
      throw new StreamError(
        `migration stream ${file} does not fit machine ${o.machine}: it holds ${layout(want)}; the machine has ${layout(mappings)}`,
      );
    }
    let zeroPages = 0;
    for (const r of loaded.records) {
      const target = mappings[r.mapping]!;
      const start = r.page * PAGE_SIZE;
      if (r.bytes === undefined) {
        target.bytes.fill(0, start, Math.min(target.size, start + PAGE_SIZE));
        zeroPages++;
      } else {
        target.bytes.set(r.bytes, start);
      }
    }
    const digests: Record<string, number> = {};
    for (const m of mappings) digests[m.name] = crc32(m.bytes) >>> 0;
    const started = performance.now();
    const running = await RunningMachine.start(machine, o);
    let interrupted = false;
    try {
      const until = started + o.runMs;
      while (performance.now() < until && !(interrupted = o.signal?.aborted === true)) {
        await new Promise((r) =>
          setTimeout(r, Math.min(25, Math.max(1, until - performance.now()))),
        );
      }
      await running.pause();
    } finally {
      await running.close();
    }
    const counters = running.pool.counters();
    return {
      version: 1,
      kind: 'load',
      machine: o.machine,
      strategy: o.strategy,
      from: file,
      loaded: {
        records: loaded.records.length,
        pages: loaded.records.length - zeroPages,
        zeroPages,
        bytes: loaded.bytes,
        checksum: loaded.checksum,
      },
      digests,
      run: {
        durationMs: Math.round(performance.now() - started),
        accesses: counters.accesses,
        writes: counters.writes,
        faults: counters.faults,
        lostVcpus: running.pool.lost.length,
      },
      interrupted,
    };
  } finally {
    machine.dispose();
  }
}
