// A device plug-in (SPEC 9), used by examples/counter-machine.json:
//   "device": { "module": "./counter-device.js", "step": 1 }
//
// A 16-byte register window: offset 0 is a 32-bit counter that every guest write adds
// `step` to (whatever the value written), offset 4 reads back the number of writes,
// offset 8 is a read-only magic word "CNT1". Anything else is refused, so the vCPU that
// tried gets an IoAccess error.
//
// The default export is a DeviceDefinition (see docs/writing-a-device.md): `size` is the
// register window (the IO region's size), `create(options)` builds one device from the
// machine file's `device` object (minus "module"). read/write get region-relative offsets
// and little-endian byte arrays of 1 to 8 bytes; they run in the owner thread when a vCPU's
// access exits to it. `probes()` lists accesses a workload may make at any time.

const MAGIC = 0x31544e43; // "CNT1" little-endian

function store32(data, value) {
  for (let i = 0; i < data.length; i++) data[i] = i < 4 ? (value >>> (8 * i)) & 0xff : 0;
}

export default {
  name: 'counter',
  description: 'a write-to-count register, a write counter and a magic word',
  size: 16,
  create(options) {
    const step = options.step ?? 1;
    if (!Number.isInteger(step) || step < 1) throw new Error('step must be a positive integer');
    let count = 0;
    let writes = 0;
    return {
      read(data, offset) {
        if (offset === 0) store32(data, count);
        else if (offset === 4) store32(data, writes);
        else if (offset === 8) store32(data, MAGIC);
        else return false;
        return true;
      },
      write(_data, offset) {
        if (offset !== 0) return false;
        count = (count + step) >>> 0;
        writes += 1;
        return true;
      },
      probes() {
        return [
          { kind: 'read', offset: 8, size: 4, expect: MAGIC, what: 'magic' },
          { kind: 'write', offset: 0, size: 4, value: 1, ioeventfd: false, what: 'count' },
        ];
      },
    };
  },
};
