/** What a recording's replay says of a moment, rebuilt from `replay --json`'s events. */

import type { TraceEvent } from '../../shared/types/event.js'

/** The variables of the call of event `seq` as they were at that event. */
export function localsAt(events: readonly TraceEvent[], seq: number): Record<string, string> {
  const at = events.find((event) => event.seq === seq)!
  const locals: Record<string, string> = {}
  for (const event of events) {
    if (event.seq > seq) break
    if (event.frame !== at.frame) continue
    for (const [name, value] of Object.entries(event.locals)) {
      if (value === null) delete locals[name]
      else locals[name] = value
    }
  }
  return locals
}
