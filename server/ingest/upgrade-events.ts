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

/** Events read, then written, at a time: a connection cannot write while it reads a query. */
export const UPGRADE_PAGE = 10_000

/** A schema-3 event with its frame, as the page query reads it (raw, in this order). */
type OldEvent = [
  seq: number,
  kind: number,
  thread: number,
  frame: number,
  depth: number,
  line: number,
  us: number,
  locals: string | null,
  valueType: number | null,
  value: string | null,
  fn: number | null,
  parent: number | null,
  callSeq: number | null,
  callUs: number | null,
  endSeq: number | null,
  endUs: number | null,
]

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
  const page = db
    .prepare(
      `SELECT e.seq, e.kind, e.thread, e.frame, e.depth, e.line, e.us, e.locals, e.value_type, e.value,
            f.function, f.parent, f.call_seq, f.call_us, f.end_seq, f.end_us
     FROM events e LEFT JOIN frames_3 f ON f.run = e.run AND f.id = e.frame
     WHERE e.run = ? AND e.seq > ? ORDER BY e.seq LIMIT ?`,
    )
    .raw()
  for (let after = 0; ;) {
    const events = page.all(run, after, UPGRADE_PAGE) as OldEvent[]
    if (events.length === 0) break
    for (const event of events) take(event, files, blocks, chunks, moments)
    after = events.at(-1)![0]
    write(statements, blocks, chunks)
  }
}

function take(
  event: OldEvent,
  files: Map<number, number>,
  blocks: EventBlocks,
  chunks: FrameChunks,
  moments: MomentKeeper,
): void {
  const [seq, oldKind, thread, frame, depth, line, us, text, valueType, value] = event
  const [, , , , , , , , , , fn, parent, callSeq, callUs, endSeq, endUs] = event
  const flat = decodeLocals(text).flatMap((local) => [local.name, local.type, local.text])
  const locals = flat.length === 0 ? null : flat
  const ended = oldKind === KIND.return && endSeq === seq
  // Schema 3 told a yield from a final return by the frame's end alone.
  const kind: StoredKind =
    oldKind === KIND.return && !ended && fn !== null ? KIND.yield : (oldKind as StoredKind)
  const info = { function: fn ?? 0, thread, depth, task: 0 }
  blocks.add(
    seq,
    kind,
    frame,
    info,
    files.get(info.function) ?? 0,
    line,
    us,
    locals,
    valueType ?? 0,
    value,
  )
  if (kind === KIND.call && callSeq === seq) {
    moments.call(frame, 0, seq, line, locals)
    chunks.begin({
      id: frame,
      parent: parent ?? 0,
      function: info.function,
      thread,
      depth,
      callSeq: seq,
      callUs: callUs ?? us,
      endSeq: null,
      endUs: null,
      children: 0,
    })
  } else {
    moments.event(frame, line, locals)
  }
  if (ended) {
    moments.end(frame)
    blocks.end(frame)
    chunks.end(frame, seq, endUs ?? us)
  }
}

function write(statements: WriterStatements, blocks: EventBlocks, chunks: FrameChunks): void {
  writeFrames(statements, chunks.pending())
  writeBlocks(statements, blocks.pending())
  chunks.written()
  blocks.written()
}
