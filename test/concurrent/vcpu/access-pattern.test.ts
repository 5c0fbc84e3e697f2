import { describe, expect, it } from 'vitest';
import {
  AccessGenerator,
  GENERATOR_STATE_WORDS,
  RAM_ACCESS,
  resolveWorkload,
  type WorkloadDescription,
} from '../../../src/concurrent/vcpu/access-pattern.js';
import { Prng } from '../../../src/concurrent/vcpu/prng.js';

function take(gen: AccessGenerator, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    gen.next();
    out.push(
      `${gen.target}:${gen.gpa.toString(16)}:${gen.size}:${gen.isWrite ? `w${gen.value}` : 'r'}`,
    );
  }
  return out;
}

describe('Prng (xoshiro128**)', () => {
  it('gives the reference sequence from state {1, 2, 3, 4}', () => {
    const prng = new Prng(0);
    prng.restore(Int32Array.of(1, 2, 3, 4), 0);
    const out = Array.from({ length: 6 }, () => prng.nextUint32());
    expect(out).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('resumes exactly from a saved state', () => {
    const a = new Prng(42);
    for (let i = 0; i < 100; i++) a.nextInt32();
    const words = new Int32Array(4);
    a.save(words, 0);
    const b = new Prng(7);
    b.restore(words, 0);
    expect(Array.from({ length: 5 }, () => b.nextInt32())).toEqual(
      Array.from({ length: 5 }, () => a.nextInt32()),
    );
  });

  it('below(n) stays in [0, n), also past 2**32', () => {
    const prng = new Prng(3);
    let bad = 0;
    for (let i = 0; i < 10_000; i++) {
      const small = prng.below(10);
      const big = prng.below(2 ** 40);
      if (!(small >= 0 && small < 10 && Number.isInteger(small))) bad++;
      if (!(big >= 0 && big < 2 ** 40 && Number.isInteger(big))) bad++;
    }
    expect(bad).toBe(0);
  });
});

describe('seq', () => {
  //  0x1000      0x1010        0x3000  0x3008
  //  |a|b|c|d|   (hole)        |e|f|
  it('sweeps the RAM ranges in order, one access size at a time, and wraps', () => {
    const gen = new AccessGenerator({
      kind: 'seq',
      seed: 1,
      readRatio: 1,
      ram: [
        { base: 0x1000, size: 16 },
        { base: 0x3000, size: 8 },
      ],
    });
    expect(take(gen, 7)).toEqual([
      '-1:1000:4:r',
      '-1:1004:4:r',
      '-1:1008:4:r',
      '-1:100c:4:r',
      '-1:3000:4:r',
      '-1:3004:4:r',
      '-1:1000:4:r',
    ]);
  });

  it('aligns an unaligned range inward: 0x1001 + 16 bytes holds 3 slots of 4', () => {
    const gen = new AccessGenerator({
      kind: 'seq',
      seed: 1,
      readRatio: 1,
      ram: [{ base: 0x1001, size: 16 }],
    });
    expect(gen.ramSlots).toBe(3);
    expect(take(gen, 4)).toEqual(['-1:1004:4:r', '-1:1008:4:r', '-1:100c:4:r', '-1:1004:4:r']);
  });
});

describe('random', () => {
  const ram = [
    { base: 0x10_0000, size: 0x10_0000 },
    { base: 0x1_0000_0000, size: 0x10_0000 },
  ];

  it('is deterministic per seed and differs between seeds', () => {
    const a = take(new AccessGenerator({ kind: 'random', seed: 5, ram }), 200);
    const b = take(new AccessGenerator({ kind: 'random', seed: 5, ram }), 200);
    const c = take(new AccessGenerator({ kind: 'random', seed: 6, ram }), 200);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('stays aligned inside the ranges, spreads evenly and honours readRatio', () => {
    const gen = new AccessGenerator({
      kind: 'random',
      seed: 9,
      ram,
      accessSize: 8,
      readRatio: 0.75,
    });
    let inFirst = 0;
    let writes = 0;
    let outside = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      gen.next();
      const first = gen.gpa >= 0x10_0000 && gen.gpa + 8 <= 0x20_0000;
      const second = gen.gpa >= 0x1_0000_0000 && gen.gpa + 8 <= 0x1_0010_0000;
      if (gen.target !== RAM_ACCESS || gen.gpa % 8 !== 0 || !(first || second)) outside++;
      if (first) inFirst++;
      if (gen.isWrite) writes++;
    }
    expect(outside).toBe(0);
    expect(inFirst / n).toBeGreaterThan(0.49);
    expect(inFirst / n).toBeLessThan(0.51);
    expect(writes / n).toBeGreaterThan(0.24);
    expect(writes / n).toBeLessThan(0.26);
  });
});

describe('hot', () => {
  it('puts about 90% of accesses into hotPages pages', () => {
    const gen = new AccessGenerator({
      kind: 'hot',
      seed: 11,
      ram: [{ base: 0, size: 64 * 1024 * 1024 }],
      hotPages: 4,
    });
    const pages = new Map<number, number>();
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      gen.next();
      const page = Math.floor(gen.gpa / 4096);
      pages.set(page, (pages.get(page) ?? 0) + 1);
    }
    const top4 = [...pages.values()].sort((a, b) => b - a).slice(0, 4);
    const share = top4.reduce((s, c) => s + c, 0) / n;
    expect(share).toBeGreaterThan(0.89);
    expect(share).toBeLessThan(0.91);
  });
});

describe('mmio', () => {
  const uartAndDoorbell: WorkloadDescription = {
    kind: 'mmio',
    seed: 2,
    mmio: [
      { name: 'uart.thr', gpa: 0x3f8, size: 1, isWrite: true, value: 0x41, weight: 3 },
      { name: 'uart.lsr', gpa: 0x3fd, size: 1, isWrite: false, weight: 1 },
      { name: 'virtio.notify', gpa: 0xd000_0050, size: 4, isWrite: true, value: 0, weight: 1 },
    ],
  };

  it('picks targets by weight with their size, direction and value', () => {
    const gen = new AccessGenerator(uartAndDoorbell);
    const hits = [0, 0, 0];
    const seen = new Set<string>();
    for (let i = 0; i < 50_000; i++) {
      gen.next();
      hits[gen.target]!++;
      seen.add(
        `${gen.target} 0x${gen.gpa.toString(16)} ${gen.size} ${gen.isWrite ? `w=${gen.value}` : 'r'}`,
      );
    }
    expect([...seen].sort()).toEqual(['0 0x3f8 1 w=65', '1 0x3fd 1 r', '2 0xd0000050 4 w=0']);
    expect(hits[0]! / 50_000).toBeCloseTo(0.6, 1);
    expect(hits[1]! / 50_000).toBeCloseTo(0.2, 1);
    expect(hits[2]! / 50_000).toBeCloseTo(0.2, 1);
  });

  it('mixed blends RAM and MMIO by the mix weights', () => {
    const gen = new AccessGenerator({
      ...uartAndDoorbell,
      kind: 'mixed',
      ram: [{ base: 0, size: 1 << 20 }],
      mix: { seq: 1, random: 1, hot: 1, mmio: 1 },
    });
    let mmio = 0;
    let badRamSize = 0;
    for (let i = 0; i < 40_000; i++) {
      gen.next();
      if (gen.target !== RAM_ACCESS) mmio++;
      else if (gen.size !== 4) badRamSize++;
    }
    expect(badRamSize).toBe(0);
    expect(mmio / 40_000).toBeCloseTo(0.25, 1);
  });
});

describe('save and restore', () => {
  it('a generator resumed from saved words continues the same stream', () => {
    const d: WorkloadDescription = {
      kind: 'mixed',
      seed: 77,
      ram: [{ base: 0x2000, size: 1 << 16 }],
    };
    const a = new AccessGenerator(d);
    take(a, 500);
    const words = new Int32Array(GENERATOR_STATE_WORDS);
    a.save(words, 0);
    const b = new AccessGenerator(d);
    b.restore(words, 0);
    expect(take(b, 500)).toEqual(take(a, 500));
  });
});

describe('resolveWorkload', () => {
  const ram = [{ base: 0, size: 4096 }];
  it.each([
    [{ kind: 'walk', seed: 1, ram }, 'workload.kind: must be one of seq, random, hot, mmio, mixed'],
    [{ kind: 'seq', seed: 1.5, ram }, 'workload.seed: must be an integer'],
    [
      { kind: 'seq', seed: 1, ram: [{ base: 0, size: 0 }] },
      'workload.ram[0].size: must be a positive integer',
    ],
    [
      { kind: 'seq', seed: 1, ram: [{ base: -1, size: 4 }] },
      'workload.ram[0].base: must be a non-negative integer',
    ],
    [{ kind: 'seq', seed: 1, ram, accessSize: 3 }, 'workload.accessSize: must be 1, 2, 4 or 8'],
    [{ kind: 'seq', seed: 1, ram, readRatio: 2 }, 'workload.readRatio: must be a number in [0, 1]'],
    [{ kind: 'seq', seed: 1 }, 'workload.ram: must hold at least one aligned 4-byte slot'],
    [
      { kind: 'mmio', seed: 1 },
      'workload.mmio: must list at least one target with a positive weight',
    ],
    [
      { kind: 'mmio', seed: 1, mmio: [{ gpa: 0, size: 4, isWrite: 'yes' }] },
      'workload.mmio[0].isWrite: must be a boolean',
    ],
  ])('%j is refused: %s', (d, message) => {
    expect(() => resolveWorkload(d as unknown as WorkloadDescription)).toThrowError(
      expect.objectContaining({ code: 'InvalidArgument', message: `Invalid argument: ${message}` }),
    );
  });

  it('fills the defaults', () => {
    const w = resolveWorkload({ kind: 'random', seed: 1, ram });
    expect(w).toMatchObject({
      readRatio: 0.75,
      accessSize: 4,
      hotPages: 16,
      hotFraction: 0.9,
      pageSize: 4096,
    });
    expect(w.mix).toEqual({ seq: 3, random: 3, hot: 3, mmio: 0 });
  });
});
