/**
 * Waiting for a run to be written to, through the store's watch (chokidar on SQLite's file,
 * LISTEN/NOTIFY on PostgreSQL): what `tail` sleeps on between its reads.
 */

import type { Store } from './store.js'

export class RunWatch {
  /** Heard since the last `next`: the next read must not wait. */
  private rung = false
  private wake: (() => void) | null = null
  private stopWatching: (() => Promise<void>) | null = null

  private constructor() {}

  /** Watches run `key` of `store`; resolves once watching. */
  static async start(store: Store, key: number): Promise<RunWatch> {
    const watch = new RunWatch()
    watch.stopWatching = await store.watch((run) => {
      if (run === 0 || run === key) watch.ring()
    })
    return watch
  }

  private ring(): void {
    this.rung = true
    this.wake?.()
  }

  /** Resolves once the run was written to since the last call, or after `ms` at most. */
  async next(ms: number): Promise<void> {
    if (!this.rung) {
      await new Promise<void>((done) => {
        const timer = setTimeout(done, ms)
        this.wake = () => {
          clearTimeout(timer)
          done()
        }
      })
      this.wake = null
    }
    this.rung = false
  }

  async stop(): Promise<void> {
    this.wake?.()
    await this.stopWatching?.()
  }
}
