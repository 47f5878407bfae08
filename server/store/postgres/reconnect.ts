/**
 * A recorder's writes through an outage: a transaction that fails because the connection was
 * lost (the server restarted, the network dropped) is tried again on a new connection, with
 * backoff, for a bounded time. Meanwhile the write's promise is pending, so the recorder holds
 * the program's stream (back-pressure) and nothing is dropped.
 *
 * A transaction is never applied twice. One whose connection was lost may have committed all
 * the same (the COMMIT's answer was on its way): each write says how to tell (`found`: the
 * run's event count has reached the batch's, the run's row exists), or that writing it again
 * changes nothing (upserts and updates to the same values). Transaction ids cannot tell: after
 * a crash the server hands out again the ids of transactions it never logged.
 */

import type pg from 'pg'
import { StoreError } from '../errors.js'
import { pgFailure } from './connect.js'

/** How long writes are tried again by default, in seconds (SMILEY_PG_RECONNECT changes it). */
const DEFAULT_PATIENCE_S = 30
const FIRST_WAIT_MS = 200
const LONGEST_WAIT_MS = 5000

/** Server and connection failures that a new connection (or a new try) may not meet. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '40P01', // deadlock_detected: this transaction was rolled back, another goes on
  '40001', // serialization_failure: likewise
])

/** Whether `error` is the connection or the server going away, rather than the write's fault. */
export function isConnectionLoss(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = (error as { code?: string }).code
  if (code !== undefined && TRANSIENT_CODES.has(code)) return true
  return /Connection terminated|terminated unexpectedly|connection error|not queryable|timeout expired/i.test(
    error.message,
  )
}

/** How long to keep trying, in milliseconds, as SMILEY_PG_RECONNECT says (seconds). */
export function patienceMs(env: NodeJS.ProcessEnv = process.env): number {
  const given = Number(env['SMILEY_PG_RECONNECT'])
  return (Number.isFinite(given) && given >= 0 ? given : DEFAULT_PATIENCE_S) * 1000
}

export class Reconnecting {
  /** The last write gave up: the next ones try once, so that a dead server costs one wait. */
  private gaveUp = false

  constructor(
    private readonly pool: pg.Pool,
    private readonly location: string,
    private readonly patience: number,
  ) {}

  /**
   * Runs `work` in a transaction until it has committed exactly once. After an attempt whose
   * connection was lost, `found` says whether it committed after all (with its result), or null
   * when it did not; without `found`, the write is one that may be written twice. Fails with one
   * line when the server stays away longer than the patience, at once for any other failure.
   */
  commit<T>(
    work: (client: pg.PoolClient) => Promise<T>,
    found: (() => Promise<{ value: T } | null>) | null = null,
  ): Promise<T> {
    return this.retried(() => this.attempt(work), found)
  }

  /**
   * `statements` in one transaction sent at once, committed exactly once as `commit` does: on
   * a pipelined pool (connect.ts) one round trip, where a transaction of awaited statements
   * waits for the server at each. A statement that fails makes those after it fail too and the
   * COMMIT roll back; its own error, through `refused`, is the one thrown. Their results.
   */
  commitAtOnce(
    statements: pg.QueryConfig[],
    found: (() => Promise<{ value: pg.QueryResult[] } | null>) | null,
    refused: (error: unknown) => unknown = (error) => error,
  ): Promise<pg.QueryResult[]> {
    return this.retried(() => this.attemptAtOnce(statements, refused), found)
  }

  private async retried<T>(
    attempt: () => Promise<T>,
    found: (() => Promise<{ value: T } | null>) | null,
  ): Promise<T> {
    const deadline = Date.now() + (this.gaveUp ? 0 : this.patience)
    let wait = FIRST_WAIT_MS
    let tried = false
    for (;;) {
      try {
        if (tried && found !== null) {
          const committed = await found()
          if (committed !== null) {
            this.gaveUp = false
            return committed.value
          }
        }
        tried = true
        const result = await attempt()
        this.gaveUp = false
        return result
      } catch (error) {
        if (!isConnectionLoss(error)) throw pgFailure(error, this.location) ?? error
        if (Date.now() + wait > deadline) {
          this.gaveUp = true
          const failure = pgFailure(error, this.location)
          const seconds = Math.round(this.patience / 1000)
          throw new StoreError(
            `${failure?.message ?? error}${this.patience > 0 ? ` (tried again for ${seconds} s)` : ''}`,
          )
        }
        await new Promise((done) => setTimeout(done, wait))
        wait = Math.min(wait * 2, LONGEST_WAIT_MS)
      }
    }
  }

  /** One attempt of `statements` sent at once, in a transaction on a client of its own. */
  private async attemptAtOnce(
    statements: pg.QueryConfig[],
    refused: (error: unknown) => unknown,
  ): Promise<pg.QueryResult[]> {
    const client = await this.pool.connect()
    const ignore = () => undefined // the queries under way fail with it
    client.on('error', ignore)
    let broken: Error | undefined
    try {
      const answers = await Promise.allSettled([
        client.query('BEGIN'),
        ...statements.map((statement) => client.query(statement)),
        client.query('COMMIT'),
      ])
      const failed = answers.find((answer) => answer.status === 'rejected')
      if (failed !== undefined) {
        // Otherwise the COMMIT has ended the failed transaction (rolled back), unless it failed
        // itself: then the client's state is unknown, and it is not reused.
        if (isConnectionLoss(failed.reason) || answers.at(-1)!.status === 'rejected')
          broken = failed.reason as Error
        throw refused(failed.reason)
      }
      return answers
        .slice(1, -1)
        .map((answer) => (answer as PromiseFulfilledResult<pg.QueryResult>).value)
    } finally {
      client.off('error', ignore)
      client.release(broken)
    }
  }

  /** One attempt, in a transaction on a client of its own. */
  private async attempt<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect()
    const ignore = () => undefined // the query under way fails with it
    client.on('error', ignore)
    let broken: Error | undefined
    try {
      await client.query('BEGIN')
      const result = await work(client)
      await client.query('COMMIT')
      return result
    } catch (error) {
      if (isConnectionLoss(error)) broken = error as Error
      else await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.off('error', ignore)
      client.release(broken)
    }
  }
}
