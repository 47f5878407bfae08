/** A run's threads, with what each did, from the `threads` table the recorder keeps up to date. */

import type { ThreadSummary } from '../../shared/types/thread.js'
import type { Db } from './database.js'

export interface ThreadRow {
  id: number
  ident: number
  name: string
  first_seq: number | null
  last_seq: number | null
  first_us: number | null
  last_us: number | null
  events: number
  locations: number
}

/** The threads of the run with local key `run`, in the order they first did something. */
export function listThreads(db: Db, run: number): ThreadSummary[] {
  return (db.prepare(THREAD_ROWS).all(run) as ThreadRow[]).map(toThreadSummary)
}

/** A run's thread rows (one parameter: the run), in the order they first did something. */
export const THREAD_ROWS = `SELECT id, ident, name, first_seq, last_seq, first_us, last_us, events, locations
  FROM threads WHERE run = ? ORDER BY first_seq IS NULL, first_seq, id`

export function toThreadSummary(row: ThreadRow): ThreadSummary {
  return {
    id: row.id,
    ident: row.ident,
    name: row.name,
    firstSeq: row.first_seq,
    lastSeq: row.last_seq,
    startedAt: row.first_us === null ? null : row.first_us / 1e6,
    endedAt: row.last_us === null ? null : row.last_us / 1e6,
    events: row.events,
    locations: row.locations,
  }
}
