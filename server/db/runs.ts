/** Queries on the runs table: create, finish, list, find by id prefix, notice lost ones. */

import { hostname } from 'node:os'
import type { Run, RunStatus } from '../../shared/types/run.js'
import { databaseFailure, withoutWaiting, type Db } from './database.js'
import { toRun, type RunRow } from './rows.js'

/**
 * `SELECT` of runs with what `toRun` reads: the run's row and, for a test's run, its test, for
 * a child process's run where its parent started it (a started program by its pid; a fork, which
 * is marked without one, by the latest fork made before it started). A query goes on with
 * WHERE, ORDER BY… on `runs`.
 */
export const RUN_SELECT = `SELECT runs.*, tests.name AS test_name, tests.outcome AS test_outcome,
    sessions.uuid AS test_session,
    CASE WHEN runs.parent_run IS NOT NULL THEN (SELECT starts.seq FROM child_starts AS starts
      JOIN runs AS parents ON parents.id = starts.run
      WHERE parents.uuid = runs.parent_run AND (starts.pid = runs.pid OR (starts.pid = 0
        AND runs.started_by LIKE '%fork%' AND starts.at <= runs.started_at)
        OR (starts.pid = runs.parent_pid AND starts.at <= runs.started_at))
      ORDER BY starts.pid = runs.pid DESC, starts.pid = runs.parent_pid DESC, starts.at DESC
      LIMIT 1) END AS parent_seq
  FROM runs LEFT JOIN tests ON tests.test_run = runs.uuid
    LEFT JOIN runs AS sessions ON sessions.id = tests.run`

export class RunNotFound extends Error {
  override name = 'RunNotFound'
}

/** A run as stored, with its local key for the other tables. */
export interface StoredRun {
  key: number
  run: Run
}

export interface NewRun {
  uuid: string
  description: string
  argv: string[]
  cwd: string
  python: string | null
  pythonVersion: string | null
  host: string | null
  pid: number | null
  backend: string | null
  startedAt: number
  options: Record<string, unknown>
  /** The process writing the run; defaults to this one. */
  recorderPid?: number
  /** A child process's run: the run that started it, how, and its parent process's pid. */
  process?: { parent: string | null; startedBy: string; parentPid?: number | null }
}

/** The columns a new run is inserted with (both stores): see `newRunValues`. */
export const NEW_RUN_COLUMNS =
  'uuid, description, argv, cwd, python, python_version, host, pid, backend, started_at, ' +
  'status, options, recorder_host, recorder_pid, heartbeat_at, parent_run, started_by, parent_pid'

/** `run`'s values, in the order of NEW_RUN_COLUMNS: a run being recorded by this process. */
export function newRunValues(run: NewRun): unknown[] {
  return [
    run.uuid,
    run.description,
    JSON.stringify(run.argv),
    run.cwd,
    run.python,
    run.pythonVersion,
    run.host,
    run.pid,
    run.backend,
    run.startedAt,
    'running',
    JSON.stringify(run.options),
    hostname(),
    run.recorderPid ?? process.pid,
    Date.now() / 1000,
    run.process?.parent ?? null,
    run.process?.startedBy ?? null,
    run.process?.parentPid ?? null,
  ]
}

export function createRun(db: Db, run: NewRun): number {
  const values = newRunValues(run)
  const result = db
    .prepare(`INSERT INTO runs (${NEW_RUN_COLUMNS}) VALUES (${values.map(() => '?').join(', ')})`)
    .run(...values)
  return Number(result.lastInsertRowid)
}

/** How a run ended. */
export interface RunEnding {
  status: Exclude<RunStatus, 'running'>
  endedAt: number
  exitCode: number | null
  signal: string | null
  errorType: string | null
  errorMessage: string | null
  traceback: string | null
}

export function finishRun(db: Db, key: number, ending: RunEnding): void {
  db.prepare(
    `UPDATE runs SET status = ?, ended_at = ?, exit_code = ?, signal = ?, error_type = ?,
       error_message = ?, traceback = ?, heartbeat_at = NULL WHERE id = ?`,
  ).run(
    ending.status,
    ending.endedAt,
    ending.exitCode,
    ending.signal,
    ending.errorType,
    ending.errorMessage,
    ending.traceback,
    key,
  )
}

/** A child process `pid` was started in run `key` after its event `seq`. */
export function markChildStart(db: Db, key: number, pid: number, seq: number, at: number): void {
  db.prepare('INSERT INTO child_starts (run, pid, seq, at) VALUES (?, ?, ?, ?)').run(
    key,
    pid,
    seq,
    at,
  )
}

export function setNotice(db: Db, key: number, notice: string): void {
  db.prepare('UPDATE runs SET notice = ? WHERE id = ?').run(notice, key)
}

export function heartbeat(db: Db, key: number): void {
  db.prepare("UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'").run(
    Date.now() / 1000,
    key,
  )
}

export interface ListOptions {
  errorsOnly?: boolean
  limit?: number
}

/** Runs, newest first. */
export function listRuns(db: Db, options: ListOptions = {}): Run[] {
  return (db.prepare(listRunsSql(options)).all() as RunRow[]).map(toRun)
}

