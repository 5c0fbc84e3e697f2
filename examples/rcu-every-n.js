/**
 * An example strategy plug-in (SPEC 7): `rcu` that looks at the control word once per
 * N accesses instead of on every access. Load it with
 *
 *   addrspace run --strategy ./examples/rcu-every-n.js
 *
 * Plain JavaScript: the default export is a `StrategyDefinition`, loaded in the owner and
 * (through the reader handle's module URL) in every reader thread.
 *
 * Protocol (quiescent-state based, as rcu): the reader keeps using the table it adopted,
 * with no synchronisation, and every N accesses (and at each quiescent point) loads
 * `kCurrentTable`; when it moved, it adopts the new table (dropping its caches) and then
 * announces the new table's epoch in its QSBR slot. The owner publishes with two stores
 * and reclaims a retired table, and the memory it retired, once every online reader
 * announced an epoch at least as new (`qsbrOwner`: grace periods over the slots). A
 * reader touches only what its adopted table reaches, and announces only after it stopped
 * using older tables, so nothing is reclaimed under it. What it trades: no load per
 * access, but adoption may take up to N accesses (the SPEC bounds it at 1024) and grace
 * periods are that much longer.
 */
import {
  evictedFault,
  kCurrentTable,
  kEpoch,
  QsbrSlot,
  qsbrOwner,
  readerOfflineFault,
  TableReader,
  unknownEntryFault,
} from 'addrspace/reader';

/** Accesses between two looks at the control word. */
const N = 64;

class EveryNReader extends TableReader {
  strategy = 'rcu-every-n';

  constructor(handle) {
    super(handle);
    this.slot = new QsbrSlot(this.control, handle.readers, handle.readerIndex);
    this.countdown = 0;
  }

  online() {
    this.slot.online();
    this.adopt();
  }

  offline() {
    this.slot.offline();
    this.dropTable();
    this.countdown = 0;
  }

  quiescent() {
    this.adopt();
  }

  adopt() {
    if (!this.slot.isOnline) throw readerOfflineFault();
    this.countdown = N;
    const id = Atomics.load(this.control, kCurrentTable);
    if (id !== this.tableId && !this.setTable(id)) {
      this.offline();
      throw unknownEntryFault('table', id);
    }
    if (this.epoch !== this.slot.announced && !this.slot.announce(this.epoch)) {
      this.offline();
      throw evictedFault();
    }
  }

  readU8(gpa) {
    if (--this.countdown < 0) this.adopt();
    return this.unsynchronizedReadU8(gpa);
  }
  readU16(gpa) {
    if (--this.countdown < 0) this.adopt();
    return this.unsynchronizedReadU16(gpa);
  }
  readU32(gpa) {
    if (--this.countdown < 0) this.adopt();
    return this.unsynchronizedReadU32(gpa);
  }
  readU64(gpa) {
    if (--this.countdown < 0) this.adopt();
    return this.unsynchronizedReadU64(gpa);
  }
  writeU8(gpa, value) {
    if (--this.countdown < 0) this.adopt();
    this.unsynchronizedWriteU8(gpa, value);
  }
  writeU16(gpa, value) {
    if (--this.countdown < 0) this.adopt();
    this.unsynchronizedWriteU16(gpa, value);
  }
  writeU32(gpa, value) {
    if (--this.countdown < 0) this.adopt();
    this.unsynchronizedWriteU32(gpa, value);
  }
  writeU64(gpa, value) {
    if (--this.countdown < 0) this.adopt();
    this.unsynchronizedWriteU64(gpa, value);
  }
  read(gpa, dst) {
    if (--this.countdown < 0) this.adopt();
    this.readBytes(gpa, dst);
  }
  write(gpa, src) {
    if (--this.countdown < 0) this.adopt();
    this.writeBytes(gpa, src);
  }
  translate(gpa, out) {
    if (--this.countdown < 0) this.adopt();
    return this.unsynchronizedTranslate(gpa, out);
  }
}

/** @type {import('addrspace').StrategyDefinition} */
export default {
  name: 'rcu-every-n',
  safe: true,
  description: `rcu that looks at the control word once per ${N} accesses`,
  createOwner: (ctx) =>
    qsbrOwner(ctx, (tableId, epoch) => {
      Atomics.store(ctx.control, kEpoch, epoch);
      Atomics.store(ctx.control, kCurrentTable, tableId);
    }),
  createReader: (handle) => new EveryNReader(handle),
};
