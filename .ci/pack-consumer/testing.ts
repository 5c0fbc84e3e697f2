/**
 * Compiled and run by .ci/pack-check only when the package exports './testing': the
 * conformance suite's entry resolves, with types, from an installed tarball.
 */
import { checkStrategy } from 'addrspace/testing';

if (typeof checkStrategy !== 'function') {
  console.error('pack-check consumer: addrspace/testing has no checkStrategy function');
  process.exit(1);
}
console.log('pack-check consumer: addrspace/testing ok');
