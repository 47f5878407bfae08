/** A PostgreSQL database as either end of a copy of runs (run-io.ts), on one client. */

import type pg from 'pg'
import { RUNS_CHANNEL } from '../postgres/write-batch.js'
import { pageQuery, type Record, type RunSink, type RunSource } from './run-io.js'
import { RUN_COLUMNS, type TableCopy } from './tables.js'

/** PostgreSQL takes at most 65,535 parameters per statement. */
const MAX_PARAMS = 60_000

/** SQLite's `?` parameters as PostgreSQL's `$1, $2…`. */
function numbered(sql: string): string {
  let next = 0
  return sql.replace(/\?/g, () => `$${++next}`)
}

/** Reads runs on `client`; call inside a REPEATABLE READ transaction for one snapshot. */
export function pgSource(client: pg.ClientBase): RunSource {
  return {
    runRow: async (uuid) =>
      (await client.query<Record>('SELECT * FROM runs WHERE uuid = $1', [uuid])).rows[0],
    childRows: async (uuid) =>
      (await client.query<Record>('SELECT * FROM runs WHERE parent_run = $1', [uuid])).rows,
    page: async (table, key, since, after) => {
      const { sql, params } = pageQuery(table, key, since, after)
      const result = await client.query<unknown[]>({
        text: numbered(sql),
        values: params,
        rowMode: 'array',
      })
      return result.rows
    },
    sources: async (hashes) => {
      const rows = (
        await client.query<{ hash: string; text: string }>(
          'SELECT hash, text FROM sources WHERE hash = ANY($1)',
          [hashes],
        )
      ).rows
      return new Map(rows.map((row) => [row.hash, row.text]))
    },
  }
}

/**
 * Writes runs on `client`; call inside a transaction. Runs always take a new key, and are
 * announced on RUNS_CHANNEL with the commit, as the recorder's are.
 */
export function pgSink(client: pg.ClientBase): RunSink {
  const insertMany = async (
    name: string,
    columns: readonly string[],
    rows: unknown[][],
    tail = '',
  ) => {
    const perStatement = Math.max(1, Math.floor(MAX_PARAMS / columns.length))
    for (let at = 0; at < rows.length; at += perStatement) {
      const part = rows.slice(at, at + perStatement)
      let next = 1
      const values = part.map(() => `(${columns.map(() => `$${next++}`).join(', ')})`).join(', ')
      await client.query(
        `INSERT INTO ${name} (${columns.join(', ')}) VALUES ${values} ${tail}`,
        part.flat(),
      )
    }
  }
  return {
    runKey: async (uuid) => {
      const found = await client.query<{ id: number }>('SELECT id FROM runs WHERE uuid = $1', [
        uuid,
      ])
      return found.rows[0]?.id ?? null
    },
    putRun: async (row) => {
      const values = RUN_COLUMNS.map((c) => row[c])
      const placeholders = RUN_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')
      const made = await client.query<{ id: number }>(
        `INSERT INTO runs (${RUN_COLUMNS.join(', ')}) VALUES (${placeholders})
         RETURNING id, pg_notify('${RUNS_CHANNEL}', id::TEXT)`,
        values,
      )
      return made.rows[0]!.id
    },
    clear: async (table: TableCopy, key) => {
      await client.query(`DELETE FROM ${table.name} WHERE run = $1`, [key])
    },
    insert: async (table, key, rows) => {
      await insertMany(
        table.name,
        ['run', ...table.columns],
        rows.map((row) => [key, ...row]),
      )
    },
    missingSources: async (hashes) => {
      const found = await client.query<{ hash: string }>(
        'SELECT hash FROM sources WHERE hash = ANY($1)',
        [hashes],
      )
      const present = new Set(found.rows.map((row) => row.hash))
      return hashes.filter((hash) => !present.has(hash))
    },
    putSources: async (texts) => {
      await insertMany('sources', ['hash', 'text'], [...texts], 'ON CONFLICT DO NOTHING')
    },
  }
}

/**
 * Runs `work` inside one transaction on `client`: a read-only snapshot (REPEATABLE READ), or
 * a write kept whole or not at all.
 */
export async function inPgTransaction<T>(
  client: pg.ClientBase,
  mode: 'snapshot' | 'write',
  work: () => Promise<T>,
): Promise<T> {
  await client.query(
    mode === 'snapshot' ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN',
  )
  try {
    const result = await work()
    await client.query('COMMIT')
    return result
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  }
}
