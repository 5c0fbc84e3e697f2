/**
 * The inline style sheet of the HTML report: a light page that turns dark with the
 * system setting, cards, charts, legends and tables. Plain CSS text, no web fonts or
 * other external resources. Layout only; no content.
 */
export const REPORT_CSS = `
:root {
  --bg: #f5f6f8; --panel: #ffffff; --ink: #1d2330; --muted: #667085; --line: #e3e6eb;
  --grid: #edf0f3; --good: #138a4f; --good-bg: #e6f6ee; --bad: #c92a2a; --bad-bg: #fdecec;
  --warn: #b35c00; --warn-bg: #fff4e5; --accent: #1d2330;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #11151c; --panel: #1a2029; --ink: #e6e9ef; --muted: #98a2b3; --line: #2a313c;
    --grid: #232a34; --good: #40c07a; --good-bg: #15301f; --bad: #ff6b6b; --bad-bg: #3a1a1d;
    --warn: #f0a040; --warn-bg: #33260f; --accent: #e6e9ef;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 48px; }
header.top { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px 16px; margin-bottom: 18px; }
header.top h1 { font-size: 22px; margin: 0; font-weight: 650; letter-spacing: -0.01em; }
header.top .subtitle { color: var(--muted); }
.badge { display: inline-block; padding: 3px 10px; border-radius: 999px; font-weight: 600; font-size: 13px; }
.badge.good { color: var(--good); background: var(--good-bg); }
.badge.bad { color: var(--bad); background: var(--bad-bg); }
.badge.warn { color: var(--warn); background: var(--warn-bg); }
.badge.muted { color: var(--muted); background: var(--grid); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin-bottom: 18px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; }
.card .value { font-size: 24px; font-weight: 650; margin-top: 2px; font-variant-numeric: tabular-nums; }
.card .detail { color: var(--muted); font-size: 12px; margin-top: 2px; }
.card.good { border-color: var(--good); background: var(--good-bg); }
.card.good .value { color: var(--good); }
.card.bad { border-color: var(--bad); background: var(--bad-bg); }
.card.bad .value { color: var(--bad); }
section.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px 12px; margin-bottom: 16px; position: relative; }
section.panel h2 { font-size: 15px; margin: 0 0 2px; font-weight: 650; }
section.panel .note { color: var(--muted); font-size: 12.5px; margin: 0 0 8px; }
.grid-2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(420px, 100%), 1fr)); gap: 16px; margin-bottom: 16px; }
.grid-2 section.panel { margin-bottom: 0; }
svg.chart { width: 100%; height: auto; display: block; overflow: visible; }
svg.chart.histogram { max-width: 640px; margin: 0 auto; }
svg.chart text { fill: var(--muted); font-size: 11px; font-family: inherit; }
svg.chart .grid line { stroke: var(--grid); stroke-width: 1; }
svg.chart .grid line.axis, svg.chart .grid line.x-tick { stroke: var(--muted); }
svg.chart .frame { fill: none; stroke: var(--line); stroke-dasharray: 4 4; }
svg.chart text.empty-note { font-size: 14px; }
svg.chart path.series { fill: none; stroke-width: 1.3; stroke-linejoin: round; stroke-linecap: round; opacity: 0.9; }
svg.chart path.series.emphasis { stroke-width: 2.6; opacity: 1; }
svg.chart path.area { opacity: 0.1; stroke: none; }
svg.chart path.rug { stroke-width: 1; opacity: 0.75; }
.chart-caption { color: var(--muted); font-size: 11.5px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; margin: 6px 0 -4px; }
svg.chart .guide { stroke: var(--muted); stroke-dasharray: 3 3; }
svg.chart rect.bar { opacity: 0.85; }
svg.chart rect.bar:hover { opacity: 1; }
svg.chart .marker line { stroke: var(--ink); stroke-dasharray: 4 3; stroke-width: 1.2; }
svg.chart .marker text { fill: var(--ink); font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12.5px; color: var(--muted); margin-top: 6px; }
.legend .item { display: inline-flex; align-items: center; gap: 6px; }
.legend .swatch { width: 14px; height: 3px; border-radius: 2px; display: inline-block; }
.legend .swatch.thick { height: 5px; }
.legend .swatch.tick { width: 3px; height: 12px; }
.stat-line { color: var(--muted); font-size: 12.5px; margin-top: 4px; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 10px 5px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
th.num { text-align: right; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
table.params td:first-child { color: var(--muted); width: 34%; }
table.counters td:first-child { width: 58%; }
.hbar { display: flex; align-items: center; gap: 8px; }
.hbar .track { flex: 1; height: 8px; background: var(--grid); border-radius: 4px; overflow: hidden; }
.hbar .fill { height: 100%; border-radius: 4px; }
.violations td.kind { color: var(--bad); font-weight: 600; }
.tooltip {
  position: absolute; pointer-events: none; background: var(--panel); color: var(--ink);
  border: 1px solid var(--line); border-radius: 8px; padding: 6px 9px; font-size: 12px;
  box-shadow: 0 4px 14px rgba(0,0,0,0.12); white-space: nowrap; z-index: 10; display: none;
  font-variant-numeric: tabular-nums;
}
.tooltip .row { display: flex; align-items: center; gap: 6px; }
.tooltip .row b { margin-left: auto; padding-left: 12px; font-weight: 600; }
svg.chart text.axis-title { font-size: 11.5px; font-weight: 600; }
svg.chart text.group-label { fill: var(--ink); font-weight: 600; font-size: 12px; }
svg.chart text.bar-name { font-size: 11.5px; }
svg.chart text.bar-value { fill: var(--ink); font-size: 11.5px; font-variant-numeric: tabular-nums; }
svg.chart .warmup rect { fill: var(--muted); opacity: 0.12; }
svg.chart .warmup text { font-size: 11px; font-weight: 600; }
td.better { color: var(--good); }
td.changed { font-weight: 650; }
td.worse { color: var(--bad); }
footer { color: var(--muted); font-size: 12px; margin-top: 22px; }
`;
