/**
 * Walking a run's events through any store: a page of blocks at a time, the next page asked
 * for while this one is decoded (one page in flight), every event named as replay shows it.
 */

import type { TraceEvent } from '../../shared/types/event.js'
import { decodeBlock } from '../db/event-block.js'
import { loadedNames, RunNames, toEvent } from '../db/events.js'
import type { Store } from './store.js'

/** Blocks read per page: 32 blocks of up to 1,024 events each. */
const PAGE = 32

/**
 * The events of run `key` from event `from` on, in order; named with `names` when given (a
 * walk that is repeated as the run grows reads them once per walk, not per block).
 */
export async function* walkEvents(
  store: Store,
  key: number,
  from = 1,
  names?: RunNames,
): AsyncGenerator<TraceEvent> {
  names ??= await runNames(store, key)
  let at = from
  let next = store.blocks(key, at, PAGE)
  for (;;) {
    const page = await next
    const last = page.at(-1)
    if (last === undefined) return
    const lastEvents = decodeBlock(last.data, last.firstSeq)
    const end = last.firstSeq + lastEvents.length
    if (end <= at) return
    const more = page.length === PAGE
    if (more) {
      // Asked for now, read while this page is decoded and printed.
      next = store.blocks(key, end, PAGE)
      next.catch(() => undefined) // a walk left early leaves no unhandled rejection
    }
    for (const block of page) {
      const decoded = block === last ? lastEvents : decodeBlock(block.data, block.firstSeq)
      for (const event of decoded) if (event.seq >= at) yield toEvent(event, names)
    }
    if (!more) return
    at = end
  }
}

/**
 * The names of run `key`'s ids, as the store has them now. Source texts already in `sources`
 * are not read again; those read are added to it.
 */
export async function runNames(
  store: Store,
  key: number,
  sources = new Map<string, string>(),
): Promise<RunNames> {
  const rows = await store.names(key)
  const missing = rows.files.flatMap((file) =>
    file.source_hash === null || sources.has(file.source_hash) ? [] : [file.source_hash],
  )
  if (missing.length > 0)
    for (const [hash, text] of await store.sources(missing)) sources.set(hash, text)
  return new RunNames(loadedNames(rows, sources), key)
}
