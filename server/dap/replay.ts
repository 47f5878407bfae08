/**
 * The program being debugged: a recorded run, a cursor on one of its events, and the
 * breakpoints set over it. It moves the cursor (steps either way, on to the next or back to
 * the previous breakpoint hit) with the explorer's own queries, and knows nothing of the
 * Debug Adapter Protocol: session.ts speaks that over it.
 */

import type { Move } from '../../shared/types/moment.js'
import type { Run } from '../../shared/types/run.js'
import type { Db } from '../db/database.js'
import { KIND } from '../db/event-block.js'
import { EventStore } from '../db/event-store.js'
import type { RunNames } from '../db/events.js'
import { readSource } from '../db/files.js'
import { momentAt, moveFrom, variablesAt } from '../db/moments.js'
import { lineExecutions } from '../db/questions.js'
import { searchEvents } from '../db/search.js'
import { listThreads } from '../db/threads.js'
import { tracebackEvents } from '../db/traceback.js'
import {
  hitCounts,
  type BreakpointRule,
  type FunctionBreakpoint,
  type LineBreakpoint,
} from './breakpoints.js'
import { evaluate, renderMessage, truthy, type Lookup } from './expressions.js'
import { ExpressionError } from './python-values.js'

export type Direction = 'forward' | 'backward'

/** Which exceptions stop: every one where it is raised, or the one that ended the program. */
export type ExceptionFilter = 'raised' | 'uncaught'

export type StopReason =
  'entry' | 'step' | 'breakpoint' | 'function breakpoint' | 'exception' | 'goto'

export interface Stop {
  seq: number
  reason: StopReason
  /** The breakpoints hit there. */
  breakpoints: number[]
  /** For an exception: its type and message. */
  description?: string
}

/** Where a move ends: a stop, or past the last event of the run. */
export type Outcome = { kind: 'stop'; stop: Stop } | { kind: 'end' }

/** What a continue tells as it passes: a logpoint's message, a condition that failed to evaluate. */
export interface Passing {
  log(text: string, seq: number): void
  problem(text: string): void
}

interface Hit {
  seq: number
  rule?: BreakpointRule
  reason: StopReason
  description?: string
}

/**
 * Hits read per page of line executions or search matches: few at first (a stop is often
 * near), more as a scan goes on (each page has a fixed cost).
 */
const FIRST_PAGE = 64
const LAST_PAGE = 4096
const FORWARD_MOVES: readonly Move[] = ['next', 'over', 'out']

export class Replay {
  /** The event the program is stopped at. */
  seq = 1
  lineBreakpoints: LineBreakpoint[] = []
  functionBreakpoints: FunctionBreakpoint[] = []
  exceptionFilters = new Set<ExceptionFilter>()
  private readonly counters = new Map<
    number,
    { seq: number; count: number; rest: Iterator<Hit>; pending?: Hit | undefined }
  >()
  private readonly reported = new Set<number>()
  private lastVariables:
    | { frame: number; block: number; seq: number; values: Map<number, [number, string | null]> }
    | undefined

  constructor(
    readonly db: Db,
    readonly key: number,
    readonly run: Run,
    readonly names: RunNames,
  ) {}

  get total(): number {
    return this.run.eventCount
  }

  threads(): Array<{ id: number; name: string }> {
    return listThreads(this.db, this.key).map((thread) => ({ id: thread.id, name: thread.name }))
  }

  /** The thread of event `seq`. */
  threadOf(seq: number): number {
    return EventStore.of(this.db).event(this.key, seq)?.thread ?? 0
  }

  /** The run's id of the file at `path`, when the run ran it. */
  fileId(path: string): number | undefined {
    return this.db
      .prepare('SELECT id FROM files WHERE run = ? AND path = ?')
      .pluck()
      .get(this.key, path) as number | undefined
  }

  /** A file's text as the run executed it, when it was recorded. */
  recordedText(file: number): string | null {
    return readSource(this.db, this.key, file, this.run.cwd)?.text ?? null
  }

  /** How many times a line of a file ran. */
  lineHits(file: number, line: number): number {
    return (
      (this.db
        .prepare('SELECT hits FROM line_hits WHERE run = ? AND file = ? AND line = ?')
        .pluck()
        .get(this.key, file, line) as number | undefined) ?? 0
    )
  }

  moment(seq = this.seq) {
    return momentAt(this.db, this.key, this.names, seq)
  }

  /** The values visible at event `seq` (its call's variables), as recorded. */
  lookupAt(seq: number): Lookup {
    const byName = new Map<string, string>()
    for (const [symbol, [, text]] of this.variablesAt(seq))
      if (text !== null) byName.set(this.names.symbol(symbol), text)
    return (name) => byName.get(name)
  }

