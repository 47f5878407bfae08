/** Queries on the tests of a session (`smiley run --per-test`): each test is a run of its own. */

import type { SessionTest, TestOutcome } from '../../shared/types/test.js'
import type { Db } from './database.js'
import { readTestPacks } from './test-packs.js'

export interface NewTest {
  /** The session run's local key. */
  session: number
  position: number
  name: string
  /** The uuid of the test's own run. */
  run: string
  startedAt: number
}

export function createTest(db: Db, test: NewTest): void {
  db.prepare(
    'INSERT OR REPLACE INTO tests (run, position, name, test_run, started_at) VALUES (?, ?, ?, ?, ?)',
  ).run(test.session, test.position, test.name, test.run, test.startedAt)
}

/** How a test ended, as its session lists it. */
export interface EndedTest {
  outcome: TestOutcome
  duration: number
  events: number
}

export function endTest(db: Db, session: number, position: number, ended: EndedTest): void {
  db.prepare(
    'UPDATE tests SET outcome = ?, duration = ?, events = ? WHERE run = ? AND position = ?',
  ).run(ended.outcome, ended.duration, ended.events, session, position)
}

export interface TestRow {
  position: number
  name: string
  test_run: string
  kept: number
  started_at: number
  outcome: TestOutcome | null
  duration: number | null
  events: number | null
}

/** The rows of the tests of session `?` (its local key), in the order they started. */
export const TEST_ROWS = `SELECT position, name, test_run, started_at, outcome, duration,
    coalesce(events, (SELECT event_count FROM runs WHERE uuid = test_run)) AS events,
    CASE WHEN EXISTS (SELECT 1 FROM runs WHERE uuid = test_run) THEN 1 ELSE 0 END AS kept
  FROM tests WHERE run = ? ORDER BY position`

/** The tests of the session with local key `session`, in the order they started: those in
 * rows and those packed (test-packs.ts). */
export function listTests(db: Db, session: number): SessionTest[] {
  return sessionTests(db.prepare(TEST_ROWS).all(session) as TestRow[], readTestPacks(db, session))
}

/** A session's tests from its rows and its packed tests, in the order they started. */
export function sessionTests(rows: TestRow[], packed: SessionTest[]): SessionTest[] {
  const listed = rows.map((row): SessionTest => ({
    position: row.position,
    name: row.name,
    run: row.test_run,
    kept: row.kept === 1,
    startedAt: row.started_at,
    outcome: row.outcome,
    duration: row.duration,
    events: row.events,
  }))
  if (packed.length === 0) return listed
  return [...listed, ...packed].sort((a, b) => a.position - b.position)
}
