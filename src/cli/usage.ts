/**
 * The help texts of `addrspace` and its subcommands (SPEC 9's synopsis, then one line
 * per flag with its default). Text only: parsing is args.ts's job.
 */

import { BENCH_SECTIONS, BENCH_STRATEGIES, BENCH_WORKLOADS } from '../bench/options.js';
import { STRATEGIES } from '../concurrent/reader/reader-api.js';
import { WORKLOAD_KINDS } from '../concurrent/vcpu/workload.js';
import { CHURN_KINDS } from '../machine/churn-kind.js';
import { FAULT_KINDS } from '../sim/fault-kinds.js';
import { DEFAULT_MIGRATE_OPTIONS } from '../sim/migration/options.js';
import { DEFAULT_RUN_OPTIONS } from '../sim/options.js';

export type HelpTopic = 'main' | 'run' | 'mtree' | 'bench' | 'migrate' | 'torture' | 'compare';

const d = DEFAULT_RUN_OPTIONS;

const MAIN_HELP = `addrspace: a VMM guest address space (StratoVirt/QEMU memory API model)
simulated under real multi-threaded load.

Usage:
  addrspace run   [--machine pc|FILE.json] [--vcpus N] [--duration SECONDS]
                  [--strategy ${STRATEGIES.join('|')}|./module.js]
                  [--workload seq|random|hot|mmio|mixed]
                  [--churn hotplug,bar,romd,alias,ioeventfd|all|none] [--churn-rate PER_SECOND]
                  [--seed N] [--no-check] [--verify all|sampled] [--no-hyp-ioeventfd]
                  [--stall MS] [--faults LIST] [--record FILE | --replay FILE]
                  [--json FILE] [--html FILE] [--quiet] [--debug]
  addrspace mtree [--machine pc|FILE.json] [--flat] [--format stratovirt|qemu]
  addrspace bench [--quick] [--vcpus 1,2,4] [--json FILE] [--sections LIST]
                  [--strategies LIST] [--workloads LIST] [--churn-rates LIST]
                  [--round-ms MS] [--rounds N] [--html FILE] [--quiet]
  addrspace migrate [--machine pc|FILE.json] [--vcpus N] [--workload ...] [--churn ...]
                  [--strategy ...] [--bandwidth MiB/s] [--downtime-limit MS]
                  [--max-rounds N] [--to FILE | --from FILE] [--no-dirty-log]
                  [--seed N] [--json FILE] [--html FILE] [--quiet]
  addrspace torture [--duration 10m] [--strategy S] [--faults LIST] [--seed N]
                  [--json FILE] [--quiet]
  addrspace compare A.json B.json [...] [--html FILE]

Commands:
  run      boot a machine, run vCPUs and topology churn with invariant checks, report
  mtree    print a machine's flat view and region tree
  bench    compare publication strategies and measure render cost
  migrate  live-migrate a running machine's RAM (pre-copy, dirty logging) and compare
  torture  every churn kind at full rate, every workload, self-checking memory and fault
           injection, for minutes to hours
  compare  run or bench reports side by side, ratios to the first

Options:
  -h, --help     show help (also after a command: addrspace run --help)
  -v, --version  show the version

Conventions: --json - writes the report to stdout (the summary then goes to stderr);
the progress line goes to stderr, only when it is a terminal; --quiet means no progress
and no summary; Ctrl-C stops early, still writes the reports ("interrupted": true) and
exits 130.

Exit status: 0 when every invariant held, 1 when the checker found a violation
(or the command failed), 2 for bad usage or a bad machine file, 3 when a run could
not keep itself whole: a vCPU or device-backend thread died or a device callback or
listener failed without being injected, an end-of-run check could not run, or an
injected fault was not survived (the report's "failures" list says which), 130 after
Ctrl-C.
`;

