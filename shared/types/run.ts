/** A recorded run, as every reader (CLI, API, UI) sees it. */

import type { RunTest } from './test.js'

export type RunStatus = 'running' | 'completed' | 'error' | 'interrupted' | 'lost'

export const RUN_STATUSES: readonly RunStatus[] = [
  'running',
  'completed',
  'error',
  'interrupted',
  'lost',
]

export interface Run {
  /** The run's uuid. A unique prefix of it identifies the run everywhere. */
  id: string
  /** The command line, or what `--description` said. */
  description: string
  /** The interpreter's arguments: `["prog.py", …]` or `["-m", "module", …]`. */
  argv: string[]
  cwd: string
  /** Interpreter path and version, e.g. `/usr/bin/python3` and `3.11.7`. */
  python: string | null
  pythonVersion: string | null
  host: string | null
  pid: number | null
  /** Which hook recorded it: `monitoring` (3.12+) or `settrace`. */
  backend: string | null
  /** Unix time in seconds. */
  startedAt: number
  endedAt: number | null
  status: RunStatus
  exitCode: number | null
  /** The signal that ended the program, e.g. `SIGTERM`. */
  signal: string | null
  /** The uncaught exception, or how the program failed. */
  errorType: string | null
  errorMessage: string | null
  traceback: string | null
  /** Why tracing stopped before the program did, when it did. */
  notice: string | null
  eventCount: number
  /** Events dropped on the way (remote recording only). */
  lostEvents: number
  /** How the run was recorded (max repr, redaction, filters, profile). */
  options: Record<string, unknown>
  /** The test this run recorded, for one test's run of a session (`smiley pytest`). */
  test?: RunTest
  /** For a child process's run (or a process `smiley ci` recorded): how it was started. */
  process?: RunProcess
}

/** How a recorded process was started, and by which run. */
export interface RunProcess {
  /** The uuid of the run of the process that started this one; null for `smiley ci`'s command. */
  parent: string | null
  /** `subprocess`, `exec`, `fork`, `multiprocessing-fork`, `multiprocessing-spawn`,
   * `multiprocessing-forkserver`, or `command` (started by `smiley ci`'s command). */
  startedBy: string
  /** The event of the parent's run after which this process was started (0: before any);
   * null when unknown (an exec, or a parent that did not say). */
  parentSeq?: number | null
}
