/**
 * A failed run's traceback tied to its trace: the exception event of each of its frames
 * that was recorded, and the last exception event of the run, to go to from the run's header.
 */

import type { TracebackEvents } from '../../shared/types/moment.js'
import type { Db } from './database.js'
import { KIND } from './event-block.js'
import { EventStore } from './event-store.js'
import type { RunNames } from './events.js'

/** Events looked at back from the end, at most: the exception unwound just before the end. */
const SCAN = 200_000

const FRAME = /^ {2}File "(.+)", line (\d+), in (.+)$/

/** The frames of `traceback` (outermost first), each with its exception event where recorded. */
export function tracebackEvents(
  db: Db,
  run: number,
  names: RunNames,
  traceback: string | null,
  total: number,
): TracebackEvents {
  const frames = (traceback ?? '').split('\n').flatMap((text) => {
    const match = FRAME.exec(text)
    return match === null ? [] : [{ file: match[1]!, line: Number(match[2]), function: match[3]! }]
  })
  const found = frames.map((): number | null => null)
  let exception: number | null = null
  let scanned = 0
  for (const event of EventStore.of(db).events(run, total, 'backward')) {
    if (++scanned > SCAN) break
    if (event.kind !== KIND.exception) continue
    exception ??= event.seq
    const fn = names.function(event.function)
    const path = fn === undefined ? undefined : names.file(fn.file)?.path
    frames.forEach((frame, index) => {
      if (found[index] !== null || fn === undefined) return
      if (frame.line === event.line && frame.file === path && frame.function === fn.name)
        found[index] = event.seq
    })
    if (found.every((seq) => seq !== null)) break
  }
  return {
    exception,
    frames: frames.map((frame, index) => ({ ...frame, seq: found[index]! })),
  }
}
