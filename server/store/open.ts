/**
 * The one door to a store: `--database` (or SMILEY_DB) names a SQLite file, or a PostgreSQL
 * server by URL (`postgres://user@host:port/db`, `postgresql://…`).
 */

import { openDatabase, type OpenOptions } from '../db/database.js'
import { isPostgresUrl } from './location.js'
import { SqliteStore } from './sqlite/sqlite-store.js'
import type { Store } from './store.js'

/**
 * Opens the store at `location`, ready for use (the schema created or moved forward where
 * allowed). Fails with one line (DatabaseError, StoreError) when it cannot be used.
 */
export async function openStore(location: string, options: OpenOptions = {}): Promise<Store> {
  if (!isPostgresUrl(location)) return new SqliteStore(openDatabase(location, options))
  // Loaded only when asked for: a SQLite user never pays for the PostgreSQL client.
  const { PostgresStore } = await import('./postgres/postgres-store.js')
  return PostgresStore.open(location, options)
}
