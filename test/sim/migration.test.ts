/**
 * `migrate` (SPEC 10) on a small machine file (32 MiB of RAM, 1 MiB of flash), with one
 * real vCPU thread, the device backend doing DMA and non-RAM churn going on: every safe
 * strategy under every writing workload ends with 0 differing pages; without dirty
 * logging it cannot; the stream round trip restores the exact bytes; bad streams are one
 * `StreamError` line and change nothing. Runs are short (warm-up 100 ms, 512 MiB/s).
 * Workers load from dist/, so this imports the built modules (build first).
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type * as Migrate from '../../src/sim/migration/migrate.js';
import type { MigrationLoadReport, MigrationReport } from '../../src/sim/migration/report.js';
import type * as Stream from '../../src/sim/migration/stream.js';

const { migrate } = (await import(
  new URL('../../dist/src/sim/migration/migrate.js', import.meta.url).href
)) as typeof Migrate;
const { readStream, StreamError } = (await import(
  new URL('../../dist/src/sim/migration/stream.js', import.meta.url).href
)) as typeof Stream;

const machine = 'test/sim/fixtures/sim-small.json';
const quick = { machine, vcpus: 1, warmupMs: 100, bandwidth: 512, runMs: 200 } as const;
const dir = mkdtempSync(join(tmpdir(), 'addrspace-migrate-'));

async function migration(options: Parameters<typeof migrate>[0]): Promise<MigrationReport> {
  const r = await migrate({ ...quick, ...options });
  if (r.kind !== 'migration') throw new Error('expected a migration report');
  return r;
}

describe('migrate: every byte arrives', () => {
  for (const strategy of ['rcu', 'seqlock', 'mutex'] as const) {
    for (const workload of ['seq', 'random', 'hot', 'mixed', 'mmio'] as const) {
      it(`${strategy}, ${workload}: 0 differing pages`, async () => {
        const r = await migration({ strategy, workload });
        expect(r.compare).toEqual({ pages: 8448, differingPages: 0, firstDifferences: [] });
        expect(r.dirtyLog).toBe(true);
        expect(r.rounds[0]!.sentPages).toBe(8448);
        expect(r.rounds.at(-1)!.stopAndCopy).toBe(true);
        expect(r.source.writes + r.source.dmaOps).toBeGreaterThan(0);
      }, 30_000);
    }
  }

  it('the report has the keys of SPEC 10 and counts what it sent', async () => {
    const r = await migration({ workload: 'seq', churn: 'all', maxRounds: 2 });
    expect(Object.keys(r)).toEqual(
      expect.arrayContaining(['version', 'machine', 'strategy', 'dirtyLog', 'converged']),
    );
    expect([r.version, r.machine, r.strategy, r.hotplugHeld]).toEqual([1, machine, 'rcu', true]);
    expect(r.churn).toEqual(['bar', 'romd', 'alias', 'ioeventfd']);
    expect(r.rounds.length).toBeLessThanOrEqual(4); // round 0, at most 2 more, stop-and-copy
    expect(r.bytesSent).toBe(r.rounds.reduce((s, x) => s + x.bytes, 0));
    expect(r.rounds.every((x) => x.sentPages === x.dirtyPages)).toBe(true);
  }, 30_000);
});

describe('migrate --no-dirty-log', () => {
  it('copies once and ends in differences that name the first pages', async () => {
    const r = await migration({ workload: 'seq', dirtyLog: false });
    expect(r.rounds.length).toBe(1);
    expect(r.converged).toBe(false);
    expect(r.compare.differingPages).toBeGreaterThan(0);
    const first = r.compare.firstDifferences[0]!;
    expect(first.mapping).toBe('ram0');
    expect(first.gpa).toBe(first.page * 4096); // ram0 is mapped at 0
  }, 30_000);
});

describe('migration stream', () => {
  const file = join(dir, 'small.stream');

  it('round trip: --to writes what --from loads, byte for byte', async () => {
    const out = await migration({ workload: 'random', to: file });
    expect(out.compare.differingPages).toBe(0);
    expect(out.stream!.bytes).toBe(readFileSync(file).length);
    const loaded = (await migrate({ ...quick, from: file })) as MigrationLoadReport;
    expect(loaded.kind).toBe('load');
    expect(loaded.digests).toEqual(out.digests);
    expect(loaded.loaded.records).toBe(out.stream!.records);
    expect(loaded.run.accesses).toBeGreaterThan(0);
    expect(loaded.run.lostVcpus).toBe(0);
  }, 30_000);

  it('a truncated stream is one line naming the byte', () => {
    const cut = join(dir, 'cut.stream');
    writeFileSync(cut, readFileSync(file).subarray(0, 100_000));
    expect(() => readStream(cut)).toThrow(StreamError);
    expect(() => readStream(cut)).toThrow(
      new RegExp(
        `^migration stream ${cut} is truncated at byte 100000 \\(in page \\d+ of ram0\\)$`,
      ),
    );
  });

  it('a corrupted byte fails the checksum; nothing is loaded', async () => {
    const bad = join(dir, 'bad.stream');
    copyFileSync(file, bad);
    const bytes = readFileSync(bad);
    bytes[5000]! ^= 0x55;
    writeFileSync(bad, bytes);
    await expect(migrate({ ...quick, from: bad })).rejects.toThrow(
      /^migration stream .*bad\.stream is corrupted: checksum 0x[0-9A-F]+ does not match 0x[0-9A-F]+ in its end record$/,
    );
  });

  it('not a stream, a stream for another machine', async () => {
    const junk = join(dir, 'junk.stream');
    writeFileSync(junk, 'hello');
    expect(() => readStream(junk)).toThrow(`migration stream ${junk} is not a migration stream`);
    await expect(
      migrate({ ...quick, machine: 'test/cli/fixtures/tiny-machine.json', from: file }),
    ).rejects.toThrow(
      /does not fit machine test\/cli\/fixtures\/tiny-machine\.json: it holds ram0 \(33554432 bytes\), bios \(1048576 bytes\)/,
    );
  });

  it('bad options are refused before anything runs', async () => {
    await expect(migrate({ to: 'a', from: 'b' })).rejects.toThrow(
      'to: give --to or --from, not both',
    );
    await expect(migrate({ bandwidth: 0 })).rejects.toThrow(/^bandwidth: must be/);
    await expect(migrate({ maxRounds: -1 } as never)).rejects.toThrow(/^maxRounds: must be/);
  });
});
