/**
 * A CFI parallel flash (Intel command set, x8 device) behind a RomDevice region, the way
 * QEMU's pflash_cfi01 backs a PC's firmware.
 *
 * In read-array mode the region's romd is on: reads come straight from the mapping and
 * never reach this model. Every write reaches it (SPEC 5: an MMIO write to a RomDevice
 * always goes to its ops) and is a command; any mode other than read-array switches romd
 * off, so reads then come here and return the status, identifier or CFI data, until the
 * read-array command switches romd back on.
 *
 * Commands (the low byte of the write; addresses are region-relative):
 * | byte        | effect                                                            |
 * |-------------|-------------------------------------------------------------------|
 * | 0xFF, 0x00  | read array (romd on)                                              |
 * | 0x90        | read identifier: block offset 0 → manufacturer, 1 → device id     |
 * | 0x98        | CFI query: "QRY" at 0x10, geometry at 0x27 and 0x2C-0x30          |
 * | 0x70        | read status register                                              |
 * | 0x50        | clear status, then read array                                     |
 * | 0x20, 0xD0  | block erase: setup at any address, confirm in the block to erase  |
 * | 0x40, 0x10  | program: setup, then the next write's bytes are programmed (AND)  |
 * Status bits: 0x80 ready, 0x20 erase error, 0x10 program error (0x30 together: bad
 * command sequence), 0x02 block locked (a read-only flash refuses erase and program).
 * Programming can only clear bits, as on real NOR flash: erase first to set them.
 * Operations complete at once (status always reports ready). No block locking commands,
 * no buffered program, no suspend, no x16 interleave.
 *
 * The device needs its region to flip romd: the builder calls `attach(region)` right
 * after creating the RomDevice region over the same mapping.
 */
import { AddressSpaceError, hex } from '../../base/errors.js';
import type { Region } from '../../core/region.js';
import type { HostMemMapping } from '../../host/mapping.js';
import type { DeviceModel, DeviceProbe } from './device.js';

export type PflashMode =
  | 'read-array'
  | 'read-id'
  | 'cfi-query'
  | 'read-status'
  | 'erase-setup'
  | 'program-setup';

export const PFLASH_CMD_READ_ARRAY = 0xff;
export const PFLASH_CMD_READ_ID = 0x90;
export const PFLASH_CMD_CFI_QUERY = 0x98;
export const PFLASH_CMD_READ_STATUS = 0x70;
export const PFLASH_CMD_CLEAR_STATUS = 0x50;
export const PFLASH_CMD_BLOCK_ERASE = 0x20;
export const PFLASH_CMD_ERASE_CONFIRM = 0xd0;
export const PFLASH_CMD_PROGRAM = 0x40;
export const PFLASH_CMD_PROGRAM_ALT = 0x10;

export const PFLASH_STATUS_READY = 0x80;
export const PFLASH_STATUS_ERASE_ERROR = 0x20;
export const PFLASH_STATUS_PROGRAM_ERROR = 0x10;
export const PFLASH_STATUS_LOCKED = 0x02;

/** Intel, and a 28F-series part number: what firmware probing expects to see. */
export const PFLASH_MANUFACTURER_ID = 0x89;
export const PFLASH_DEVICE_ID = 0x18;
export const PFLASH_DEFAULT_BLOCK_SIZE = 64 * 1024;

export interface PflashOptions {
  /** Erase block size; must divide the flash size. Default 64 KiB. */
  blockSize?: number;
  /** Refuse erase and program (status reports the block locked). Default false. */
  readOnly?: boolean;
}

export class Pflash implements DeviceModel {
  readonly model = 'pflash';
  readonly size: number;
  readonly blockSize: number;
  readonly readOnly: boolean;
  private readonly flash: Uint8Array;
  private region: Region | undefined;
  private currentMode: PflashMode = 'read-array';
  private status = PFLASH_STATUS_READY;
  /** Completed block erases and program operations, for reports. */
  erases = 0;
  programs = 0;

  /** The flash array's mapping: erases and programs mark its pages dirty (SPEC 10). */
  private readonly mapping: HostMemMapping;

  constructor(mapping: HostMemMapping, options: PflashOptions = {}) {
    this.size = mapping.size;
    this.mapping = mapping;
    this.flash = mapping.bytes;
    this.blockSize = options.blockSize ?? PFLASH_DEFAULT_BLOCK_SIZE;
    this.readOnly = options.readOnly ?? false;
    if (
      !Number.isInteger(this.blockSize) ||
      this.blockSize < 256 ||
      this.blockSize % 256 !== 0 ||
      this.size % this.blockSize !== 0
    ) {
      throw AddressSpaceError.invalidArgument(
        `pflash blockSize must be a multiple of 256 that divides the flash size ${hex(this.size)}, got ${this.blockSize}`,
      );
    }
  }

