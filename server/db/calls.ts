/**
 * The call tree of a run, read a level at a time from the frames table: the calls one frame
 * made, grouped by function, then the calls of a group a page at a time. The
 * frames_by_parent index (run, parent, function, id) answers both without reading the rest.
 */

import type { CallGroup, CallNode } from '../../shared/types/moment.js'
import type { Db } from './database.js'
import type { RunNames } from './events.js'

/** The calls frame `parent` made (0: the calls nobody recorded made), by function, in order of the first call. */
export function callGroups(db: Db, run: number, names: RunNames, parent: number): CallGroup[] {
  const rows = db
    .prepare(
      `SELECT function, count(*) AS calls, coalesce(sum(end_us - call_us), 0) AS micros,
              count(*) - count(end_us) AS running, min(id) AS first
       FROM frames WHERE run = ? AND parent = ? GROUP BY function ORDER BY first`,
    )
    .all(run, parent) as Array<Omit<CallGroup, 'name' | 'file' | 'firstSeq'>>
  const callSeq = db.prepare('SELECT call_seq FROM frames WHERE run = ? AND id = ?').pluck()
  return rows.map((row) => {
    const fn = names.function(row.function)
    return {
      ...row,
      firstSeq: callSeq.get(run, row.first) as number,
      name: fn?.qualifiedName ?? '?',
      file: fn ? (names.file(fn.file)?.path ?? '?') : '?',
    }
  })
}

export interface CallsRequest {
  parent: number
  function: number
  /** First frame id to include, in `direction`. */
  from: number
  direction: 'forward' | 'backward'
  limit: number
}

/** Calls of one group, in order, starting at frame id `from`. */
export function groupCalls(db: Db, run: number, request: CallsRequest): CallNode[] {
  const forward = request.direction === 'forward'
  const rows = db
    .prepare(
      `SELECT f.id AS frame, f.function, f.call_seq AS callSeq, f.end_seq AS endSeq,
              f.end_us - f.call_us AS micros,
              (SELECT count(*) FROM frames c WHERE c.run = f.run AND c.parent = f.id) AS children
       FROM frames f
       WHERE f.run = ? AND f.parent = ? AND f.function = ? AND f.id ${forward ? '>=' : '<='} ?
       ORDER BY f.id ${forward ? '' : 'DESC'} LIMIT ?`,
    )
    .all(run, request.parent, request.function, request.from, request.limit) as CallNode[]
  return forward ? rows : rows.reverse()
}

/** The frames from the outermost recorded caller down to `frame`, each with its function. */
export function framePath(
  db: Db,
  run: number,
  frame: number,
): Array<{ frame: number; function: number }> {
  const lookup = db.prepare('SELECT parent, function FROM frames WHERE run = ? AND id = ?')
  const path: Array<{ frame: number; function: number }> = []
  const seen = new Set<number>()
  let current = frame
  while (current !== 0 && !seen.has(current)) {
    seen.add(current)
    const row = lookup.get(run, current) as { parent: number; function: number } | undefined
    if (row === undefined) break
    path.push({ frame: current, function: row.function })
    current = row.parent
  }
  return path.reverse()
}
