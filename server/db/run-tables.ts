/**
 * The tables that hold one row set per run, found from the schema itself: every table but
 * `runs` with a `run` column. Deleting and copying runs go through this list, so a table
 * added to schema.sql later is deleted and copied with its run without anyone remembering to.
 */

import type { Db } from './database.js'

/** Tables keyed by `run` in database `schema` (`main` or an attached name), with their columns. */
export function runTables(db: Db, schema = 'main'): Array<{ name: string; columns: string[] }> {
  const tables = db
    .prepare(
      `SELECT name FROM pragma_table_list WHERE schema = ? AND type = 'table'
         AND name NOT LIKE 'sqlite_%' AND name <> 'runs' ORDER BY name`,
    )
    .all(schema) as Array<{ name: string }>
  return tables
    .map(({ name }) => ({ name, columns: columnsOf(db, schema, name) }))
    .filter((table) => table.columns.includes('run'))
}

/** The column names of table `name` in database `schema`, in order. */
export function columnsOf(db: Db, schema: string, name: string): string[] {
  const rows = db.prepare('SELECT name FROM pragma_table_info(?, ?)').all(name, schema) as Array<{
    name: string
  }>
  return rows.map((r) => r.name)
}

/** `name` as an SQL identifier. */
export function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}
