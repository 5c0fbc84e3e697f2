import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  formatAddress,
  formatBytes,
  formatCount,
  formatMicros,
  formatSeconds,
  toSignificant,
} from '../../src/sim/html/format.js';
import { escapeHtml, linePath, niceTicks, scriptJson } from '../../src/sim/html/svg.js';
import { environmentInfo } from '../../src/sim/report-environment.js';

describe('report number formatting', () => {
  it.each([
    [0, '0'],
    [12, '12'],
    [999, '999'],
    [1234, '1,234'],
    [41_212, '41.2 k'],
    [39_312_345, '39.3 M'],
    [1_000_000, '1 M'],
    [2.5e9, '2.5 G'],
    [0.5, '0.5'],
    [Number.NaN, '–'],
  ])('formatCount(%d) = %s', (value, text) => {
    expect(formatCount(value)).toBe(text);
  });

  it.each([
    [0, '0 µs'],
    [0.42, '420 ns'],
    [12.54, '12.5 µs'],
    [999, '999 µs'],
    [4500, '4.5 ms'],
    [1_860_000, '1.86 s'],
  ])('formatMicros(%d) = %s', (value, text) => {
    expect(formatMicros(value)).toBe(text);
  });

  it('formats seconds, bytes, addresses and significant digits', () => {
    expect(formatSeconds(3)).toBe('3 s');
    expect(formatSeconds(0.25)).toBe('250 ms');
    expect(formatSeconds(90)).toBe('1 min 30 s');
    expect(formatSeconds(120)).toBe('2 min');
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(2 * 1024 * 1024)).toBe('2 MiB');
    expect(formatBytes(760 * 1024 * 1024)).toBe('760 MiB');
    expect(formatAddress(0xfebf_1000)).toBe('0xFEBF1000');
    expect(toSignificant(1.5)).toBe('1.5');
    expect(toSignificant(123.4)).toBe('123');
    expect(toSignificant(0.001234)).toBe('0.00123');
  });
});

describe('SVG helpers', () => {
  it('picks round ticks of 1, 2 or 5 times a power of ten', () => {
    expect(niceTicks(0, 870, 5)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(niceTicks(0, 3, 8)).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3]);
    expect(niceTicks(0, 0)).toEqual([0, 1]);
  });

  it('draws lines and staircases', () => {
    expect(linePath([0, 10, 20], [5, 6, 7])).toBe('M0 5L10 6L20 7');
    expect(linePath([0, 10], [5, 6], true)).toBe('M0 5H10V6');
  });

  it('escapes HTML and keeps JSON from closing its script element', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
    expect(scriptJson({ s: '</script>' })).toBe('{"s":"\\u003c/script>"}');
  });
});

describe('environmentInfo', () => {
  it('names this Node, its cores and platform', () => {
    const env = environmentInfo();
    expect(env.node).toBe(process.version);
    expect(env.cpus).toBe(availableParallelism());
    expect(env.platform).toBe(`${process.platform}-${process.arch}`);
    expect(typeof env.cpuModel).toBe('string');
  });
});
