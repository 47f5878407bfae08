/**
 * The records of the event stream, version 1. Each record is a marshalled tuple whose first
 * item is its tag; `parseRecord` checks the shape and returns a typed record.
 * The specification, with the meaning of every field, is README.md beside this file.
 */

import type { PyValue } from './marshal.js'
import { PyDict } from './marshal.js'
import { WireError } from './frames.js'

export const TAG = {
  call: 0,
  line: 1,
  return: 2,
  exception: 3,
  yield: 4,
  hello: 16,
  code: 17,
  file: 18,
  thread: 19,
  symbol: 20,
  profile: 21,
  end: 22,
  notice: 23,
  lost: 24,
  test: 25,
  within: 26,
  outcome: 27,
  child: 28,
  task: 29,
  await: 30,
} as const

/**
 * Locals or changed locals: flat (name symbol, type symbol, text) triples. A deleted
 * variable has type symbol 0 and text null.
 */
export type FlatChanges = ReadonlyArray<number | string | null>

/** A call, or a generator resumed: `locals` is null on a resume. */
export interface CallRecord {
  tag: typeof TAG.call
  frame: number
  line: number
  time: number
  locals: FlatChanges | null
  code: number
  parent: number
  thread: number
  depth: number
  /** The asyncio task it runs in (0: none; the tracer leaves the field out then). */
  task: number
}

export interface LineRecord {
  tag: typeof TAG.line
  frame: number
  line: number
  time: number
  changes: FlatChanges | null
}

/** A final return (`return`) or a generator suspending (`yield`). `valueType` 0: left by an exception. */
export interface ReturnRecord {
  tag: typeof TAG.return | typeof TAG.yield
  frame: number
  line: number
  time: number
  changes: FlatChanges | null
  valueType: number
  value: string | null
}

export interface ExceptionRecord {
  tag: typeof TAG.exception
  frame: number
  line: number
  time: number
  changes: FlatChanges | null
  exceptionType: number
  message: string
}

export type EventRecord = CallRecord | LineRecord | ReturnRecord | ExceptionRecord

export interface HelloRecord {
  tag: typeof TAG.hello
  info: Record<string, PyValue>
}
export interface CodeRecord {
  tag: typeof TAG.code
  code: number
  file: number
  name: string
  qualifiedName: string
  firstLine: number
}
export interface FileRecord {
  tag: typeof TAG.file
  file: number
  path: string
  source: string | null
}
export interface ThreadRecord {
  tag: typeof TAG.thread
  thread: number
  ident: number
  name: string
}
export interface SymbolRecord {
  tag: typeof TAG.symbol
  symbol: number
  text: string
}
/** cProfile's stats, as `pstats` stores them: the dict is kept as decoded. */
export interface ProfileRecord {
  tag: typeof TAG.profile
  stats: PyDict
}
export interface EndRecord {
  tag: typeof TAG.end
  info: Record<string, PyValue>
}
export interface NoticeRecord {
  tag: typeof TAG.notice
  message: string
}

/** Events a forwarder dropped so far (a running total), written by `smiley run --remote`. */
export interface LostRecord {
  tag: typeof TAG.lost
  count: number
}

/** A child process was started here (its pid): its run links to this place of the trace. */
export interface ChildRecord {
  tag: typeof TAG.child
  pid: number
  /** Unix time, to tell apart two children that had the same pid. */
  time: number
}

/** A test starts (`--per-test`): the events after it are its own run's. */
export interface TestRecord {
  tag: typeof TAG.test
  /** The test's id in this stream, from 1. */
  test: number
  /** `id` (the test's name: a pytest node id, a unittest id) and `started` (Unix time). */
  info: Record<string, PyValue>
}

/** The events after it are those of test `test` (0: the session's). */
export interface WithinRecord {
  tag: typeof TAG.within
  test: number
}

/** A test has ended: the events after it are the session's. */
export interface OutcomeRecord {
  tag: typeof TAG.outcome
  test: number
  /** `outcome`, `duration` (seconds), `ended` (Unix time), and `exception` when it failed. */
  info: Record<string, PyValue>
}

/** An asyncio task, defined before the first call that runs in it. */
export interface TaskRecord {
  tag: typeof TAG.task
  task: number
  /** Its name when first seen (`Task.get_name()`). */
  name: string
  /** The thread whose event loop runs it. */
  thread: number
}

/** Task `task` suspends until task `awaited` is done (awaited directly or through gather). */
export interface AwaitRecord {
  tag: typeof TAG.await
  task: number
  awaited: number
}

export type WireRecord =
  | EventRecord
  | HelloRecord
  | CodeRecord
  | FileRecord
  | ThreadRecord
  | SymbolRecord
  | ProfileRecord
  | EndRecord
  | NoticeRecord
  | LostRecord
  | ChildRecord
  | TestRecord
  | WithinRecord
  | OutcomeRecord
  | TaskRecord
  | AwaitRecord

