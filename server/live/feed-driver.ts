/**
 * The change feed driven by the store's watch: each signal (a run's key, or 0 for "any run")
 * is gathered, and the feed is asked what changed, one question at a time and at most once per
 * MIN_INTERVAL_MS, for the runs heard of since the last question. A burst of writes becomes
 * one question; a signal heard while a question is out leads to one more after it.
 */

import type { Store, WatchOptions } from '../store/store.js'
import { ChangeFeed, type RunChanges } from './feed.js'

const MIN_INTERVAL_MS = 50

export interface FeedDriverOptions extends WatchOptions {
  /** Hears what changed. */
  publish(changes: RunChanges): void
  /** A question the store failed to answer (it is asked again at the next signal). */
  failed(error: unknown): void
}

export class FeedDriver {
  /** Runs heard of since the last question; null: any run. */
  private heard: Set<number> | null = new Set()
  private pending = false
  private asking = false
  private timer: NodeJS.Timeout | null = null
  private last = 0
  private stopWatching: (() => Promise<void>) | null = null
  private stopped = false

  private constructor(
    private readonly feed: ChangeFeed,
    private readonly options: FeedDriverOptions,
  ) {}

  /** Takes the feed's first look and starts watching `store`; resolves once it watches. */
  static async start(store: Store, options: FeedDriverOptions): Promise<FeedDriver> {
    const driver = new FeedDriver(await ChangeFeed.over(store), options)
    driver.stopWatching = await store.watch((run) => driver.hear(run), options)
    return driver
  }

  /** Run `run` (0: any run) may have changed. */
  hear(run: number): void {
    if (this.stopped) return
    if (run === 0) this.heard = null
    else this.heard?.add(run)
    this.pending = true
    this.schedule()
  }

  private schedule(): void {
    if (this.timer !== null || this.asking || !this.pending) return
    const wait = Math.max(0, this.last + MIN_INTERVAL_MS - Date.now())
    this.timer = setTimeout(() => void this.ask(), wait)
  }

  private async ask(): Promise<void> {
    this.timer = null
    this.asking = true
    this.last = Date.now()
    const keys = this.heard === null ? null : [...this.heard]
    this.heard = new Set()
    this.pending = false
    try {
      const changes = await this.feed.changes(keys)
      if (!this.stopped) this.options.publish(changes)
    } catch (error) {
      // Asked again with the next signal, about every run: these may be among them.
      this.heard = null
      if (!this.stopped) this.options.failed(error)
    } finally {
      this.asking = false
      this.schedule()
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    await this.stopWatching?.()
  }
}
