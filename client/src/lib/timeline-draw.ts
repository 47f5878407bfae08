/**
 * Draws the Timeline on a canvas: the time axis, each lane's title and its bars (merged
 * calls paler, a call's name inside its bar when it fits), and the explorer's position as a
 * line across the lanes with its call outlined.
 */

import type { TimelineFunction, TimelineWindow } from '../../../shared/types/timeline.js'
import {
  AXIS_HEIGHT,
  barBox,
  colourOf,
  formatMicros,
  TITLE_HEIGHT,
  ticks,
  xOf,
  type PlacedLane,
} from './timeline-layout.js'

export type ColourBy = 'file' | 'function'

export interface DrawOptions {
  from: number
  to: number
  /** CSS pixels. */
  width: number
  height: number
  colourBy: ColourBy
  dark: boolean
}

/** What the drawing needs from the page's stylesheet. */
interface Palette {
  text: string
  soft: string
  border: string
  accent: string
}

function palette(dark: boolean): Palette {
  return dark
    ? { text: '#e6edf3', soft: '#9da7b3', border: '#30363d', accent: '#4c9bff' }
    : { text: '#1f2328', soft: '#59636e', border: '#dfe3e8', accent: '#0a69da' }
}

export function drawTimeline(
  g: CanvasRenderingContext2D,
  window: TimelineWindow,
  placed: PlacedLane[],
  options: DrawOptions,
): void {
  const { from, to, width, height } = options
  const colours = palette(options.dark)
  const functions = new Map<number, TimelineFunction>(window.functions.map((f) => [f.id, f]))
  g.clearRect(0, 0, width, height)
  g.font = '11px system-ui, sans-serif'
  g.textBaseline = 'middle'

  // The axis, and a faint line per tick down the lanes.
  g.fillStyle = colours.soft
  g.strokeStyle = colours.border
  g.lineWidth = 1
  for (const tick of ticks(from, to, width)) {
    const x = Math.round(xOf(tick, from, to, width)) + 0.5
    g.beginPath()
    g.moveTo(x, AXIS_HEIGHT - 6)
    g.lineTo(x, height)
    g.stroke()
    g.fillText(formatMicros(tick), x + 3, AXIS_HEIGHT / 2)
  }

  for (const lane of placed) {
    g.fillStyle = colours.text
    g.font = '600 12px system-ui, sans-serif'
    g.fillText(lane.lane.name, 4, lane.top + TITLE_HEIGHT / 2)
    g.font = '11px system-ui, sans-serif'
    for (const bar of lane.lane.bars) {
      const box = barBox(bar, lane, from, to, width)
      if (box.x + box.w < 0 || box.x > width) continue
      const fn = functions.get(bar.function)
      const key = options.colourBy === 'file' ? (fn?.path ?? '?') : `${fn?.path}:${fn?.name}`
      g.globalAlpha = bar.calls > 1 ? 0.45 : 1
      g.fillStyle = colourOf(key, options.dark)
      g.fillRect(box.x, box.y, box.w, box.h)
      g.globalAlpha = 1
      const left = Math.max(box.x, 0)
      const room = Math.min(box.x + box.w, width) - left - 6
      if (room > 24 && fn !== undefined) {
        const label = bar.calls > 1 ? `${bar.calls} calls` : fn.name
        g.fillStyle = colours.text
        g.fillText(fit(g, label, room), left + 3, box.y + box.h / 2)
      }
    }
  }

  const position = window.position
  if (position !== null) {
    const x = Math.round(xOf(position.us, from, to, width)) + 0.5
    g.strokeStyle = colours.accent
    g.lineWidth = 2
    g.beginPath()
    g.moveTo(x, AXIS_HEIGHT)
    g.lineTo(x, height)
    g.stroke()
    const lane = placed.find(
      (p) => p.lane.key.thread === position.lane.thread && p.lane.key.task === position.lane.task,
    )
    const bar = lane?.lane.bars.find(
      (b) => b.depth === position.depth && b.start <= position.us && position.us <= b.end,
    )
    if (lane !== undefined && bar !== undefined) {
      const box = barBox(bar, lane, from, to, width)
      g.strokeRect(box.x, box.y, box.w, box.h)
    }
  }
}

/** `text` cut to `room` pixels, with an ellipsis when cut. */
function fit(g: CanvasRenderingContext2D, text: string, room: number): string {
  if (g.measureText(text).width <= room) return text
  let low = 0
  let high = text.length
  while (low < high) {
    const middle = (low + high + 1) >> 1
    if (g.measureText(`${text.slice(0, middle)}…`).width <= room) low = middle
    else high = middle - 1
  }
  return low === 0 ? '' : `${text.slice(0, low)}…`
}
