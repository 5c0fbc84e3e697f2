/**
 * The frame every HTML page of addrspace shares (run report, bench, compare): doctype,
 * inline styles, `<main>`, an optional hover-data block and script, and the small panel
 * and legend helpers. Strings in, strings out; no external resource of any kind.
 */
import { REPORT_CSS } from './styles.js';
import { escapeHtml, scriptJson } from './svg.js';
import { TOOLTIP_SCRIPT } from './tooltip-script.js';

export function htmlPage(title: string, body: string, hover?: unknown): string {
  const script =
    hover === undefined
      ? ''
      : `<script type="application/json" id="chart-data">${scriptJson(hover)}</script>
<script>${TOOLTIP_SCRIPT}</script>
`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
${body}
</main>
${script}</body>
</html>
`;
}

/** A titled panel; `id` becomes `data-panel`, which the page tests look for. */
export function panel(id: string, heading: string, note: string, body: string): string {
  return `<section class="panel" data-panel="${escapeHtml(id)}"><h2>${escapeHtml(heading)}</h2><p class="note">${escapeHtml(note)}</p>${body}</section>`;
}

/** A table: head cells, then rows of `{ text, num? , cls? }` cells. */
export interface Cell {
  readonly text: string;
  readonly num?: boolean;
  readonly cls?: string;
}

export function htmlTable(head: readonly string[], rows: readonly (readonly Cell[])[]): string {
  // A column of numbers is right-aligned, its heading too.
  const numeric = head.map((_, i) => rows.length > 0 && rows.every((r) => r[i]?.num === true));
  const th = head
    .map((h, i) => `<th${numeric[i] ? ' class="num"' : ''}>${escapeHtml(h)}</th>`)
    .join('');
  const tr = rows.map(
    (r) =>
      `<tr>${r
        .map((c) => {
          const cls = [c.num ? 'num' : '', c.cls ?? ''].filter((x) => x !== '').join(' ');
          return `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(c.text)}</td>`;
        })
        .join('')}</tr>`,
  );
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr.join('')}</tbody></table>`;
}

export function legend(items: readonly { name: string; colour: string; shape: string }[]): string {
  const html = items.map(
    (i) =>
      `<span class="item"><span class="swatch ${i.shape}" style="background:${i.colour}"></span>${escapeHtml(i.name)}</span>`,
  );
  return `<div class="legend">${html.join('')}</div>`;
}
