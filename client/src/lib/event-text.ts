/** One-line text for an event in a list: its value, and the variables it changed. */

import type { TraceEvent } from '../../../shared/types/event.js'

export function eventSummary(event: TraceEvent): string {
  const changes = Object.entries(event.locals).map(
    ([name, value]) => `${name} = ${value ?? '(deleted)'}`,
  )
  if (event.kind === 'return') {
    const shown = event.valueType === null ? '(left by an exception)' : event.value
    return [`${event.yielded ? 'yield' : 'return'} ${shown}`, ...changes].join('   ')
  }
  if (event.kind === 'exception')
    return [`${event.valueType}: ${event.value}`, ...changes].join('   ')
  return changes.join('   ')
}
