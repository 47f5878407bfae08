/**
 * A run's events as report chunks: read in order from their blocks and handed out a chunk at
 * a time, so a run of any length is exported with the memory of one chunk.
 */

import { encodeLocals } from '../../shared/locals.js'
import type { CompactEvent, ReportChunk } from '../../shared/report.js'
import type { Db } from '../db/database.js'
import { KIND, type StoredEvent } from '../db/event-block.js'
import { EventStore } from '../db/event-store.js'
import type { RunNames } from '../db/events.js'

/** The run's events, `size` at a time, each chunk with the source lines its events ran. */
export function* eventChunks(
  db: Db,
  run: number,
  names: RunNames,
  size: number,
): Generator<ReportChunk> {
  let chunk: ReportChunk = { events: [], lines: {} }
  for (const event of EventStore.of(db).events(run, 1, 'forward')) {
    const file = names.function(event.function)?.file ?? 0
    chunk.events.push(compact(event))
    const key = `${file}:${event.line}`
    if (!(key in chunk.lines)) {
      const text = names.sourceLine(file, event.line)
      if (text !== null) chunk.lines[key] = text
    }
    if (chunk.events.length === size) {
      yield chunk
      chunk = { events: [], lines: {} }
    }
  }
  if (chunk.events.length > 0) yield chunk
}

function compact(event: StoredEvent): CompactEvent {
  const yielded = event.kind === KIND.yield
  const flat = event.locals?.flatMap((local) => [local.name, local.type, local.text]) ?? null
  return [
    event.seq,
    event.us,
    yielded ? KIND.return : event.kind,
    event.thread,
    event.frame,
    event.depth,
    event.line,
    event.function,
    encodeLocals(flat),
    event.valueType,
    event.value,
    yielded ? 1 : 0,
  ]
}
