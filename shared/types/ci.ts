/** `smiley-ci.json`: what `smiley ci` recorded, for a CI job's artifacts. */

import type { RunProcess, RunStatus } from './run.js'
import type { TestOutcome } from './test.js'

export interface CiSummary {
  /** The command as given, one argument per item. */
  command: string[]
  /** Its exit status, or null when a signal ended it. */
  exitCode: number | null
  signal: string | null
  /** Whether the command failed (a non-zero status, or a signal). */
  failed: boolean
  /** Whether the recordings stayed in the database (`--keep all`, or the command failed). */
  kept: boolean
  /** The database's absolute path; null when nothing was kept. */
  database: string | null
  /** Every Python process the command started, in the order they started. */
  runs: CiRun[]
  /** The tests of the pytest or unittest processes, each with its outcome. */
  tests: CiTest[]
  /** Where `--report` wrote each failing run's static report (run id → folder). */
  reports: Record<string, string>
}

export interface CiRun {
  id: string
  process: RunProcess
  description: string
  pid: number | null
  status: RunStatus
  exitCode: number | null
  /** The uncaught exception or how the process failed, in one line. */
  error: string | null
  events: number
  startedAt: number
  endedAt: number | null
}

export interface CiTest {
  /** The run of the test session (the pytest process) it ran in. */
  session: string
  name: string
  outcome: TestOutcome | null
  duration: number | null
  /** The test's own run, when it is kept (a failing test, or `--keep all`). */
  run: string | null
}