  /**
   * The variables of event `seq`'s call at that event. Breakpoint scans judge hit after hit,
   * mostly in one call and one block of events: from the last hit of the same call in the
   * same block, its changes up to `seq` are laid over the variables found then, instead of
   * rebuilding them from the block's snapshot (what variablesAt does, and does otherwise).
   */
  private variablesAt(seq: number): Map<number, [number, string | null]> {
    const block = EventStore.of(this.db).blockAt(this.key, seq)
    const stored = block?.events[seq - block.firstSeq]
    if (block === undefined || stored === undefined) return new Map()
    const last = this.lastVariables
    let values: Map<number, [number, string | null]>
    if (
      last !== undefined &&
      last.frame === stored.frame &&
      last.block === block.firstSeq &&
      last.seq <= seq
    ) {
      values = new Map(last.values)
      for (let index = last.seq + 1 - block.firstSeq; index <= seq - block.firstSeq; index++) {
        const event = block.events[index]!
        if (event.frame !== stored.frame) continue
        for (const local of event.locals ?? []) {
          if (local.text === null) values.delete(local.name)
          else values.set(local.name, [local.type, local.text])
        }
      }
    } else {
      values = variablesAt(this.db, this.key, stored.frame, seq)
    }
    this.lastVariables = { frame: stored.frame, block: block.firstSeq, seq, values }
    return values
  }

  /** The last event of `thread` at or before the current one; undefined before it started. */
  lastIn(thread: number): number | undefined {
    for (const event of EventStore.of(this.db).events(this.key, this.seq, 'backward', { thread }))
      return event.seq
    return undefined
  }

  /** The first event of `thread`, or of the run. */
  first(thread?: number): number {
    for (const event of EventStore.of(this.db).events(this.key, 1, 'forward', { thread }))
      return event.seq
    return 1
  }

  /** Goes to event `seq`; false when the run has no such event. */
  goto(seq: number): boolean {
    if (!Number.isSafeInteger(seq) || seq < 1 || seq > this.total) return false
    this.seq = seq
    return true
  }

  /** One of the explorer's moves, staying in `thread`; past the end of the run is the end. */
  step(move: Move, thread: number | undefined): Outcome {
    const target = moveFrom(this.db, this.key, this.seq, move, this.total, { thread })
    if (target === null && FORWARD_MOVES.includes(move)) return { kind: 'end' }
    if (target !== null) this.seq = target
    return { kind: 'stop', stop: { seq: this.seq, reason: 'step', breakpoints: [] } }
  }

  /**
   * On to the next breakpoint hit in `thread` (forward), or back to the previous one: the
   * first whose condition holds and whose hit count is due. Logpoints on the way log and go
   * on. Forward past the last hit is the end; backward, the thread's first event.
   */
  go(direction: Direction, thread: number | undefined, passing: Passing): Outcome {
    const forward = direction === 'forward'
    const from = forward ? this.seq + 1 : this.seq - 1
    const sources = this.hitSources(from, direction, thread)
    const heads = sources.map((source) => source.next())
    for (;;) {
      let best: number | undefined
      for (const head of heads) {
        if (head.done) continue
        const seq = head.value.seq
        if (best === undefined || (forward ? seq < best : seq > best)) best = seq
      }
      if (best === undefined) {
        if (forward) return { kind: 'end' }
        this.seq = this.first(thread)
        return { kind: 'stop', stop: { seq: this.seq, reason: 'entry', breakpoints: [] } }
      }
      const stopping: Hit[] = []
      heads.forEach((head, index) => {
        if (head.done || head.value.seq !== best) return
        const hit = head.value
        heads[index] = sources[index]!.next()
        if (hit.rule !== undefined && !this.applies(hit.rule, hit.seq, passing)) return
        if (hit.rule?.log !== undefined) {
          passing.log(renderMessage(hit.rule.log, this.lookupAt(hit.seq)), hit.seq)
          return
        }
        stopping.push(hit)
      })
      if (stopping.length === 0) continue
      this.seq = best
      const exception = stopping.find((hit) => hit.reason === 'exception')
      const reason = exception?.reason ?? stopping[0]!.reason
      return {
        kind: 'stop',
        stop: {
          seq: best,
          reason,
          breakpoints: stopping.flatMap((hit) => (hit.rule === undefined ? [] : [hit.rule.id])),
          ...(exception?.description === undefined ? {} : { description: exception.description }),
        },
      }
    }
  }

  /** Whether a breakpoint's condition holds and its hit count is due at its hit `seq`. */
  private applies(rule: BreakpointRule, seq: number, passing: Passing): boolean {
    if (rule.problem !== undefined) return false
    if (rule.condition !== undefined) {
      try {
        if (!truthy(evaluate(rule.condition, this.lookupAt(seq)))) return false
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error
        if (!this.reported.has(rule.id)) {
          this.reported.add(rule.id)
          passing.problem(
            `breakpoint ${rule.id}: its condition fails at event ${seq}: ${error.message}`,
          )
        }
        return false
      }
    }
    return rule.hit === undefined || hitCounts(rule.hit, this.hitNumber(rule, seq))
  }

