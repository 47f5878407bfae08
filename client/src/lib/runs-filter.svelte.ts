/**
 * Narrowing the runs page down: by status, by a test's outcome, by text in the description or
 * error, by date; and the runs of a session's tests folded into the session.
 */

import type { Run, RunStatus } from '../../../shared/types/run.js'
import type { TestOutcome } from '../../../shared/types/test.js'

export class RunsFilter {
  /** Only runs of this status; '' for any. */
  status = $state<RunStatus | ''>('')
  /** Only the runs of tests with this outcome; '' for any run. */
  outcome = $state<TestOutcome | ''>('')
  /** The runs of tests hidden under their session's run. */
  folded = $state(false)
  /** Text in the description or the error, in any case. */
  text = $state('')
  /** Started on or after this day, and on or before that one: `YYYY-MM-DD`, '' for open. */
  from = $state('')
  to = $state('')

  get active(): boolean {
    return (
      this.status !== '' ||
      this.outcome !== '' ||
      this.folded ||
      this.text.trim() !== '' ||
      this.from !== '' ||
      this.to !== ''
    )
  }

  /** The runs of `runs` that pass every filter set. */
  apply(runs: Run[]): Run[] {
    const text = this.text.trim().toLowerCase()
    const from = this.from === '' ? -Infinity : startOfDay(this.from)
    const to = this.to === '' ? Infinity : startOfDay(this.to) + 86_400
    return runs.filter(
      (run) =>
        (this.status === '' || run.status === this.status) &&
        (this.outcome === '' || run.test?.outcome === this.outcome) &&
        !(this.folded && this.outcome === '' && run.test !== undefined) &&
        run.startedAt >= from &&
        run.startedAt < to &&
        (text === '' || searchable(run).includes(text)),
    )
  }

  clear(): void {
    this.status = ''
    this.outcome = ''
    this.folded = false
    this.text = ''
    this.from = ''
    this.to = ''
  }
}

function searchable(run: Run): string {
  return [run.description, run.errorType ?? '', run.errorMessage ?? ''].join('\n').toLowerCase()
}

/** Local midnight of day `YYYY-MM-DD`, in Unix seconds (the day a person means). */
function startOfDay(day: string): number {
  const [year, month, date] = day.split('-').map(Number)
  return new Date(year!, month! - 1, date!).getTime() / 1000
}
