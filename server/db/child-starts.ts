/**
 * The child processes a run started, each at its place in the run's trace (`child_starts`)
 * and linked to the run it was recorded as. A started program is found by its pid; a fork,
 * marked before it happens and so without one, by time: a forked child's run belongs to the
 * latest fork made before it started. The same rule gives `process.parentSeq` (RUN_SELECT in
 * runs.ts), so a child's link to its parent and the parent's mark agree.
 */

import type { ChildStart, ChildStartRun } from '../../shared/types/child-start.js'
import type { RunStatus } from '../../shared/types/run.js'
import type { Db } from './database.js'

export interface MarkRow {
  id: number
  pid: number
  seq: number
  at: number
}

export interface ChildRow {
  uuid: string
  pid: number | null
  parent_pid: number | null
  started_by: string
  started_at: number
  description: string
  status: RunStatus
}

/** The runs of the processes run `?` (its key) started, for `linkChildStarts`. */
export const CHILD_ROWS = `SELECT uuid, pid, parent_pid, started_by, started_at, description, status
  FROM runs WHERE parent_run = (SELECT uuid FROM runs WHERE id = ?) AND started_by IS NOT NULL
  ORDER BY started_at, id`

/** Every process run `key` started, in the order it started them. */
export function childStarts(db: Db, key: number): ChildStart[] {
  const marks = db
    .prepare('SELECT rowid AS id, pid, seq, at FROM child_starts WHERE run = ? ORDER BY at, rowid')
    .all(key) as MarkRow[]
  if (marks.length === 0) return []
  return linkChildStarts(marks, db.prepare(CHILD_ROWS).all(key) as ChildRow[])
}

/** The marks of the processes a run started (in order), each with the runs they were recorded as. */
export function linkChildStarts(marks: MarkRow[], children: ChildRow[]): ChildStart[] {
  const runsOf = new Map<number, ChildStartRun[]>()
  for (const child of children) {
    const mark = markOf(child, marks)
    if (mark === undefined) continue
    const found = runsOf.get(mark.id) ?? []
    found.push({
      id: child.uuid,
      pid: child.pid,
      startedBy: child.started_by,
      description: child.description,
      status: child.status,
    })
    runsOf.set(mark.id, found)
  }
  // One entry per process: a mark two children claim (a pid used twice) lists both.
  return marks.flatMap((mark) => {
    const runs = runsOf.get(mark.id) ?? [null]
    return runs.map((run) => ({ seq: mark.seq, pid: mark.pid, at: mark.at, run }))
  })
}

/** The processes run `key` started right after its event `seq`. */
export function childStartsAfter(db: Db, key: number, seq: number): ChildStart[] {
  const marked = db
    .prepare('SELECT 1 FROM child_starts WHERE run = ? AND seq = ? LIMIT 1')
    .get(key, seq)
  return marked === undefined ? [] : childStarts(db, key).filter((s) => s.seq === seq)
}

/**
 * The mark a child's run was started at: its pid's latest; else its parent process's latest
 * before it (a shell the run started, which started the child); else the latest fork before it.
 */
function markOf(child: ChildRow, marks: MarkRow[]): MarkRow | undefined {
  let shell: MarkRow | undefined
  let fork: MarkRow | undefined
  for (let index = marks.length - 1; index >= 0; index--) {
    const mark = marks[index]!
    if (mark.pid !== 0 && mark.pid === child.pid) return mark
    if (shell === undefined && mark.pid === child.parent_pid && mark.at <= child.started_at)
      shell = mark
    if (
      fork === undefined &&
      mark.pid === 0 &&
      child.started_by.includes('fork') &&
      mark.at <= child.started_at
    )
      fork = mark
  }
  return shell ?? fork
}
