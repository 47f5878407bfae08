/**
 * The data source of a static report: everything the dashboard shows, read from the
 * report's data files instead of the server. Event chunks are loaded as scripts (the only
 * thing file:// allows) when a page of the trace needs them, and a few are kept.
 */

import { decodeLocals } from '../../../shared/locals.js'
import {
  REPORT_CALLBACK,
  REPORT_INDEX,
  type CompactEvent,
  type ReportChunk,
  type ReportIndex,
} from '../../../shared/report.js'
import { EVENT_KINDS, type TraceEvent } from '../../../shared/types/event.js'
import type { RunSource } from '../../../shared/types/file.js'
import { ApiError, type DataSource, type EventPage, type PageRequest } from './source.js'

const KEEP_CHUNKS = 24

type Loaded =
  | { kind: 'events'; key: number; data: ReportChunk }
  | { kind: 'source'; key: number; data: RunSource }

declare global {
  interface Window {
    [REPORT_INDEX]?: ReportIndex
    [REPORT_CALLBACK]?: (kind: Loaded['kind'], key: number, data: unknown) => void
  }
}

/** The report this page was written with, if it is one. */
export function reportIndex(): ReportIndex | undefined {
  return window[REPORT_INDEX]
}

export class StaticSource implements DataSource {
  private readonly waiting = new Map<string, (data: unknown) => void>()
  private readonly chunks = new Map<number, Promise<ReportChunk>>()
  private readonly sources = new Map<number, Promise<RunSource>>()
  private readonly filePaths: Map<number, string>
  private readonly threadNames: Map<number, string>

  constructor(private readonly index: ReportIndex) {
    this.filePaths = new Map(index.files.map((file) => [file.id, file.path]))
    this.threadNames = new Map(index.threads.map((thread) => [thread.id, thread.name]))
    window[REPORT_CALLBACK] = (kind, key, data) => {
      this.waiting.get(`${kind}:${key}`)?.(data)
      this.waiting.delete(`${kind}:${key}`)
    }
  }

  private load<T>(kind: Loaded['kind'], key: number, path: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(`${kind}:${key}`, resolve as (data: unknown) => void)
      const script = document.createElement('script')
      script.src = path
      script.onload = () => script.remove()
      script.onerror = () => {
        script.remove()
        this.waiting.delete(`${kind}:${key}`)
        reject(new ApiError(`the report is missing ${path}`, 404))
      }
      document.head.append(script)
    })
  }

  private chunk(index: number): Promise<ReportChunk> {
    let chunk = this.chunks.get(index)
    if (chunk === undefined) {
      chunk = this.load<ReportChunk>('events', index, `data/events/${index}.js`)
      this.chunks.set(index, chunk)
      if (this.chunks.size > KEEP_CHUNKS) this.chunks.delete(this.chunks.keys().next().value!)
    }
    return chunk
  }

  private check(id: string): void {
    if (!this.index.run.id.startsWith(id))
      throw new ApiError(`this report holds run ${this.index.run.id} only`, 404)
  }

  async runs() {
    return [this.index.run]
  }

  async run(id: string) {
    this.check(id)
    return this.index.run
  }

  async files(id: string) {
    this.check(id)
    return this.index.files
  }

  async threads(id: string) {
    this.check(id)
    return this.index.threads
  }

  async profile(id: string) {
    this.check(id)
    return this.index.profile
  }

  async callGraph(id: string) {
    this.check(id)
    return this.index.callGraphDot
  }

  /** The graph as drawn when the report was written. */
  callGraphSvg(): string | null {
    return this.index.callGraphSvg
  }

  source(id: string, file: number): Promise<RunSource> {
    this.check(id)
    let source = this.sources.get(file)
    if (source === undefined) {
      source = this.load<RunSource>('source', file, `data/sources/${file}.js`)
      this.sources.set(file, source)
    }
    return source
  }

  async events(id: string, page: PageRequest): Promise<EventPage> {
    this.check(id)
    const { chunkSize, run } = this.index
    const total = run.eventCount
    const events: TraceEvent[] = []
    const step = page.direction === 'forward' ? 1 : -1
    let seq = Math.min(Math.max(page.from, 1), total)
    // A thread filter may skip whole chunks; give up after a bounded scan, like the server's.
    for (
      let scanned = 0;
      events.length < page.limit && seq >= 1 && seq <= total && scanned < 200;
      scanned++
    ) {
      const index = Math.floor((seq - 1) / chunkSize)
      const chunk = await this.chunk(index)
      const rows = chunk.events
      let at = seq - 1 - index * chunkSize
      for (; at >= 0 && at < rows.length && events.length < page.limit; at += step) {
        const row = rows[at]!
        if (page.thread === undefined || row[3] === page.thread)
          events.push(this.expand(row, chunk))
      }
      seq = index * chunkSize + at + 1
    }
    if (page.direction === 'backward') events.reverse()
    return { events, total, status: run.status }
  }

  private expand(row: CompactEvent, chunk: ReportChunk): TraceEvent {
    const [seq, us, kind, thread, frame, depth, line, fn, locals, valueType, value, yielded] = row
    const [qualifiedName, fileId] = this.index.functions[fn] ?? ['?', 0]
    const names: Record<string, string | null> = {}
    const types: Record<string, string | null> = {}
    for (const local of decodeLocals(locals)) {
      const name = this.index.symbols[local.name] ?? `?${local.name}`
      names[name] = local.text
      types[name] = local.type === 0 ? null : (this.index.symbols[local.type] ?? null)
    }
    const event: TraceEvent = {
      seq,
      time: us / 1e6,
      kind: EVENT_KINDS[kind] ?? 'line',
      thread,
      threadName: this.threadNames.get(thread) ?? `thread ${thread}`,
      frame,
      depth,
      file: this.filePaths.get(fileId) ?? '?',
      line,
      function: qualifiedName,
      source: chunk.lines[`${fileId}:${line}`] ?? null,
      locals: names,
      localTypes: types,
      value,
      valueType: valueType === null ? null : (this.index.symbols[valueType] ?? null),
    }
    if (event.kind === 'return') event.yielded = yielded === 1
    return event
  }
}
