/**
 * Searching a run's trace, a block at a time: what is cheap to test (kind, function) first,
 * then the text. A request looks at SEARCH_SPAN events at most, so a search of ten million
 * events is a series of short requests the client can show progress for, and the server
 * stays responsive in between.
 */

import type { TraceEvent } from '../../shared/types/event.js'
import type { SearchPage, TraceQuery } from '../../shared/types/moment.js'
import type { Db } from './database.js'
import type { StoredEvent } from './event-block.js'
import { EventStore } from './event-store.js'
import { eventKind, toEvent, type RunNames } from './events.js'

/** Events looked at per request, at most. */
export const SEARCH_SPAN = 100_000

export interface SearchRequest {
  query: TraceQuery
  /** First event to look at (inclusive), in `direction`. */
  from: number
  direction: 'forward' | 'backward'
  limit: number
  /** The last event of the run so far. */
  total: number
}

export function searchEvents(
  db: Db,
  run: number,
  names: RunNames,
  request: SearchRequest,
): SearchPage {
  const { query, direction, limit, total } = request
  const forward = direction === 'forward'
  if (forward ? request.from > total : request.from < 1) return { matches: [], next: null }
  const from = Math.min(Math.max(request.from, 1), total)
  const [low, high] = forward
    ? [from, Math.min(total, from + SEARCH_SPAN - 1)]
    : [Math.max(1, from - SEARCH_SPAN + 1), from]
  const next = forward ? (high < total ? high + 1 : null) : low > 1 ? low - 1 : null

  let functions: Set<number> | undefined
  if (query.function !== undefined || query.file !== undefined) {
    const fn = query.function?.toLowerCase()
    const file = query.file?.toLowerCase()
    const ids = names.functionIds(
      (info, path) =>
        (fn === undefined || info.qualifiedName.toLowerCase().includes(fn)) &&
        (file === undefined || path.toLowerCase().includes(file)),
    )
    if (ids.length === 0) return { matches: [], next: null }
    functions = new Set(ids)
  }
  let symbol: number | undefined
  if (query.variable !== undefined) {
    symbol = names.symbolId(query.variable)
    if (symbol === undefined) return { matches: [], next: null }
  }
  const text = query.text?.toLowerCase()
  const matches: TraceEvent[] = []
  for (const event of EventStore.of(db).events(run, from, direction)) {
    if (forward ? event.seq > high : event.seq < low) break
    if (query.kind !== undefined && eventKind(event.kind) !== query.kind) continue
    if (functions !== undefined && !functions.has(event.function)) continue
    if (!matchesText(event, symbol, text)) continue
    matches.push(toEvent(event, names))
    if (matches.length === limit) {
      const continueAt = forward ? event.seq + 1 : event.seq - 1
      return { matches, next: continueAt >= 1 && continueAt <= total ? continueAt : null }
    }
  }
  return { matches, next }
}

/** The variable changed here, and the text is in a value here (either when not asked). */
function matchesText(event: StoredEvent, symbol: number | undefined, text: string | undefined) {
  const locals = event.locals ?? []
  if (symbol !== undefined && !locals.some((local) => local.name === symbol)) return false
  if (text === undefined) return true
  if (event.value?.toLowerCase().includes(text)) return true
  return locals.some((local) => local.text?.toLowerCase().includes(text))
}
