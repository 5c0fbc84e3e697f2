/**
 * The migration stream (SPEC 10; the format is docs/migration-stream.md): what
 * `migrate --to FILE` writes and `migrate --from FILE` loads.
 *
 *   magic "ASMIGRT1" | u32 H | H bytes of JSON header | records... | END record
 *   record: u32 type | u32 mapping index | u32 page index | payload
 *     PAGE (1): the page's bytes (4096, or what is left of the mapping)
 *     ZERO (2): no payload (the page is all zero)
 *     END  (3): page index = number of records before it; payload u32 CRC-32 (zlib's)
 *               of every byte of the stream before the END record
 * All integers little-endian.
 *
 * The writer buffers and writes synchronously (the owner thread calls it between
 * pacing sleeps). The reader reads the whole file, checks the magic, the header, every
 * record's bounds and the checksum before it hands out a single page, so a truncated or
 * corrupted stream changes nothing. Errors are `StreamError`s: one line, naming the file.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { PAGE_SIZE } from '../../base/constants.js';
import { AddressSpaceError } from '../../base/errors.js';

export const STREAM_MAGIC = 'ASMIGRT1';
export const RECORD_PAGE = 1;
export const RECORD_ZERO = 2;
export const RECORD_END = 3;
export const RECORD_HEADER_BYTES = 12;
const BUFFER_BYTES = 1 << 20;

export interface StreamMapping {
  readonly name: string;
  readonly size: number;
}

/** The header record of a migration stream: the machine and the layout of its RAM mappings (docs/migration-stream.md). */
export interface StreamHeader {
  readonly version: 1;
  readonly machine: string;
  readonly pageSize: number;
  readonly mappings: readonly StreamMapping[];
}

/** A bad stream: `message` is the one line the CLI prints (bad input: exit status 2). */
export class StreamError extends AddressSpaceError {
  constructor(message: string) {
    super('InvalidArgument', message);
    this.name = 'StreamError';
  }
}

/** Bytes of a record for page `page` of a mapping of `size` bytes (its header included). */
export function pageRecordBytes(size: number, page: number, zero: boolean): number {
  return RECORD_HEADER_BYTES + (zero ? 0 : Math.min(PAGE_SIZE, size - page * PAGE_SIZE));
}

export class StreamWriter {
  private readonly fd: number;
  private readonly buffer = new Uint8Array(BUFFER_BYTES);
  private readonly view = new DataView(this.buffer.buffer);
  private used = 0;
  private crc = 0;
  private records = 0;
  /** Bytes written so far (the END record included once `end()` ran). */
  bytes = 0;

  constructor(
    readonly path: string,
    header: StreamHeader,
  ) {
    this.fd = openSync(path, 'w');
    const json = new TextEncoder().encode(JSON.stringify(header));
    this.append(new TextEncoder().encode(STREAM_MAGIC));
    this.u32(json.length);
    this.append(json);
  }

  /** A page record: `bytes` is the page's content, `undefined` for a zero page. */
  page(mapping: number, page: number, bytes: Uint8Array | undefined): void {
    this.u32(bytes === undefined ? RECORD_ZERO : RECORD_PAGE);
    this.u32(mapping);
    this.u32(page);
    if (bytes !== undefined) this.append(bytes);
    this.records++;
  }

  /** Writes the END record with the checksum and closes the file. */
  end(): void {
    this.flush();
    const tail = new DataView(new ArrayBuffer(RECORD_HEADER_BYTES + 4));
    tail.setUint32(0, RECORD_END, true);
    tail.setUint32(4, 0, true);
    tail.setUint32(8, this.records, true);
    tail.setUint32(12, this.crc >>> 0, true);
    writeSync(this.fd, new Uint8Array(tail.buffer));
    this.bytes += tail.byteLength;
    closeSync(this.fd);
  }

  /** Closes the file without an END record (a migration that failed). */
  abandon(): void {
    this.flush();
    closeSync(this.fd);
  }

  private u32(value: number): void {
    if (this.used + 4 > BUFFER_BYTES) this.flush();
    this.view.setUint32(this.used, value, true);
    this.used += 4;
    this.bytes += 4;
  }

  private append(bytes: Uint8Array): void {
    if (this.used + bytes.length > BUFFER_BYTES) this.flush();
    if (bytes.length > BUFFER_BYTES) {
      this.write(bytes);
    } else {
      this.buffer.set(bytes, this.used);
      this.used += bytes.length;
    }
    this.bytes += bytes.length;
  }

