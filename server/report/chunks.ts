/**
 * A run's events as report chunks: read in order from SQLite and handed out a chunk at a
 * time, so a run of any length is exported with the memory of one chunk.
 */

import type { CompactEvent, ReportChunk } from '../../shared/report.js'
import type { Db } from '../db/database.js'
import type { RunNames } from '../db/events.js'

interface Row {
  seq: number
  us: number
  kind: number
  thread: number
  frame: number
  depth: number
  line: number
  function: number | null
  locals: string | null
  value_type: number | null
  value: string | null
  end_seq: number | null
}

/** The run's events, `size` at a time, each chunk with the source lines its events ran. */
export function* eventChunks(
  db: Db,
  run: number,
  names: RunNames,
  size: number,
): Generator<ReportChunk> {
  const rows = db
    .prepare(
      `SELECT e.seq, e.us, e.kind, e.thread, e.frame, e.depth, e.line, f.function, e.locals, e.value_type,
              e.value, f.end_seq
       FROM events e LEFT JOIN frames f ON f.run = e.run AND f.id = e.frame
       WHERE e.run = ? ORDER BY e.seq`,
    )
    .iterate(run) as IterableIterator<Row>
  let chunk: ReportChunk = { events: [], lines: {} }
  for (const row of rows) {
    const fn = row.function ?? 0
    const file = names.function(fn)?.file ?? 0
    const yielded = row.kind === 2 && row.end_seq !== row.seq ? 1 : 0
    const event: CompactEvent = [
      row.seq,
      row.us,
      row.kind,
      row.thread,
      row.frame,
      row.depth,
      row.line,
      fn,
      row.locals,
      row.value_type,
      row.value,
      yielded,
    ]
    chunk.events.push(event)
    const key = `${file}:${row.line}`
    if (!(key in chunk.lines)) {
      const text = names.sourceLine(file, row.line)
      if (text !== null) chunk.lines[key] = text
    }
    if (chunk.events.length === size) {
      yield chunk
      chunk = { events: [], lines: {} }
    }
  }
  if (chunk.events.length > 0) yield chunk
}
