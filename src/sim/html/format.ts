/**
 * Number formatting for people: counts with SI suffixes, durations from microseconds,
 * byte sizes in binary units. Used by the HTML report and the CLI summary, so both say
 * the same thing the same way. Pure functions; they never throw, and print `–` for a
 * value that is not a finite number.
 */

const DASH = '–';

/** `1234` → `1,234`, `41_212` → `41.2 k`, `4_560_000` → `4.56 M`, `0.5` → `0.5`. */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return DASH;
  const abs = Math.abs(value);
  if (abs < 1000) return trimNumber(value, abs < 10 && !Number.isInteger(value) ? 2 : 0);
  if (abs < 10_000) return Math.round(value).toLocaleString('en-US');
  const units = ['k', 'M', 'G', 'T', 'P'];
  let scaled = value;
  let unit = '';
  for (const u of units) {
    if (Math.abs(scaled) < 1000) break;
    scaled /= 1000;
    unit = u;
  }
  return `${toSignificant(scaled)} ${unit}`;
}

/** A duration given in µs: `0.42` → `420 ns`, `12.5` → `12.5 µs`, `4500` → `4.5 ms`. */
export function formatMicros(us: number): string {
  if (!Number.isFinite(us)) return DASH;
  const abs = Math.abs(us);
  if (abs === 0) return '0 µs';
  if (abs < 1) return `${toSignificant(us * 1000)} ns`;
  if (abs < 1000) return `${toSignificant(us)} µs`;
  if (abs < 1_000_000) return `${toSignificant(us / 1000)} ms`;
  return `${toSignificant(us / 1_000_000)} s`;
}

/** Seconds: `3` → `3 s`, `0.25` → `250 ms`, `90` → `1 min 30 s`. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return DASH;
  if (seconds < 1) return formatMicros(seconds * 1_000_000);
  if (seconds < 60) return `${toSignificant(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

/** Bytes in binary units: `2097152` → `2 MiB`, `1536` → `1.5 KiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return DASH;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let scaled = bytes;
  let i = 0;
  while (Math.abs(scaled) >= 1024 && i < units.length - 1) {
    scaled /= 1024;
    i++;
  }
  return `${i === 0 ? String(scaled) : toSignificant(scaled)} ${units[i]}`;
}

/** `0x` plus upper-case hex, as the rest of addrspace prints addresses. */
export function formatAddress(value: number): string {
  return Number.isFinite(value) && value >= 0 ? `0x${value.toString(16).toUpperCase()}` : DASH;
}

/** Three significant digits, no trailing zeros: `1.50` → `1.5`, `123.4` → `123`. */
export function toSignificant(value: number, digits = 3): string {
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return trimNumber(value, decimals);
}

function trimNumber(value: number, decimals: number): string {
  const text = value.toFixed(decimals);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
