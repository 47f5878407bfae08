/**
 * Copying runs between database files, for export and import: the other file is attached
 * to the connection and each table's rows move with one INSERT … SELECT, so a run of
 * millions of events copies in seconds. Runs keep their uuid; their local key is new.
 */

import { DatabaseError, type Db } from './database.js'
import { RunNotFound } from './runs.js'
import { columnsOf, quoteName, runTables } from './run-tables.js'

/** What happened to one run: copied, or left alone because the target already had it. */
export interface CopiedRun {
  uuid: string
  copied: boolean
  /** Events the run has in the target. */
  events: number
}

const SOURCE = 'smiley_source'

/**
 * Copies the runs `uuids` of the Smiley database at `sourcePath` into `db`, one transaction
 * per run, with their sources, events and every other per-run row. A run `db` already has
 * is skipped. `sourcePath` must be a Smiley database of the same schema version as `db`
 * (open it once with openDatabase first); throws RunNotFound for a uuid it does not hold.
 */
export function copyRuns(db: Db, sourcePath: string, uuids: readonly string[]): CopiedRun[] {
  db.prepare(`ATTACH DATABASE ? AS ${SOURCE}`).run(sourcePath)
  try {
    const ours = db.pragma('main.user_version', { simple: true }) as number
    const theirs = db.pragma(`${SOURCE}.user_version`, { simple: true }) as number
    if (ours !== theirs)
      throw new DatabaseError(`${sourcePath} has schema ${theirs}, but the target has ${ours}`)
    const copy = copier(db)
    return uuids.map((uuid) => copy(uuid))
  } finally {
    db.prepare(`DETACH DATABASE ${SOURCE}`).run()
  }
}

function copier(db: Db): (uuid: string) => CopiedRun {
  const runColumns = columnsOf(db, 'main', 'runs')
    .filter((c) => c !== 'id')
    .map(quoteName)
    .join(', ')
  // The run row is inserted first: a write as the transaction's first statement takes the
  // target's write lock at once (waiting if busy), and only the target's: the source is
  // read from a snapshot, so a recording going on there is never blocked.
  const insertRun = db.prepare(
    `INSERT INTO main.runs (${runColumns}) SELECT ${runColumns} FROM ${SOURCE}.runs
     WHERE uuid = ? AND NOT EXISTS (SELECT 1 FROM main.runs WHERE uuid = ?)`,
  )
  const tables = runTables(db, 'main').map(({ name, columns }) => {
    const rest = columns
      .filter((c) => c !== 'run')
      .map(quoteName)
      .join(', ')
    const table = quoteName(name)
    return db.prepare(
      `INSERT INTO main.${table} (run, ${rest}) SELECT ?, ${rest} FROM ${SOURCE}.${table} WHERE run = ?`,
    )
  })
  const insertSources = db.prepare(
    `INSERT OR IGNORE INTO main.sources (hash, text)
     SELECT hash, text FROM ${SOURCE}.sources WHERE hash IN
       (SELECT source_hash FROM ${SOURCE}.files WHERE run = ? AND source_hash IS NOT NULL)`,
  )
  const sourceKey = db.prepare(`SELECT id FROM ${SOURCE}.runs WHERE uuid = ?`).pluck()
  const targetRun = db.prepare('SELECT id, event_count FROM main.runs WHERE uuid = ?')

  return db.transaction((uuid: string): CopiedRun => {
    const inserted = insertRun.run(uuid, uuid)
    if (inserted.changes === 0) {
      const present = targetRun.get(uuid) as { event_count: number } | undefined
      if (present === undefined) throw new RunNotFound(`no run with id ${uuid} in the source`)
      return { uuid, copied: false, events: present.event_count }
    }
    const from = sourceKey.get(uuid) as number
    const to = Number(inserted.lastInsertRowid)
    for (const insert of tables) insert.run(to, from)
    insertSources.run(from)
    const copied = targetRun.get(uuid) as { event_count: number }
    return { uuid, copied: true, events: copied.event_count }
  })
}
