/**
 * The search language of the trace: words are looked for in values, and `key:value` terms
 * narrow the events down. `fn:parse file:models var:total kind:exception "not found"`
 * finds exceptions in functions named like `parse`, in files whose path holds `models`,
 * that changed `total` and whose values hold `not found`.
 */

import { EVENT_KINDS, type EventKind } from './types/event.js'
import type { TraceQuery } from './types/moment.js'

const KEYS: Record<string, keyof TraceQuery> = {
  fn: 'function',
  function: 'function',
  file: 'file',
  var: 'variable',
  variable: 'variable',
  kind: 'kind',
}

export class QueryError extends Error {}

/** The query `text` describes; throws QueryError on an unknown key or kind. */
export function parseTraceQuery(text: string): TraceQuery {
  const query: TraceQuery = {}
  const words: string[] = []
  for (const match of text.matchAll(/(?:(\w+):)?(?:"([^"]*)"?|(\S+))/g)) {
    const [, key, quoted, bare] = match
    const value = quoted ?? bare ?? ''
    if (key === undefined) {
      words.push(value)
      continue
    }
    const field = KEYS[key.toLowerCase()]
    if (field === undefined) {
      throw new QueryError(`unknown search key ${key}: (use ${Object.keys(KEYS).join(', ')})`)
    }
    if (field === 'kind') {
      const kind = value.toLowerCase()
      if (!(EVENT_KINDS as readonly string[]).includes(kind))
        throw new QueryError(`kind must be one of ${EVENT_KINDS.join(', ')}`)
      query.kind = kind as EventKind
    } else {
      query[field] = value
    }
  }
  const phrase = words.join(' ').trim()
  if (phrase !== '') query.text = phrase
  return query
}

/** The query as search text again. */
export function formatTraceQuery(query: TraceQuery): string {
  const quote = (value: string) => (/[\s"]/.test(value) || value === '' ? `"${value}"` : value)
  const terms: string[] = []
  if (query.function !== undefined) terms.push(`fn:${quote(query.function)}`)
  if (query.file !== undefined) terms.push(`file:${quote(query.file)}`)
  if (query.variable !== undefined) terms.push(`var:${quote(query.variable)}`)
  if (query.kind !== undefined) terms.push(`kind:${query.kind}`)
  if (query.text !== undefined) terms.push(quote(query.text))
  return terms.join(' ')
}

/** True when the query asks for nothing (every event would match). */
export function isEmptyQuery(query: TraceQuery): boolean {
  return Object.values(query).every((value) => value === undefined)
}
