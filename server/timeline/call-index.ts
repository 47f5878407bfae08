/**
 * A run's calls by time: for each lane (thread, and task when events carry one) and each
 * depth, the calls in order of their start, as typed columns. Built once from the frame
 * chunks (one pass over them), then a window of time is found by binary search, so a query
 * reads only the calls it draws.
 */

import type { LaneKey } from '../../shared/types/timeline.js'
import type { Db } from '../db/database.js'
import { scanChunk, type FrameRecord } from '../db/frame-chunk.js'

/** The calls of one lane at one depth, in order of their start. */
export interface CallColumn {
  count: number
  /** Microseconds since the run started. */
  start: Float64Array
  end: Float64Array
  /** The latest end of the calls up to each one: what a binary search for a window needs. */
  reach: Float64Array
  frame: Float64Array
  function: Uint32Array
  callSeq: Float64Array
  /** 1: the call had not returned when the index was built. */
  open: Uint8Array
  /**
   * Per block of BLOCK calls: the longest call (its index), and the widest gap between a call
   * and those before it; a window merging calls under a pixel passes over a block at once when
   * both are under a pixel.
   */
  blockLongest: Uint32Array
  blockGap: Float64Array
  /**
   * Calls each entry stands for, in a column of bars already merged (overview.ts); absent in
   * a column of calls, one each. An entry of several calls is never drawn whole.
   */
  weight?: Uint32Array
}

/** A column of `count` calls, every field zero, to be filled in (summarise() comes after). */
export function emptyColumn(count: number): CallColumn {
  return {
    count,
    start: new Float64Array(count),
    end: new Float64Array(count),
    reach: new Float64Array(count),
    frame: new Float64Array(count),
    function: new Uint32Array(count),
    callSeq: new Float64Array(count),
    open: new Uint8Array(count),
    blockLongest: new Uint32Array(0),
    blockGap: new Float64Array(0),
  }
}

/** Calls per block of a column's summary. */
export const BLOCK = 256

/** Fills in `reach` and the block summaries of a column whose calls and ends are final. */
export function summarise(column: CallColumn): void {
  const { count, start, end, reach } = column
  const blocks = Math.ceil(count / BLOCK)
  column.blockLongest = new Uint32Array(blocks)
  column.blockGap = new Float64Array(blocks)
  let latest = Number.NEGATIVE_INFINITY
  for (let b = 0; b < blocks; b++) {
    let longest = b * BLOCK
    let gap = Number.NEGATIVE_INFINITY
    for (let i = b * BLOCK; i < Math.min(count, (b + 1) * BLOCK); i++) {
      if (end[i]! - start[i]! > end[longest]! - start[longest]!) longest = i
      if (i > b * BLOCK && start[i]! - latest > gap) gap = start[i]! - latest
      if (end[i]! > latest) latest = end[i]!
      reach[i] = latest
    }
    column.blockLongest[b] = longest
    column.blockGap[b] = gap
  }
}

export interface IndexedLane {
  key: LaneKey
  /** Its calls, by depth. */
  depths: CallColumn[]
}

export interface CallIndex {
  lanes: IndexedLane[]
  /** The first and last times of the run's calls, in microseconds since the run started. */
  start: number
  end: number
  calls: number
}

/** Growing columns, while the chunks are read. */
class ColumnBuilder {
  count = 0
  private start = new Float64Array(64)
  private end = new Float64Array(64)
  private frame = new Float64Array(64)
  private function = new Uint32Array(64)
  private callSeq = new Float64Array(64)
  private open = new Uint8Array(64)
  private sorted = true

  add(frame: FrameRecord): void {
    if (this.count === this.start.length) this.grow()
    const i = this.count++
    if (i > 0 && frame.callUs < this.start[i - 1]!) this.sorted = false
    this.start[i] = frame.callUs
    this.end[i] = frame.endUs ?? 0
    this.frame[i] = frame.id
    this.function[i] = frame.function
    this.callSeq[i] = frame.callSeq
    this.open[i] = frame.endUs === null ? 1 : 0
  }

