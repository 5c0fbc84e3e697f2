/**
 * The help texts of `addrspace` and its subcommands (SPEC 9's synopsis, then one line
 * per flag with its default). Text only: parsing is args.ts's job.
 */
import { WORKLOAD_KINDS } from '../concurrent/vcpu/workload.js';
import { CHURN_KINDS } from '../machine/churn-kind.js';
import { DEFAULT_RUN_OPTIONS } from '../sim/options.js';

export type HelpTopic = 'main' | 'run' | 'mtree' | 'bench';

const d = DEFAULT_RUN_OPTIONS;

const MAIN_HELP = `addrspace: a VMM guest address space (StratoVirt/QEMU memory API model)
simulated under real multi-threaded load.

Usage:
  addrspace run   [--machine pc|FILE.json] [--vcpus N] [--duration SECONDS]
                  [--strategy rcu|seqlock|mutex|none] [--workload seq|random|hot|mmio|mixed]
                  [--churn hotplug,bar,romd,alias,ioeventfd|all|none] [--churn-rate PER_SECOND]
                  [--seed N] [--no-check] [--no-hyp-ioeventfd] [--json FILE] [--html FILE]
                  [--quiet] [--debug]
  addrspace mtree [--machine pc|FILE.json] [--flat] [--format stratovirt|qemu]
  addrspace bench [--quick] [--vcpus 1,2,4] [--json FILE]

Commands:
  run     boot a machine, run vCPUs and topology churn with invariant checks, report
  mtree   print a machine's flat view and region tree
  bench   compare publication strategies and measure render cost

Options:
  -h, --help     show help (also after a command: addrspace run --help)
  -v, --version  show the version

Exit status: 0 when every invariant held, 1 when the checker found a violation
(or the command failed), 2 for bad usage or a bad machine file, 3 when a run could
not keep itself whole: a vCPU or device-backend thread died or a device callback or
listener failed without being injected, an end-of-run check could not run, or an
injected fault was not survived (the report's "failures" list says which).
`;

const RUN_HELP = `Usage: addrspace run [options]

Boots a machine, runs one vCPU thread per --vcpus against it while the owner thread
changes the topology, checks every invariant, and prints a summary.

Options:
  --machine pc|FILE.json   built-in pc machine or a machine file (default ${d.machine})
  --vcpus N                vCPU threads, 1 to 64 (default: one per core)
  --duration SECONDS       how long the vCPUs run (default ${d.durationSeconds})
  --strategy NAME          rcu, seqlock, mutex or none (default ${d.strategy}; none is unsafe)
  --workload NAME          ${WORKLOAD_KINDS.join(', ')} (default ${d.workload})
  --churn KINDS            comma list of ${CHURN_KINDS.join(', ')}; or all, or none
                           (default all)
  --churn-rate PER_SECOND  topology updates per second over all kinds (default ${d.churnRate})
  --seed N                 seed of the churn and workload sequences (default ${d.seed})
  --no-check               turn the invariant checks off
  --no-hyp-ioeventfd       the hypervisor does not handle ioeventfds: doorbell writes
                           exit to the owner, which signals them (default: the machine's)
  --json FILE              write the report as JSON
  --html FILE              write the report as a self-contained HTML page
  --quiet                  no progress line and no summary
  --debug                  print stack traces on errors
  -h, --help               show this help

Exit status: 0 when every invariant held, 1 when the checker found a violation,
2 for bad usage or a bad machine file, 3 when the run lists failures (a thread died,
a device or listener failed, an end-of-run check could not run) and no violation.
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
as baselines) and the cost of rendering flat views.

Options:
  --quick          short rows, for a quick look
  --vcpus LIST     comma list of vCPU counts (default: 1, 2, 4, ... up to the cores)
  --json FILE      write the results as JSON
  --quiet          no progress output
  --debug          print stack traces on errors
  -h, --help       show this help
`;

export function helpText(topic: HelpTopic): string {
  switch (topic) {
    case 'run':
      return RUN_HELP;
    case 'mtree':
      return MTREE_HELP;
    case 'bench':
      return BENCH_HELP;
    default:
      return MAIN_HELP;
  }
}
