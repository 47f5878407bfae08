/**
 * Writes in order, at the pace of the store: a SQLite store's writes are done when they return,
 * and a run of them stays synchronous; from the first write that answers with a promise
 * (PostgreSQL), each next one waits for the one before.
 */

import type { MaybePromise } from './store.js'

/** Calls each step once the one before is done; a promise only when some step gave one. */
export function inOrder(steps: ReadonlyArray<() => MaybePromise<void>>): MaybePromise<void> {
  for (let at = 0; at < steps.length; at++) {
    const result = steps[at]!()
    if (result instanceof Promise) {
      const rest = steps.slice(at + 1)
      return result.then(() => inOrder(rest))
    }
  }
}
