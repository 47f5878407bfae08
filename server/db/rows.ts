/** The one place where SQL's snake_case rows become the camelCase types of `shared/`. */

import type { Run, RunStatus } from '../../shared/types/run.js'
import type { TestOutcome } from '../../shared/types/test.js'

export interface RunRow {
  id: number
  uuid: string
  description: string
  argv: string
  cwd: string
  python: string | null
  python_version: string | null
  host: string | null
  pid: number | null
  backend: string | null
  started_at: number
  ended_at: number | null
  status: RunStatus
  exit_code: number | null
  signal: string | null
  error_type: string | null
  error_message: string | null
  traceback: string | null
  notice: string | null
  event_count: number
  lost_events: number
  options: string
  recorder_host: string | null
  recorder_pid: number | null
  heartbeat_at: number | null
  parent_run: string | null
  started_by: string | null
  /** With RUN_SELECT (runs.ts): the test a test's run recorded. */
  test_name?: string | null
  test_outcome?: TestOutcome | null
  test_session?: string | null
  /** With RUN_SELECT: where in its parent's run a child process was started. */
  parent_seq?: number | null
}

export function toRun(row: RunRow): Run {
  return {
    id: row.uuid,
    description: row.description,
    argv: parseJson<string[]>(row.argv, []),
    cwd: row.cwd,
    python: row.python,
    pythonVersion: row.python_version,
    host: row.host,
    pid: row.pid,
    backend: row.backend,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    status: row.status,
    exitCode: row.exit_code,
    signal: row.signal,
    errorType: row.error_type,
    errorMessage: row.error_message,
    traceback: row.traceback,
    notice: row.notice,
    eventCount: row.event_count,
    lostEvents: row.lost_events,
    options: parseJson<Record<string, unknown>>(row.options, {}),
    ...(row.started_by
      ? {
          process: {
            parent: row.parent_run,
            startedBy: row.started_by,
            parentSeq: row.parent_seq ?? null,
          },
        }
      : {}),
    ...(typeof row.test_name === 'string' && typeof row.test_session === 'string'
      ? {
          test: { id: row.test_name, outcome: row.test_outcome ?? null, session: row.test_session },
        }
      : {}),
  }
}

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T
  } catch {
    return fallback
  }
}
