/**
 * The call index of a run that has ended, kept in `call_index` once built, so that a server
 * started later answers the Timeline's first question without reading every frame again.
 * One row per lane and depth, its calls in order of their start, each in a few bytes (times
 * are whole microseconds; calls follow one another closely): a fifth of the columns' size.
 *
 *   data := call*
 *   call := start:int length:uint frame:int callSeq:int function:uint   (varints, bytes.ts)
 *     start, frame, callSeq  differences from the call before (the first: from 0)
 *     length                 (end − start) × 2, + 1 for a call that had not returned
 *                            (it lasts to the run's last time, as the index has it)
 */

import { ByteReader, ByteWriter } from '../db/bytes.js'
import type { Db } from '../db/database.js'
import {
  emptyColumn,
  summarise,
  type CallColumn,
  type CallIndex,
  type IndexedLane,
} from './call-index.js'

interface Row {
  thread: number
  task: number
  depth: number
  events: number
  count: number
  start_us: number
  end_us: number
  data: Buffer
}

/** The index kept for run `run` when it was built at `events` events; undefined otherwise. */
export function readStoredIndex(db: Db, run: number, events: number): CallIndex | undefined {
  const rows = db
    .prepare(
      `SELECT thread, task, depth, events, count, start_us, end_us, data FROM call_index
       WHERE run = ? ORDER BY thread, task, depth`,
    )
    .all(run) as Row[]
  if (rows.length === 0 || rows.some((row) => row.events !== events)) return undefined
  if (rows.every((row) => row.task === 0) && hasTasks(db, run)) return undefined
  const lanes: IndexedLane[] = []
  let calls = 0
  for (const row of rows) {
    let lane = lanes.at(-1)
    if (lane === undefined || lane.key.thread !== row.thread || (lane.key.task ?? 0) !== row.task) {
      lane = {
        key: row.task === 0 ? { thread: row.thread } : { thread: row.thread, task: row.task },
        depths: [],
      }
      lanes.push(lane)
    }
    if (row.depth !== lane.depths.length) return undefined
    lane.depths.push(columnOf(row.data, row.count, row.end_us))
    calls += row.count
  }
  return { lanes, start: rows[0]!.start_us, end: rows[0]!.end_us, calls }
}

/** An index kept before calls were drawn in their tasks' lanes has none: it is built again. */
function hasTasks(db: Db, run: number): boolean {
  return (
    db
      .prepare('SELECT 1 FROM tasks WHERE run = ? AND first_frame IS NOT NULL LIMIT 1')
      .pluck()
      .get(run) !== undefined
  )
}

/** Keeps `index`, built at `events` events, for run `run`, in place of any kept before. */
export function storeIndex(db: Db, run: number, events: number, index: CallIndex): void {
  const insert = db.prepare(
    `INSERT INTO call_index (run, thread, task, depth, events, count, start_us, end_us, data)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  db.transaction(() => {
    db.prepare('DELETE FROM call_index WHERE run = ?').run(run)
    for (const lane of index.lanes)
      lane.depths.forEach((column, depth) =>
        insert.run(
          run,
          lane.key.thread,
          lane.key.task ?? 0,
          depth,
          events,
          column.count,
          index.start,
          index.end,
          blobOf(column),
        ),
      )
  })()
}

function blobOf(column: CallColumn): Buffer {
  const out = new ByteWriter(4 * column.count + 16)
  let start = 0
  let frame = 0
  let callSeq = 0
  for (let i = 0; i < column.count; i++) {
    const open = column.open[i]!
    out.int(column.start[i]! - start)
    out.uint(open === 1 ? 1 : (column.end[i]! - column.start[i]!) * 2)
    out.int(column.frame[i]! - frame)
    out.int(column.callSeq[i]! - callSeq)
    out.uint(column.function[i]!)
    start = column.start[i]!
    frame = column.frame[i]!
    callSeq = column.callSeq[i]!
  }
  return Buffer.from(out.view())
}

/** The column a row holds; its open calls end at `last`, the run's last time. */
function columnOf(data: Buffer, count: number, last: number): CallColumn {
  const input = new ByteReader(data)
  const column = emptyColumn(count)
  let start = 0
  let frame = 0
  let callSeq = 0
  for (let i = 0; i < count; i++) {
    start += input.int()
    const length = input.uint()
    frame += input.int()
    callSeq += input.int()
    column.start[i] = start
    column.open[i] = length % 2
    const end = length === 1 ? Math.max(last, start) : start + length / 2
    column.end[i] = end
    column.frame[i] = frame
    column.callSeq[i] = callSeq
    column.function[i] = input.uint()
  }
  summarise(column)
  return column
}
