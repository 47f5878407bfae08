/**
 * Schema 3 → 4: a row per event becomes blocks of events. Each run's events are read in
 * order and cut into blocks by the same code that records new runs, so an upgraded run reads
 * exactly as it did.
 */

import { decodeLocals } from '../../shared/locals.js'
import type { Db } from '../db/database.js'
import { KIND, type StoredKind } from '../db/event-block.js'
import { EventBlocks } from './event-blocks.js'
import { MomentKeeper } from './moments.js'
import { prepareWriterStatements, writeBlocks, type WriterStatements } from './writer-statements.js'

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
  end_seq: number | null
}

/** Writes every run's events, from table `events`, into the (new, empty) block tables. */
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
  const seen = new Set<number>()
  const events = db
    .prepare(
      `SELECT e.seq, e.kind, e.thread, e.frame, e.depth, e.line, e.us, e.locals, e.value_type, e.value,
              f.function, f.end_seq
       FROM events e LEFT JOIN frames f ON f.run = e.run AND f.id = e.frame
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
    } else {
      moments.event(event.frame, event.line, locals)
    }
    if (ended) {
      moments.end(event.frame)
      blocks.end(event.frame)
    }
    if (++taken % WRITE_EVERY === 0) write(statements, blocks)
  }
  write(statements, blocks)
}

function write(statements: WriterStatements, blocks: EventBlocks): void {
  writeBlocks(statements, blocks.pending())
  blocks.written()
}