  private flush(): void {
    if (this.used === 0) return;
    this.write(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  private write(bytes: Uint8Array): void {
    this.crc = crc32(bytes, this.crc);
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
  }
}

/** One page record of a loaded stream. */
export interface StreamRecord {
  readonly mapping: number;
  readonly page: number;
  /** The page's bytes (a view into the file), `undefined` for a zero page. */
  readonly bytes: Uint8Array | undefined;
}

export interface LoadedStream {
  readonly header: StreamHeader;
  readonly records: readonly StreamRecord[];
  readonly bytes: number;
  readonly checksum: number;
}

/** Reads and checks a whole stream; throws `StreamError` (nothing applied) when it is bad. */
export function readStream(path: string): LoadedStream {
  let file: Uint8Array;
  try {
    file = readFileSync(path);
  } catch (error) {
    throw new StreamError(`migration stream ${path}: ${(error as Error).message}`);
  }
  const bad = (what: string) => new StreamError(`migration stream ${path} ${what}`);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magic = new TextDecoder().decode(file.subarray(0, STREAM_MAGIC.length));
  if (magic !== STREAM_MAGIC) throw bad(`is not a migration stream (no ${STREAM_MAGIC} magic)`);
  let at = STREAM_MAGIC.length;
  if (at + 4 > file.length) throw bad(`is truncated at byte ${file.length} (in the header)`);
  const headerBytes = view.getUint32(at, true);
  at += 4;
  if (at + headerBytes > file.length) {
    throw bad(`is truncated at byte ${file.length} (in the header)`);
  }
  const header = parseHeader(file.subarray(at, at + headerBytes), bad);
  at += headerBytes;
  const records: StreamRecord[] = [];
  for (;;) {
    if (at + RECORD_HEADER_BYTES > file.length) {
      throw bad(
        `is truncated at byte ${file.length} (after ${records.length} records, no end record)`,
      );
    }
    const type = view.getUint32(at, true);
    const mapping = view.getUint32(at + 4, true);
    const page = view.getUint32(at + 8, true);
    if (type === RECORD_END) {
      if (at + RECORD_HEADER_BYTES + 4 > file.length) {
        throw bad(`is truncated at byte ${file.length} (in the end record)`);
      }
      const expected = view.getUint32(at + RECORD_HEADER_BYTES, true);
      const actual = crc32(file.subarray(0, at)) >>> 0;
      if (expected !== actual) {
        throw bad(
          `is corrupted: checksum 0x${actual.toString(16).toUpperCase()} does not match 0x${expected.toString(16).toUpperCase()} in its end record`,
        );
      }
      if (page !== records.length) {
        throw bad(
          `is corrupted: its end record counts ${page} records, the stream has ${records.length}`,
        );
      }
      if (at + RECORD_HEADER_BYTES + 4 !== file.length) {
        throw bad(
          `is corrupted: ${file.length - at - RECORD_HEADER_BYTES - 4} bytes follow its end record`,
        );
      }
      return { header, records, bytes: file.length, checksum: expected };
    }
    const m = header.mappings[mapping];
    if (
      (type !== RECORD_PAGE && type !== RECORD_ZERO) ||
      m === undefined ||
      page * PAGE_SIZE >= m.size
    ) {
      throw bad(
        `is corrupted: bad record at byte ${at} (type ${type}, mapping ${mapping}, page ${page})`,
      );
    }
    at += RECORD_HEADER_BYTES;
    let bytes: Uint8Array | undefined;
    if (type === RECORD_PAGE) {
      const n = Math.min(PAGE_SIZE, m.size - page * PAGE_SIZE);
      if (at + n > file.length) {
        throw bad(`is truncated at byte ${file.length} (in page ${page} of ${m.name})`);
      }
      bytes = file.subarray(at, at + n);
      at += n;
    }
    records.push({ mapping, page, bytes });
  }
}

function parseHeader(bytes: Uint8Array, bad: (what: string) => StreamError): StreamHeader {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw bad('is corrupted: its header is not JSON');
  }
  const h = raw as Partial<StreamHeader> | null;
  const mappingsOk =
    Array.isArray(h?.mappings) &&
    h.mappings.every(
      (m) => typeof m?.name === 'string' && Number.isSafeInteger(m.size) && m.size > 0,
    );
  if (
    h?.version !== 1 ||
    typeof h.machine !== 'string' ||
    h.pageSize !== PAGE_SIZE ||
    !mappingsOk
  ) {
    throw bad('is corrupted: its header lacks version 1, machine, pageSize 4096 or mappings');
  }
  return h as StreamHeader;
}
