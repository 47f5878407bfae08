/**
 * What `smiley run` knows about a run before its tracer says hello, and the run row built
 * from both. Shared by the local path and by a recorder receiving the run over HTTP.
 */

import type { PyValue } from '../../shared/wire/marshal.js'
import type { NewRun } from '../db/runs.js'

export interface RunInfo {
  /** The run's uuid, also given to the tracer. */
  uuid: string
  /** How the run is listed: `--description`, or the command line. */
  description: string
  /** The interpreter's arguments. */
  argv: string[]
  /** How the run is recorded (max repr, redaction, filters, profile). */
  options: Record<string, unknown>
}

/** The run row for `info`, completed from the tracer's `hello`. */
export function newRun(info: RunInfo, hello: Record<string, PyValue>, fallbackCwd = ''): NewRun {
  return {
    uuid: info.uuid,
    description: info.description,
    argv: info.argv,
    cwd: str(hello['cwd']) ?? fallbackCwd,
    python: str(hello['executable']),
    pythonVersion: str(hello['python']),
    host: str(hello['host']),
    pid: typeof hello['pid'] === 'number' ? hello['pid'] : null,
    backend: str(hello['backend']),
    startedAt: typeof hello['started'] === 'number' ? hello['started'] : Date.now() / 1000,
    options: { ...info.options, ...accelerator(hello) },
  }
}

/** Whether the tracer's native accelerator recorded the run, and if not, why it could not. */
function accelerator(hello: Record<string, PyValue>): Record<string, string> {
  if (hello['native'] === true) return { accelerator: 'native' }
  const problem = str(hello['nativeProblem'])
  return problem === null
    ? { accelerator: 'python' }
    : { accelerator: 'python', nativeProblem: problem }
}

function str(value: PyValue | undefined): string | null {
  return typeof value === 'string' ? value : null
}
