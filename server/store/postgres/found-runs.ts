/**
 * Finished runs found by their full id, remembered for a moment: the dashboard names its run
 * in every request (each step through the explorer), and asking PostgreSQL where that run is
 * costs a round trip each time, more than the step itself answered from the read cache.
 *
 * Only a finished run is remembered, and only when named by its whole id: a running run
 * changes with every batch, and "latest" or a prefix may name another run as runs come. A
 * finished run changes only when it is deleted, imported again or given a notice; such a
 * change made through this store forgets it at once, one announced on the change feed (when
 * the store is watched) as soon as it is heard, and any other within FRESH_MS.
 */

import type { StoredRun } from '../../db/runs.js'

/** How long a finished run found is taken as it was, at most. */
export const FRESH_MS = 1000

/** Past this many runs remembered, the stale ones are let go. */
const KEPT = 64

export class FoundRuns {
  private readonly kept = new Map<string, { found: StoredRun; at: number }>()

  /** The run `reference` named less than FRESH_MS ago, if it was finished then. */
  get(reference: string): StoredRun | undefined {
    const entry = this.kept.get(reference)
    if (entry === undefined) return undefined
    if (performance.now() - entry.at < FRESH_MS) return entry.found
    this.kept.delete(reference)
    return undefined
  }

  /** Remembers `found`, named by `reference`, when it is finished and `reference` is its id. */
  keep(reference: string, found: StoredRun): void {
    if (found.run.status === 'running' || reference !== found.run.id) return
    const now = performance.now()
    if (this.kept.size >= KEPT)
      for (const [old, { at }] of this.kept) if (now - at >= FRESH_MS) this.kept.delete(old)
    this.kept.set(reference, { found, at: now })
  }

  /** Forgets run `key`; every run for 0 (anything may have changed). */
  forget(key: number): void {
    if (key === 0) {
      this.kept.clear()
      return
    }
    for (const [reference, { found }] of this.kept)
      if (found.key === key) this.kept.delete(reference)
  }
}
