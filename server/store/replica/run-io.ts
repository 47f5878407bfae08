/**
 * The two ends of a copy of runs: a source read in one consistent snapshot, and a sink written
 * in one transaction. Each store offers both (pg-io.ts, sqlite-io.ts); copy-run.ts moves a
 * run from any source to any sink, a page of rows at a time.
 */

import type { TableCopy } from './tables.js'

/** A row as the store gives it: column name to value. */
export type Record = { [column: string]: unknown }

export interface RunSource {
  /** The run's row (every column of `runs`, its local key as `id`); undefined when it has none. */
  runRow(uuid: string): Promise<Record | undefined>
  /** The rows of the runs of the processes run `uuid` started (as runRow gives them). */
  childRows(uuid: string): Promise<Record[]>
  /**
   * The next page of run `key`'s rows of `table` (values in `table.columns` order): those
   * after `after` in key order (from the first when null) and, when `since` is given, with
   * `table.bound` at least `since`.
   */
  page(
    table: TableCopy,
    key: number,
    since: number | null,
    after: unknown[] | null,
  ): Promise<unknown[][]>
  /** Source texts by hash; hashes it does not have are left out. */
  sources(hashes: readonly string[]): Promise<Map<string, string>>
}

export interface RunSink {
  /** The local key of the run `uuid`, or null when the sink has no such run. */
  runKey(uuid: string): Promise<number | null>
  /** Writes the run's row under `key` (replacing it), or under a new key when `key` is null. */
  putRun(row: Record, key: number | null): Promise<number>
  /** Removes run `key`'s rows of `table`, before they are copied again whole. */
  clear(table: TableCopy, key: number): Promise<void>
  /** Writes rows of `table` for run `key` (replacing those with the same key). */
  insert(table: TableCopy, key: number, rows: unknown[][]): Promise<void>
  /** Of `hashes`, those whose text the sink does not have. */
  missingSources(hashes: readonly string[]): Promise<string[]>
  putSources(texts: Map<string, string>): Promise<void>
}

/** The SQL of a page of `table` (with `?` parameters) and its parameters. */
export function pageQuery(
  table: TableCopy,
  key: number,
  since: number | null,
  after: unknown[] | null,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [key]
  let where = 'run = ?'
  if (since !== null && table.bound !== undefined) {
    where += ` AND ${table.bound} >= ?`
    params.push(since)
  }
  if (after !== null) {
    where += ` AND (${table.key.join(', ')}) > (${table.key.map(() => '?').join(', ')})`
    params.push(...after)
  }
  params.push(table.page)
  return {
    sql: `SELECT ${table.columns.join(', ')} FROM ${table.name} WHERE ${where}
          ORDER BY ${table.key.join(', ')} LIMIT ?`,
    params,
  }
}

/** The key values of `row` (in `table.columns` order), to page on from it. */
export function keyOf(table: TableCopy, row: unknown[]): unknown[] {
  return table.key.map((name) => row[table.columns.indexOf(name)])
}
