/**
 * The Timeline's one door: a window of a run's calls over time, at a width in pixels, with
 * the explorer's position placed on it. The run's call index (call-index.ts) is built on the
 * first question and kept for the few runs looked at last, until the run grows; the index of
 * a run that has ended is kept in the database too (stored-index.ts), for the servers after.
 */

import type {
  LaneKey,
  TimelineFunction,
  TimelinePosition,
  TimelineWindow,
} from '../../shared/types/timeline.js'
import { databaseFailure, type Db } from '../db/database.js'
import { EventStore } from '../db/event-store.js'
import { FrameStore } from '../db/frame-store.js'
import { RecentlyUsed } from '../db/recently-used.js'
import type { StoredRun } from '../db/runs.js'
import { buildCallIndex, type CallIndex } from './call-index.js'
import {
  OVERVIEW_WIDTH,
  overviewIndex,
  overviewOf,
  hasOverview,
  readOverview,
  storeOverview,
} from './overview.js'
import { readStoredIndex, storeIndex } from './stored-index.js'
import { windowBars } from './window.js'

export interface TimelineRequest {
  /** Microseconds since the run started; the whole run when absent. */
  from?: number | undefined
  to?: number | undefined
  width: number
  /** The explorer's event, to place on the timeline. */
  seq?: number | undefined
}

/** Bars past which deeper levels are left out: a screen's worth, many times over. */
export const MAX_BARS = 20_000
const INDEXES_KEPT = 2
/** The narrowest window, in microseconds: a run's times are whole microseconds. */
const NARROWEST = 1

/** A running run's index is built again at most once per this many times its build took. */
const REBUILD_SPACING = 10

interface Indexed {
  events: number
  status: string
  /** When it was built, and how long that took, in milliseconds. */
  builtAt: number
  buildMs: number
  calls: CallIndex
  /** `calls` is the run's overview (overview.ts), which answers only the whole run. */
  overview: boolean
  functions: Map<number, TimelineFunction>
}

const timelines = new WeakMap<Db, Timeline>()

export class Timeline {
  /** The timeline reading through connection `db`. */
  static of(db: Db): Timeline {
    let timeline = timelines.get(db)
    if (timeline === undefined) timelines.set(db, (timeline = new Timeline(db)))
    return timeline
  }

  private readonly indexes = new RecentlyUsed<Indexed>(INDEXES_KEPT)

  private constructor(private readonly db: Db) {}

  /** The call index of `stored`, built now unless kept since the run last changed. */
  index(stored: StoredRun): CallIndex {
    return this.indexed(stored).calls
  }

  window(stored: StoredRun, request: TimelineRequest): TimelineWindow {
    const whole =
      request.from === undefined && request.to === undefined && request.width <= OVERVIEW_WIDTH
    const indexed = this.indexed(stored, whole)
    const { calls } = indexed
    const span = { start: calls.start, end: Math.max(calls.end, calls.start + NARROWEST) }
    let from = Math.max(span.start, request.from ?? span.start)
    let to = Math.min(span.end, request.to ?? span.end)
    if (to - from < NARROWEST) {
      from = Math.max(span.start, Math.min(from, span.end - NARROWEST))
      to = from + NARROWEST
    }
    const { lanes, truncated } = windowBars(calls, {
      from,
      to,
      width: request.width,
      maxBars: MAX_BARS,
    })
    const used = new Set<number>()
    for (const bars of lanes) for (const bar of bars) used.add(bar.function)
    const names = laneNames(this.db, stored.key)
    return {
      span,
      from,
      to,
      width: request.width,
      lanes: calls.lanes.map((lane, k) => ({
        key: lane.key,
        name: names(lane.key),
        depth: lane.depths.length - 1,
        bars: lanes[k]!,
      })),
      functions: [...used].sort((a, b) => a - b).map((id) => functionOf(indexed, id)),
      position: request.seq === undefined ? null : this.position(stored.key, request.seq, calls),
      truncated,
    }
  }

  /**
   * Where event `seq` is: its time, lane and depth (in a task's lane, below the task's
   * coroutine); null when the run has no such event.
   */
  private position(run: number, seq: number, calls: CallIndex): TimelinePosition | null {
    const event = EventStore.of(this.db).event(run, seq)
    if (event === undefined) return null
    const inTask =
      event.task !== 0 &&
      calls.lanes.some((lane) => lane.key.thread === event.thread && lane.key.task === event.task)
    if (!inTask) return { seq, us: event.us, lane: { thread: event.thread }, depth: event.depth }
    const root = this.db
      .prepare('SELECT first_frame FROM tasks WHERE run = ? AND id = ?')
      .pluck()
      .get(run, event.task) as number
    const base = FrameStore.of(this.db).frame(run, root)?.depth ?? 0
    return {
      seq,
      us: event.us,
      lane: { thread: event.thread, task: event.task },
      depth: Math.max(0, event.depth - base),
    }
  }