/** The SQL of listRuns (no parameters). */
export function listRunsSql(options: ListOptions = {}): string {
  const where = options.errorsOnly ? "WHERE runs.status IN ('error', 'interrupted', 'lost')" : ''
  const limit = options.limit ? `LIMIT ${Math.floor(options.limit)}` : ''
  return `${RUN_SELECT} ${where} ORDER BY runs.started_at DESC, runs.id DESC ${limit}`
}

/** The question that finds the run a user means (see findRun), in SQL with `?` parameters. */
export interface RunQuestion {
  sql: string
  params: unknown[]
  /** `latest~N`: N; null for an id or a prefix. */
  offset: number | null
}

/**
 * The run a user means: its full id, a unique prefix of it, `latest` (the newest run that is
 * not a child process's), or `latest~N` (the run N such runs before the latest).
 * Throws `RunNotFound` with a message that says what to do.
 */
export function findRun(db: Db, reference: string): StoredRun {
  const question = runQuestion(reference)
  return foundRun(reference, question, db.prepare(question.sql).all(...question.params) as RunRow[])
}

/** How to look for the run `reference` names; throws RunNotFound when it cannot name one. */
export function runQuestion(reference: string): RunQuestion {
  const wanted = reference.trim().toLowerCase()
  const back = /^latest(?:~(\d+))?$/.exec(wanted)
  if (back !== null) {
    const offset = Number(back[1] ?? 0)
    return {
      // The runs a user started: a child process's run is named by its id, as `list` nests it.
      sql: `${RUN_SELECT} WHERE runs.parent_run IS NULL ORDER BY runs.started_at DESC, runs.id DESC LIMIT 1 OFFSET ?`,
      params: [offset],
      offset,
    }
  }
  if (!/^[0-9a-f-]+$/.test(wanted))
    throw new RunNotFound(`"${reference}" is not a run id (see: smiley list)`)
  return {
    sql: `${RUN_SELECT} WHERE runs.uuid >= ? AND runs.uuid < ? || 'g' ORDER BY runs.uuid LIMIT 2`,
    params: [wanted, wanted],
    offset: null,
  }
}

/** The run among the answers to `question`; throws RunNotFound with what to do. */
export function foundRun(reference: string, question: RunQuestion, rows: RunRow[]): StoredRun {
  const { offset } = question
  if (offset !== null && rows.length === 0)
    throw new RunNotFound(
      offset === 0
        ? 'there are no runs yet (record one with: smiley run prog.py)'
        : `there is no run ${reference}: fewer than ${offset + 1} runs (see: smiley list)`,
    )
  if (rows.length === 0) throw new RunNotFound(`no run with id ${reference} (see: smiley list)`)
  if (rows.length > 1 && rows[0]!.uuid !== reference.trim().toLowerCase()) {
    throw new RunNotFound(
      `run id ${reference} is ambiguous: give more characters (see: smiley list)`,
    )
  }
  const row = rows[0]!
  return { key: row.id, run: toRun(row) }
}

/** How long a recorder may stay silent before its running run counts as lost. */
export const HEARTBEAT_TIMEOUT_S = 30

/**
 * Marks as lost the runs still `running` whose recorder is gone: a process on this host that
 * no longer exists, or no heartbeat for HEARTBEAT_TIMEOUT_S. Returns how many were marked.
 * Such a run ends at its last event (a thread's last time, counted from its start) or at its
 * last heartbeat, whichever is later: a recorder killed before its second heartbeat may have
 * written seconds of events. Housekeeping never waits nor fails a reader: while another process writes, or when the
 * database cannot be written (a full disk, a read-only file), it is left for the next look.
 */
export function markLostRuns(db: Db): number {
  const running = db
    .prepare(
      "SELECT id, recorder_host, recorder_pid, heartbeat_at FROM runs WHERE status = 'running'",
    )
    .all() as Array<Pick<RunRow, 'id' | 'recorder_host' | 'recorder_pid' | 'heartbeat_at'>>
  if (running.length === 0) return 0
  const now = Date.now() / 1000
  const lost = running.filter((row) => isLost(row, now))
  const mark = db.prepare(
    `UPDATE runs SET status = 'lost',
       ended_at = coalesce(ended_at, max(coalesce(heartbeat_at, started_at), started_at +
         coalesce((SELECT max(last_us) FROM threads WHERE run = runs.id), 0) / 1e6)),
       error_message = coalesce(error_message, 'the recording process stopped before the run ended')
     WHERE id = ? AND status = 'running'`,
  )
  try {
    withoutWaiting(db, () => db.transaction(() => lost.forEach((row) => mark.run(row.id)))())
  } catch (error) {
    if (databaseFailure(error) !== null) return 0
    throw error
  }
  return lost.length
}

/** A running run whose recorder is gone: see markLostRuns. */
export function isLost(
  row: Pick<RunRow, 'recorder_host' | 'recorder_pid' | 'heartbeat_at'>,
  now: number,
): boolean {
  if (
    row.recorder_host === hostname() &&
    row.recorder_pid !== null &&
    !processExists(row.recorder_pid)
  )
    return true
  return row.heartbeat_at === null || now - row.heartbeat_at > HEARTBEAT_TIMEOUT_S
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
