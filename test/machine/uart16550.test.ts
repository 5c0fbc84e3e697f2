import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../src/core/address-space.js';
import { Region } from '../../src/core/region.js';
import { Uart16550 } from '../../src/machine/devices/uart16550.js';

/** One register access through the device's ops, the way the address space calls them. */
function reg(uart: Uart16550) {
  return {
    read(offset: number): number {
      const data = new Uint8Array(1);
      expect(uart.read(data, 0x3f8, offset)).toBe(true);
      return data[0]!;
    },
    write(offset: number, value: number): void {
      expect(uart.write(Uint8Array.of(value), 0x3f8, offset)).toBe(true);
    },
  };
}

const THR = 0;
const IER = 1;
const IIR = 2;
const FCR = 2;
const LCR = 3;
const MCR = 4;
const LSR = 5;
const MSR = 6;
const SCR = 7;

describe('16550 UART registers', () => {
  it('after reset: THR empty, no interrupt, modem lines up', () => {
    const r = reg(new Uart16550());
    expect(r.read(LSR)).toBe(0x60); // THRE | TEMT
    expect(r.read(IIR)).toBe(0x01); // no interrupt pending
    expect(r.read(MSR)).toBe(0xb0); // DCD | DSR | CTS
    expect(r.read(LCR)).toBe(0);
  });

  it('a THR write is transmitted at once and LSR stays THRE|TEMT', () => {
    const uart = new Uart16550();
    const r = reg(uart);
    for (const c of 'OK\n') r.write(THR, c.charCodeAt(0));
    expect(r.read(LSR)).toBe(0x60);
    expect(uart.takeOutput()).toBe('OK\n');
    expect(uart.transmittedBytes).toBe(3);
    expect(uart.takeOutput()).toBe('');
  });

  it('DLAB switches offsets 0 and 1 to the divisor latch', () => {
    const uart = new Uart16550();
    const r = reg(uart);
    r.write(IER, 0x05);
    r.write(LCR, 0x83); // DLAB, 8N1
    r.write(THR, 0x01); // DLL
    r.write(IER, 0x00); // DLM
    expect(uart.baudDivisor).toBe(1); // 115200 baud
    expect(r.read(THR)).toBe(0x01);
    expect(r.read(IER)).toBe(0x00);
    expect(uart.output()).toEqual(new Uint8Array(0)); // nothing was transmitted
    r.write(LCR, 0x03);
    expect(r.read(IER)).toBe(0x05); // IER is back
  });

  it('IIR reports THR empty when enabled, cleared by reading IIR and raised again by THR', () => {
    const levels: boolean[] = [];
    const uart = new Uart16550({ onInterrupt: (level) => levels.push(level) });
    const r = reg(uart);
    r.write(IER, 0x02);
    expect(uart.interruptPending).toBe(true);
    expect(r.read(IIR)).toBe(0x02);
    expect(r.read(IIR)).toBe(0x01);
    r.write(THR, 0x41);
    expect(r.read(IIR)).toBe(0x02);
    expect(levels).toEqual([true, false, true, false]);
  });

  it('received data: DR, the RDI interrupt, overrun without FIFO, line status first', () => {
    const uart = new Uart16550();
    const r = reg(uart);
    r.write(IER, 0x01); // received-data interrupt
    expect(uart.injectRx('hi')).toBe(1); // no FIFO: one byte holds, the second overruns
    expect(r.read(IIR)).toBe(0x04);
    r.write(IER, 0x05); // plus line-status interrupt
    expect(r.read(IIR)).toBe(0x06); // overrun outranks data
    expect(r.read(LSR)).toBe(0x63); // DR | OE | THRE | TEMT, and clears OE
    expect(r.read(LSR)).toBe(0x61);
    expect(r.read(IIR)).toBe(0x04);
    expect(r.read(THR)).toBe(0x68); // 'h'
    expect(r.read(LSR)).toBe(0x60);
    expect(r.read(IIR)).toBe(0x01);
  });

  it('with FIFOs enabled, IIR has bits 6-7 set and 16 bytes fit', () => {
    const uart = new Uart16550();
    const r = reg(uart);
    r.write(FCR, 0x07);
    expect(r.read(IIR)).toBe(0xc1);
    expect(uart.injectRx(new Array(17).fill(0x61))).toBe(16);
    let n = 0;
    while (r.read(LSR) & 0x01) {
      r.read(THR);
      n++;
    }
    expect(n).toBe(16);
  });

  it('loopback routes THR to the receiver and MCR to MSR', () => {
    const uart = new Uart16550();
    const r = reg(uart);
    r.write(MCR, 0x13); // loopback, RTS, DTR
    expect(r.read(MSR)).toBe(0x30); // CTS | DSR
    r.write(THR, 0x55);
    expect(r.read(LSR)).toBe(0x61);
    expect(r.read(THR)).toBe(0x55);
    expect(uart.transmittedBytes).toBe(0);
  });

  it('SCR keeps what was written; a wider access is consecutive byte accesses', () => {
    const uart = new Uart16550();
    const r = reg(uart);
    r.write(SCR, 0xa5);
    expect(r.read(SCR)).toBe(0xa5);
    const two = new Uint8Array(2);
    expect(uart.read(two, 0, 6)).toBe(true);
    expect([...two]).toEqual([0xb0, 0xa5]);
    expect(uart.read(new Uint8Array(1), 0, 8)).toBe(false);
  });

  it('works behind an IO region at port 0x3F8 of an io address space', () => {
    const uart = new Uart16550();
    const root = Region.initContainerRegion(0x10000, 'io');
    root.addSubregion(Region.initIoRegion(8, uart, 'serial'), 0x3f8);
    const io = new AddressSpace(root, 'io');
    io.writeU8(0x3f8, 0x21, 'MMIO');
    expect(io.readU8(0x3fd, 'MMIO')).toBe(0x60);
    expect(uart.takeOutput()).toBe('!');
  });
});
