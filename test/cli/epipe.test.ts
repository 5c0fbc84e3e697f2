/**
 * `addrspace mtree | head -1` (issue 11): when the reader of stdout goes away, the CLI
 * stops writing quietly and exits with its own status, no EPIPE stack trace. The
 * machine's tree is made large enough that the output does not fit in a pipe buffer.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const main = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

it('mtree whose reader closes the pipe after one line exits 0 with nothing on stderr', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'addrspace-epipe-')), 'big.json');
  const children = [{ type: 'Ram', name: 'ram', mapping: 'ram' }];
  for (let i = 0; i < 3000; i++) {
    children.push({
      type: 'Container',
      name: `c${i}`,
      size: '4KiB',
      offset: 0x1000_0000 + i * 0x1000,
    } as never);
  }
  writeFileSync(
    file,
    JSON.stringify({
      mappings: { ram: '16MiB' },
      memory: { type: 'Container', name: 'system', size: '4GiB', children },
    }),
  );
  // bash, with pipefail: the status is the CLI's (head's is 0), stderr is the CLI's.
  const child = spawn(
    'bash',
    [
      '-c',
      'set -o pipefail; "$0" "$1" mtree --machine "$2" | head -1',
      process.execPath,
      main,
      file,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += String(d);
  });
  child.stderr.on('data', (d) => {
    stderr += String(d);
  });
  const [code] = (await once(child, 'exit')) as [number];
  expect(stdout).toBe('----- address-space flat: memory -----\n');
  expect(stderr).toBe('');
  expect(code).toBe(0);
});
