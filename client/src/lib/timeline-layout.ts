/**
 * Where the Timeline draws things: lanes one under another, each a title row and a row per
 * depth shown, x proportional to time in the window. Pure arithmetic, shared by the drawing,
 * the pointer's hit test and the browser test that clicks a bar.
 */

import type { TimelineBar, TimelineLane, TimelineWindow } from '../../../shared/types/timeline.js'

/** The time axis at the top. */
export const AXIS_HEIGHT = 22
/** A lane's title row. */
export const TITLE_HEIGHT = 20
/** One depth of calls. */
export const ROW_HEIGHT = 18
/** Space under a lane. */
export const LANE_GAP = 8

export interface PlacedLane {
  lane: TimelineLane
  /** The top of its title row. */
  top: number
  /** The top of its depth-0 row. */
  rows: number
  /** Rows shown: the deepest bar in the window, plus one. */
  depths: number
  bottom: number
}

/** The lanes of `window`, placed from the top. */
export function placeLanes(window: TimelineWindow): PlacedLane[] {
  let top = AXIS_HEIGHT
  return window.lanes.map((lane) => {
    let deepest = 0
    for (const bar of lane.bars) if (bar.depth > deepest) deepest = bar.depth
    const depths = lane.bars.length === 0 ? 1 : deepest + 1
    const rows = top + TITLE_HEIGHT
    const placed = { lane, top, rows, depths, bottom: rows + depths * ROW_HEIGHT }
    top = placed.bottom + LANE_GAP
    return placed
  })
}

/** The height the lanes take. */
export function lanesHeight(placed: PlacedLane[]): number {
  return placed.length === 0 ? AXIS_HEIGHT : placed.at(-1)!.bottom + LANE_GAP
}

/** The x of time `us` in a view of [from, to] across `width` pixels. */
export function xOf(us: number, from: number, to: number, width: number): number {
  return ((us - from) / (to - from)) * width
}

/** The time at x. */
export function timeAt(x: number, from: number, to: number, width: number): number {
  return from + (x / width) * (to - from)
}

/** A bar's rectangle: at least a pixel wide, so that merged calls show. */
export function barBox(
  bar: TimelineBar,
  placed: PlacedLane,
  from: number,
  to: number,
  width: number,
): { x: number; y: number; w: number; h: number } {
  const x = xOf(bar.start, from, to, width)
  const w = Math.max(1, xOf(bar.end, from, to, width) - x)
  return { x, y: placed.rows + bar.depth * ROW_HEIGHT, w, h: ROW_HEIGHT - 1 }
}

/** The bar under the point (x, y), if any, with its lane. */
export function barAt(
  placed: PlacedLane[],
  x: number,
  y: number,
  from: number,
  to: number,
  width: number,
): { bar: TimelineBar; lane: TimelineLane } | null {
  const lane = placed.find((p) => y >= p.rows && y < p.bottom)
  if (lane === undefined) return null
  const depth = Math.floor((y - lane.rows) / ROW_HEIGHT)
  let found: TimelineBar | null = null
  for (const bar of lane.lane.bars) {
    if (bar.depth !== depth) continue
    const box = barBox(bar, lane, from, to, width)
    // The bar drawn last wins, as it does on screen.
    if (x >= box.x - 0.5 && x < box.x + box.w + 0.5) found = bar
  }
  return found === null ? null : { bar: found, lane: lane.lane }
}

/** A colour for a key (a file or a function): the same key, the same colour, in every run. */
export function colourOf(key: string, dark: boolean): string {
  let hash = 2166136261
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619)
  const hue = (hash >>> 0) % 360
  return dark ? `hsl(${hue} 45% 38%)` : `hsl(${hue} 60% 72%)`
}

/** Ticks for a time axis of [from, to] µs: round steps, about one per 100 px. */
export function ticks(from: number, to: number, width: number): number[] {
  const wanted = Math.max(1, Math.floor(width / 100))
  const raw = (to - from) / wanted
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)))
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw
  const found: number[] = []
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) found.push(t)
  return found
}

/** Microseconds as people read them: 850 µs, 12.5 ms, 3.20 s. */
export function formatMicros(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`
  if (us < 1e6) return `${(us / 1000).toPrecision(3)} ms`
  return `${(us / 1e6).toFixed(2)} s`
}
