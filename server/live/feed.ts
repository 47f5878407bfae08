/**
 * What changed in the runs table since the last look. Each notification of the watcher
 * leads to one `changes()` call: new runs, changed ones (status, event count, end, error)
 * and deleted ones are found by comparing with the previous look, so a burst of writes
 * is never missed and never reported twice.
 */

import type { Run } from '../../shared/types/run.js'
import type { Db } from '../db/database.js'
import { toRun, type RunRow } from '../db/rows.js'
import { RUN_SELECT } from '../db/runs.js'

interface Look {
  id: number
  uuid: string
  signature: string
}

export interface RunChanges {
  /** Runs new or changed since the last look, newest first. */
  changed: Run[]
  /** Ids of runs that disappeared. */
  deleted: string[]
}

const LOOK = `SELECT id, uuid, status || ':' || event_count || ':' || coalesce(ended_at, '') || ':' ||
  coalesce(error_message, '') || ':' || coalesce(notice, '') || ':' || lost_events AS signature FROM runs`

export class ChangeFeed {
  private known = new Map<string, Look>()

  constructor(private readonly db: Db) {
    this.known = this.look()
  }

  private look(): Map<string, Look> {
    const rows = this.db.prepare(LOOK).all() as Look[]
    return new Map(rows.map((row) => [row.uuid, row]))
  }

  changes(): RunChanges {
    const now = this.look()
    const changedKeys: number[] = []
    for (const [uuid, look] of now) {
      if (this.known.get(uuid)?.signature !== look.signature) changedKeys.push(look.id)
    }
    const deleted = [...this.known.keys()].filter((uuid) => !now.has(uuid))
    this.known = now
    if (changedKeys.length === 0) return { changed: [], deleted }
    const rows = this.db
      .prepare(
        `${RUN_SELECT} WHERE runs.id IN (${changedKeys.map(() => '?').join(',')}) ORDER BY runs.started_at DESC, runs.id DESC`,
      )
      .all(...changedKeys) as RunRow[]
    return { changed: rows.map(toRun), deleted }
  }
}
