/** The colour each run status is shown in. */

import type { RunStatus } from '../../shared/types/run.js'
import type { Style } from './output.js'

export const STATUS_STYLE: Record<RunStatus, Style> = {
  running: 'cyan',
  completed: 'green',
  error: 'red',
  interrupted: 'yellow',
  lost: 'magenta',
}
