/**
 * Searching a run's trace. SQLite narrows each stretch of events down with what it can test
 * cheaply (kind, function ids, LIKE on the stored text); each candidate is then checked
 * exactly. A request looks at SEARCH_SPAN events at most, so a search of ten million events
 * is a series of short requests the client can show progress for, and the server stays
 * responsive in between.
 */

import { decodeLocals } from '../../shared/locals.js'
import { EVENT_KINDS, type TraceEvent } from '../../shared/types/event.js'
import type { SearchPage, TraceQuery } from '../../shared/types/moment.js'
import type { Db } from './database.js'
import { EVENT_COLUMNS, FROM_EVENTS, toEvent, type EventRow, type RunNames } from './events.js'

/** Events looked at per request, at most. */
export const SEARCH_SPAN = 250_000

export interface SearchRequest {
  query: TraceQuery
  /** First event to look at (inclusive), in `direction`. */
  from: number
  direction: 'forward' | 'backward'
  limit: number
  /** The last event of the run so far. */
  total: number
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
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

  const conditions = ['e.run = ?', 'e.seq BETWEEN ? AND ?']
  const args: Array<number | string> = [run, low, high]
  if (query.kind !== undefined) {
    conditions.push('e.kind = ?')
    args.push(EVENT_KINDS.indexOf(query.kind))
  }
  if (query.function !== undefined || query.file !== undefined) {
    const fn = query.function?.toLowerCase()
    const file = query.file?.toLowerCase()
    const ids = names.functionIds(
      (info, path) =>
        (fn === undefined || info.qualifiedName.toLowerCase().includes(fn)) &&
        (file === undefined || path.toLowerCase().includes(file)),
    )
    if (ids.length === 0) return { matches: [], next: null }
    conditions.push('f.function IN (SELECT value FROM json_each(?))')
    args.push(JSON.stringify(ids))
  }
  let symbol: number | undefined
  if (query.variable !== undefined) {
    symbol = names.symbolId(query.variable)
    if (symbol === undefined) return { matches: [], next: null }
    conditions.push("e.locals LIKE ? ESCAPE '\\'")
    args.push(likePattern(`${symbol},`))
  }
  const text = query.text?.toLowerCase()
  if (text !== undefined) {
    conditions.push("(e.value LIKE ? ESCAPE '\\' OR e.locals LIKE ? ESCAPE '\\')")
    args.push(likePattern(text), likePattern(text))
  }
  const rows = db
    .prepare(
      `SELECT ${EVENT_COLUMNS} ${FROM_EVENTS} WHERE ${conditions.join(' AND ')}
       ORDER BY e.seq ${forward ? '' : 'DESC'}`,
    )
    .iterate(...args) as IterableIterator<EventRow>
  const matches: TraceEvent[] = []
  for (const row of rows) {
    if (!matchesExactly(row, symbol, text)) continue
    matches.push(toEvent(row, names))
    if (matches.length === limit) {
      const continueAt = forward ? row.seq + 1 : row.seq - 1
      return { matches, next: continueAt >= 1 && continueAt <= total ? continueAt : null }
    }
  }
  return { matches, next }
}

/** What LIKE could only suggest: the variable really changed, the text is really in a value. */
function matchesExactly(row: EventRow, symbol: number | undefined, text: string | undefined) {
  if (symbol === undefined && text === undefined) return true
  const locals = decodeLocals(row.locals)
  if (symbol !== undefined && !locals.some((local) => local.name === symbol)) return false
  if (text === undefined) return true
  if (row.value?.toLowerCase().includes(text)) return true
  return locals.some((local) => local.text?.toLowerCase().includes(text))
}
