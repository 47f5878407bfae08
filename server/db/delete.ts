/** Deleting a run with everything only it referenced. */

import type { Statement } from 'better-sqlite3'
import type { Db } from './database.js'
import { quoteName, runTables } from './run-tables.js'

/** The deletes of every per-run table, prepared once per connection (a test session deletes a
 * run per passing test). The schema of an open connection does not change. */
const deletes = new WeakMap<Db, Array<{ name: string; statement: Statement }>>()

function deletesOf(db: Db): Array<{ name: string; statement: Statement }> {
  let found = deletes.get(db)
  if (found === undefined) {
    found = runTables(db).map(({ name }) => ({
      name,
      statement: db.prepare(`DELETE FROM ${quoteName(name)} WHERE run = ?`),
    }))
    deletes.set(db, found)
  }
  return found
}

/** What deleting one run removed: its events and frames, rows per table, and source texts no other run used. */
export interface DeletedRun {
  events: number
  frames: number
  rows: Record<string, number>
  sources: number
}

/**
 * Deletes the run with local key `run` in one transaction: its row, its rows in every
 * per-run table (each a range of the primary key, so millions of events go quickly), and
 * the sources it used that no other run uses.
 */
export function deleteRun(db: Db, run: number): DeletedRun {
  const tables = deletesOf(db)
  return db
    .transaction((): DeletedRun => {
      const hashes = db
        .prepare('SELECT DISTINCT source_hash FROM files WHERE run = ? AND source_hash IS NOT NULL')
        .pluck()
        .all(run) as string[]
      const events = db
        .prepare(
          'SELECT coalesce(sum(last_seq - first_seq + 1), 0) FROM event_blocks WHERE run = ?',
        )
        .pluck()
        .get(run) as number
      const frames = db
        .prepare('SELECT coalesce(sum(count), 0) FROM frames WHERE run = ?')
        .pluck()
        .get(run) as number
      const rows: Record<string, number> = {}
      for (const { name, statement } of tables) rows[name] = statement.run(run).changes
      db.prepare('DELETE FROM runs WHERE id = ?').run(run)
      const sources = db
        .prepare(
          `DELETE FROM sources WHERE hash IN (SELECT value FROM json_each(?))
           AND hash NOT IN (SELECT source_hash FROM files WHERE source_hash IS NOT NULL)`,
        )
        .run(JSON.stringify(hashes)).changes
      return { events, frames, rows, sources }
    })
    .immediate()
}
