/**
 * A window of the call index at a width in pixels: the bars a screen can show. A call at
 * least a pixel wide is a bar of its own, and the calls it made are looked for inside it one
 * depth further down; calls narrower than a pixel that follow one another (less than a pixel
 * apart) are one merged bar, under which nothing deeper is drawn. So the deepest levels show
 * only once zoomed in, and the bars returned are bounded by the pixels, not by the run.
 */

import type { TimelineBar } from '../../shared/types/timeline.js'
import { BLOCK, firstEndingFrom, type CallColumn, type CallIndex } from './call-index.js'

export interface WindowRequest {
  /** Microseconds since the run started. */
  from: number
  to: number
  /** Pixels across the window. */
  width: number
  /** Bars past which deeper levels are left out. */
  maxBars: number
}

export interface WindowBars {
  /** The bars of each lane of the index, in its order. */
  lanes: TimelineBar[][]
  truncated: boolean
}

/** The bars of every lane of `index` in the window `request` asks for. */
export function windowBars(index: CallIndex, request: WindowRequest): WindowBars {
  const pixel = (request.to - request.from) / request.width
  let room = request.maxBars
  let truncated = false
  const lanes = index.lanes.map((lane) => {
    const bars: TimelineBar[] = []
    let within: number[] = [request.from, request.to]
    for (let depth = 0; depth < lane.depths.length && within.length > 0; depth++) {
      if (room <= 0) {
        truncated = true
        break
      }
      const before = bars.length
      within = depthBars(lane.depths[depth]!, depth, within, pixel, bars)
      room -= bars.length - before
    }
    return bars
  })
  return { lanes, truncated }
}

/**
 * Adds to `bars` the calls of `column` inside the intervals `within` (pairs of times, in
 * order); returns the intervals of the calls drawn whole, where the next depth is looked for.
 */
function depthBars(
  column: CallColumn,
  depth: number,
  within: number[],
  pixel: number,
  bars: TimelineBar[],
): number[] {
  const next: number[] = []
  const { start, end, weight } = column
  /** Calls entry `i` stands for: more than one for bars merged already. */
  const callsAt = (i: number) => (weight === undefined ? 1 : weight[i]!)
  let i = 0
  for (let k = 0; k < within.length; k += 2) {
    const from = within[k]!
    const to = within[k + 1]!
    i = Math.max(i, firstEndingFrom(column, from))
    while (i < column.count && start[i]! <= to) {
      if (end[i]! < from) {
        i++
        continue
      }
      if (end[i]! - start[i]! >= pixel && callsAt(i) === 1) {
        bars.push(barOf(column, i, depth, 1, end[i]!))
        next.push(Math.max(start[i]!, from), Math.min(end[i]!, to))
        i++
        continue
      }
      // A stretch of calls each under a pixel, less than a pixel apart: one bar.
      const first = i
      let longest = i
      let reach = end[i]!
      let calls = 0
      while (
        i < column.count &&
        start[i]! <= to &&
        (end[i]! - start[i]! < pixel || callsAt(i) > 1) &&
        start[i]! - reach < pixel
      ) {
        // A whole block of calls under a pixel, less than a pixel apart, inside the window:
        // merged at once. (Its gaps are measured from every call before, not only this stretch's:
        // where calls overlap, as suspended generators can, a stretch may run on a little.)
        const block = i / BLOCK
        if (
          weight === undefined &&
          i % BLOCK === 0 &&
          i + BLOCK <= column.count &&
          start[i + BLOCK - 1]! <= to
        ) {
          const widest = column.blockLongest[block]!
          if (end[widest]! - start[widest]! < pixel && column.blockGap[block]! < pixel) {
            if (end[widest]! - start[widest]! > end[longest]! - start[longest]!) longest = widest
            if (column.reach[i + BLOCK - 1]! > reach) reach = column.reach[i + BLOCK - 1]!
            calls += BLOCK
            i += BLOCK
            continue
          }
        }
        if (end[i]! - start[i]! > end[longest]! - start[longest]!) longest = i
        if (end[i]! > reach) reach = end[i]!
        calls += callsAt(i)
        i++
      }
      const bar = barOf(column, first, depth, calls, reach)
      bar.function = column.function[longest]!
      bars.push(bar)
    }
  }
  return next
}

function barOf(
  column: CallColumn,
  i: number,
  depth: number,
  calls: number,
  end: number,
): TimelineBar {
  return {
    depth,
    start: column.start[i]!,
    end,
    function: column.function[i]!,
    frame: column.frame[i]!,
    callSeq: column.callSeq[i]!,
    calls,
    open: calls === 1 && column.open[i] === 1,
  }
}
