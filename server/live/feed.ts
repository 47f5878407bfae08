/**
 * What changed in the runs table since the last look, in any store. Each signal of the
 * store's watch leads to one `changes()` call: new runs, changed ones (status, event count,
 * end, error) and deleted ones are found by comparing with the previous look, so a burst of
 * writes is never missed and never reported twice. A signal that names runs (PostgreSQL's
 * NOTIFY) is answered by looking at those runs only.
 */

import type { Run } from '../../shared/types/run.js'
import type { RunLook } from '../db/run-looks.js'
import type { Store } from '../store/store.js'

export interface RunChanges {
  /** Runs new or changed since the last look, newest first. */
  changed: Run[]
  /** Ids of runs that disappeared. */
  deleted: string[]
}

export class ChangeFeed {
  private readonly known = new Map<number, RunLook>()

  private constructor(private readonly store: Store) {}

  /** A feed over `store`, its first look taken: what is there now is not news. */
  static async over(store: Store): Promise<ChangeFeed> {
    const feed = new ChangeFeed(store)
    for (const look of await store.runLooks(null)) feed.known.set(look.id, look)
    return feed
  }

  /**
   * What changed among the runs with `keys` (null: among all runs). Calls must not overlap:
   * each compares with the look the one before it left.
   */
  async changes(keys: readonly number[] | null = null): Promise<RunChanges> {
    const now = new Map((await this.store.runLooks(keys)).map((look) => [look.id, look]))
    const gone: RunLook[] = []
    const changed: RunLook[] = []
    for (const key of keys ?? new Set([...this.known.keys(), ...now.keys()])) {
      const before = this.known.get(key)
      const look = now.get(key)
      if (look === undefined) {
        if (before !== undefined) gone.push(before)
      } else if (before?.signature !== look.signature) changed.push(look)
    }
    // Remembered only once read: a failed read leaves the changes for the next question.
    const runs = await this.store.runsByKey(changed.map((look) => look.id))
    for (const look of gone) this.known.delete(look.id)
    for (const look of changed) this.known.set(look.id, look)
    return { changed: runs, deleted: gone.map((look) => look.uuid) }
  }
}
