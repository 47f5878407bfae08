/**
 * Schema 3 → 4: a row per event becomes blocks of events, and a row per frame chunks of
 * frames. Each run's events are read in order, with their frames (the old table, renamed
 * `frames_3`), and go through the same code that records new runs, so an upgraded run reads
 * exactly as it did.
 */

import { decodeLocals } from '../../shared/locals.js'
import type { Db } from '../db/database.js'
import { KIND, type StoredKind } from '../db/event-block.js'
import { EventBlocks } from './event-blocks.js'
import { FrameChunks } from './frame-chunks.js'
import { MomentKeeper } from './moments.js'
import {
  prepareWriterStatements,
  writeBlocks,
  writeFrames,
  type WriterStatements,
} from './writer-statements.js'

const WRITE_EVERY = 50_000

interface OldEvent {
  seq: number
  kind: number
  thread: number
  frame: number
  depth: number
  line: number
  us: number
  locals: string | null
  value_type: number | null
  value: string | null
  function: number | null
  parent: number | null
  call_us: number | null
  end_seq: number | null
  end_us: number | null
}

/** Writes every run's events and frames, from `events` and `frames_3`, into the new tables. */
export function upgradeEvents(db: Db): void {
  const statements = prepareWriterStatements(db)
  const runs = db.prepare('SELECT id FROM runs ORDER BY id').pluck().all() as number[]
  for (const run of runs) upgradeRun(db, run, statements)
}

function upgradeRun(db: Db, run: number, statements: WriterStatements): void {
  const files = new Map(
    (
      db.prepare('SELECT id, file FROM functions WHERE run = ?').all(run) as Array<{
        id: number
        file: number
      }>
    ).map((row) => [row.id, row.file]),
  )
  const moments = new MomentKeeper(run)
  const blocks = new EventBlocks(run, (frame) => moments.variables(frame))
  const chunks = new FrameChunks(run)
  const seen = new Set<number>()
  const events = db
    .prepare(
      `SELECT e.seq, e.kind, e.thread, e.frame, e.depth, e.line, e.us, e.locals, e.value_type, e.value,
              f.function, f.parent, f.call_us, f.end_seq, f.end_us
       FROM events e LEFT JOIN frames_3 f ON f.run = e.run AND f.id = e.frame
       WHERE e.run = ? ORDER BY e.seq`,
    )
    .iterate(run) as IterableIterator<OldEvent>
  let taken = 0
  for (const event of events) {
    const flat = decodeLocals(event.locals).flatMap((local) => [local.name, local.type, local.text])
    const ended = event.kind === KIND.return && event.end_seq === event.seq
    // Schema 3 told a yield from a final return by the frame's end alone.
    const kind: StoredKind =
      event.kind === KIND.return && !ended && event.function !== null
        ? KIND.yield
        : (event.kind as StoredKind)
    const info = { function: event.function ?? 0, thread: event.thread, depth: event.depth }
    const file = files.get(info.function) ?? 0
    const locals = flat.length === 0 ? null : flat
    blocks.add(
      event.seq,
      kind,
      event.frame,
      info,
      file,
      event.line,
      event.us,
      locals,
      event.value_type ?? 0,
      event.value,
    )
    if (kind === KIND.call && !seen.has(event.frame)) {
      seen.add(event.frame)
      moments.call(event.frame, 0, event.seq, event.line, locals)
      if (event.function !== null)
        chunks.begin({
          id: event.frame,
          parent: event.parent ?? 0,
          function: event.function,
          thread: event.thread,
          depth: event.depth,
          callSeq: event.seq,
          callUs: event.call_us ?? event.us,
          endSeq: null,
          endUs: null,
          children: 0,
        })
    } else {
      moments.event(event.frame, event.line, locals)
    }
    if (ended) {
      moments.end(event.frame)
      blocks.end(event.frame)
      chunks.end(event.frame, event.seq, event.end_us ?? event.us)
    }
    if (++taken % WRITE_EVERY === 0) write(statements, blocks, chunks)
  }
  write(statements, blocks, chunks)
}

function write(statements: WriterStatements, blocks: EventBlocks, chunks: FrameChunks): void {
  writeFrames(statements, chunks.pending())
  writeBlocks(statements, blocks.pending())
  chunks.written()
  blocks.written()
}
