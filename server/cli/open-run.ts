/**
 * What the commands that query one run's events start with: the run a reference names in the
 * store at `--database`, and a SQLite database holding it for the query layer (the file
 * itself; for PostgreSQL, the store's local read cache, brought up to date).
 */

import type { Db } from '../db/database.js'
import type { StoredRun } from '../db/runs.js'
import { openStore } from '../store/open.js'
import type { Store } from '../store/store.js'

export interface OpenRun extends StoredRun {
  /** The database to query the run in. */
  db: Db
  store: Store
  /** Closes the store (and with it `db`). */
  close(): Promise<void>
}

export interface OpenRunOptions {
  /** Mark the runs whose recorder is gone as lost first (the store is opened to write). */
  markLost?: boolean
}

/** The run `reference` names in the store at `location`, ready to query; one line when it cannot be. */
export async function openRun(
  location: string,
  reference: string,
  options: OpenRunOptions = {},
): Promise<OpenRun> {
  const store = await openStore(
    location,
    options.markLost ? { readsWhereUnwritable: true } : { readonly: true },
  )
  try {
    if (options.markLost) await store.markLostRuns()
    const found = await store.findRun(reference)
    const db = await store.reader(found)
    return { ...found, db, store, close: () => store.close() }
  } catch (error) {
    await store.close()
    throw error
  }
}
