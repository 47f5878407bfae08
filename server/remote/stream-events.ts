/**
 * Trace events straight from a run's stream, without a database: the definitions (symbols,
 * threads, functions, files with their source) are kept in memory as they arrive, and each
 * event record becomes the same `TraceEvent` that `replay` reads back from SQLite.
 */

import type { EventKind, TraceEvent } from '../../shared/types/event.js'
import type { PyValue } from '../../shared/wire/marshal.js'
import type { EventRecord, FlatChanges, WireRecord } from '../../shared/wire/records.js'
import { TAG } from '../../shared/wire/records.js'

interface LiveFrame {
  code: number
  thread: number
  depth: number
}

export class StreamEvents {
  /** The tracer's `hello`, once it has arrived. */
  hello: Record<string, PyValue> | null = null
  /** The tracer's `end`, once it has arrived. */
  end: Record<string, PyValue> | null = null
  /** Events the sender dropped, as its last `lost` record said. */
  lost = 0
  /** Events seen so far (the last seq). */
  seq = 0
  private clock = 0
  private readonly symbols = new Map<number, string>()
  private readonly threads = new Map<number, string>()
  private readonly codes = new Map<number, { file: number; qualifiedName: string }>()
  private readonly files = new Map<number, { path: string; lines: string[] }>()
  private readonly frames = new Map<number, LiveFrame>()

  /** Takes one record; returns the event it is, or null for a definition or run record. */
  accept(record: WireRecord): TraceEvent | null {
    switch (record.tag) {
      case TAG.call:
      case TAG.line:
      case TAG.return:
      case TAG.yield:
      case TAG.exception:
        return this.event(record)
      case TAG.hello:
        this.hello = record.info
        this.clock = typeof record.info['clock'] === 'number' ? record.info['clock'] : 0
        return null
      case TAG.end:
        this.end = record.info
        return null
      case TAG.code:
        this.codes.set(record.code, { file: record.file, qualifiedName: record.qualifiedName })
        return null
      case TAG.file:
        this.files.set(record.file, {
          path: record.path,
          lines: record.source === null ? [] : record.source.split(/\r\n|\r|\n/),
        })
        return null
      case TAG.thread:
        this.threads.set(record.thread, record.name)
        return null
      case TAG.symbol:
        this.symbols.set(record.symbol, record.text)
        return null
      case TAG.lost:
        this.lost = record.count
        return null
      case TAG.profile:
      case TAG.notice:
      case TAG.child:
      case TAG.test:
      case TAG.within:
      case TAG.outcome:
      case TAG.task:
      case TAG.await:
        return null
      default: {
        const never: never = record
        throw new Error(`unhandled record ${JSON.stringify(never)}`)
      }
    }
  }

  private event(record: EventRecord): TraceEvent {
    let frame = this.frames.get(record.frame)
    if (record.tag === TAG.call) {
      if (frame === undefined) {
        frame = { code: record.code, thread: record.thread, depth: record.depth }
        this.frames.set(record.frame, frame)
      } else {
        frame.thread = record.thread
        frame.depth = record.depth
      }
    }
    // An event for a frame whose call was never seen (dropped on the way): no function.
    frame ??= { code: 0, thread: 0, depth: 0 }
    if (record.tag === TAG.return) this.frames.delete(record.frame)
    const code = this.codes.get(frame.code)
    const file = code === undefined ? undefined : this.files.get(code.file)
    const { locals, localTypes } = this.locals(
      record.tag === TAG.call ? record.locals : record.changes,
    )
    let value: string | null = null
    let valueType: string | null = null
    if (record.tag === TAG.return || record.tag === TAG.yield) {
      value = record.value
      valueType = record.valueType === 0 ? null : this.symbol(record.valueType)
    } else if (record.tag === TAG.exception) {
      value = record.message
      valueType = this.symbol(record.exceptionType)
    }
    const kind: EventKind =
      record.tag === TAG.call
        ? 'call'
        : record.tag === TAG.line
          ? 'line'
          : record.tag === TAG.exception
            ? 'exception'
            : 'return'
    const event: TraceEvent = {
      seq: ++this.seq,
      time: Math.max(0, Math.round((record.time - this.clock) * 1e6)) / 1e6,
      kind,
      thread: frame.thread,
      threadName: this.threads.get(frame.thread) ?? `thread ${frame.thread}`,
      frame: record.frame,
      depth: frame.depth,
      file: file?.path ?? '?',
      line: record.line,
      function: code?.qualifiedName ?? '?',
      source: file?.lines[record.line - 1] ?? null,
      locals,
      localTypes,
      value,
      valueType,
    }
    if (kind === 'return') event.yielded = record.tag === TAG.yield
    return event
  }

  private locals(flat: FlatChanges | null): Pick<TraceEvent, 'locals' | 'localTypes'> {
    const locals: Record<string, string | null> = {}
    const localTypes: Record<string, string | null> = {}
    if (flat !== null) {
      for (let i = 0; i < flat.length; i += 3) {
        const name = this.symbol(flat[i] as number)
        const type = flat[i + 1] as number
        locals[name] = type === 0 ? null : (flat[i + 2] as string)
        localTypes[name] = type === 0 ? null : this.symbol(type)
      }
    }
    return { locals, localTypes }
  }

  private symbol(id: number): string {
    return this.symbols.get(id) ?? `?${id}`
  }
}
