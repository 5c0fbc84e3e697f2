#!/usr/bin/env node
/**
 * Measures the targets of self-checking memory (SPEC 11, issue 11 item 1) against the
 * built library (npm run build first):
 *
 * 1. throughput: the same run (pc, mixed workload, all churn kinds, seed 1) without the
 *    checker (`check: false`) and with `verify: 'all'`, alternated `--rounds` times; the
 *    share of RAM accesses verified and the ratio of accesses per second (the median of
 *    each round's ratio: the two runs of a round are back to back on a shared machine).
 * 2. `none` caught: for each churn kind alone at `--rate` updates/s, `--seeds` seeds, a
 *    `strategy: 'none'` run with `verify: 'all'`; caught = a violation at t <= 1 s.
 *
 * Usage: node scripts/verify-targets.mjs [--seeds 20] [--rounds 3] [--seconds 3]
 *          [--vcpus 2] [--rate 10000] [--kinds hotplug,bar,...] [--skip-throughput]
 *          [--skip-none] [--json FILE]
 * Prints one line per measurement and a JSON summary; exits 1 when a target is missed.
 *
 * How each kind exposes `none` (strategies/none.ts: it keeps its cached translations
 * across publishes, and reclaims at once): hotplug (a block's memory is poisoned and
 * reused under a cached translation: tags), romd (a ROM read served from a cached romd-on
 * range after romd went off: the served translation against the history), alias (a PAM
 * window's RAM translation kept after the window switched: the same), bar and ioeventfd
 * (device registers and doorbells are looked up in the view table on every access, and
 * `none` reclaims the table at the next publish, while an access may still be looking up
 * in it: the table age check, reader/table-age.ts, reports `reclaimed-table`). Run with
 * `--strategy rcu` (or any safe strategy) to see the same seeds give no violation.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '3' },
    vcpus: { type: 'string', default: '2' },
    rate: { type: 'string', default: '10000' },
    kinds: { type: 'string', default: 'hotplug,bar,romd,alias,ioeventfd' },
    // The workload of each kind's runs: RAM for the kinds that move or switch RAM, the
    // device registers for the kinds that move or switch devices.
    workloads: {
      type: 'string',
      default: 'hotplug=random,alias=mixed,romd=mmio,bar=mmio,ioeventfd=mmio',
    },
    strategy: { type: 'string', default: 'none' },
    'none-seconds': { type: 'string', default: '1.5' },
    'throughput-workload': { type: 'string', default: 'mixed' },
    'skip-throughput': { type: 'boolean', default: false },
    'skip-none': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const { runSimulation } = await import(new URL('../dist/src/index.js', import.meta.url).href);
const vcpus = Number(values.vcpus);
const out = { throughput: undefined, none: {} };
let missed = false;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (!values['skip-throughput']) {
  const base = {
    vcpus,
    durationSeconds: Number(values.seconds),
    seed: 1,
    quiet: true,
    workload: values['throughput-workload'],
  };
  const plain = [];
  const checked = [];
  const shares = [];
  for (let r = 0; r < Number(values.rounds); r++) {
    const a = await runSimulation({ ...base, check: false });
    const b = await runSimulation({ ...base, verify: 'all' });
    plain.push(a.accesses.perSecond);
    checked.push(b.accesses.perSecond);
    shares.push(b.check.verifiedAccesses / b.check.ramAccesses);
    if (b.check.violations > 0) missed = true;
    console.log(
      `round ${r + 1}: unchecked ${a.accesses.perSecond}/s, verify all ${b.accesses.perSecond}/s, ` +
        `verified ${b.check.verifiedAccesses}/${b.check.ramAccesses} RAM accesses, ` +
        `${b.check.violations} violations`,
    );
  }
  // Each round runs the pair back to back: the ratio within a round is what a load that
  // drifts over the minutes leaves alone (the ratio of the medians is printed too).
  const ratio = median(checked.map((c, i) => c / plain[i]));
  const ratioOfMedians = median(checked) / median(plain);
  const share = Math.min(...shares);
  out.throughput = {
    unchecked: median(plain),
    verifyAll: median(checked),
    ratio,
    ratioOfMedians,
    verifiedShare: share,
  };
  console.log(
    `throughput ratio ${ratio.toFixed(3)} (median of the rounds' ratios; ratio of the medians ${ratioOfMedians.toFixed(3)}; target >= 0.3), verified share >= ${share.toFixed(4)} (target >= 0.9)`,
  );
  if (ratio < 0.3 || share < 0.9) missed = true;
}

if (!values['skip-none']) {
  const workloadOf = Object.fromEntries(values.workloads.split(',').map((kv) => kv.split('=')));
  for (const kind of values.kinds.split(',')) {
    const runs = [];
    for (let seed = 1; seed <= Number(values.seeds); seed++) {
      const r = await runSimulation({
        vcpus,
        durationSeconds: Number(values['none-seconds']),
        seed,
        strategy: values.strategy,
        churn: kind,
        workload: workloadOf[kind] ?? 'mixed',
        churnRate: Number(values.rate),
        verify: 'all',
        quiet: true,
      });
      const first = r.check.firstViolations[0];
      const t = first?.t ?? null;
      runs.push({
        seed,
        violations: r.check.violations,
        firstT: t,
        firstKind: first?.kind ?? null,
        byKind: r.check.byKind,
      });
    }
    const caught = runs.filter((x) => x.firstT !== null && x.firstT <= 1).length;
    out.none[kind] = { caught, seeds: runs.length, runs };
    const kinds = [...new Set(runs.flatMap((x) => Object.keys(x.byKind ?? {})))].join(',');
    const worst = Math.max(...runs.map((x) => x.firstT ?? Number.POSITIVE_INFINITY));
    console.log(
      `${values.strategy} + ${kind} (${workloadOf[kind] ?? 'mixed'} workload): caught within 1 s in ${caught}/${runs.length} seeds (slowest first violation ${worst === Infinity ? 'never' : `${worst.toFixed(3)} s`}; kinds ${kinds || '-'})`,
    );
    if (caught < runs.length) missed = true;
  }
}

if (values.json !== undefined) await writeFile(values.json, `${JSON.stringify(out, null, 2)}\n`);
process.exit(missed ? 1 : 0);
