/** Connecting to PostgreSQL, and its failures said in one line each. */

import pg from 'pg'
import { StoreError } from '../errors.js'

// BIGINT columns hold seqs, keys and microseconds, all far below 2^53: numbers, not strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (text) => Number(text))

/**
 * A pool on `url`; nothing is connected until the first query. A `pipelined` pool's clients
 * send each query as soon as it is asked, without waiting for the answers to those before it
 * (a recorder's flush: one round trip instead of one per statement).
 */
export function createPool(url: string, { pipelined = false, max = 4 } = {}): pg.Pool {
  let config: pg.PoolConfig
  try {
    new URL(url)
    config = { connectionString: url, max, connectionTimeoutMillis: 10_000, pipeline: pipelined }
  } catch {
    throw new StoreError(`${url} is not a PostgreSQL URL (postgres://user@host:port/database)`)
  }
  const pool = new pg.Pool(config)
  // An idle client whose server went away: the next query says so, nothing crashes here.
  pool.on('error', () => undefined)
  return pool
}

/** PostgreSQL's error codes a user can act on. */
const CODES: Record<string, string> = {
  '28P01': 'wrong password or user',
  '28000': 'the server does not let this user in (pg_hba.conf)',
  '3D000': 'the database does not exist',
  '57P01': 'the server was shut down',
  '53300': 'the server has too many connections',
}

/**
 * `error` as a StoreError saying what went wrong at `where`, or null for an error that is not
 * the connection's or the server's.
 */
export function pgFailure(error: unknown, where: string): StoreError | null {
  if (error instanceof StoreError) return error
  if (!(error instanceof Error)) return null
  const code = (error as { code?: string }).code ?? ''
  if (code in CODES) return new StoreError(`PostgreSQL at ${where}: ${CODES[code]}`)
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH' ||
    code === 'ETIMEDOUT'
  )
    return new StoreError(`cannot reach PostgreSQL at ${where} (${reachFailure(code)})`)
  if (
    /timeout|terminated|Connection terminated|ECONNRESET/i.test(error.message) ||
    code === 'ECONNRESET'
  )
    return new StoreError(`lost the connection to PostgreSQL at ${where}: ${error.message}`)
  if (error instanceof pg.DatabaseError)
    return new StoreError(`PostgreSQL at ${where}: ${error.message}`)
  return null
}

function reachFailure(code: string): string {
  if (code === 'ECONNREFUSED') return 'connection refused: is the server running on that port?'
  if (code === 'ENOTFOUND') return 'no such host'
  return 'no answer'
}
