/**
 * Record and replay (SPEC 11): `record` writes the header and every churn operation with
 * the generation it published; `replay` applies exactly that sequence, publishing the
 * same generations, and says how many it replayed; a violation carries the command that
 * replays it. Short real runs on the small fixture. Imports the built module.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Recording, ReplaySchedule, readRecording } from '../../src/sim/churn-record.js';
import { resolveRunOptions } from '../../src/sim/options.js';
import type * as Simulation from '../../src/sim/simulation.js';
import { reproduceCommand } from '../../src/sim/simulation-report.js';

const { runSimulation } = (await import(
  new URL('../../dist/src/sim/simulation.js', import.meta.url).href
)) as typeof Simulation;

const MACHINE = new URL('./fixtures/sim-small.json', import.meta.url).pathname;
const dirs: string[] = [];
async function scratch(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'addrspace-record-'));
  dirs.push(dir);
  return join(dir, name);
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('record and replay', () => {
  it('replays exactly the recorded operations, each publishing the recorded generation', async () => {
    const file = await scratch('run.jsonl');
    const recorded = await runSimulation({
      machine: MACHINE,
      vcpus: 2,
      durationSeconds: 1,
      churn: 'all',
      churnRate: 300,
      seed: 7,
      record: file,
    });
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    const header = JSON.parse(lines[0]!);
    expect(header).toMatchObject({
      type: 'header',
      format: 1,
      machine: MACHINE,
      seeds: { churn: 7, workload: 7, faults: 7 },
      flags: { vcpus: 2, durationSeconds: 1, churnRate: 300, strategy: 'rcu' },
    });
    const ops = lines.slice(1).map((l) => JSON.parse(l));
    expect(ops.length).toBe(recorded.record!.ops);
    expect(ops.length).toBe(recorded.churn.updates + (recorded.churnFailed ?? 0));
    expect(ops.map((o) => o.op.seq)).toEqual(ops.map((_, i) => i));
    // Each applied operation publishes one generation, in order.
    const applied = ops.filter((o) => o.generation !== undefined);
    expect(applied.map((o) => o.generation)).toEqual(
      applied.map((_, i) => header.startGeneration + i + 1),
    );

    // The replay takes machine, seed and flags from the file; no option given.
    const replayed = await runSimulation({ replay: file });
    expect(replayed).toMatchObject({ machine: MACHINE, seed: 7, vcpus: 2, churnRate: 300 });
    expect(replayed.replayed).toBe(ops.length);
    expect(replayed.replay).toEqual({
      file,
      total: ops.length,
      replayed: ops.length,
      mismatches: 0,
    });
    expect(replayed.churn.updates).toBe(recorded.churn.updates);
    expect(replayed.exitCode).toBe(0);
  });

  it('replays a run with injected listener refusals: refused again, same generations', async () => {
    const file = await scratch('faults.jsonl');
    const recorded = await runSimulation({
      machine: MACHINE,
      vcpus: 1,
      durationSeconds: 1.5,
      churn: 'alias,romd',
      churnRate: 400,
      faults: 'throw-listener',
      record: file,
    });
    const refusals = recorded.faults!.injected['throw-listener'];
    expect(refusals).toBeGreaterThan(0);
    const replayed = await runSimulation({ replay: file });
    expect(replayed.replay).toMatchObject({ mismatches: 0, refusedAsRecorded: refusals });
    expect(replayed.replayed).toBe(recorded.record!.ops);
    expect(replayed.churn.updates).toBe(recorded.churn.updates);
  });

  it('replays a run with table-growth faults: their own changes in place, same generations', async () => {
    const file = await scratch('growth.jsonl');
    const recorded = await runSimulation({
      machine: MACHINE,
      vcpus: 1,
      durationSeconds: 1.5,
      churn: 'alias,bar',
      churnRate: 400,
      workload: 'random',
      faults: 'table-growth',
      record: file,
    });
    const growths = recorded.faults!.injected['table-growth'];
    expect(growths).toBeGreaterThan(0);
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const changes = lines.filter((l) => l.type === 'fault');
    expect(changes.map((c) => c.change)).toEqual(
      Array.from({ length: growths }, () => ['add', 'remove']).flat(),
    );
    expect(changes[0]).toMatchObject({ fault: 'table-growth', change: 'add', id: 1 });
    // Every line's generation, operations' and faults' alike, follows the one before it.
    const generations = lines.filter((l) => l.generation !== undefined).map((l) => l.generation);
    expect(generations).toEqual(generations.map((_, i) => lines[0].startGeneration + i + 1));

    const replayed = await runSimulation({ replay: file });
    expect(replayed.replay).toEqual({
      file,
      total: recorded.record!.ops,
      replayed: recorded.record!.ops,
      mismatches: 0,
      faultChanges: 2 * growths,
    });
    expect(replayed.faults).toBeUndefined();
  });

  it('a replay makes each fault change before the operation it preceded, checking its generation', () => {
    const op = (seq: number) =>
      ({ type: 'op', op: { seq, kind: 'alias', region: 'w', enabled: seq % 2 === 0 } }) as const;
    const recording: Recording = {
      path: 'r.jsonl',
      header: {
        type: 'header',
        format: 1,
        machine: 'pc',
        seeds: { churn: 1, workload: 1, faults: 1 },
        flags: {
          vcpus: 1,
          durationSeconds: 1,
          strategy: 'rcu',
          workload: 'mixed',
          churn: ['alias'],
          churnRate: 1,
          check: true,
          faults: ['table-growth'],
        },
        startGeneration: 1,
      },
      ops: [
        { ...op(0), generation: 2 },
        { ...op(1), generation: 4 },
        { ...op(2), generation: 6 },
      ],
      faultChanges: [
        {
          type: 'fault',
          fault: 'table-growth',
          change: 'add',
          id: 1,
          base: 0,
          afterOps: 1,
          generation: 3,
        },
        {
          type: 'fault',
          fault: 'table-growth',
          change: 'remove',
          id: 1,
          base: 0,
          afterOps: 2,
          generation: 5,
        },
        {
          type: 'fault',
          fault: 'table-growth',
          change: 'add',
          id: 2,
          base: 0,
          afterOps: 3,
          generation: 7,
        },
      ],
    };
    const events: string[] = [];
    let generation = 1;
    const replay = new ReplaySchedule(recording, (change) => {
      events.push(`${change.change} #${change.id}`);
      generation += change.id === 2 ? 2 : 1; // the last one publishes one generation too many
      return generation;
    });
    for (let o = replay.next(); o !== undefined; o = replay.next()) {
      events.push(`op ${o.seq}`);
      replay.outcome(o, ++generation);
    }
    expect(events).toEqual(['op 0', 'add #1', 'op 1', 'remove #1', 'op 2', 'add #2']);
    expect(replay.done).toBe(true);
    expect(replay.faultChangesReplayed).toBe(3);
    expect(replay.mismatches).toBe(1);
    expect(replay.firstMismatch).toBe(
      "the table-growth fault's add #2 (before operation #3) published generation 8; recorded: generation 7",
    );
  });

  it('a violation carries the command that replays it', async () => {
    const file = await scratch('none.jsonl');
    const report = await runSimulation({
      machine: MACHINE,
      vcpus: 2,
      durationSeconds: 1,
      strategy: 'none',
      churn: 'hotplug',
      churnRate: 2000,
      workload: 'random',
      record: file,
    });
    expect(report.check.violations).toBeGreaterThan(0);
    expect(report.check.reproduce).toBe(`addrspace run --replay ${file}`);
    expect(report.check.firstViolations[0]!.reproduce).toBe(`addrspace run --replay ${file}`);
  });

  it('without a record, the command gives the same seeded churn and records it', () => {
    const options = resolveRunOptions({
      machine: MACHINE,
      vcpus: 1,
      durationSeconds: 0.5,
      strategy: 'none',
      churn: 'hotplug',
      churnRate: 2000,
      workload: 'random',
      seed: 3,
      faults: 'kill-vcpu',
    });
    expect(reproduceCommand(options)).toBe(
      `addrspace run --machine ${MACHINE} --vcpus 1 --duration 0.5 --strategy none --workload random --churn hotplug --churn-rate 2000 --seed 3 --faults kill-vcpu --record run.jsonl`,
    );
    expect(
      reproduceCommand(resolveRunOptions({ vcpus: 1, machine: "my machine's.json" })),
    ).toContain(`--machine 'my machine'\\''s.json'`);
  });

  it('refuses a file that is not a recording, naming the line', async () => {
    const file = await scratch('bad.jsonl');
    await writeFile(file, '{"type":"header","format":1}\n');
    expect(() => readRecording(file)).toThrow(
      `replay: ${file} line 1: the header needs machine, seeds, flags.churn and startGeneration`,
    );
    const header = {
      type: 'header',
      format: 1,
      machine: 'pc',
      seeds: { churn: 1, workload: 1, faults: 1 },
      flags: { churn: ['alias'] },
      startGeneration: 1,
    };
    await writeFile(
      file,
      `${JSON.stringify(header)}\n{"type":"op","op":{"seq":1,"kind":"alias"},"generation":2}\n`,
    );
    expect(() => readRecording(file)).toThrow(
      `replay: ${file} line 2: expected operation #0, got #1`,
    );
    await writeFile(
      file,
      `${JSON.stringify(header)}\n{"type":"fault","fault":"table-growth","change":"add","id":1,"base":0,"afterOps":2,"generation":2}\n`,
    );
    expect(() => readRecording(file)).toThrow(
      `replay: ${file} line 2: a fault line after 0 operations says afterOps 2`,
    );
    await writeFile(file, `${JSON.stringify(header)}\nnot json\n`);
    expect(() => readRecording(file)).toThrow(`replay: ${file} line 2: not a JSON object`);
  });
});
