/**
 * PAM-like windows (the i440FX's Programmable Attribute Map) over 0xC0000-0xFFFFF.
 *
 * Thirteen alias windows into machine RAM, in ascending address order: windows 0-11 are
 * 16 KiB each from 0xC0000 to 0xEFFFF, window 12 is the 64 KiB BIOS area 0xF0000-0xFFFFF
 * (QEMU numbers the BIOS area first; here the index follows the address). Each sits at a
 * priority above the low-RAM alias and the ROMs: in `ram` mode the window is enabled and
 * the guest sees RAM (shadowed BIOS); in `pci` mode it is disabled and whatever lies below
 * shows through (the option ROM and the BIOS flash alias, as at reset). QEMU's read-only
 * and write-only modes are not modelled. Switching is one topology change.
 */
import { AddressSpaceError } from '../base/errors.js';
import { Region } from '../core/region.js';

export type PamMode = 'ram' | 'pci';

/** One window: `index` 0-12 in ascending GPA, `base` its GPA, `region` its alias. */
export interface PamWindow {
  readonly index: number;
  readonly base: number;
  readonly size: number;
  readonly region: Region;
}

export const PAM_BASE = 0xc0000;
export const PAM_SMALL_WINDOW = 0x4000;
export const PAM_SMALL_WINDOWS = 12;
export const PAM_BIOS_BASE = 0xf0000;
export const PAM_BIOS_WINDOW = 0x10000;
export const PAM_WINDOW_COUNT = PAM_SMALL_WINDOWS + 1;

/** The region name of window `index`: `pam0` to `pam12`. */
export function pamWindowName(index: number): string {
  return `pam${index}`;
}

/** Base and size of each window, in index order. */
export function pamWindowRanges(): { base: number; size: number }[] {
  const out = Array.from({ length: PAM_SMALL_WINDOWS }, (_, i) => ({
    base: PAM_BASE + i * PAM_SMALL_WINDOW,
    size: PAM_SMALL_WINDOW,
  }));
  out.push({ base: PAM_BIOS_BASE, size: PAM_BIOS_WINDOW });
  return out;
}

export class PamWindows {
  readonly windows: readonly PamWindow[];

  /**
   * Creates the windows as aliases of `ram` (at the same offsets as their GPAs), adds them
   * to `parent` (the memory root) at `priority`, in `pci` mode (disabled), as at reset.
   */
  constructor(ram: Region, parent: Region, priority: number) {
    this.windows = pamWindowRanges().map(({ base, size }, index) => {
      const region = Region.initAliasRegion(ram, base, size, pamWindowName(index));
      region.setPriority(priority);
      region.setEnabled(false);
      parent.addSubregion(region, base);
      return { index, base, size, region };
    });
  }

  setMode(index: number, mode: PamMode): void {
    const window = this.window(index);
    if (mode !== 'ram' && mode !== 'pci') {
      throw AddressSpaceError.invalidArgument(
        `PAM mode must be 'ram' or 'pci', got ${String(mode)}`,
      );
    }
    window.region.setEnabled(mode === 'ram');
  }

  mode(index: number): PamMode {
    return this.window(index).region.enabled ? 'ram' : 'pci';
  }

  private window(index: number): PamWindow {
    const window = Number.isInteger(index) ? this.windows[index] : undefined;
    if (window === undefined) {
      throw AddressSpaceError.invalidArgument(
        `PAM window index must be an integer from 0 to ${PAM_WINDOW_COUNT - 1}, got ${String(index)}`,
      );
    }
    return window;
  }
}
