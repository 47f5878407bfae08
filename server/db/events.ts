/**
 * Reading a run's events in order, with every id resolved to what it names: thread names,
 * files, functions, variable and type names, and the source line as it was.
 * Events are streamed from SQLite, never loaded whole.
 */

import { decodeLocals } from '../../shared/locals.js'
import type { EventKind, TraceEvent } from '../../shared/types/event.js'
import { EVENT_KINDS } from '../../shared/types/event.js'
import type { Db } from './database.js'

export interface EventRow {
  seq: number
  kind: number
  thread: number
  frame: number
  depth: number
  line: number
  us: number
  locals: string | null
  value_type: number | null
  value: string | null
  function: number | null
  end_seq: number | null
}

export interface FunctionInfo {
  file: number
  name: string
  qualifiedName: string
}

/** The names a run's ids stand for, loaded once and refreshed when a new id shows up. */
export class RunNames {
  private symbols = new Map<number, string>()
  private threads = new Map<number, string>()
  private functions = new Map<number, FunctionInfo>()
  private files = new Map<number, { path: string; sourceHash: string | null }>()
  private readonly sourceLines = new Map<string, string[]>()

  constructor(
    private readonly db: Db,
    private readonly run: number,
  ) {
    this.refresh()
  }

  private refresh(): void {
    const { db, run } = this
    this.symbols = new Map(
      (
        db.prepare('SELECT id, text FROM symbols WHERE run = ?').all(run) as Array<{
          id: number
          text: string
        }>
      ).map((r) => [r.id, r.text]),
    )
    this.threads = new Map(
      (
        db.prepare('SELECT id, name FROM threads WHERE run = ?').all(run) as Array<{
          id: number
          name: string
        }>
      ).map((r) => [r.id, r.name]),
    )
    this.functions = new Map(
      (
        db
          .prepare('SELECT id, file, name, qualified_name FROM functions WHERE run = ?')
          .all(run) as Array<{
          id: number
          file: number
          name: string
          qualified_name: string
        }>
      ).map((r) => [r.id, { file: r.file, name: r.name, qualifiedName: r.qualified_name }]),
    )
    this.files = new Map(
      (
        db.prepare('SELECT id, path, source_hash FROM files WHERE run = ?').all(run) as Array<{
          id: number
          path: string
          source_hash: string | null
        }>
      ).map((r) => [r.id, { path: r.path, sourceHash: r.source_hash }]),
    )
  }

  private lookup<K, V>(map: () => Map<K, V>, key: K): V | undefined {
    const found = map().get(key)
    if (found !== undefined) return found
    this.refresh()
    return map().get(key)
  }

  symbol(id: number): string {
    return this.lookup(() => this.symbols, id) ?? `?${id}`
  }

  thread(id: number): string {
    return this.lookup(() => this.threads, id) ?? `thread ${id}`
  }

  function(id: number | null): FunctionInfo | undefined {
    return id === null ? undefined : this.lookup(() => this.functions, id)
  }

  file(id: number): { path: string; sourceHash: string | null } | undefined {
    return this.lookup(() => this.files, id)
  }

  /** The ids of the functions `keep` accepts, with their file's path; fresh from the database. */
  functionIds(keep: (fn: FunctionInfo, path: string) => boolean): number[] {
    this.refresh()
    const ids: number[] = []
    for (const [id, fn] of this.functions)
      if (keep(fn, this.files.get(fn.file)?.path ?? '')) ids.push(id)
    return ids
  }

  /** The id of the symbol spelled `text`, if the run has one. */
  symbolId(text: string): number | undefined {
    for (const pass of [0, 1]) {
      for (const [id, symbol] of this.symbols) if (symbol === text) return id
      if (pass === 0) this.refresh()
    }
    return undefined
  }

  /** Line `line` (1-based) of a file as it was when the run executed it. */
  sourceLine(file: number, line: number): string | null {
    const hash = this.file(file)?.sourceHash
    if (!hash) return null
    let lines = this.sourceLines.get(hash)
    if (lines === undefined) {
      const row = this.db.prepare('SELECT text FROM sources WHERE hash = ?').get(hash) as
        { text: string } | undefined
      lines = row ? row.text.split(/\r\n|\r|\n/) : []
      this.sourceLines.set(hash, lines)
    }
    return lines[line - 1] ?? null
  }
}

export const EVENT_COLUMNS = `e.seq, e.kind, e.thread, e.frame, e.depth, e.line, e.us, e.locals, e.value_type, e.value,
       f.function, f.end_seq`
export const FROM_EVENTS = 'FROM events e LEFT JOIN frames f ON f.run = e.run AND f.id = e.frame'

export interface PageRequest {
  /** Start here (inclusive): the first event of a forward page, the last of a backward one. */
  from: number
  limit: number
  direction: 'forward' | 'backward'
  /** Only this thread's events. */
  thread?: number
}

/** A page of events in program order, read through the (run, seq) key. */
export function pageEvents(db: Db, run: number, names: RunNames, page: PageRequest): TraceEvent[] {
  const thread = page.thread === undefined ? '' : 'AND e.thread = ?'
  const order =
    page.direction === 'forward'
      ? 'e.seq >= ? ' + thread + ' ORDER BY e.seq'
      : 'e.seq <= ? ' + thread + ' ORDER BY e.seq DESC'
  const args: number[] = [
    run,
    page.from,
    ...(page.thread === undefined ? [] : [page.thread]),
    page.limit,
  ]
  const rows = db
    .prepare(`SELECT ${EVENT_COLUMNS} ${FROM_EVENTS} WHERE e.run = ? AND ${order} LIMIT ?`)
    .all(...args) as EventRow[]
  if (page.direction === 'backward') rows.reverse()
  return rows.map((row) => toEvent(row, names))
}

/** The events of run `run` from `fromSeq` on, in order. */
export function* readEvents(db: Db, run: number, fromSeq = 1): Generator<TraceEvent> {
  const names = new RunNames(db, run)
  const rows = db
    .prepare(`SELECT ${EVENT_COLUMNS} ${FROM_EVENTS} WHERE e.run = ? AND e.seq >= ? ORDER BY e.seq`)
    .iterate(run, fromSeq) as IterableIterator<EventRow>
  for (const row of rows) yield toEvent(row, names)
}

export function toEvent(row: EventRow, names: RunNames): TraceEvent {
  const fn = names.function(row.function)
  const file = fn ? names.file(fn.file) : undefined
  const kind: EventKind = EVENT_KINDS[row.kind] ?? 'line'
  const locals: Record<string, string | null> = {}
  const localTypes: Record<string, string | null> = {}
  for (const local of decodeLocals(row.locals)) {
    const name = names.symbol(local.name)
    locals[name] = local.text
    localTypes[name] = local.type === 0 ? null : names.symbol(local.type)
  }
  const event: TraceEvent = {
    seq: row.seq,
    time: row.us / 1e6,
    kind,
    thread: row.thread,
    threadName: names.thread(row.thread),
    frame: row.frame,
    depth: row.depth,
    file: file?.path ?? '?',
    line: row.line,
    function: fn?.qualifiedName ?? '?',
    source: fn ? names.sourceLine(fn.file, row.line) : null,
    locals,
    localTypes,
    value: row.value,
    valueType: row.value_type === null ? null : names.symbol(row.value_type),
  }
  if (kind === 'return') event.yielded = row.end_seq !== row.seq
  return event
}
