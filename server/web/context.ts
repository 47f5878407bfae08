/** What every route needs: the database, and a cache of each run's names. */

import { openDatabase, type Db } from '../db/database.js'
import { RunNames } from '../db/events.js'
import { findRun, type StoredRun } from '../db/runs.js'

const NAMES_CACHED = 8

export class AppContext {
  private readonly names = new Map<number, RunNames>()
  private companion: Db | null = null

  constructor(readonly db: Db) {}

  /** A second connection to the database, for reading one run while another is read. */
  secondReader(): Db {
    return (this.companion ??= openDatabase(this.db.name, { readonly: true }))
  }

  /** Closes the second connection, if one was opened. */
  close(): void {
    this.companion?.close()
    this.companion = null
  }

  /** The run an id (or unique prefix) names; throws RunNotFound. */
  run(id: string): StoredRun {
    return findRun(this.db, id)
  }

  /** The names of a run's ids, kept for the few runs looked at most recently. */
  namesOf(run: number): RunNames {
    let names = this.names.get(run)
    if (names === undefined) {
      names = new RunNames(this.db, run)
      if (this.names.size >= NAMES_CACHED) this.names.delete(this.names.keys().next().value!)
    } else {
      this.names.delete(run)
    }
    this.names.set(run, names)
    return names
  }

  /** Forget what was cached about a run (it was deleted). */
  forget(run: number): void {
    this.names.delete(run)
  }
}
