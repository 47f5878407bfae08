/**
 * The overview of a run: its whole length drawn once at OVERVIEW_WIDTH pixels (window.ts),
 * kept in `call_overview` beside the call index. The Timeline's first paint asks for the whole
 * run at a screen's width, never wider than this: it is answered from the overview, its bars
 * taken as calls already merged (a column's `weight`) and merged again at the width asked,
 * which reads a few hundred kilobytes where the index is tens of megabytes. A bar of the
 * overview at least a pixel wide is one call, and the calls under it are there one depth
 * down, so what a narrower width shows of the whole run is what the index would show; only
 * a merged bar's function (its longest call's) is the longest among the overview's bars.
 *
 *   data := lane*
 *   lane := thread:uint task:uint deepest:uint bars:uint bar*
 *   bar  := depth:uint start:int length:uint function:uint frame:int callSeq:int calls:uint open:byte
 *     start, frame, callSeq  differences from the bar before in the lane (the first: from 0)
 */

import type { LaneKey } from '../../shared/types/timeline.js'
import type { TimelineBar } from '../../shared/types/timeline.js'
import { ByteReader, ByteWriter } from '../db/bytes.js'
import type { Db } from '../db/database.js'
import {
  emptyColumn,
  summarise,
  type CallColumn,
  type CallIndex,
  type IndexedLane,
} from './call-index.js'
import { windowBars } from './window.js'

/** Pixels across the overview: wider than the widest first paint answered from it. */
export const OVERVIEW_WIDTH = 4096
/** Bars the overview may hold: as many as it takes, a few per pixel and depth. */
const OVERVIEW_BARS = 2_000_000

export interface Overview {
  lanes: Array<{ key: LaneKey; deepest: number; bars: TimelineBar[] }>
  start: number
  end: number
  calls: number
}

/**
 * The overview of `index`: its whole span at OVERVIEW_WIDTH pixels; undefined when that is
 * more bars than an overview holds (the first paint is then answered from the index).
 */
export function overviewOf(index: CallIndex): Overview | undefined {
  const { lanes, truncated } = windowBars(index, {
    from: index.start,
    to: Math.max(index.end, index.start + 1),
    width: OVERVIEW_WIDTH,
    maxBars: OVERVIEW_BARS,
  })
  if (truncated) return undefined
  return {
    lanes: index.lanes.map((lane, k) => ({
      key: lane.key,
      deepest: lane.depths.length - 1,
      bars: lanes[k]!,
    })),
    start: index.start,
    end: index.end,
    calls: index.calls,
  }
}

/**
 * The overview as a call index of its own: per lane and depth, its bars as entries standing
 * for their calls, with as many depths per lane as the run's index has (the empty ones too,
 * so a lane's deepest call is known).
 */
export function overviewIndex(overview: Overview): CallIndex {
  const lanes: IndexedLane[] = overview.lanes.map((lane) => {
    const byDepth: TimelineBar[][] = Array.from({ length: lane.deepest + 1 }, () => [])
    for (const bar of lane.bars) byDepth[bar.depth]!.push(bar)
    return { key: lane.key, depths: byDepth.map(columnOf) }
  })
  return { lanes, start: overview.start, end: overview.end, calls: overview.calls }
}

function columnOf(bars: TimelineBar[]): CallColumn {
  const count = bars.length
  const column: CallColumn = { ...emptyColumn(count), weight: new Uint32Array(count) }
  bars.forEach((bar, i) => {
    column.start[i] = bar.start
    column.end[i] = bar.end
    column.frame[i] = bar.frame
    column.function[i] = bar.function
    column.callSeq[i] = bar.callSeq
    column.open[i] = bar.open ? 1 : 0
    column.weight![i] = bar.calls
  })
  summarise(column)
  return column
}

/** Whether an overview is kept for run `run` at `events` events. */
export function hasOverview(db: Db, run: number, events: number): boolean {
  const kept = db.prepare('SELECT events FROM call_overview WHERE run = ?').pluck().get(run)
  return kept === events
}

/** The overview kept for run `run` at `events` events; undefined when there is none. */
export function readOverview(db: Db, run: number, events: number): Overview | undefined {
  const row = db
    .prepare('SELECT events, start_us, end_us, calls, data FROM call_overview WHERE run = ?')
    .get(run) as
    { events: number; start_us: number; end_us: number; calls: number; data: Buffer } | undefined
  if (row === undefined || row.events !== events) return undefined
  const input = new ByteReader(row.data)
  const lanes: Overview['lanes'] = []
  while (!input.done) {
    const thread = input.uint()
    const task = input.uint()
    const deepest = input.uint()
    const count = input.uint()
    const bars: TimelineBar[] = []
    let [start, frame, callSeq] = [0, 0, 0]
    for (let i = 0; i < count; i++) {
      const depth = input.uint()
      start += input.int()
      const end = start + input.uint()
      const fn = input.uint()
      frame += input.int()
      callSeq += input.int()
      const calls = input.uint()
      const open = input.byte() === 1
      bars.push({ depth, start, end, function: fn, frame, callSeq, calls, open })
    }
    lanes.push({ key: task === 0 ? { thread } : { thread, task }, deepest, bars })
  }
  return { lanes, start: row.start_us, end: row.end_us, calls: row.calls }
}

/** Keeps `overview`, made at `events` events, for run `run`, in place of any kept before. */
export function storeOverview(db: Db, run: number, events: number, overview: Overview): void {
  const out = new ByteWriter(16 * 1024)
  for (const lane of overview.lanes) {
    out.uint(lane.key.thread)
    out.uint(lane.key.task ?? 0)
    out.uint(lane.deepest)
    out.uint(lane.bars.length)
    let [start, frame, callSeq] = [0, 0, 0]
    for (const bar of lane.bars) {
      out.uint(bar.depth)
      out.int(bar.start - start)
      out.uint(bar.end - bar.start)
      out.uint(bar.function)
      out.int(bar.frame - frame)
      out.int(bar.callSeq - callSeq)
      out.uint(bar.calls)
      out.byte(bar.open ? 1 : 0)
      ;[start, frame, callSeq] = [bar.start, bar.frame, bar.callSeq]
    }
  }
  db.prepare(
    `INSERT OR REPLACE INTO call_overview (run, events, start_us, end_us, calls, data)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(run, events, overview.start, overview.end, overview.calls, Buffer.from(out.view()))
}
