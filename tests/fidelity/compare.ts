/**
 * Lines a recording up with the reference collector's record of the same program, thread by
 * thread, and finds the first event where they differ: in kind, file, line, function and
 * activation (a new call or a resumption) and asyncio task, and, where the program is deterministic, in the
 * locals of the frame, the return value or the exception.
 */

import { relative } from 'node:path'
import type { TraceEvent } from '../../shared/types/event.js'

/** One line of reference.py's output. */
export type ReferenceEvent = [
  thread: string,
  kind: 'call' | 'line' | 'return' | 'exception',
  file: string,
  line: number,
  fn: string,
  frame: number,
  detail: 'new' | 'resume' | 'yield' | 'unwind' | null,
  valueType: string | null,
  value: string | null,
  locals: Record<string, [type: string, text: string] | null>,
  /** The asyncio task running at the event, by name; null outside tasks. */
  task: string | null,
]

export interface CompareOptions {
  /** The folder both recordings' files are named relative to. */
  folder: string
  /** Compare locals, return values and exceptions too (the program is deterministic). */
  values: boolean
  /** The recording's --max-repr. */
  maxRepr: number
  /** Locals whose values differ from process to process (an object's id, say). */
  ignore?: string[]
  /** Functions are named by co_qualname from 3.11; before, the reference has co_name only. */
  qualifiedNames: boolean
}

export interface Divergence {
  thread: string
  /** Position within the thread's events, from 0. */
  index: number
  what: string
  ours: string
  reference: string
  /** The events just before it, as both recordings agree on them. */
  before: string[]
}

export interface Comparison {
  /** Events compared (the reference's count when they agree). */
  events: number
  threads: string[]
  divergence: Divergence | null
}

/** A value as each side holds it: type and text. */
type Shown = [type: string | null, text: string]

interface Aligned {
  control: string
  frame: number
  value: Shown | null
  locals: Record<string, Shown | null>
}

export function compareRecordings(
  ours: Iterable<TraceEvent>,
  reference: ReferenceEvent[],
  options: CompareOptions,
): Comparison {
  const ourThreads = byThread(fromOurs(ours, options))
  const theirThreads = byThread(fromReference(reference, options))
  const threads = [...new Set([...theirThreads.keys(), ...ourThreads.keys()])]
  let events = 0
  for (const thread of threads) {
    const a = ourThreads.get(thread) ?? []
    const b = theirThreads.get(thread) ?? []
    const divergence = firstDivergence(thread, a, b, options)
    if (divergence) return { events: events + divergence.index, threads, divergence }
    events += b.length
  }
  return { events, threads, divergence: null }
}

/** A readable account of a divergence, for a failing test's message. */
export function describeDivergence(comparison: Comparison): string {
  const d = comparison.divergence
  if (!d) return 'no divergence'
  return [
    `thread ${d.thread}, event ${d.index}: ${d.what}`,
    ...d.before.map((line) => `      ${line}`),
    `  ours:      ${d.ours}`,
    `  reference: ${d.reference}`,
  ].join('\n')
}

function firstDivergence(
  thread: string,
  ours: Aligned[],
  reference: Aligned[],
  options: CompareOptions,
): Divergence | null {
  const ourLocals = new Map<number, Map<string, Shown>>()
  const theirLocals = new Map<number, Map<string, Shown>>()
  const at = (index: number, what: string, a: string, b: string): Divergence => ({
    thread,
    index,
    what,
    ours: a,
    reference: b,
    before: reference.slice(Math.max(0, index - 4), index).map((event) => event.control),
  })
  for (let i = 0; i < Math.max(ours.length, reference.length); i++) {
    const a = ours[i]
    const b = reference[i]
    if (!a || !b)
      return at(i, 'one recording ends first', a?.control ?? '(end)', b?.control ?? '(end)')
    if (a.control !== b.control) return at(i, 'control flow', a.control, b.control)
    if (!options.values) continue
    if (!sameShown(a.value, b.value, options.maxRepr))
      return at(i, 'value', show(a.value), show(b.value))
    const mine = apply(ourLocals, a)
    const theirs = apply(theirLocals, b)
    for (const name of new Set([...mine.keys(), ...theirs.keys()])) {
      if (options.ignore?.includes(name)) continue
      const x = mine.get(name) ?? null
      const y = theirs.get(name) ?? null
      if (!sameShown(x, y, options.maxRepr))
        return at(i, `local ${name} (${a.control})`, show(x), show(y))
    }
  }
  return null
}

