/** Tests recorded one run each (`smiley pytest`, `smiley run --per-test`). */

/** How a test ended, as pytest's summary counts it. */
export type TestOutcome = 'passed' | 'failed' | 'error' | 'skipped' | 'xfailed' | 'xpassed'

export const TEST_OUTCOMES: readonly TestOutcome[] = [
  'passed',
  'failed',
  'error',
  'skipped',
  'xfailed',
  'xpassed',
]

/** Whether a test with this outcome failed: its run is kept by `--keep failed`. */
export function isFailing(outcome: TestOutcome | null): boolean {
  return outcome === 'failed' || outcome === 'error'
}

/** What a test's run says about its test. */
export interface RunTest {
  /** The test's name: a pytest node id (`tests/test_x.py::test_y[1]`), a unittest id. */
  id: string
  /** null while the test runs. */
  outcome: TestOutcome | null
  /** The id of the session's run: everything outside tests (collection, shared fixtures). */
  session: string
}

/** One test of a session, as the session lists it. */
export interface SessionTest {
  /** 1, 2, … in the order the tests started. */
  position: number
  /** The test's name: a pytest node id, a unittest id. */
  name: string
  /** The id of the test's run; `kept` says whether it is still in the database. */
  run: string
  kept: boolean
  startedAt: number
  outcome: TestOutcome | null
  /** Seconds, as the test runner measured them. */
  duration: number | null
  /** Events of the test's run (kept when the run was deleted). */
  events: number | null
}