/** Checks one decoded record and gives it its type. Throws `WireError` when malformed. */
export function parseRecord(value: PyValue): WireRecord {
  if (!Array.isArray(value) || value.length === 0) throw new WireError('record is not a tuple')
  const tag = value[0]
  switch (tag) {
    case TAG.call:
      if (value.length !== 10) expectLength(value, 9)
      return {
        tag,
        frame: int(value[1]),
        line: int(value[2]),
        time: num(value[3]),
        locals: changes(value[4]),
        code: int(value[5]),
        parent: int(value[6]),
        thread: int(value[7]),
        depth: int(value[8]),
        task: value.length === 10 ? int(value[9]) : 0,
      }
    case TAG.line:
      expectLength(value, 5)
      return {
        tag,
        frame: int(value[1]),
        line: int(value[2]),
        time: num(value[3]),
        changes: changes(value[4]),
      }
    case TAG.return:
    case TAG.yield:
      expectLength(value, 7)
      return {
        tag,
        frame: int(value[1]),
        line: int(value[2]),
        time: num(value[3]),
        changes: changes(value[4]),
        valueType: int(value[5]),
        value: optionalText(value[6]),
      }
    case TAG.exception:
      expectLength(value, 7)
      return {
        tag,
        frame: int(value[1]),
        line: int(value[2]),
        time: num(value[3]),
        changes: changes(value[4]),
        exceptionType: int(value[5]),
        message: text(value[6]),
      }
    case TAG.hello:
    case TAG.end:
      expectLength(value, 2)
      return { tag, info: dict(value[1]).toObject() }
    case TAG.code:
      expectLength(value, 6)
      return {
        tag,
        code: int(value[1]),
        file: int(value[2]),
        name: text(value[3]),
        qualifiedName: text(value[4]),
        firstLine: int(value[5]),
      }
    case TAG.file:
      expectLength(value, 4)
      return { tag, file: int(value[1]), path: text(value[2]), source: optionalText(value[3]) }
    case TAG.thread:
      expectLength(value, 4)
      return { tag, thread: int(value[1]), ident: int(value[2]), name: text(value[3]) }
    case TAG.symbol:
      expectLength(value, 3)
      return { tag, symbol: int(value[1]), text: text(value[2]) }
    case TAG.profile:
      expectLength(value, 2)
      return { tag, stats: dict(value[1]) }
    case TAG.notice:
      expectLength(value, 2)
      return { tag, message: text(value[1]) }
    case TAG.lost:
      expectLength(value, 2)
      return { tag, count: int(value[1]) }
    case TAG.child:
      expectLength(value, 3)
      return { tag, pid: int(value[1]), time: num(value[2]) }
    case TAG.test:
    case TAG.outcome:
      expectLength(value, 3)
      return { tag, test: int(value[1]), info: dict(value[2]).toObject() }
    case TAG.within:
      expectLength(value, 2)
      return { tag, test: int(value[1]) }
    case TAG.task:
      expectLength(value, 4)
      return { tag, task: int(value[1]), name: text(value[2]), thread: int(value[3]) }
    case TAG.await:
      expectLength(value, 3)
      return { tag, task: int(value[1]), awaited: int(value[2]) }
    default:
      throw new WireError(`unknown record tag ${String(tag)}`)
  }
}

function expectLength(value: PyValue[], length: number): void {
  if (value.length !== length)
    throw new WireError(`record ${String(value[0])} has ${value.length} fields, not ${length}`)
}

function int(value: PyValue | undefined): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value
  if (typeof value === 'bigint') return Number(value)
  throw new WireError(`expected an integer, got ${describe(value)}`)
}

function num(value: PyValue | undefined): number {
  if (typeof value === 'number') return value
  throw new WireError(`expected a number, got ${describe(value)}`)
}

function text(value: PyValue | undefined): string {
  if (typeof value === 'string') return value
  throw new WireError(`expected text, got ${describe(value)}`)
}

function optionalText(value: PyValue | undefined): string | null {
  return value === null ? null : text(value)
}

function dict(value: PyValue | undefined): PyDict {
  if (value instanceof PyDict) return value
  throw new WireError(`expected a dict, got ${describe(value)}`)
}

function changes(value: PyValue | undefined): FlatChanges | null {
  if (value === null) return null
  if (!Array.isArray(value) || value.length % 3 !== 0) throw new WireError('malformed locals')
  for (let i = 0; i < value.length; i += 3) {
    const name = value[i]
    const type = value[i + 1]
    const shown = value[i + 2]
    if (typeof name !== 'number' || typeof type !== 'number')
      throw new WireError('malformed locals')
    if (!(typeof shown === 'string' || (shown === null && type === 0)))
      throw new WireError('malformed locals')
  }
  return value as FlatChanges
}

function describe(value: PyValue | undefined): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'None'
  if (Array.isArray(value)) return 'a tuple'
  if (value instanceof PyDict) return 'a dict'
  return typeof value
}