  /**
   * Which hit of its breakpoint event `seq` is (1 for the first), counted in every thread.
   * Each breakpoint keeps its count and where it stopped counting, so counting forward
   * through a run reads each hit once; a count asked for further back starts again.
   */
  private hitNumber(rule: BreakpointRule, seq: number): number {
    let counter = this.counters.get(rule.id)
    if (counter === undefined || counter.seq > seq) {
      counter = { seq: 0, count: 0, rest: this.hitsOf(rule, 1, 'forward', undefined) }
      this.counters.set(rule.id, counter)
    }
    for (;;) {
      if (counter.pending === undefined) {
        const next = counter.rest.next()
        if (next.done) break
        counter.pending = next.value
      }
      if (counter.pending.seq > seq) break
      counter.count += 1
      counter.seq = counter.pending.seq
      counter.pending = undefined
    }
    return counter.count
  }

  private hitsOf(
    rule: BreakpointRule,
    from: number,
    direction: Direction,
    thread: number | undefined,
  ): Generator<Hit> {
    const line = this.lineBreakpoints.find((bp) => bp === rule)
    if (line !== undefined) return this.lineHitsOf(line, from, direction, thread)
    return this.callsOf(rule as FunctionBreakpoint, from, direction, thread)
  }

  private hitSources(from: number, direction: Direction, thread: number | undefined) {
    const sources: Array<Generator<Hit>> = []
    for (const bp of this.lineBreakpoints)
      if (bp.file !== undefined && bp.problem === undefined)
        sources.push(this.lineHitsOf(bp, from, direction, thread))
    for (const bp of this.functionBreakpoints)
      if (bp.problem === undefined) sources.push(this.callsOf(bp, from, direction, thread))
    if (this.exceptionFilters.has('raised')) sources.push(this.raised(from, direction, thread))
    if (this.exceptionFilters.has('uncaught')) sources.push(this.uncaught(from, direction, thread))
    return sources
  }

  private *lineHitsOf(
    bp: LineBreakpoint,
    from: number,
    direction: Direction,
    thread: number | undefined,
  ): Generator<Hit> {
    if (bp.file === undefined) return
    let at: number | null = from
    let limit = FIRST_PAGE
    while (at !== null && at >= 1 && at <= this.total) {
      const page = lineExecutions(this.db, this.key, this.names, bp.file, bp.line, {
        from: at,
        direction,
        limit,
        values: false,
        ...(thread === undefined ? {} : { thread }),
      })
      const executions = direction === 'forward' ? page.executions : page.executions.reverse()
      for (const execution of executions)
        yield { seq: execution.seq, rule: bp, reason: 'breakpoint' }
      at = page.next
      limit = Math.min(limit * 4, LAST_PAGE)
    }
  }

  /** The calls of the function a function breakpoint names (its name, or qualified name). */
  private *callsOf(
    bp: FunctionBreakpoint,
    from: number,
    direction: Direction,
    thread: number | undefined,
  ): Generator<Hit> {
    const named = (qualified: string) =>
      qualified === bp.name || qualified.split('.').at(-1) === bp.name
    for (const event of this.matches({ function: bp.name, kind: 'call' }, from, direction))
      if ((thread === undefined || event.thread === thread) && named(event.function))
        yield { seq: event.seq, rule: bp, reason: 'function breakpoint' }
  }

  /** Exceptions where they are raised: not again in each caller they pass through. */
  private *raised(from: number, direction: Direction, thread: number | undefined): Generator<Hit> {
    const store = EventStore.of(this.db)
    for (const event of this.matches({ kind: 'exception' }, from, direction)) {
      if (thread !== undefined && event.thread !== thread) continue
      let before
      for (const previous of store.events(this.key, event.seq - 1, 'backward', {
        thread: event.thread,
      })) {
        before = previous
        break
      }
      const passedOn =
        before !== undefined &&
        before.kind === KIND.return &&
        before.valueType === null &&
        before.depth === event.depth + 1
      if (passedOn) continue
      yield {
        seq: event.seq,
        reason: 'exception',
        description: `${event.valueType ?? 'Exception'}: ${event.value ?? ''}`,
      }
    }
  }

  /** The exception that ended the program, where it was raised. */
  private *uncaught(
    from: number,
    direction: Direction,
    thread: number | undefined,
  ): Generator<Hit> {
    if (this.run.traceback === null) return
    const { frames } = tracebackEvents(
      this.db,
      this.key,
      this.names,
      this.run.traceback,
      this.total,
    )
    const seq = frames.flatMap((frame) => (frame.seq === null ? [] : [frame.seq])).at(-1)
    if (seq === undefined) return
    if (direction === 'forward' ? seq < from : seq > from) return
    if (thread !== undefined && this.threadOf(seq) !== thread) return
    yield {
      seq,
      reason: 'exception',
      description: `${this.run.errorType ?? 'Exception'}: ${this.run.errorMessage ?? ''}`,
    }
  }

  private *matches(
    query: Parameters<typeof searchEvents>[3]['query'],
    from: number,
    direction: Direction,
  ) {
    let at: number | null = from
    let limit = FIRST_PAGE
    while (at !== null) {
      const page = searchEvents(this.db, this.key, this.names, {
        query,
        from: at,
        direction,
        limit,
        total: this.total,
      })
      yield* page.matches
      at = page.next
      limit = Math.min(limit * 4, LAST_PAGE)
    }
  }
}