  /** The column, in order of start; open calls end at `last`. */
  build(last: number): CallColumn {
    const count = this.count
    const column: CallColumn = {
      count,
      start: this.start.slice(0, count),
      end: this.end.slice(0, count),
      reach: new Float64Array(count),
      frame: this.frame.slice(0, count),
      function: this.function.slice(0, count),
      callSeq: this.callSeq.slice(0, count),
      open: this.open.slice(0, count),
      blockLongest: new Uint32Array(0),
      blockGap: new Float64Array(0),
    }
    // Threads take their times a little out of order, and a late call sits in a later chunk.
    if (!this.sorted) reorder(column)
    for (let i = 0; i < count; i++)
      if (column.open[i] === 1) column.end[i] = Math.max(last, column.start[i]!)
    summarise(column)
    return column
  }

  private grow(): void {
    const size = this.start.length * 2
    const grown = <T extends Float64Array | Uint32Array | Uint8Array>(
      old: T,
      make: (n: number) => T,
    ): T => {
      const array = make(size)
      array.set(old)
      return array
    }
    this.start = grown(this.start, (n) => new Float64Array(n))
    this.end = grown(this.end, (n) => new Float64Array(n))
    this.frame = grown(this.frame, (n) => new Float64Array(n))
    this.function = grown(this.function, (n) => new Uint32Array(n))
    this.callSeq = grown(this.callSeq, (n) => new Float64Array(n))
    this.open = grown(this.open, (n) => new Uint8Array(n))
  }
}

/** Puts the calls of `column` in order of their start. */
function reorder(column: CallColumn): void {
  const order = Array.from({ length: column.count }, (_, i) => i)
  order.sort(
    (a, b) => column.start[a]! - column.start[b]! || column.callSeq[a]! - column.callSeq[b]!,
  )
  for (const name of ['start', 'end', 'frame', 'function', 'callSeq', 'open'] as const) {
    const values = column[name].slice()
    const target = column[name]
    for (let i = 0; i < order.length; i++) target[i] = values[order[i]!]!
  }
}

/**
 * Which lane each frame is drawn in: its thread's, or its asyncio task's. A frame does not
 * record its task; a task's first frame (its coroutine, from `tasks`) does, and every frame it
 * calls, directly or not, is in the same task. Frames are met in the order of their ids,
 * callers before the calls they made, so a frame's task is its caller's, looked up by id.
 */
class LaneFinder {
  /** The task of each frame id met in a task (0: in none), once a run has tasks. */
  private taskOfFrame = new Uint32Array(0)
  /** The task each task's first frame starts. */
  private readonly roots: Map<number, number>
  /** Depth of each task's first frame: its lane's depth 0. */
  readonly base = new Map<number, number>()

  constructor(db: Db, run: number) {
    const rows = db
      .prepare('SELECT id, first_frame FROM tasks WHERE run = ? AND first_frame IS NOT NULL')
      .all(run) as Array<{ id: number; first_frame: number }>
    this.roots = new Map(rows.map((row) => [row.first_frame, row.id]))
  }

  /** The task frame `frame` runs in; 0: none. Call once per frame, in the order met. */
  taskOf(frame: FrameRecord): number {
    if (this.roots.size === 0) return 0
    let task = this.roots.get(frame.id)
    if (task !== undefined) {
      if (!this.base.has(task)) this.base.set(task, frame.depth)
    } else {
      task = frame.parent < this.taskOfFrame.length ? this.taskOfFrame[frame.parent]! : 0
    }
    if (task !== 0) {
      if (frame.id >= this.taskOfFrame.length) this.grow(frame.id)
      this.taskOfFrame[frame.id] = task
    }
    return task
  }