const RUN_HELP = `Usage: addrspace run [options]

Boots a machine, runs one vCPU thread per --vcpus against it while the owner thread
changes the topology, checks every invariant, and prints a summary.

Options:
  --machine pc|FILE.json   built-in pc machine or a machine file (default ${d.machine})
  --vcpus N                vCPU threads, 1 to 64 (default: one per core)
  --duration SECONDS       how long the vCPUs run (default ${d.durationSeconds})
  --strategy NAME|FILE.js  ${STRATEGIES.join(', ')} (default ${d.strategy}; none is
                           unsafe), or a module whose default export is a StrategyDefinition
  --workload NAME|FILE.js  ${WORKLOAD_KINDS.join(', ')} (default ${d.workload}), or a
                           module whose default export is a WorkloadDefinition
  --churn KINDS            comma list of ${CHURN_KINDS.join(', ')}; or all, or none
                           (default all)
  --churn-rate PER_SECOND  topology updates per second over all kinds (default ${d.churnRate})
  --seed N                 seed of the churn and workload sequences (default ${d.seed})
  --no-check               turn the invariant checks off
  --verify all|sampled     all: self-checking guest memory, every RAM access checks the
                           tags of the words it touched against the translation that
                           served it (default sampled: one access in 512)
  --faults LIST            inject faults on a schedule, each counted and survived
                           (report key "faults"): comma list of ${FAULT_KINDS.slice(0, 3).join(', ')},
                           ${FAULT_KINDS.slice(3).join(', ')}; or all, or none
                           (default none)
  --record FILE            write the run's seeds, flags and every churn operation with
                           its generation to FILE (JSON lines)
  --replay FILE            apply exactly the churn recorded in FILE (its machine, seed and
                           flags unless flags say otherwise); the report says "replayed"
  --no-hyp-ioeventfd       the hypervisor does not handle ioeventfds: doorbell writes
                           exit to the owner, which signals them (default: the machine's)
  --stall MS               vCPU 0 stops inside an access for MS milliseconds once a
                           second while churn goes on (the stalled-reader scenario)
  --json FILE              write the report as JSON (- for stdout)
  --html FILE              write the report as a self-contained HTML page (- for stdout)
  --quiet                  no progress line and no summary
  --debug                  print stack traces on errors
  -h, --help               show this help

Exit status: 0 when every invariant held, 1 when the checker found a violation,
2 for bad usage or a bad machine file, 3 when the run lists failures (a thread died,
a device or listener failed, an end-of-run check could not run) and no violation,
130 after Ctrl-C (the reports are still written).
`;

const MTREE_HELP = `Usage: addrspace mtree [options]

Builds a machine and prints its address spaces: the flat view and the region tree.

Options:
  --machine pc|FILE.json        built-in pc machine or a machine file (default pc)
  --format stratovirt|qemu      StratoVirt's memspace show (default) or QEMU's info mtree
  --flat                        only the flat view
  --debug                       print stack traces on errors
  -h, --help                    show this help
`;

const BENCH_HELP = `Usage: addrspace bench [options]

Measures vCPU throughput under each publication strategy (with the none and raw rows
as baselines), latencies and the cost of rendering flat views. The tables go to stdout
at the end (to stderr with --json -); the progress line to stderr, on a terminal.

Options:
  --quick              short rows, for a quick look (defaults below in brackets)
  --vcpus LIST         comma list of vCPU counts (default: 1, 2, 4, ... up to the cores)
  --strategies LIST    comma list of ${BENCH_STRATEGIES.join(', ')} (default all)
  --workloads LIST     comma list of ${BENCH_WORKLOADS.join(', ')} (default all)
  --churn-rates LIST   topology updates per second, comma list (default 0,1000,10000 [0,1000])
  --round-ms MS        length of one measured round (default 1000 [250])
  --rounds N           measured rounds per row, the row is their median (default 3 [1])
  --sections LIST      comma list of ${BENCH_SECTIONS.join(', ')}
                       (default: all; stalledReader: vCPU 0 stops inside an access)
  --seed N             seed of the workloads (default ${d.seed})
  --json FILE          write the results as JSON (- for stdout)
  --html FILE          write a self-contained HTML page, strategies side by side (- for stdout)
  --quiet              no progress line and no tables
  --debug              print stack traces on errors
  -h, --help           show this help

Exit status: 0, 2 for bad usage, 130 after Ctrl-C (the reports have the rows measured).
`;

