/**
 * What every route needs: the store, and for the views still read from SQLite alone its
 * connection and a cache of each run's names.
 */

import { openDatabase, type Db } from '../db/database.js'
import { RunNames } from '../db/events.js'
import { findRun, type StoredRun } from '../db/runs.js'
import { SqliteStore } from '../store/sqlite/sqlite-store.js'
import type { Store } from '../store/store.js'

const NAMES_CACHED = 8

export class AppContext {
  /** Where the runs are: every run-level answer (list, find, threads, tasks…) comes from it. */
  readonly store: Store
  private readonly names = new Map<number, RunNames>()
  private companion: Db | null = null

  /** A context over `source`; a SQLite connection is taken as the store it is. */
  constructor(source: Store | Db) {
    this.store = 'kind' in source ? source : new SqliteStore(source)
  }

  /** The SQLite connection, for the views not on the store yet; throws NotYetSupported. */
  get db(): Db {
    return this.store.sqlite('this view of the dashboard')
  }

  /** A second connection to `db`, for reading one run while another is read. */
  secondReader(db: Db = this.db): Db {
    if (this.companion !== null && this.companion.name !== db.name) this.close()
    return (this.companion ??= openDatabase(db.name, { readonly: true }))
  }

  /** Closes the second connection, if one was opened. */
  close(): void {
    this.companion?.close()
    this.companion = null
  }

  /** The run an id (or unique prefix) names, in SQLite; throws RunNotFound. */
  run(id: string): StoredRun {
    return findRun(this.db, id)
  }

  /** The run an id (or unique prefix) names, in any store; rejects with RunNotFound. */
  find(id: string): Promise<StoredRun> {
    return this.store.findRun(id)
  }

  /** The names of a run's ids, kept for the few runs looked at most recently. */
  namesOf(run: number, db: Db = this.db): RunNames {
    let names = this.names.get(run)
    if (names === undefined) {
      names = new RunNames(db, run)
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

  // The per-run views on any store (server/store/replica/).
  /**
   * The run an id (or unique prefix) names, with the database the query layer reads it in
   * (SQLite's own; PostgreSQL's local read cache, brought up to date) and its names. Rejects
   * with RunNotFound, or StoreError when the store fails.
   */
  async reading(id: string): Promise<RunReading> {
    const found = await this.store.findRun(id)
    const db = await this.store.reader(found)
    return { ...found, db, names: this.namesOf(found.key, db) }
  }
}

/** A run found, ready for the query layer. */
export interface RunReading extends StoredRun {
  db: Db
  names: RunNames
}