  private grow(id: number): void {
    const grown = new Uint32Array(Math.max(1024, id * 2))
    grown.set(this.taskOfFrame)
    this.taskOfFrame = grown
  }
}

/** A lane's number while the index is built: the task's id, or minus its thread's, less one. */
function laneNumber(thread: number, task: number): number {
  return task === 0 ? -thread - 1 : task
}

/**
 * Reads every frame of run `run` once and indexes its calls by lane, depth and time. A call
 * made in an asyncio task is drawn in the task's lane, at its depth below the task's coroutine;
 * its thread's lane keeps the calls made outside any task (the event loop's own, the module).
 */
export function buildCallIndex(db: Db, run: number): CallIndex {
  const ends = new Map(
    (
      db
        .prepare('SELECT id, end_seq AS endSeq, end_us AS endUs FROM frame_ends WHERE run = ?')
        .all(run) as Array<{ id: number; endSeq: number | null; endUs: number | null }>
    ).map(({ id, ...end }) => [id, end]),
  )
  const finder = new LaneFinder(db, run)
  const lanes = new Map<number, { key: LaneKey; depths: ColumnBuilder[] }>()
  // The first and last times, and the calls: kept in an array, not in variables the
  // closure below would have to box at every write.
  const tally = new Float64Array([Number.POSITIVE_INFINITY, 0, 0])
  const chunks = db
    .prepare('SELECT data FROM frames WHERE run = ? ORDER BY first_id')
    .pluck()
    .iterate(run) as IterableIterator<Buffer>
  for (const data of chunks) {
    scanChunk(data, (frame) => {
      const end = ends.get(frame.id)
      if (end !== undefined) {
        frame.endSeq = end.endSeq
        frame.endUs = end.endUs
      }
      const task = finder.taskOf(frame)
      const id = laneNumber(frame.thread, task)
      let lane = lanes.get(id)
      if (lane === undefined)
        lanes.set(
          id,
          (lane = {
            key: task === 0 ? { thread: frame.thread } : { thread: frame.thread, task },
            depths: [],
          }),
        )
      const depth = task === 0 ? frame.depth : Math.max(0, frame.depth - finder.base.get(task)!)
      while (lane.depths.length <= depth) lane.depths.push(new ColumnBuilder())
      lane.depths[depth]!.add(frame)
      if (frame.callUs < tally[0]!) tally[0] = frame.callUs
      if (frame.callUs > tally[1]!) tally[1] = frame.callUs
      if (frame.endUs !== null && frame.endUs > tally[1]!) tally[1] = frame.endUs
      tally[2]! += 1
    })
  }
  // A call still running when the run stopped lasts to the run's last event.
  const threadsLast = db
    .prepare('SELECT max(last_us) FROM threads WHERE run = ?')
    .pluck()
    .get(run) as number | null
  const [first, calls] = [tally[0]!, tally[2]!]
  const last = Math.max(tally[1]!, threadsLast ?? 0)
  return {
    lanes: [...lanes.values()]
      .sort((a, b) => a.key.thread - b.key.thread || (a.key.task ?? 0) - (b.key.task ?? 0))
      .map((lane) => ({ key: lane.key, depths: lane.depths.map((d) => d.build(last)) })),
    start: calls === 0 ? 0 : first,
    end: last,
    calls,
  }
}

/** The first call of `column` that ends at or after `time` (its count when none does). */
export function firstEndingFrom(column: CallColumn, time: number): number {
  let low = 0
  let high = column.count
  while (low < high) {
    const middle = (low + high) >>> 1
    if (column.reach[middle]! >= time) high = middle
    else low = middle + 1
  }
  return low
}

/** The first call of `column` that starts at or after `time` (its count when none does). */
export function firstStartingFrom(column: CallColumn, time: number): number {
  let low = 0
  let high = column.count
  while (low < high) {
    const middle = (low + high) >>> 1
    if (column.start[middle]! >= time) high = middle
    else low = middle + 1
  }
  return low
}