const COMPARE_HELP = `Usage: addrspace compare [options] A.json B.json [...]

Puts run reports or bench reports (all of one kind, from --json) side by side: one line
per key, each report's value and its ratio to the first report's. Rows of arrays (bench
rows, latencies) are matched by strategy, vCPUs, workload, churn rate and name.

Options:
  --html FILE      also write a self-contained HTML page with charts (- for stdout)
  --quiet          no text (with --html)
  --debug          print stack traces on errors
  -h, --help       show this help

Exit status: 0, 2 for a missing, unreadable, non-report or mixed file.
`;

const m = DEFAULT_MIGRATE_OPTIONS;

const MIGRATE_HELP = `Usage: addrspace migrate [options]

Live-migrates a running machine's RAM: pre-copy rounds of dirty pages paced at a
bandwidth while the vCPUs write, the device backend does DMA and the topology churns
(hotplug is held), then a stop-and-copy with the vCPUs paused, then a byte-for-byte
comparison of every migrated mapping.

Options:
  --machine pc|FILE.json   built-in pc machine or a machine file (default ${m.machine};
                           with --from, the machine the stream names)
  --vcpus N                vCPU threads, 1 to 64 (default: one per core)
  --workload NAME          ${WORKLOAD_KINDS.join(', ')} (default ${m.workload})
  --churn KINDS            comma list, all or none (default ${m.churn.join(',')}; hotplug is held)
  --strategy NAME          ${STRATEGIES.join(', ')}
                           (default ${m.strategy}; none is unsafe)
  --bandwidth MiB/s        pacing of every round (default ${m.bandwidth})
  --downtime-limit MS      pre-copy ends once the dirty set fits it (default ${m.downtimeLimit})
  --max-rounds N           pre-copy rounds after the first full copy (default ${m.maxRounds})
  --to FILE                also write the migration stream (docs/migration-stream.md)
  --from FILE              load a stream into a fresh machine and run the vCPUs on it
  --no-dirty-log           copy once without logging: must end in differences
  --seed N                 seed of the churn and workload sequences (default ${m.seed})
  --json FILE              write the report as JSON (- for stdout)
  --html FILE              write dirty and sent pages per round as an HTML page
  --quiet                  no summary
  --debug                  print stack traces on errors
  -h, --help               show this help

Exit status: 0 when every byte matches, 1 when any page differs, 2 for bad usage or a
bad or truncated stream.
`;

const TORTURE_HELP = `Usage: addrspace torture [options]

Torture test (rcutorture's idea): every churn kind at full rate, every workload in
turn (seq, random, hot, mmio, mixed; rounds of at most a minute), self-checking guest
memory (run --verify all) and fault injection, on the pc machine. A line a minute goes
to stderr; a summary ends the run.

Options:
  --duration TIME    how long in all: 10m, 90s, 1h, 1h30m or seconds (default 10m)
  --strategy NAME    a built-in strategy or ./module.js (default rcu; none must fail)
  --faults LIST      fault kinds to inject: a comma list, all or none (default all)
  --seed N           seed of round 0; round k uses N + k (default 1)
  --vcpus N          vCPU threads (default: one per core)
  --machine pc|FILE  the machine (default pc)
  --json FILE        write the report as JSON (- for stdout)
  --quiet            no line a minute and no summary
  --debug            print stack traces on errors
  -h, --help         show this help

Exit status: 0 when nothing was violated and every injected fault was survived, 1 for
a violation, 2 for bad usage, 3 when a worker died or a device or listener failed
without being injected, or an end-of-run check could not run; 130 when interrupted.
`;

export function helpText(topic: HelpTopic): string {
  switch (topic) {
    case 'migrate':
      return MIGRATE_HELP;
    case 'run':
      return RUN_HELP;
    case 'mtree':
      return MTREE_HELP;
    case 'bench':
      return BENCH_HELP;
    case 'torture':
      return TORTURE_HELP;
    case 'compare':
      return COMPARE_HELP;
    default:
      return MAIN_HELP;
  }
}
