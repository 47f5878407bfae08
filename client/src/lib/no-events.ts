/** Why a run has no events: said in the trace rather than showing an empty table. */

import type { Run } from '../../../shared/types/run.js'

/** A sentence or two on why `run` recorded no event, and what to do about it. */
export function whyNoEvents(run: Run): string {
  if (run.status === 'running')
    return 'No event yet: the program has not run a recorded line so far.'
  if (run.errorType !== null || run.status !== 'completed') {
    const how =
      run.errorType === null
        ? `it was ${run.status}`
        : `${run.errorType}: ${run.errorMessage ?? ''}`
    return `The program ended before its first recorded line ran (${how.trim()}).`
  }
  const left: string[] = []
  if (run.options['includeStdlib'] !== true)
    left.push('the standard library is recorded only with --include-stdlib')
  if (run.options['includeSitePackages'] !== true)
    left.push('installed packages only with --include-site-packages or --include-package NAME')
  const what =
    run.argv[0] === '-m' && run.argv[1] !== undefined
      ? `the module ${run.argv[1]} (run with -m) is`
      : 'every line the program ran was'
  if (left.length === 0) return `No event was recorded: ${what} in a file left out of recording.`
  return `No event was recorded: ${what} in a file left out of recording — ${left.join(', ')}.`
}
