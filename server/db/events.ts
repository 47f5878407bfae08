/**
 * Reading a run's events in order, with every id resolved to what it names: thread and task names,
 * files, functions, variable and type names, and the source line as it was.
 * Events are read a block at a time (see event-store.ts), never loaded whole.
 */

import type { EventKind, TraceEvent } from '../../shared/types/event.js'
import { EVENT_KINDS } from '../../shared/types/event.js'
import type { Db } from './database.js'
import { KIND, type StoredEvent, type StoredKind } from './event-block.js'
import { EventStore } from './event-store.js'
import { readSourceText } from './source-text.js'
import { sqliteNames } from '../store/sqlite/names.js'
import type { NameRows } from '../store/store.js'

export interface FunctionInfo {
  file: number
  name: string
  qualifiedName: string
}

/** Where RunNames reads a run's names and sources: the SQLite connection, or rows read before. */
export interface NameSource {
  names(run: number): NameRows
  sourceText(hash: string): string | undefined
}

/** Names already read from a store (see walkEvents): nothing is read again. */
export function loadedNames(rows: NameRows, sources: Map<string, string>): NameSource {
  return { names: () => rows, sourceText: (hash) => sources.get(hash) }
}

function sqliteSource(db: Db): NameSource {
  return {
    names: (run) => sqliteNames(db, run),
    sourceText: (hash) => readSourceText(db, hash) ?? undefined,
  }
}

/** The names a run's ids stand for, loaded once and refreshed when a new id shows up. */
export class RunNames {
  private symbols = new Map<number, string>()
  private threads = new Map<number, string>()
  private tasks = new Map<number, string>()
  private functions = new Map<number, FunctionInfo>()
  private files = new Map<number, { path: string; sourceHash: string | null }>()
  private readonly sourceLines = new Map<string, string[]>()
  private readonly source: NameSource

  constructor(
    source: Db | NameSource,
    private readonly run: number,
  ) {
    this.source = 'names' in source ? source : sqliteSource(source)
    this.refresh()
  }

  private refresh(): void {
    const rows = this.source.names(this.run)
    this.symbols = new Map(rows.symbols.map((r) => [r.id, r.text]))
    this.threads = new Map(rows.threads.map((r) => [r.id, r.name]))
    this.tasks = new Map(rows.tasks.map((r) => [r.id, r.name]))
    this.functions = new Map(
      rows.functions.map((r) => [
        r.id,
        { file: r.file, name: r.name, qualifiedName: r.qualified_name },
      ]),
    )
    this.files = new Map(rows.files.map((r) => [r.id, { path: r.path, sourceHash: r.source_hash }]))
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

  task(id: number): string {
    return this.lookup(() => this.tasks, id) ?? `task ${id}`
  }

  function(id: number | null): FunctionInfo | undefined {
    return id === null || id === 0 ? undefined : this.lookup(() => this.functions, id)
  }

  file(id: number): { path: string; sourceHash: string | null } | undefined {
    return this.lookup(() => this.files, id)
  }

  /** Every file of the run, fresh from the database. */
  fileList(): Array<{ id: number; path: string; sourceHash: string | null }> {
    this.refresh()
    return [...this.files].map(([id, file]) => ({ id, ...file }))
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
      const text = this.source.sourceText(hash)
      lines = text === undefined ? [] : text.split(/\r\n|\r|\n/)
      this.sourceLines.set(hash, lines)
    }
    return lines[line - 1] ?? null
  }
}

export interface PageRequest {
  /** Start here (inclusive): the first event of a forward page, the last of a backward one. */
  from: number
  limit: number
  direction: 'forward' | 'backward'
  /** Only this thread's events. */
  thread?: number
  /** Only this asyncio task's events. */
  task?: number
}

/** A page of events in program order. */
export function pageEvents(db: Db, run: number, names: RunNames, page: PageRequest): TraceEvent[] {
  const events: TraceEvent[] = []
  for (const event of EventStore.of(db).events(run, page.from, page.direction, page)) {
    events.push(toEvent(event, names))
    if (events.length === page.limit) break
  }
  if (page.direction === 'backward') events.reverse()
  return events
}

/** The events of run `run` from `fromSeq` on, in order. */
export function* readEvents(db: Db, run: number, fromSeq = 1): Generator<TraceEvent> {
  const names = new RunNames(db, run)
  for (const event of EventStore.of(db).events(run, fromSeq, 'forward')) yield toEvent(event, names)
}

/** The API's kind of a stored event, and whether a return only suspended a generator. */
export function eventKind(kind: StoredKind): EventKind {
  return kind === KIND.yield ? 'return' : EVENT_KINDS[kind]!
}

export function toEvent(stored: StoredEvent, names: RunNames): TraceEvent {
  const fn = names.function(stored.function)
  const file = fn ? names.file(fn.file) : undefined
  const kind = eventKind(stored.kind)
  const locals: Record<string, string | null> = {}
  const localTypes: Record<string, string | null> = {}
  for (const local of stored.locals ?? []) {
    const name = names.symbol(local.name)
    locals[name] = local.text
    localTypes[name] = local.type === 0 ? null : names.symbol(local.type)
  }
  const event: TraceEvent = {
    seq: stored.seq,
    time: stored.us / 1e6,
    kind,
    thread: stored.thread,
    threadName: names.thread(stored.thread),
    frame: stored.frame,
    depth: stored.depth,
    file: file?.path ?? '?',
    line: stored.line,
    function: fn?.qualifiedName ?? '?',
    source: fn ? names.sourceLine(fn.file, stored.line) : null,
    locals,
    localTypes,
    value: stored.value,
    valueType: stored.valueType === null ? null : names.symbol(stored.valueType),
  }
  if (kind === 'return') event.yielded = stored.kind === KIND.yield
  if (stored.task !== 0) {
    event.task = stored.task
    event.taskName = names.task(stored.task)
  }
  return event
}
