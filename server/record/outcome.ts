/** How a run ended, decided from what the tracer said and how the process exited. */

import type { ChildProcess } from 'node:child_process'
import { constants } from 'node:os'
import type { PyValue } from '../../shared/wire/marshal.js'
import { PyDict } from '../../shared/wire/marshal.js'
import type { RunEnding } from '../db/runs.js'

/** Signals that mean someone asked the program to stop. */
const INTERRUPTS = new Set(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'])

/** Whether `signal` means someone asked the program to stop (rather than a crash or a kill). */
export function isInterrupt(signal: string): boolean {
  return INTERRUPTS.has(signal)
}

export interface ProcessExit {
  /** Exit status, when the process exited by itself. */
  code: number | null
  /** Signal name, when a signal ended it. */
  signal: string | null
}

/** How `child` ended; rejects with spawn()'s error when it could not start at all. */
export function exited(child: ChildProcess): Promise<ProcessExit> {
  return new Promise((done, fail) => {
    child.once('error', fail)
    child.once('exit', (code, signal) => done({ code, signal }))
  })
}

/**
 * `end` is the tracer's END record (absent when the stream was cut short), `exit` how the
 * process ended (absent when unknown, e.g. a remote run whose connection dropped).
 */
export function decideEnding(
  end: Record<string, PyValue> | null,
  exit: ProcessExit | null,
  now: number,
): RunEnding {
  const ending: RunEnding = {
    status: 'completed',
    endedAt: typeof end?.['ended'] === 'number' ? end['ended'] : now,
    exitCode: exit?.code ?? null,
    signal: exit?.signal ?? null,
    errorType: null,
    errorMessage: null,
    traceback: null,
  }
  const tracerSignal = typeof end?.['signal'] === 'number' ? signalName(end['signal']) : null
  if (ending.signal === null && tracerSignal !== null) ending.signal = tracerSignal
  if (ending.exitCode === null && typeof end?.['exitStatus'] === 'number')
    ending.exitCode = end['exitStatus']

  const exception = end?.['exception']
  if (exception instanceof PyDict) {
    const info = exception.toObject()
    ending.errorType = typeof info['type'] === 'string' ? info['type'] : null
    ending.errorMessage = typeof info['message'] === 'string' ? info['message'] : null
    ending.traceback = typeof info['traceback'] === 'string' ? info['traceback'] : null
  }

  if (
    ending.errorType === 'KeyboardInterrupt' ||
    (ending.signal !== null && INTERRUPTS.has(ending.signal))
  ) {
    ending.status = 'interrupted'
    ending.errorMessage ??= ending.signal ? `interrupted by ${ending.signal}` : 'interrupted'
  } else if (ending.signal !== null) {
    ending.status = 'lost'
    ending.errorMessage ??= `killed by ${ending.signal}`
  } else if (ending.errorType !== null) {
    ending.status = 'error'
  } else if (end === null && exit === null) {
    ending.status = 'lost'
    ending.errorMessage = 'the recording stopped before the program ended'
  } else if (ending.exitCode !== null && ending.exitCode !== 0) {
    ending.status = 'error'
    ending.errorMessage = `exited with status ${ending.exitCode}`
  }
  return ending
}

function signalName(number: number): string | null {
  for (const [name, value] of Object.entries(constants.signals)) if (value === number) return name
  return null
}
