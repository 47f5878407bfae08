/**
 * The call index of a run that has ended, kept in `call_index` once built, so that a server
 * started later answers the Timeline's first question without reading every frame again.
 * One row per lane and depth: the columns of call-index.ts one after another, raw.
 *
 *   data := start:f64[count] end:f64[count] frame:f64[count] callSeq:f64[count]
 *           function:u32[count] open:u8[count]
 */

import type { Db } from '../db/database.js'
import type { CallColumn, CallIndex, IndexedLane } from './call-index.js'

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
    lane.depths.push(columnOf(row.data, row.count))
    calls += row.count
  }
  return { lanes, start: rows[0]!.start_us, end: rows[0]!.end_us, calls }
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
  return Buffer.concat([
    bytes(column.start),
    bytes(column.end),
    bytes(column.frame),
    bytes(column.callSeq),
    bytes(column.function),
    bytes(column.open),
  ])
}

const bytes = (array: Float64Array | Uint32Array | Uint8Array) =>
  new Uint8Array(array.buffer, array.byteOffset, array.byteLength)

function columnOf(data: Buffer, count: number): CallColumn {
  // Copied out: a blob's bytes need not be aligned for the typed arrays over them.
  const copy = new Uint8Array(data).buffer
  let at = 0
  const take = <T>(
    make: (buffer: ArrayBuffer, offset: number, length: number) => T,
    size: number,
  ) => {
    const array = make(copy, at, count)
    at += size * count
    return array
  }
  const column: CallColumn = {
    count,
    start: take((b, o, n) => new Float64Array(b, o, n), 8),
    end: take((b, o, n) => new Float64Array(b, o, n), 8),
    frame: take((b, o, n) => new Float64Array(b, o, n), 8),
    callSeq: take((b, o, n) => new Float64Array(b, o, n), 8),
    function: take((b, o, n) => new Uint32Array(b, o, n), 4),
    open: take((b, o, n) => new Uint8Array(b, o, n), 1),
    reach: new Float64Array(count),
  }
  let reach = Number.NEGATIVE_INFINITY
  for (let i = 0; i < count; i++) {
    if (column.end[i]! > reach) reach = column.end[i]!
    column.reach[i] = reach
  }
  return column
}
