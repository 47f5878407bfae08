/**
 * Questions about a run that the explorer asks: every execution of a line, and every change
 * of a variable. Both read the blocks that hold them (line_blocks, frame_blocks) a bounded
 * stretch at a time and answer a page with where to continue.
 */

import { namesInLine } from '../../shared/line-names.js'
import type {
  HistoryPage,
  LineExecution,
  LinePage,
  VariableChange,
} from '../../shared/types/moment.js'
import type { Db } from './database.js'
import { KIND } from './event-block.js'
import { EventStore } from './event-store.js'
import type { RunNames } from './events.js'
import { variablesAt } from './moments.js'

/** Events looked at per request, at most. */
const SCAN = 50_000

/** Where a page of a line's executions starts and which way it goes. */
export interface LineRequest {
  /** The first event to look at (inclusive), in `direction`. */
  from: number
  direction: 'forward' | 'backward'
  limit: number
  /** Only this thread's executions. */
  thread?: number
  /** Read the values of the names the line uses (the default); false for the events alone. */
  values?: boolean
}

/**
 * Executions of line `line` of file `file` from event `from` on (forward) or back from it
 * (backward), with the values of the names the line uses. The page is in program order
 * either way; `next` is where to continue in the direction asked.
 */
export function lineExecutions(
  db: Db,
  run: number,
  names: RunNames,
  file: number,
  line: number,
  { from, direction, limit, thread, values = true }: LineRequest,
): LinePage {
  const hits = db
    .prepare('SELECT hits FROM line_hits WHERE run = ? AND file = ? AND line = ?')
    .pluck()
    .get(run, file, line) as number | undefined
  const forward = direction === 'forward'
  const functions = new Set(names.functionIds((fn) => fn.file === file))
  const source = functions.size === 0 ? null : names.sourceLine(file, line)
  const wanted = source === null || !values ? [] : namesInLine(source)
  const executions: LineExecution[] = []
  const step = forward ? 1 : -1
  let scanned = 0
  let last = from - step
  search: for (const block of EventStore.of(db).lineBlocks(run, file, line, from, direction)) {
    const events = block.events
    const first = forward
      ? Math.max(0, from - block.firstSeq)
      : Math.min(events.length - 1, from - block.firstSeq)
    for (let index = first; index >= 0 && index < events.length; index += step) {
      const event = events[index]!
      scanned += 1
      last = event.seq
      if (
        event.kind === KIND.line &&
        event.line === line &&
        functions.has(event.function) &&
        (thread === undefined || event.thread === thread)
      ) {
        executions.push({
          seq: event.seq,
          threadName: names.thread(event.thread),
          function: names.function(event.function)?.qualifiedName ?? '?',
          values: valuesOf(db, run, names, event.frame, event.seq, wanted),
        })
      }
      if (executions.length === limit || scanned === SCAN) break search
    }
  }
  const more = (executions.length === limit || scanned === SCAN) && last + step >= 1
  if (!forward) executions.reverse()
  return { executions, hits: hits ?? 0, next: more ? last + step : null }
}

function valuesOf(
  db: Db,
  run: number,
  names: RunNames,
  frame: number,
  seq: number,
  wanted: string[],
): Record<string, string | null> {
  const values: Record<string, string | null> = {}
  if (wanted.length === 0) return values
  const byName = new Map<string, string>()
  for (const [symbol, [, text]] of variablesAt(db, run, frame, seq))
    if (text !== null) byName.set(names.symbol(symbol), text)
  for (const name of wanted) {
    const value = byName.get(name)
    if (value !== undefined) values[name] = value
  }
  return values
}

/** Changes of variable `name` in frame `frame` from event `from` on, the first being its value then. */
export function variableHistory(
  db: Db,
  run: number,
  names: RunNames,
  frame: number,
  name: string,
  from: number,
  limit: number,
): HistoryPage {
  const symbol = names.symbolId(name)
  if (symbol === undefined) return { changes: [], next: null }
  const changes: VariableChange[] = []
  let scanned = 0
  let last = from - 1
  for (const event of EventStore.of(db).frameEvents(run, frame, from, 'forward')) {
    scanned += 1
    last = event.seq
    const local = event.locals?.find((entry) => entry.name === symbol)
    if (local !== undefined) {
      changes.push({
        seq: event.seq,
        line: event.line,
        value: local.text,
        type: local.text === null ? null : names.symbol(local.type),
      })
      if (changes.length === limit) break
    }
    if (scanned === SCAN) break
  }
  const more = changes.length === limit || scanned === SCAN
  return { changes, next: more ? last + 1 : null }
}
