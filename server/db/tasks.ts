/** A run's asyncio tasks, with what each did, from the `tasks` table the recorder keeps up to date. */

import type { MomentTask } from '../../shared/types/moment.js'
import type { TaskSummary } from '../../shared/types/task.js'
import type { Db } from './database.js'
import type { RunNames } from './events.js'
import { FrameStore } from './frame-store.js'

export interface TaskRow {
  id: number
  name: string
  thread: number
  thread_name: string | null
  awaiter: number | null
  first_frame: number | null
  first_seq: number | null
  last_seq: number | null
  first_us: number | null
  last_us: number | null
  events: number
}

/** The task rows of the run with local key `run`, in the order they first did something. */
export function taskRows(db: Db, run: number): TaskRow[] {
  return db.prepare(TASK_ROWS).all(run) as TaskRow[]
}

/** The SQL of taskRows (one parameter: the run). */
export const TASK_ROWS = `SELECT t.id, t.name, t.thread, h.name AS thread_name, t.awaiter,
    t.first_frame, t.first_seq, t.last_seq, t.first_us, t.last_us, t.events
  FROM tasks t LEFT JOIN threads h ON h.run = t.run AND h.id = t.thread
  WHERE t.run = ? ORDER BY t.first_seq IS NULL, t.first_seq, t.id`

/** The tasks of the run with local key `run`, in the order they first did something. */
export function listTasks(db: Db, run: number, names: RunNames): TaskSummary[] {
  const frames = FrameStore.of(db)
  return taskRows(db, run).map((row) =>
    toTaskSummary(
      row,
      row.first_frame === null
        ? null
        : (names.function(frames.frame(run, row.first_frame)?.function ?? null)?.qualifiedName ??
            null),
    ),
  )
}

/** A task row as the API shows it, with the qualified name of its coroutine's function. */
export function toTaskSummary(row: TaskRow, rootFunction: string | null): TaskSummary {
  return {
    id: row.id,
    name: row.name,
    thread: row.thread,
    threadName: row.thread_name ?? `thread ${row.thread}`,
    awaiter: row.awaiter,
    rootFrame: row.first_frame,
    rootFunction,
    firstSeq: row.first_seq,
    lastSeq: row.last_seq,
    startedAt: row.first_us === null ? null : row.first_us / 1e6,
    endedAt: row.last_us === null ? null : row.last_us / 1e6,
    events: row.events,
  }
}

/** Task `task` of the run, with the task last seen awaiting it. */
export function momentTask(db: Db, run: number, names: RunNames, task: number): MomentTask {
  const awaiter = db
    .prepare('SELECT awaiter FROM tasks WHERE run = ? AND id = ?')
    .pluck()
    .get(run, task) as number | null | undefined
  return {
    id: task,
    name: names.task(task),
    awaiter:
      awaiter === null || awaiter === undefined ? null : { id: awaiter, name: names.task(awaiter) },
  }
}
