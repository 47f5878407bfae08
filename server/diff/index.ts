/**
 * Comparing two runs: the door of server/diff. Threads are paired (thread-pairs.ts), each
 * pair walked side by side block by block (align.ts) with places matched across machines and
 * Python versions (places.ts) and values compared without the noise (values.ts, shared/diff-noise.ts).
 */

import type {
  CallCount,
  ControlDivergence,
  DiffOptions,
  DiffPlace,
  DiffReport,
  ValueDivergence,
} from '../../shared/types/diff.js'
import type { Run } from '../../shared/types/run.js'
import type { Db } from '../db/database.js'
import type { StoredEvent } from '../db/event-block.js'
import { eventKind, RunNames } from '../db/events.js'
import { stackAt } from '../db/moments.js'
import type { StoredRun } from '../db/runs.js'
import { listThreads } from '../db/threads.js'
import { Aligner, type Stretch } from './align.js'
import { Lookahead } from './lookahead.js'
import { HELD, RunReader } from './run-reader.js'
import { Noise } from '../../shared/diff-noise.js'
import { Places, shownPath, type RunSide } from './places.js'
import { pairThreads } from './thread-pairs.js'
import { ValueComparer, type ValueDifference } from './values.js'

export { badPattern } from '../../shared/diff-noise.js'

/** Divergent stretches listed at most (with --all); the summary counts them all. */
export const MAX_LISTED = 1000

/** An aligned pair of events whose values differ. */
interface FoundValue {
  a: StoredEvent
  b: StoredEvent
  thread: string
  difference: ValueDifference
}

/** A stretch where the paths part, and its first value divergence after they meet again. */
interface Divergent {
  stretch: Stretch
  thread: ControlDivergence['thread']
  value: FoundValue | null
}

interface Side extends RunSide {
  db: Db
  key: number
  run: Run
}

/**
 * A run to compare, and the connection to read it through. The two runs need a connection
 * each, even in one file: each is read while the other is.
 */
export interface DiffRun {
  db: Db
  stored: StoredRun
}

/**
 * Compares run `a` with run `b`. `held`: the events a thread may hold ahead of its partner
 * before it reads on by itself (see run-reader.ts).
 */
export function compareRuns(a: DiffRun, b: DiffRun, options: DiffOptions, held = HELD): DiffReport {
  const sides: [Side, Side] = [side(a), side(b)]
  const places = new Places(sides)
  const values = new ValueComparer(
    [
      { db: a.db, run: a.stored.key, names: sides[0].names },
      { db: b.db, run: b.stored.key, names: sides[1].names },
    ],
    new Noise(options.ignore, options.ignoreNames),
  )
  const calls = new Map<number, [number, number]>()
  const count = (s: 0 | 1, event: StoredEvent) => {
    if (event.kind !== 0) return
    const fn = places.function(s, event.function)
    let counts = calls.get(fn)
    if (counts === undefined) calls.set(fn, (counts = [0, 0]))
    counts[s] += 1
  }
  const divergences: Divergent[] = []
  let first: Divergent | null = null
  let firstValue: FoundValue | null = null
  let commonPrefix = 0
  let aligned = 0
  let valueDifferences = 0
  let stretches = 0

  const threadsA = listThreads(a.db, a.stored.key)
  const threadsB = listThreads(b.db, b.stored.key)
  const lookaheads = [new Map<number, Lookahead>(), new Map<number, Lookahead>()] as const
  const aligners: Aligner[] = []
  for (const pair of pairThreads(threadsA, threadsB)) {
    const streams = ([pair.a, pair.b] as const).map((thread, s) => {
      const stream = new Lookahead((event) => places.place(s as 0 | 1, event))
      if (thread === null) stream.ended = true
      else lookaheads[s as 0 | 1].set(thread.id, stream)
      return stream
    })
    const thread = { a: pair.a?.name ?? null, b: pair.b?.name ?? null }
    let parted = false
    /** The stretch listed last in this pair: its first value divergence after the rejoin. */
    let listed: Divergent | null = null
    const aligner = new Aligner(streams[0]!, streams[1]!, {
      aligned(eventA, eventB) {
        aligned += 1
        if (!parted) commonPrefix += 1
        count(0, eventA)
        count(1, eventB)
        const differences = values.compare(eventA, eventB)
        valueDifferences += differences.length
        const difference = differences[0]
        if (difference === undefined) return
        const found = { a: eventA, b: eventB, thread: thread.a ?? thread.b ?? '?', difference }
        if (parted) {
          if (listed !== null && listed.value === null) listed.value = found
        } else if (firstValue === null || eventA.seq < firstValue.a.seq) firstValue = found
      },
      alone: count,
      parted(stretch) {
        stretches += 1
        const divergence: Divergent = { stretch, thread, value: null }
        if (!parted && (first === null || orderOf(stretch) < orderOf(first.stretch)))
          first = divergence
        parted = true
        listed = null
        if (options.all && divergences.length < MAX_LISTED) divergences.push((listed = divergence))
      },
    })
    aligners.push(aligner)
  }
  const readers = [0, 1].map(
    (s) => new RunReader(sides[s]!.db, sides[s]!.key, lookaheads[s as 0 | 1], held),
  )
  alignTogether(aligners, readers)
  divergences.sort((x, y) => orderOf(x.stretch) - orderOf(y.stretch))

  const place = (s: 0 | 1, event: StoredEvent | null) => placeOf(sides[s], event)
  const describe = (d: Divergent): ControlDivergence => ({
    thread: d.thread,
    lastCommon: {
      a: d.stretch.lastCommon[0]?.seq ?? null,
      b: d.stretch.lastCommon[1]?.seq ?? null,
    },
    common: place(0, d.stretch.lastCommon[0]),
    a: place(0, d.stretch.next[0]),
    b: place(1, d.stretch.next[1]),
    rejoin: d.stretch.rejoin && { a: d.stretch.rejoin[0].seq, b: d.stretch.rejoin[1].seq },
    only: { a: d.stretch.only[0], b: d.stretch.only[1] },
    ...(options.all && { value: d.value && valueOf(sides[0], d.value) }),
  })
  let controlFlow: ControlDivergence | null = null
  if (first !== null) {
    const chosen: Divergent = first
    controlFlow = describe(chosen)
    controlFlow.stacks = {
      a: stackOf(sides[0], chosen.stretch.next[0] ?? chosen.stretch.lastCommon[0]),
      b: stackOf(sides[1], chosen.stretch.next[1] ?? chosen.stretch.lastCommon[1]),
    }
  }
  const value = firstValue && valueOf(sides[0], firstValue)
  const callCounts: CallCount[] = []
  for (const [fn, [countA, countB]] of calls)
    if (countA !== countB) callCounts.push({ ...places.label(fn), a: countA, b: countB })
  callCounts.sort(
    (x, y) => Math.abs(y.a - y.b) - Math.abs(x.a - x.b) || x.function.localeCompare(y.function),
  )

  return {
    a: info(a.stored.run),
    b: info(b.stored.run),
    identical: controlFlow === null && value === null,
    controlFlow,
    value,
    divergences: options.all ? divergences.map(describe) : controlFlow ? [controlFlow] : [],
    summary: {
      events: {
        a: threadsA.reduce((sum, t) => sum + t.events, 0),
        b: threadsB.reduce((sum, t) => sum + t.events, 0),
      },
      commonPrefix,
      aligned,
      valueDifferences,
      ignored: values.ignored,
      divergences: stretches,
      calls: callCounts,
    },
  }
}