  /** Binds the RomDevice region whose romd this flash switches. */
  attach(region: Region): void {
    if (region.regionType !== 'RomDevice' || region.size !== this.size) {
      throw AddressSpaceError.regionType(
        `pflash needs a RomDevice region of size ${hex(this.size)}, got ${region.regionType} ${region.name} of size ${hex(region.size)}`,
      );
    }
    this.region = region;
    this.applyRomd();
  }

  get mode(): PflashMode {
    return this.currentMode;
  }

  get statusRegister(): number {
    return this.status;
  }

  read(data: Uint8Array, _regionBase: number, offset: number): boolean {
    if (offset < 0 || offset + data.length > this.size) return false;
    for (let i = 0; i < data.length; i++) data[i] = this.readByte(offset + i);
    return true;
  }

  write(data: Uint8Array, _regionBase: number, offset: number): boolean {
    if (offset < 0 || offset + data.length > this.size || data.length === 0) return false;
    switch (this.currentMode) {
      case 'erase-setup':
        this.confirmErase(data[0]!, offset);
        break;
      case 'program-setup':
        this.program(data, offset);
        break;
      default:
        this.command(data[0]!);
    }
    this.applyRomd();
    return true;
  }

  probes(): readonly DeviceProbe[] {
    return []; // Every write is a command that changes the mode; none is harmless.
  }

  private command(cmd: number): void {
    switch (cmd) {
      case PFLASH_CMD_READ_ARRAY:
      case 0x00:
        this.currentMode = 'read-array';
        return;
      case PFLASH_CMD_READ_ID:
        this.currentMode = 'read-id';
        return;
      case PFLASH_CMD_CFI_QUERY:
        this.currentMode = 'cfi-query';
        return;
      case PFLASH_CMD_READ_STATUS:
        this.currentMode = 'read-status';
        return;
      case PFLASH_CMD_CLEAR_STATUS:
        this.status = PFLASH_STATUS_READY;
        this.currentMode = 'read-array';
        return;
      case PFLASH_CMD_BLOCK_ERASE:
        this.currentMode = 'erase-setup';
        return;
      case PFLASH_CMD_PROGRAM:
      case PFLASH_CMD_PROGRAM_ALT:
        this.currentMode = 'program-setup';
        return;
      default: // An unknown command is a command-sequence error.
        this.status |= PFLASH_STATUS_ERASE_ERROR | PFLASH_STATUS_PROGRAM_ERROR;
        this.currentMode = 'read-status';
    }
  }

  private confirmErase(cmd: number, offset: number): void {
    this.currentMode = 'read-status';
    if (cmd !== PFLASH_CMD_ERASE_CONFIRM) {
      this.status |= PFLASH_STATUS_ERASE_ERROR | PFLASH_STATUS_PROGRAM_ERROR;
      return;
    }
    if (this.readOnly) {
      this.status |= PFLASH_STATUS_ERASE_ERROR | PFLASH_STATUS_LOCKED;
      return;
    }
    const start = offset - (offset % this.blockSize);
    this.flash.fill(0xff, start, start + this.blockSize);
    this.mapping.markDirty(start, this.blockSize);
    this.erases++;
  }

  private program(data: Uint8Array, offset: number): void {
    this.currentMode = 'read-status';
    if (this.readOnly) {
      this.status |= PFLASH_STATUS_PROGRAM_ERROR | PFLASH_STATUS_LOCKED;
      return;
    }
    for (let i = 0; i < data.length; i++) this.flash[offset + i]! &= data[i]!;
    this.mapping.markDirty(offset, data.length);
    this.programs++;
  }

  private readByte(offset: number): number {
    switch (this.currentMode) {
      case 'read-array':
        return this.flash[offset]!;
      case 'read-id': {
        const inBlock = offset % this.blockSize;
        if (inBlock === 0) return PFLASH_MANUFACTURER_ID;
        return inBlock === 1 ? PFLASH_DEVICE_ID : 0;
      }
      case 'cfi-query':
        return this.cfiByte(offset % this.blockSize);
      default:
        return this.status;
    }
  }

  /** The CFI query table entries this model answers (x8 device, byte addressing). */
  private cfiByte(offset: number): number {
    const blocks = this.size / this.blockSize - 1;
    const blockUnits = this.blockSize / 256;
    switch (offset) {
      case 0x10:
        return 0x51; // 'Q'
      case 0x11:
        return 0x52; // 'R'
      case 0x12:
        return 0x59; // 'Y'
      case 0x13:
        return 0x01; // Primary command set: Intel/Sharp extended.
      case 0x27:
        return Math.log2(this.size) | 0;
      case 0x2c:
        return 1; // One erase block region.
      case 0x2d:
        return blocks & 0xff;
      case 0x2e:
        return (blocks >> 8) & 0xff;
      case 0x2f:
        return blockUnits & 0xff;
      case 0x30:
        return (blockUnits >> 8) & 0xff;
      default:
        return 0;
    }
  }

  private applyRomd(): void {
    const romd = this.currentMode === 'read-array';
    if (this.region !== undefined && this.region.getRomDeviceRomd() !== romd) {
      this.region.setRomDeviceRomd(romd);
    }
  }
}
