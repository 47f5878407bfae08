/**
 * The width of the explorer's state panel, set by dragging its edge (or by the arrow keys
 * on it) and kept across panels and visits.
 */

const KEY = 'smiley.panelWidth'
export const MIN_PANEL = 360

class PanelWidth {
  /** In pixels; null until resized: the panel's own default. */
  pixels = $state<number | null>(null)

  constructor() {
    const stored = Number(globalThis.localStorage?.getItem(KEY))
    if (Number.isFinite(stored) && stored >= MIN_PANEL) this.pixels = stored
  }

  /** Sets the width, at least MIN_PANEL and at most `max` (what leaves the trace some room). */
  set(pixels: number, max: number): void {
    this.pixels = Math.round(Math.max(MIN_PANEL, Math.min(pixels, Math.max(MIN_PANEL, max))))
    try {
      globalThis.localStorage?.setItem(KEY, String(this.pixels))
    } catch {
      // Storage refused (a file:// report, private mode): the width holds for this page.
    }
  }
}

export const panelWidth = new PanelWidth()
