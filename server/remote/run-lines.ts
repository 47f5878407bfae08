/** The lines `smiley record` and `smiley monitor` print as a run starts and ends. */

import type { RunStatus } from '../../shared/types/run.js'
import { shortId } from '../console/format.js'
import type { Output } from '../console/output.js'
import { STATUS_STYLE } from '../console/status-style.js'

/** `run 4f1c2a9e started: prog.py --fast (host build-7)` */
export function startedLine(
  out: Output,
  uuid: string,
  description: string,
  host: string | null,
): string {
  const where = host === null ? '' : ` (host ${host})`
  return `${out.style('bold', `run ${shortId(uuid)}`)} started: ${description}${where}`
}

export interface RunOutcome {
  status: Exclude<RunStatus, 'running'>
  events: number
  lostEvents: number
  /** What went wrong, when it did. */
  message: string | null
}

/** `run 4f1c2a9e error: 318 events, 12 lost (RuntimeError: went wrong)` */
export function endedLine(out: Output, uuid: string, outcome: RunOutcome): string {
  const lost = outcome.lostEvents > 0 ? `, ${outcome.lostEvents} lost` : ''
  const why = outcome.message === null ? '' : ` (${outcome.message})`
  const status = out.style(STATUS_STYLE[outcome.status], outcome.status)
  return `${out.style('bold', `run ${shortId(uuid)}`)} ${status}: ${outcome.events} events${lost}${why}`
}

/** What went wrong in a run, from its ending: `KeyError: 'x'`, or `killed by SIGKILL`. */
export function endingMessage(ending: {
  errorType: string | null
  errorMessage: string | null
}): string | null {
  if (ending.errorType !== null)
    return ending.errorMessage ? `${ending.errorType}: ${ending.errorMessage}` : ending.errorType
  return ending.errorMessage
}
