// A workload plug-in (SPEC 9): `addrspace run --workload ./examples/strided-workload.js`.
//
// Each vCPU walks guest RAM with a fixed stride, starting at its own offset, reading
// three times and writing once in every four accesses: a strided scan such as a guest
// zeroing or checksumming pages touches one word per cache line, or per page.
//
// The default export is a WorkloadDefinition (see docs/writing-a-workload.md):
// `create(context)` runs once per vCPU in each thread that runs it and returns the step
// function; `step(index, out)` fills `out` with access number `index` of this vCPU. It
// must be a pure function of `index` (a vCPU's slices move between threads), must not
// allocate, and should not throw: anything it throws fails the run.

/** Bytes between two accesses of one vCPU: one word per 4 KiB page, plus a cache line. */
const STRIDE = 4096 + 64;

export default {
  name: 'strided',
  description: 'each vCPU walks RAM with a 4160-byte stride from its own offset; 1 write in 4',
  create({ vcpu, vcpus, seed, ram }) {
    if (ram.length === 0) throw new Error('strided: the machine has no RAM to walk');
    // The largest RAM range the run allows; accesses stay 8-byte aligned inside it.
    const range = ram.reduce((a, b) => (b.size > a.size ? b : a));
    const slots = Math.floor(range.size / 8);
    const start = Math.floor((slots / vcpus) * vcpu);
    const strideSlots = STRIDE / 8;
    return (index, out) => {
      out.gpa = range.base + ((start + index * strideSlots) % slots) * 8;
      out.size = 4;
      out.isWrite = index % 4 === 3;
      out.value = (seed + index) >>> 0;
    };
  },
};
