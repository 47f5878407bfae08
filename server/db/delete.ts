/** Deleting a run with everything only it referenced. */

import type { Db } from './database.js'
import { quoteName, runTables } from './run-tables.js'

/** What deleting one run removed: rows per table, and source texts no other run used. */
export interface DeletedRun {
  rows: Record<string, number>
  sources: number
}

/**
 * Deletes the run with local key `run` in one transaction: its row, its rows in every
 * per-run table (each a range of the primary key, so millions of events go quickly), and
 * the sources it used that no other run uses.
 */
export function deleteRun(db: Db, run: number): DeletedRun {
  const tables = runTables(db)
  return db
    .transaction((): DeletedRun => {
      const hashes = db
        .prepare('SELECT DISTINCT source_hash FROM files WHERE run = ? AND source_hash IS NOT NULL')
        .pluck()
        .all(run) as string[]
      const rows: Record<string, number> = {}
      for (const { name } of tables)
        rows[name] = db.prepare(`DELETE FROM ${quoteName(name)} WHERE run = ?`).run(run).changes
      db.prepare('DELETE FROM runs WHERE id = ?').run(run)
      const sources = db
        .prepare(
          `DELETE FROM sources WHERE hash IN (SELECT value FROM json_each(?))
           AND hash NOT IN (SELECT source_hash FROM files WHERE source_hash IS NOT NULL)`,
        )
        .run(JSON.stringify(hashes)).changes
      return { rows, sources }
    })
    .immediate()
}
