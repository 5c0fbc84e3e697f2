/**
 * A 16550A UART register file (the PC's COM1 at I/O port 0x3F8).
 *
 * Registers (offset, DLAB = LCR bit 7):
 * | off | read                    | write                 |
 * |-----|-------------------------|-----------------------|
 * | 0   | RBR (DLAB 0) / DLL      | THR (DLAB 0) / DLL    |
 * | 1   | IER (DLAB 0) / DLM      | IER (DLAB 0) / DLM    |
 * | 2   | IIR                     | FCR                   |
 * | 3   | LCR                     | LCR                   |
 * | 4   | MCR                     | MCR                   |
 * | 5   | LSR                     | (ignored)             |
 * | 6   | MSR                     | (ignored)             |
 * | 7   | SCR                     | SCR                   |
 *
 * Transmission is instantaneous: a THR write lands in the output buffer (or, with MCR
 * loopback, in the receive FIFO), and LSR keeps THRE|TEMT set. Received bytes come from
 * `injectRx`; the receive FIFO holds 16 bytes with FCR FIFOs enabled, else 1, and an
 * overflow sets LSR.OE. IIR reports the highest-priority pending interrupt among those
 * IER enables (line status > received data > THR empty), as on the real chip; reading
 * IIR while it reports THR empty clears that interrupt, as does a THR write. MSR is static
 * (DCD|DSR|CTS, or the MCR bits in loopback): no delta bits, no modem-status interrupt.
 * Every register is one byte wide: a wider access is handled as consecutive byte
 * accesses. No baud-rate timing, no break, no character timeout, no DMA mode.
 */
import type { DeviceModel, DeviceProbe } from './device.js';

export const UART_REGISTER_COUNT = 8;

// Register offsets.
const kRbrThrDll = 0;
const kIerDlm = 1;
const kIirFcr = 2;
const kLcr = 3;
const kMcr = 4;
const kLsr = 5;
const kMsr = 6;
const kScr = 7;

// Bits.
export const IER_RDI = 0x01;
export const IER_THRI = 0x02;
export const IER_RLSI = 0x04;
export const IIR_NO_INT = 0x01;
export const IIR_THRI = 0x02;
export const IIR_RDI = 0x04;
export const IIR_RLSI = 0x06;
export const IIR_FIFO_ENABLED = 0xc0;
export const FCR_FIFO_ENABLE = 0x01;
export const FCR_CLEAR_RX = 0x02;
export const LCR_DLAB = 0x80;
export const MCR_LOOPBACK = 0x10;
export const LSR_DR = 0x01;
export const LSR_OE = 0x02;
export const LSR_THRE = 0x20;
export const LSR_TEMT = 0x40;
export const MSR_CTS = 0x10;
export const MSR_DSR = 0x20;
export const MSR_DCD = 0x80;

const FIFO_DEPTH = 16;
const DEFAULT_OUTPUT_LIMIT = 64 * 1024;

export interface Uart16550Options {
  /** Transmitted bytes kept for `output()`; later bytes are only counted. Default 64 KiB. */
  outputLimit?: number;
  /** Called whenever the interrupt line changes level. */
  onInterrupt?: (level: boolean) => void;
}

/**
 * A 16550 UART device model: 8 byte-wide registers behind an IO region (THR/RBR, IER,
 * IIR/FCR, LCR, MCR, LSR, MSR, SCR, with DLAB); transmitted bytes are kept up to
 * `outputLimit`.
 */
export class Uart16550 implements DeviceModel {
  readonly model = 'uart16550';
  readonly size = UART_REGISTER_COUNT;
  readonly maxAccessSize = 1;

  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private lsrErrors = 0;
  private scr = 0;
  private divisor = 12; // 9600 baud from the 1.8432 MHz clock.
  private fifoEnabled = false;
  private thrInterruptPending = false;
  private readonly rx: number[] = [];
  private readonly out: number[] = [];
  private readonly outputLimit: number;
  private readonly onInterrupt: ((level: boolean) => void) | undefined;
  private irqLevel = false;
  /** All bytes ever transmitted, including those past the output limit. */
  transmittedBytes = 0;

  constructor(options: Uart16550Options = {}) {
    this.outputLimit = options.outputLimit ?? DEFAULT_OUTPUT_LIMIT;
    this.onInterrupt = options.onInterrupt;
  }

  read(data: Uint8Array, _regionBase: number, offset: number): boolean {
    if (offset < 0 || offset + data.length > this.size) return false;
    for (let i = 0; i < data.length; i++) data[i] = this.readRegister(offset + i);
    return true;
  }

  write(data: Uint8Array, _regionBase: number, offset: number): boolean {
    if (offset < 0 || offset + data.length > this.size) return false;
    for (let i = 0; i < data.length; i++) this.writeRegister(offset + i, data[i]!);
    return true;
  }

  probes(): readonly DeviceProbe[] {
    return [
      { kind: 'read', offset: kLsr, size: 1, what: 'LSR' },
      { kind: 'write', offset: kScr, size: 1, value: 0x5a, ioeventfd: false, what: 'SCR' },
    ];
  }

