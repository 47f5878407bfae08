/**
 * LISTEN on RUNS_CHANNEL over a connection of its own, found again with backoff when it is
 * lost: the PostgreSQL side of the change feed, in place of chokidar on SQLite's WAL file.
 */

import pg from 'pg'
import type { WatchOptions } from '../store.js'
import { pgFailure } from './connect.js'
import { RUNS_CHANNEL } from './write-batch.js'

const FIRST_RETRY_MS = 500
const LAST_RETRY_MS = 30_000

export class RunsWatcher {
  private client: pg.Client | null = null
  private stopped = false
  private retryMs = FIRST_RETRY_MS
  private retry: NodeJS.Timeout | null = null

  constructor(
    private readonly url: string,
    private readonly location: string,
    private readonly changed: (run: number) => void,
    private readonly options: WatchOptions = {},
  ) {}

  /** Listens; rejects with one line when the first connection fails. */
  async start(): Promise<void> {
    try {
      await this.connect()
    } catch (error) {
      throw pgFailure(error, this.location) ?? error
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.retry) clearTimeout(this.retry)
    const client = this.client
    this.client = null
    await client?.end().catch(() => undefined)
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url })
    client.on('notification', (message) => {
      if (message.channel === RUNS_CHANNEL) this.changed(Number(message.payload ?? 0))
    })
    client.on('error', (error) => this.lost(client, error))
    client.on('end', () => this.lost(client, null))
    await client.connect()
    await client.query(`LISTEN ${RUNS_CHANNEL}`)
    if (this.stopped) {
      await client.end()
      return
    }
    this.client = client
    this.retryMs = FIRST_RETRY_MS
  }

  /** The connection is gone: found again later, and then anything may have changed. */
  private lost(client: pg.Client, error: Error | null): void {
    if (this.stopped || this.client !== client) return
    this.client = null
    void client.end().catch(() => undefined)
    // The cause, without the server's name said twice.
    const why = error === null ? null : pgFailure(error, this.location)
    const cause = why?.message
      .replace(`lost the connection to PostgreSQL at ${this.location}: `, '')
      .replace(`PostgreSQL at ${this.location}: `, '')
    this.options.lost?.(
      `lost the connection to PostgreSQL at ${this.location}${cause ? ` (${cause})` : ''}; ` +
        'live updates wait until it is back',
    )
    this.schedule()
  }

  private schedule(): void {
    this.retry = setTimeout(() => {
      this.retry = null
      this.connect().then(
        () => {
          this.options.found?.()
          this.changed(0)
        },
        () => {
          this.retryMs = Math.min(LAST_RETRY_MS, this.retryMs * 2)
          if (!this.stopped) this.schedule()
        },
      )
    }, this.retryMs)
    this.retry.unref()
  }
}