function apply(states: Map<number, Map<string, Shown>>, event: Aligned): Map<string, Shown> {
  let state = states.get(event.frame)
  if (!state) states.set(event.frame, (state = new Map()))
  for (const [name, shown] of Object.entries(event.locals)) {
    if (shown === null) state.delete(name)
    else state.set(name, shown)
  }
  return state
}

const ADDRESS = /0x[0-9a-f]{4,}/g

function sameShown(ours: Shown | null, theirs: Shown | null, maxRepr: number): boolean {
  if (ours === null || theirs === null) return ours === theirs
  if (ours[0] !== null && theirs[0] !== null && ours[0] !== theirs[0]) return false
  const a = ours[1].replace(ADDRESS, '0x?')
  const b = theirs[1].replace(ADDRESS, '0x?')
  if (a === b || a === '<redacted>' || redactedFrom(a, b)) return true
  if (b.startsWith('<repr failed') && a.startsWith('<repr of')) return true
  // A type whose __repr__ was slow (or kept the program waiting, as a busy machine can make it
  // seem to) is shown as object.__repr__ would from then on (README, "What is recorded").
  if (a === `<${ours[0]} object at 0x?>`) return true
  // A text too long for --max-repr is cut, and must say so.
  return theirs[1].length > maxRepr && ours[1].length <= maxRepr && /…|\(\d+ items\)/.test(a)
}

/** Whether `ours` is `theirs` with parts redacted (README, "Secrets"). */
function redactedFrom(ours: string, theirs: string): boolean {
  if (!ours.includes('<redacted>')) return false
  const parts = ours.split('<redacted>').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(`^${parts.join('[\\s\\S]*?')}$`).test(theirs)
}

function show(shown: Shown | null): string {
  return shown === null ? '(none)' : `${shown[0] ?? '?'}: ${shown[1]}`
}

function byThread(events: Iterable<Aligned & { thread: string }>): Map<string, Aligned[]> {
  const threads = new Map<string, Aligned[]>()
  for (const event of events) {
    let list = threads.get(event.thread)
    if (!list) threads.set(event.thread, (list = []))
    list.push(event)
  }
  return threads
}

function* fromOurs(
  events: Iterable<TraceEvent>,
  options: CompareOptions,
): Generator<Aligned & { thread: string }> {
  const seen = new Set<number>()
  const named = inFolder(options.folder)
  for (const event of events) {
    let detail = ''
    if (event.kind === 'call') detail = seen.has(event.frame) ? 'resume' : 'new'
    else if (event.kind === 'return' && event.yielded) detail = 'yield'
    else if (event.kind === 'return' && event.valueType === null) detail = 'unwind'
    seen.add(event.frame)
    const locals: Record<string, Shown | null> = {}
    for (const [name, text] of Object.entries(event.locals))
      locals[name] = text === null ? null : [event.localTypes[name] ?? null, named(text)]
    const fn = options.qualifiedNames ? event.function : event.function.split('.').pop()!
    yield {
      thread: event.threadName,
      control: control(
        event.kind,
        relative(options.folder, event.file),
        event.line,
        fn,
        detail,
        event.taskName ?? null,
      ),
      frame: event.frame,
      value:
        event.value === null || (event.kind !== 'return' && event.kind !== 'exception')
          ? null
          : [event.valueType, named(event.value)],
      locals,
    }
  }
}

function* fromReference(
  events: ReferenceEvent[],
  options: CompareOptions,
): Generator<Aligned & { thread: string }> {
  const named = inFolder(options.folder)
  for (const [
    thread,
    kind,
    file,
    line,
    fn,
    frame,
    detail,
    valueType,
    value,
    locals,
    task,
  ] of events) {
    for (const [name, shown] of Object.entries(locals))
      if (shown !== null) locals[name] = [shown[0], named(shown[1])]
    yield {
      thread,
      control: control(kind, relative(options.folder, file), line, fn, detail ?? '', task),
      frame,
      value: value === null ? null : [valueType, named(value)],
      locals,
    }
  }
}

/**
 * Texts with the folder's paths made relative, on both sides: smiley run gives the interpreter
 * the program's absolute path, the reference the name in the folder, and a repr naming the
 * program's file (a coroutine's, a task's) names it as it was given.
 */
function inFolder(folder: string): (text: string) => string {
  const prefix = `${folder}/`
  return (text) => text.replaceAll(prefix, '')
}

function control(
  kind: string,
  file: string,
  line: number,
  fn: string,
  detail: string,
  task: string | null,
): string {
  return `${kind} ${file}:${line} ${fn}${detail ? ` (${detail})` : ''}${task === null ? '' : ` in task ${task}`}`
}