  /** Queues bytes as if received on the line. Returns how many fit (the rest overflowed). */
  injectRx(bytes: Iterable<number> | string): number {
    const list = typeof bytes === 'string' ? Array.from(Buffer.from(bytes, 'latin1')) : bytes;
    let accepted = 0;
    for (const b of list) if (this.receive(b & 0xff)) accepted++;
    this.updateInterrupt();
    return accepted;
  }

  /** Bytes transmitted so far (up to the output limit). */
  output(): Uint8Array {
    return Uint8Array.from(this.out);
  }

  /** Transmitted text (latin1), and clears the buffer. */
  takeOutput(): string {
    const text = Buffer.from(this.out).toString('latin1');
    this.out.length = 0;
    return text;
  }

  /** The level of the interrupt line (OUT2 gating is not modelled). */
  get interruptPending(): boolean {
    return this.interruptId() !== IIR_NO_INT;
  }

  /** Divisor latch value (DLM:DLL). */
  get baudDivisor(): number {
    return this.divisor;
  }

  private readRegister(offset: number): number {
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (offset) {
      case kRbrThrDll:
        return dlab ? this.divisor & 0xff : this.readRbr();
      case kIerDlm:
        return dlab ? (this.divisor >> 8) & 0xff : this.ier;
      case kIirFcr:
        return this.readIir();
      case kLcr:
        return this.lcr;
      case kMcr:
        return this.mcr;
      case kLsr:
        return this.readLsr();
      case kMsr:
        return this.msr();
      default:
        return this.scr;
    }
  }

  private writeRegister(offset: number, value: number): void {
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (offset) {
      case kRbrThrDll:
        if (dlab) this.divisor = (this.divisor & 0xff00) | value;
        else this.transmit(value);
        break;
      case kIerDlm:
        if (dlab) this.divisor = (this.divisor & 0x00ff) | (value << 8);
        else this.writeIer(value & 0x0f);
        break;
      case kIirFcr:
        this.writeFcr(value);
        break;
      case kLcr:
        this.lcr = value;
        break;
      case kMcr:
        this.mcr = value & 0x1f;
        break;
      case kScr:
        this.scr = value;
        break;
      default: // LSR and MSR are read-only: writes are ignored, as on the chip.
        return;
    }
    this.updateInterrupt();
  }

  private readRbr(): number {
    const value = this.rx.shift() ?? 0;
    this.updateInterrupt();
    return value;
  }

  private readIir(): number {
    const id = this.interruptId();
    if (id === IIR_THRI) {
      this.thrInterruptPending = false;
      this.updateInterrupt();
    }
    return id | (this.fifoEnabled ? IIR_FIFO_ENABLED : 0);
  }

  private readLsr(): number {
    const value = this.lsr();
    this.lsrErrors = 0; // Reading LSR clears the error bits.
    this.updateInterrupt();
    return value;
  }

  private lsr(): number {
    return LSR_THRE | LSR_TEMT | (this.rx.length > 0 ? LSR_DR : 0) | this.lsrErrors;
  }

  private msr(): number {
    if ((this.mcr & MCR_LOOPBACK) === 0) return MSR_DCD | MSR_DSR | MSR_CTS;
    // Loopback: DTR→DSR, RTS→CTS, OUT1→RI, OUT2→DCD.
    const m = this.mcr;
    return ((m & 0x01) << 5) | ((m & 0x02) << 3) | ((m & 0x04) << 4) | ((m & 0x08) << 4);
  }

  private writeIer(value: number): void {
    const enablingThri = (value & IER_THRI) !== 0 && (this.ier & IER_THRI) === 0;
    this.ier = value;
    // The transmitter is always empty here, so enabling its interrupt raises it at once.
    if (enablingThri) this.thrInterruptPending = true;
    if ((value & IER_THRI) === 0) this.thrInterruptPending = false;
  }

  private writeFcr(value: number): void {
    const enable = (value & FCR_FIFO_ENABLE) !== 0;
    if (enable !== this.fifoEnabled || (value & FCR_CLEAR_RX) !== 0) this.rx.length = 0;
    this.fifoEnabled = enable;
  }

  private transmit(value: number): void {
    this.thrInterruptPending = false;
    if ((this.mcr & MCR_LOOPBACK) !== 0) {
      this.receive(value);
    } else {
      this.transmittedBytes++;
      if (this.out.length < this.outputLimit) this.out.push(value);
    }
    // Transmission completes at once: THR is empty again.
    if ((this.ier & IER_THRI) !== 0) this.thrInterruptPending = true;
  }

  private receive(value: number): boolean {
    if (this.rx.length >= (this.fifoEnabled ? FIFO_DEPTH : 1)) {
      this.lsrErrors |= LSR_OE;
      return false;
    }
    this.rx.push(value);
    return true;
  }

  private interruptId(): number {
    if ((this.ier & IER_RLSI) !== 0 && this.lsrErrors !== 0) return IIR_RLSI;
    if ((this.ier & IER_RDI) !== 0 && this.rx.length > 0) return IIR_RDI;
    if ((this.ier & IER_THRI) !== 0 && this.thrInterruptPending) return IIR_THRI;
    return IIR_NO_INT;
  }

  private updateInterrupt(): void {
    const level = this.interruptPending;
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    this.onInterrupt?.(level);
  }
}
