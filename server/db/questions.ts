/**
 * Questions about a run that the explorer asks: every execution of a line, and every change
 * of a variable. Both read an index (events_by_line, events_by_frame) a bounded stretch at a
 * time and answer a page with where to continue.
 */

import { namesInLine } from '../../shared/line-names.js'
import { decodeLocals } from '../../shared/locals.js'
import type {
  HistoryPage,
  LineExecution,
  LinePage,
  VariableChange,
} from '../../shared/types/moment.js'
import type { Db } from './database.js'
import type { RunNames } from './events.js'
import { BY_FRAME, variablesAt } from './moments.js'

/** Index entries looked at per request, at most. */
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
  const rows = db
    .prepare(
      `SELECT e.seq, e.thread, e.frame, f.function
       FROM events e INDEXED BY events_by_line JOIN frames f ON f.run = e.run AND f.id = e.frame
       WHERE e.run = ? AND e.line = ? AND e.seq > ? AND e.kind = 1 ORDER BY e.seq`,
    )
    .iterate(run, line, after) as IterableIterator<{
    seq: number
    thread: number
    frame: number
    function: number
  }>
  const executions: LineExecution[] = []
  let scanned = 0
  let last = after
  for (const row of rows) {
    scanned += 1
    last = row.seq
    if (functions.has(row.function)) {
      executions.push({
        seq: row.seq,
        threadName: names.thread(row.thread),
        function: names.function(row.function)?.qualifiedName ?? '?',
        values: valuesOf(db, run, names, row.frame, row.seq, wanted),
      })
    }
    if (executions.length === limit || scanned === SCAN) break
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
  const rows = db
    .prepare(
      `SELECT seq, line, locals FROM ${BY_FRAME}
       WHERE run = ? AND frame = ? AND seq >= ? AND locals IS NOT NULL ORDER BY seq LIMIT ?`,
    )
    .iterate(run, frame, from, SCAN) as IterableIterator<{
    seq: number
    line: number
    locals: string
  }>
  const changes: VariableChange[] = []
  let scanned = 0
  let last = from - 1
  for (const row of rows) {
    scanned += 1
    last = row.seq
    const local = decodeLocals(row.locals).find((entry) => entry.name === symbol)
    if (local === undefined) continue
    changes.push({
      seq: row.seq,
      line: row.line,
      value: local.text,
      type: local.text === null ? null : names.symbol(local.type),
    })
    if (changes.length === limit) break
  }
  const more = changes.length === limit || scanned === SCAN
  return { changes, next: more ? last + 1 : null }
}
