/** Where a run started a child process: a mark in its trace, linked to the child's run. */

import type { RunStatus } from './run.js'

/** The run a started process was recorded as. */
export interface ChildStartRun {
  /** The child's run uuid. */
  id: string
  pid: number | null
  /** How it was started: `subprocess`, `fork`, `multiprocessing-fork`… (see `RunProcess`). */
  startedBy: string
  description: string
  status: RunStatus
}

/** A process the run started, after one of its events. */
export interface ChildStart {
  /** The run's event after which the process was started (0: before the first one). */
  seq: number
  /** The pid the start returned; 0 for a fork, which is marked before it happens. */
  pid: number
  /** Unix time of the start, in seconds. */
  at: number
  /** The child's run; null when it was not recorded (not a Python interpreter, started with a
   * clean environment, or killed before its tracer connected). */
  run: ChildStartRun | null
}
