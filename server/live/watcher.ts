/**
 * Notices that the database changed: chokidar on the file and its `-wal` (where WAL commits
 * land), or polling with `poll`. Notifications are coalesced: `onChange` runs at most once
 * per `minIntervalMs`, and always once after the last notification of a burst. A slow
 * periodic check covers file systems that miss notifications.
 */

import { watch, type FSWatcher } from 'chokidar'

export interface WatchOptions {
  poll: boolean
  minIntervalMs?: number
  /** The periodic check, whatever the notifications say. */
  safetyIntervalMs?: number
}

export class DatabaseWatcher {
  private readonly watcher: FSWatcher
  private readonly safety: NodeJS.Timeout
  private timer: NodeJS.Timeout | null = null
  private last = 0

  constructor(
    path: string,
    private readonly onChange: () => void,
    private readonly options: WatchOptions,
  ) {
    this.watcher = watch([path, `${path}-wal`], {
      ignoreInitial: true,
      usePolling: options.poll,
      interval: 100,
      binaryInterval: 100,
    })
    this.watcher.on('all', () => this.notify())
    this.safety = setInterval(() => this.notify(), options.safetyIntervalMs ?? 2000).unref()
  }

  /** Resolves when the watches are in place. */
  ready(): Promise<void> {
    return new Promise((done) => this.watcher.once('ready', () => done()))
  }

  private notify(): void {
    if (this.timer !== null) return
    const wait = Math.max(0, this.last + (this.options.minIntervalMs ?? 50) - Date.now())
    this.timer = setTimeout(() => {
      this.timer = null
      this.last = Date.now()
      this.onChange()
    }, wait)
  }

  async close(): Promise<void> {
    clearInterval(this.safety)
    if (this.timer) clearTimeout(this.timer)
    await this.watcher.close()
  }
}
