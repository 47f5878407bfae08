/** A run's names read from SQLite. */

import type { Db } from '../../db/database.js'
import type { NameRows } from '../store.js'

/** The rows naming a run's ids, as RunNames reads them. */
export function sqliteNames(db: Db, run: number): NameRows {
  return {
    symbols: db
      .prepare('SELECT id, text FROM symbols WHERE run = ?')
      .all(run) as NameRows['symbols'],
    threads: db
      .prepare('SELECT id, name FROM threads WHERE run = ?')
      .all(run) as NameRows['threads'],
    tasks: db.prepare('SELECT id, name FROM tasks WHERE run = ?').all(run) as NameRows['tasks'],
    functions: db
      .prepare('SELECT id, file, name, qualified_name FROM functions WHERE run = ?')
      .all(run) as NameRows['functions'],
    files: db
      .prepare('SELECT id, path, source_hash FROM files WHERE run = ?')
      .all(run) as NameRows['files'],
  }
}
