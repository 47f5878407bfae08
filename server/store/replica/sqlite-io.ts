/** A SQLite database as either end of a copy of runs (run-io.ts). */

import type { Statement } from 'better-sqlite3'
import type { Db } from '../../db/database.js'
import { packSource, readSourceText } from '../../db/source-text.js'
import { pageQuery, type Record, type RunSink, type RunSource } from './run-io.js'
import { RUN_COLUMNS, type TableCopy } from './tables.js'

/** Reads runs from `db`; call inside a read transaction for one snapshot (sqliteSnapshot). */
export function sqliteSource(db: Db): RunSource {
  const pages = new Map<string, Statement>()
  return {
    runRow: async (uuid) =>
      db.prepare('SELECT * FROM runs WHERE uuid = ?').get(uuid) as Record | undefined,
    childRows: async (uuid) =>
      db.prepare('SELECT * FROM runs WHERE parent_run = ?').all(uuid) as Record[],
    page: async (table, key, since, after) => {
      const { sql, params } = pageQuery(table, key, since, after)
      const id = `${table.name}/${since !== null}/${after !== null}`
      let statement = pages.get(id)
      if (statement === undefined) pages.set(id, (statement = db.prepare(sql).raw()))
      return statement.all(...params) as unknown[][]
    },
    sources: async (hashes) => {
      const found = new Map<string, string>()
      for (const hash of hashes) {
        const text = readSourceText(db, hash)
        if (text !== null) found.set(hash, text)
      }
      return found
    },
  }
}

/** Writes runs into `db`; call inside a write transaction (sqliteTransaction). */
export function sqliteSink(db: Db): RunSink {
  const inserts = new Map<string, Statement>()
  const insertOf = (table: TableCopy) => {
    let statement = inserts.get(table.name)
    if (statement === undefined) {
      const columns = ['run', ...table.columns]
      statement = db.prepare(
        `INSERT OR REPLACE INTO ${table.name} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      )
      inserts.set(table.name, statement)
    }
    return statement
  }
  return {
    runKey: async (uuid) =>
      (db.prepare('SELECT id FROM runs WHERE uuid = ?').pluck().get(uuid) as number | undefined) ??
      null,
    putRun: async (row, key) => {
      const columns = key === null ? RUN_COLUMNS : ['id', ...RUN_COLUMNS]
      const values = columns.map((c) => (c === 'id' ? key : row[c]))
      const done = db
        .prepare(
          `INSERT OR REPLACE INTO runs (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
        )
        .run(...values)
      return key ?? Number(done.lastInsertRowid)
    },
    clear: async (table, key) => {
      db.prepare(`DELETE FROM ${table.name} WHERE run = ?`).run(key)
    },
    insert: async (table, key, rows) => {
      const statement = insertOf(table)
      for (const row of rows) statement.run(key, ...row)
    },
    missingSources: async (hashes) => {
      const has = db.prepare('SELECT 1 FROM sources WHERE hash = ?').pluck()
      return hashes.filter((hash) => has.get(hash) === undefined)
    },
    putSources: async (texts) => {
      const put = db.prepare('INSERT OR IGNORE INTO sources (hash, text) VALUES (?, ?)')
      for (const [hash, text] of texts) put.run(hash, packSource(text))
    },
  }
}

/**
 * Runs `work` inside one transaction of `db`: a snapshot to read (`mode` deferred), or a
 * write kept whole or not at all (`immediate`). The transaction stays open across `work`'s
 * awaits: `db` must be a connection no one else uses meanwhile.
 */
export async function inSqliteTransaction<T>(
  db: Db,
  mode: 'deferred' | 'immediate',
  work: () => Promise<T>,
): Promise<T> {
  db.exec(mode === 'immediate' ? 'BEGIN IMMEDIATE' : 'BEGIN')
  try {
    const result = await work()
    db.exec('COMMIT')
    return result
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK')
    throw error
  }
}