  /**
   * The run's calls: its call index, or, for a question about the whole run (`whole`) of a
   * run that has ended, its overview when one is kept and the index is not held already.
   */
  private indexed(stored: StoredRun, whole = false): Indexed {
    const { key, run } = stored
    return this.indexes.get(
      String(key),
      (kept) =>
        (whole || !kept.overview) &&
        ((kept.events === run.eventCount && kept.status === run.status) ||
          // A run being recorded grows all the time: the server spends a tenth of its time at
          // most rebuilding its index, and shows calls a little behind meanwhile.
          (run.status === 'running' &&
            kept.status === 'running' &&
            performance.now() - kept.builtAt < kept.buildMs * REBUILD_SPACING)),
      () => {
        const started = performance.now()
        const overview =
          whole && run.status !== 'running' ? readOverview(this.db, key, run.eventCount) : undefined
        const calls = overview === undefined ? this.load(stored) : overviewIndex(overview)
        return {
          events: run.eventCount,
          status: run.status,
          builtAt: performance.now(),
          buildMs: performance.now() - started,
          calls,
          overview: overview !== undefined,
          functions: readFunctions(this.db, key),
        }
      },
    )
  }

  /**
   * The index kept in the database for a run that has ended, else one built and kept, with
   * its overview (made for an index kept before overviews were).
   */
  private load({ key, run }: StoredRun): CallIndex {
    const ended = run.status !== 'running'
    const kept = ended ? readStoredIndex(this.db, key, run.eventCount) : undefined
    if (kept !== undefined && hasOverview(this.db, key, run.eventCount)) return kept
    const index = kept ?? buildCallIndex(this.db, key)
    if (ended) {
      try {
        keep(this.db, key, run.eventCount, index, kept === undefined)
      } catch (error) {
        // A database this server only reads (or one busy writing): the index stays in memory.
        if (databaseFailure(error) === null) throw error
      }
    }
    return index
  }
}

/**
 * Builds and keeps the call index and overview of run `run`, which has just ended with
 * `events` events, so that the first paint of its Timeline reads kilobytes instead of
 * building them from every frame: the recorder calls it as the run ends.
 */
export function keepTimeline(db: Db, run: number, events: number): void {
  keep(db, run, events, buildCallIndex(db, run), true)
}

function keep(db: Db, run: number, events: number, index: CallIndex, withIndex: boolean): void {
  db.transaction(() => {
    if (withIndex) storeIndex(db, run, events, index)
    const overview = overviewOf(index)
    if (overview !== undefined) storeOverview(db, run, events, overview)
  })()
}

/** The names of a run's lanes: a thread's, or a task's with its thread's. */
function laneNames(db: Db, run: number): (key: LaneKey) => string {
  const threads = new Map(
    (
      db.prepare('SELECT id, name FROM threads WHERE run = ?').all(run) as Array<{
        id: number
        name: string
      }>
    ).map((row) => [row.id, row.name]),
  )
  const tasks = new Map(
    (
      db.prepare('SELECT id, name FROM tasks WHERE run = ?').all(run) as Array<{
        id: number
        name: string
      }>
    ).map((row) => [row.id, row.name]),
  )
  return ({ thread, task }) => {
    const threadName = threads.get(thread) ?? `thread ${thread}`
    return task === undefined ? threadName : `${threadName} › task ${tasks.get(task) ?? task}`
  }
}

function functionOf(indexed: Indexed, id: number): TimelineFunction {
  return indexed.functions.get(id) ?? { id, name: '?', file: 0, path: '?', line: 0 }
}

function readFunctions(db: Db, run: number): Map<number, TimelineFunction> {
  const rows = db
    .prepare(
      `SELECT f.id, f.qualified_name AS name, f.file, coalesce(p.path, '?') AS path, f.first_line AS line
       FROM functions f LEFT JOIN files p ON p.run = f.run AND p.id = f.file WHERE f.run = ?`,
    )
    .all(run) as TimelineFunction[]
  return new Map(rows.map((row) => [row.id, row]))
}
