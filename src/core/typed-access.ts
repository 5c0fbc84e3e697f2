/**
 * The typed accessors of an address space (SPEC 5, "Access"): `readU8/U16/U32/U64` and
 * `writeU8/U16/U32/U64`, little-endian, over the byte-span `read` and `write` that the
 * subclass (`AddressSpace`) provides. Values are checked here (`checkUnsigned`); spans,
 * attributes, ioeventfds and dirty logging are the subclass's.
 */
import { checkUnsigned, decodeU64, encodeU64 } from '../base/typed-values.js';
import type { AddressAttr } from './types.js';

export abstract class TypedAccess {
  abstract read(dst: Uint8Array, addr: number, attr?: AddressAttr): void;
  abstract write(src: Uint8Array, addr: number, attr?: AddressAttr): void;

  readU8(addr: number, attr: AddressAttr = 'Ram'): number {
    return this.readBuffer(addr, 1, attr)[0]!;
  }

  readU16(addr: number, attr: AddressAttr = 'Ram'): number {
    const b = this.readBuffer(addr, 2, attr);
    return b[0]! | (b[1]! << 8);
  }

  readU32(addr: number, attr: AddressAttr = 'Ram'): number {
    const b = this.readBuffer(addr, 4, attr);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  readU64(addr: number, attr: AddressAttr = 'Ram'): bigint {
    return decodeU64(this.readBuffer(addr, 8, attr));
  }

  writeU8(addr: number, value: number, attr: AddressAttr = 'Ram'): void {
    this.writeUnsigned(addr, value, 1, attr);
  }

  writeU16(addr: number, value: number, attr: AddressAttr = 'Ram'): void {
    this.writeUnsigned(addr, value, 2, attr);
  }

  writeU32(addr: number, value: number, attr: AddressAttr = 'Ram'): void {
    this.writeUnsigned(addr, value, 4, attr);
  }

  writeU64(addr: number, value: bigint, attr: AddressAttr = 'Ram'): void {
    this.write(encodeU64(value), addr, attr);
  }

  protected readBuffer(addr: number, size: number, attr: AddressAttr): Uint8Array {
    const b = new Uint8Array(size);
    this.read(b, addr, attr);
    return b;
  }

  protected writeUnsigned(addr: number, value: number, size: number, attr: AddressAttr): void {
    const v = checkUnsigned(value, size);
    const b = new Uint8Array(size);
    for (let i = 0; i < size; i++) b[i] = Math.floor(v / 2 ** (8 * i)) & 0xff;
    this.write(b, addr, attr);
  }
}
