/**
 * `addrspace compare A.json B.json [...] [--html FILE] [--quiet]`: run reports or bench
 * reports side by side (SPEC 9). The text goes to stdout: which file is which, then one
 * line per key with each report's value and its ratio to the first. `--html FILE` (`-`:
 * stdout, then the text goes to stderr) writes one self-contained page with the same table
 * and charts of the headline figures. Exit 0, or 2 for a missing, unreadable or mixed file.
 */
import { formatCount, toSignificant } from '../sim/html/format.js';
import type { CompareOptions } from './args.js';
import { type Comparison, compareReports, loadReports } from './compare.js';
import { renderCompareHtml } from './compare-html.js';
import { EXIT_OK } from './errors.js';
import type { CliIo } from './io.js';
import {
  checkReportTargets,
  type ReportTarget,
  summaryStream,
  writeReport,
  writtenRows,
} from './output.js';
import { summaryRow } from './summary.js';

export async function compareCommand(options: CompareOptions, io: CliIo): Promise<number> {
  const targets: ReportTarget[] = [{ flag: '--html', path: options.html }];
  await checkReportTargets(targets);
  const comparison = compareReports(await loadReports(options.files));
  if (options.html !== undefined) {
    await writeReport(options.html, renderCompareHtml(comparison), io);
  }
  const summary = summaryStream(io, options.quiet, targets);
  if (summary !== undefined) {
    summary.write(formatComparison(comparison));
    const rows = writtenRows(targets).map((w) => summaryRow(w.label, w.path));
    if (rows.length > 0) summary.write(`${rows.join('\n')}\n`);
  }
  return EXIT_OK;
}

/** A compact number: integers with separators up to 6 digits, else 3 significant digits. */
export function formatValue(v: number | string | boolean | undefined): string {
  if (v === undefined) return '–';
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1_000_000) return v.toLocaleString('en-US');
  if (Math.abs(v) >= 1000) return formatCount(v);
  return toSignificant(v, 3);
}

/** `A`, `B`, ... `Z`, `A26`, ...: the names of the compared reports. */
export function reportLetters(count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => String.fromCharCode(65 + (i % 26)) + (i >= 26 ? i : ''),
  );
}

export function formatRatio(r: number | undefined): string {
  return r === undefined ? '' : `${r.toFixed(2)}x`;
}

/** The text of `addrspace compare`: a legend of the files, then the aligned table. */
export function formatComparison(c: Comparison): string {
  const letters = reportLetters(c.reports.length);
  const lines = [`addrspace compare: ${c.reports.length} ${c.kind} reports, ratios to A`];
  for (const [i, r] of c.reports.entries()) lines.push(`  ${letters[i]}  ${r.path}  (${r.title})`);
  lines.push('');
  const head = ['key', ...letters.map((l, i) => (i === 0 ? l : `${l}  (/A)`))];
  const body = c.rows.map((row) => [
    row.key,
    ...row.values.map((v, i) =>
      i === 0 || row.ratios[i] === undefined
        ? formatValue(v)
        : `${formatValue(v)}  ${formatRatio(row.ratios[i])}`,
    ),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('   ')
      .trimEnd();
  lines.push(line(head), widths.map((w) => '-'.repeat(w)).join('   '));
  for (const r of body) lines.push(line(r));
  return `${lines.join('\n')}\n`;
}
