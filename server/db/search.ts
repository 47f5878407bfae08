/**
 * Searching a run's trace. What a query narrows by that each block's summary records (the
 * kind, the function or file, the variable changed: see block-summary.ts) picks the blocks
 * that may match without reading the others; only those are read, what is cheap to test
 * first, then the text. A request reads SEARCH_SPAN events at most, so a search of ten
 * million events is a series of short requests the client can show progress for, and the
 * server stays responsive in between; blocks passed over by their summary cost no reading.
 */

import type { TraceEvent } from '../../shared/types/event.js'
import type { SearchPage, TraceQuery } from '../../shared/types/moment.js'
import { mayHold, mayHoldAny } from './block-summary.js'
import { mayContain } from './text-filter.js'
import type { Db } from './database.js'
import { KIND, type StoredEvent } from './event-block.js'
import { EventStore, type Block } from './event-store.js'
import { eventKind, toEvent, type RunNames } from './events.js'

/** Events read per request, at most. */
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

/** What a block must have for a match in it: checked against its summary. */
interface BlockFilter {
  /** Bits of the stored kinds that match; all bits when any kind does. */
  kinds: number
  functions: Set<number> | undefined
  symbol: number | undefined
  /** Text in a value, in lower case: judged by the block's text filter from 3 characters. */
  text: string | undefined
}

const KIND_BITS: Record<NonNullable<TraceQuery['kind']>, number> = {
  call: 1 << KIND.call,
  line: 1 << KIND.line,
  return: (1 << KIND.return) | (1 << KIND.yield),
  exception: 1 << KIND.exception,
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
  const accepts = (event: StoredEvent) =>
    (query.kind === undefined || eventKind(event.kind) === query.kind) &&
    (functions === undefined || functions.has(event.function)) &&
    matchesText(event, symbol, text)

  const filter: BlockFilter = {
    kinds: query.kind === undefined ? 0xff : KIND_BITS[query.kind],
    functions,
    symbol,
    text: text !== undefined && text.length >= 3 ? text : undefined,
  }
  const narrowed =
    query.kind !== undefined ||
    functions !== undefined ||
    symbol !== undefined ||
    filter.text !== undefined
  const blocks = narrowed ? summarisedBlocks(db, run, from, forward, filter) : undefined
  const store = EventStore.of(db)
  let read = 0
  for (const block of blocks ?? adjacentBlocks(store, run, from, forward)) {
    const { events, firstSeq } = block
    const start = forward
      ? Math.max(0, from - firstSeq)
      : Math.min(events.length - 1, from - firstSeq)
    for (let index = start; index >= 0 && index < events.length; index += forward ? 1 : -1) {
      const event = events[index]!
      if (event.seq > total) break
      read += 1
      if (!accepts(event)) continue
      matches.push(toEvent(event, names))
      if (matches.length === limit) {
        const continueAt = forward ? event.seq + 1 : event.seq - 1
        return { matches, next: continueAt >= 1 && continueAt <= total ? continueAt : null }
      }
    }
    if (read >= SEARCH_SPAN) {
      const next = forward ? block.lastSeq + 1 : block.firstSeq - 1
      return { matches, next: next >= 1 && next <= total ? next : null }
    }
  }
  return { matches, next: null }
}

/** Every block from the one holding `from` on (or back), in order. */
function* adjacentBlocks(
  store: EventStore,
  run: number,
  from: number,
  forward: boolean,
): Generator<Block> {
  let block = store.blockAt(run, from)
  while (block !== undefined) {
    yield block
    block = forward
      ? store.blockAt(run, block.lastSeq + 1)
      : block.firstSeq > 1
        ? store.blockAt(run, block.firstSeq - 1)
        : undefined
  }
}

interface SummaryRow {
  block: number
  functions: Uint8Array
  names: Uint8Array
  texts: Uint8Array
}

/**
 * The blocks from the one holding `from` on (or back) whose summaries say they may hold a
 * match; undefined for a run recorded without summaries, whose blocks must all be read.
 */
function summarisedBlocks(
  db: Db,
  run: number,
  from: number,
  forward: boolean,
  filter: BlockFilter,
): Iterable<Block> | undefined {
  const store = EventStore.of(db)
  const start = store.blockAt(run, from)
  if (start === undefined) return undefined
  const summarised = db
    .prepare('SELECT 1 FROM block_summaries WHERE run = ? AND block = ?')
    .get(run, start.firstSeq)
  if (summarised === undefined) return undefined
  // Only the filters asked about: each is a blob to read and copy per block.
  const columns = [
    'block',
    ...(filter.functions === undefined ? [] : ['functions']),
    ...(filter.symbol === undefined ? [] : ['names']),
    ...(filter.text === undefined ? [] : ['texts']),
  ].join(', ')
  const rows = db
    .prepare(
      forward
        ? `SELECT ${columns} FROM block_summaries
           WHERE run = ? AND block >= ? AND kinds & ? != 0 ORDER BY block`
        : `SELECT ${columns} FROM block_summaries
           WHERE run = ? AND block <= ? AND kinds & ? != 0 ORDER BY block DESC`,
    )
    .iterate(run, start.firstSeq, filter.kinds) as IterableIterator<SummaryRow>
  return (function* () {
    for (const row of rows) {
      if (filter.functions !== undefined && !mayHoldAny(row.functions, filter.functions)) continue
      if (filter.symbol !== undefined && !mayHold(row.names, filter.symbol)) continue
      if (filter.text !== undefined && !mayContain(row.texts, filter.text)) continue
      const block = store.blockStarting(run, row.block)
      if (block !== undefined) yield block
    }
  })()
}

/** The variable changed here, and the text is in a value here (either when not asked). */
function matchesText(event: StoredEvent, symbol: number | undefined, text: string | undefined) {
  const locals = event.locals ?? []
  if (symbol !== undefined && !locals.some((local) => local.name === symbol)) return false
  if (text === undefined) return true
  if (event.value?.toLowerCase().includes(text)) return true
  return locals.some((local) => local.text?.toLowerCase().includes(text))
}
