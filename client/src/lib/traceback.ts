/** A traceback's lines, each frame's line with the event to go to for it. */

import type { TracebackEvents } from '../../../shared/types/moment.js'

export interface TracebackLine {
  text: string
  /** The frame's exception event, for a `File "…", line N, in F` line; else null. */
  seq: number | null
}

const FRAME = /^ {2}File "(.+)", line (\d+), in (.+)$/

/** The lines of `traceback`, frame lines paired in order with the frames of `events`. */
export function tracebackLines(traceback: string, events: TracebackEvents | null): TracebackLine[] {
  let frame = 0
  return traceback.split('\n').map((text) => {
    if (!FRAME.test(text)) return { text, seq: null }
    const seq = events?.frames[frame]?.seq ?? null
    frame += 1
    return { text, seq }
  })
}
