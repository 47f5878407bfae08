/** The one door to a store: `--database` (or SMILEY_DB) names a SQLite file. */

import { openDatabase, type OpenOptions } from '../db/database.js'
import { SqliteStore } from './sqlite/sqlite-store.js'
import type { Store } from './store.js'

/**
 * Opens the store at `location`, ready for use (the schema created or moved forward where
 * allowed). Fails with one line (DatabaseError, StoreError) when it cannot be used.
 */
export async function openStore(location: string, options: OpenOptions = {}): Promise<Store> {
  return new SqliteStore(openDatabase(location, options))
}
