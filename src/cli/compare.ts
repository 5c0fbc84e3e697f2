/**
 * `addrspace compare`: reads run reports or bench reports (all of one kind) and lines up
 * their values key by key, with each value's ratio to the first report's (SPEC 9).
 *
 * Alignment: every number, string and boolean of a report becomes one row named by its
 * path (`publish.gracePeriodUs.p99`). Arrays of rows are keyed by what identifies a row
 * rather than by position — its strategy, vCPUs, workload, churn rate, name, batch,
 * regions and sizes (`strategies[rcu 2 vCPUs random churn 1000].accessesPerSecond`) — so
 * the same measurement lines up even when one report has rows the other lacks. Series
 * (the timeline, churn events, histograms, violations) are left out: they do not line
 * up. Rows come in the order of first appearance across the reports.
 *
 * It reads the files and returns values; printing is compare-command.ts's job.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from './errors.js';

export type ReportKind = 'run' | 'bench';

export interface LoadedReport {
  readonly path: string;
  readonly kind: ReportKind;
  readonly data: Record<string, unknown>;
  /** One line saying what it is (`run: pc, rcu, 2 vCPUs, 3 s`). */
  readonly title: string;
}

export interface ComparedRow {
  readonly key: string;
  /** One value per report, `undefined` where that report lacks the key. */
  readonly values: readonly (number | string | boolean | undefined)[];
  /** Each value over the first report's (numbers only); `undefined` where not defined. */
  readonly ratios: readonly (number | undefined)[];
}

export interface Comparison {
  readonly kind: ReportKind;
  readonly reports: readonly LoadedReport[];
  readonly rows: readonly ComparedRow[];
}

/** Keys whose values are series or raw samples: they cannot be lined up row by row. */
const SERIES_KEYS = new Set([
  'timeline',
  'churnEvents',
  'firstViolations',
  'histograms',
  'roundsAccessesPerSecond',
]);
/** Fields that identify a row of an array (in this order in the row's key). */
const IDENTITY_FIELDS = [
  'name',
  'group',
  'strategy',
  'vcpus',
  'workload',
  'churnPerSecond',
  'batch',
  'regions',
  'guestBytes',
  'touchedBytes',
  'stallMs',
];

/** Reads and classifies the reports; throws `UsageError` for a missing, bad or mixed file. */
export async function loadReports(paths: readonly string[]): Promise<LoadedReport[]> {
  if (paths.length < 2) {
    throw new UsageError(
      'compare: needs at least two report files (addrspace compare A.json B.json)',
    );
  }
  const reports: LoadedReport[] = [];
  for (const path of paths) reports.push(await loadReport(path));
  const first = reports[0]!;
  const other = reports.find((r) => r.kind !== first.kind);
  if (other !== undefined) {
    throw new UsageError(
      `compare: ${first.path} is a ${first.kind} report but ${other.path} is a ${other.kind} report`,
    );
  }
  return reports;
}

async function loadReport(path: string): Promise<LoadedReport> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`compare: cannot read ${path}: ${code}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`compare: ${path} is not JSON (${(error as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError(`compare: ${path} is not a run or bench report (not an object)`);
  }
  const record = data as Record<string, unknown>;
  if (Array.isArray(record.strategies) && Array.isArray(record.render)) {
    const n = record.strategies.length;
    return {
      path,
      kind: 'bench',
      data: record,
      title: `bench: ${n} strategy row${n === 1 ? '' : 's'}${record.quick ? ', quick' : ''}`,
    };
  }
  if (typeof record.accesses === 'object' && typeof record.publish === 'object') {
    const bits = [
      record.machine,
      record.strategy,
      `${record.vcpus} vCPU${record.vcpus === 1 ? '' : 's'}`,
      `${record.durationSeconds} s`,
    ];
    if (typeof record.workload === 'string') bits.push(`${record.workload} workload`);
    if (record.interrupted === true) bits.push('interrupted');
    return { path, kind: 'run', data: record, title: `run: ${bits.join(', ')}` };
  }
  throw new UsageError(
    `compare: ${path} is not a run or bench report (no accesses/publish or strategies/render keys)`,
  );
}

/** Lines the reports up key by key (see the module comment). */
export function compareReports(reports: readonly LoadedReport[]): Comparison {
  const order: string[] = [];
  const maps = reports.map((r) => {
    const values = new Map<string, number | string | boolean>();
    flatten(r.data, '', values);
    for (const key of values.keys()) if (!order.includes(key)) order.push(key);
    return values;
  });
  const rows = order.map((key) => {
    const values = maps.map((m) => m.get(key));
    const base = values[0];
    const ratios = values.map((v) =>
      typeof v === 'number' && typeof base === 'number' && base !== 0 && Number.isFinite(v / base)
        ? v / base
        : undefined,
    );
    return { key, values, ratios };
  });
  return { kind: reports[0]!.kind, reports, rows };
}

function flatten(value: unknown, path: string, out: Map<string, number | string | boolean>): void {
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
    out.set(path, value);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    const seen = new Set<string>();
    value.forEach((item, i) => {
      let id = identityOf(item) ?? String(i);
      if (seen.has(id)) id = `${id} #${i}`; // two rows alike: keep both
      seen.add(id);
      flatten(item, `${path}[${id}]`, out);
    });
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    if (SERIES_KEYS.has(key)) continue;
    if (path.endsWith(']') && IDENTITY_FIELDS.includes(key)) continue; // part of the row's key
    flatten(child, path === '' ? key : `${path}.${key}`, out);
  }
}

/** `rcu 2 vCPUs random churn 1000` for a row object; `undefined` for a plain value. */
function identityOf(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
  const o = item as Record<string, unknown>;
  const parts: string[] = [];
  for (const field of IDENTITY_FIELDS) {
    const v = o[field];
    if (v === undefined) continue;
    if (field === 'vcpus') parts.push(`${v} vCPU${v === 1 ? '' : 's'}`);
    else if (field === 'churnPerSecond') parts.push(`churn ${v}`);
    else if (typeof v === 'string') parts.push(v);
    else parts.push(`${field} ${v}`);
  }
  return parts.length > 0 ? parts.join(' ') : undefined;
}