/**
 * Moves every pair of threads on together, each run read once: a block is read when a pair
 * waits for events of its run, and its events go to every thread's lookahead at once, to be
 * taken (and let go) by the pairs before the next block is read.
 */
function alignTogether(aligners: Aligner[], readers: RunReader[]): void {
  let active = aligners
  while (active.length > 0) {
    const wanted = [false, false]
    active = active.filter((aligner) => {
      if (aligner.advance()) return false
      wanted[0] ||= aligner.waiting[0]
      wanted[1] ||= aligner.waiting[1]
      return true
    })
    for (const s of [0, 1]) if (wanted[s]) readers[s]!.next()
  }
}

function side({ db, stored }: DiffRun): Side {
  const { key, run } = stored
  return { db, key, run, names: new RunNames(db, key), cwd: run.cwd }
}

function info(run: Run): DiffReport['a'] {
  return { id: run.id, description: run.description, pythonVersion: run.pythonVersion }
}

/** Where a stretch is in the first run, to find the first of them. */
function orderOf(stretch: Stretch): number {
  return stretch.next[0]?.seq ?? (stretch.lastCommon[0]?.seq ?? 0) + 0.5
}

function valueOf(side: Side, found: FoundValue): ValueDivergence {
  const where = placeOf(side, found.a)!
  return {
    a: found.a.seq,
    b: found.b.seq,
    name: found.difference.name,
    a_value: found.difference.a,
    b_value: found.difference.b,
    thread: found.thread,
    file: where.file,
    line: where.line,
    function: where.function,
  }
}

function placeOf(side: Side, event: StoredEvent | null): DiffPlace | null {
  if (event === null) return null
  const fn = side.names.function(event.function)
  const path = fn ? (side.names.file(fn.file)?.path ?? '?') : '?'
  return {
    seq: event.seq,
    kind: eventKind(event.kind),
    file: shownPath(path, side.cwd),
    line: event.line,
    function: fn?.qualifiedName ?? '?',
    source: fn ? side.names.sourceLine(fn.file, event.line) : null,
  }
}

function stackOf(side: Side, event: StoredEvent | null) {
  if (event === null) return []
  return stackAt(side.db, side.key, side.names, event.frame, event.seq, event.line).map(
    (entry) => ({
      ...entry,
      file: shownPath(entry.file, side.cwd),
    }),
  )
}
