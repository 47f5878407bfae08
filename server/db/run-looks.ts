/**
 * A look at the runs table for the change feed (live/feed.ts): per run, a signature of what
 * the dashboard shows changing (status, event count, end, error, notice, lost events). Both
 * stores read the same columns; the signature is made here, once.
 */

import { RUN_SELECT } from './runs.js'

export interface RunLook {
  /** The run's key in its store. */
  id: number
  uuid: string
  signature: string
}

export interface RunLookRow {
  id: number
  uuid: string
  status: string
  event_count: number
  ended_at: number | null
  error_message: string | null
  notice: string | null
  lost_events: number
}

const COLUMNS = 'id, uuid, status, event_count, ended_at, error_message, notice, lost_events'

/** The SQL of a look, with `?` for each of `keys` (null: every run). */
export function runLookSql(keys: readonly number[] | null): string {
  return keys === null
    ? `SELECT ${COLUMNS} FROM runs`
    : `SELECT ${COLUMNS} FROM runs WHERE id IN (${marks(keys)})`
}

export function toRunLook(row: RunLookRow): RunLook {
  const signature = [
    row.status,
    row.event_count,
    row.ended_at ?? '',
    row.error_message ?? '',
    row.notice ?? '',
    row.lost_events,
  ].join(':')
  return { id: row.id, uuid: row.uuid, signature }
}

/** The SQL of the runs with `keys` (as many `?`), newest first. */
export function runsByKeySql(keys: readonly number[]): string {
  return `${RUN_SELECT} WHERE runs.id IN (${marks(keys)}) ORDER BY runs.started_at DESC, runs.id DESC`
}

function marks(keys: readonly number[]): string {
  return keys.map(() => '?').join(',')
}
