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

/** Executions of line `line` of file `file` after event `after`, with the values of the names the line uses. */
export function lineExecutions(
  db: Db,
  run: number,
  names: RunNames,
  file: number,
  line: number,
  after: number,
  limit: number,
): LinePage {
  const hits = db
    .prepare('SELECT hits FROM line_hits WHERE run = ? AND file = ? AND line = ?')
    .pluck()
    .get(run, file, line) as number | undefined
  const functions = new Set(names.functionIds((fn) => fn.file === file))
  const source = functions.size === 0 ? null : names.sourceLine(file, line)
  const wanted = source === null ? [] : namesInLine(source)
  const executions: LineExecution[] = []
  let scanned = 0
  let last = after
  search: for (const block of EventStore.of(db).lineBlocks(run, file, line, after)) {
    for (const event of block.events) {
      if (event.seq <= after) continue
      scanned += 1
      last = event.seq
      if (event.kind === KIND.line && event.line === line && functions.has(event.function)) {
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
  const more = executions.length === limit || scanned === SCAN
  return { executions, hits: hits ?? 0, next: more ? last + 1 : null }
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
