/**
 * The time-travel explorer's reads: the state of the program at any event (the frame's
 * variables, rebuilt from its snapshot in one block and that block's changes; the call
 * stack, from frames and the activations of resumed generators) and the moves between
 * events. Every read goes through a key, so its cost does not grow with the length of the
 * run.
 */

import type { Moment, MomentVariable, Move, StackEntry } from '../../shared/types/moment.js'
import { childStartsAfter } from './child-starts.js'
import { momentTask } from './tasks.js'
import type { Db } from './database.js'
import type { StoredEvent } from './event-block.js'
import { EventStore, type Lane } from './event-store.js'
import { FrameStore } from './frame-store.js'
import { toEvent, type RunNames } from './events.js'

const MAX_STACK = 1000

interface Activation {
  seq: number
  parent: number
}

/** The frame's activation (its call, or the resume of a generator) in force at `seq`. */
function activationAt(db: Db, run: number, frame: number, seq: number): Activation | undefined {
  const row = db
    .prepare(
      'SELECT seq, parent FROM activations WHERE run = ? AND frame = ? AND seq <= ? ORDER BY seq DESC LIMIT 1',
    )
    .get(run, frame, seq) as Activation | undefined
  if (row !== undefined) return row
  // The first call: activations hold only a generator's resumes.
  const record = FrameStore.of(db).frame(run, frame)
  return record && { seq: record.callSeq, parent: record.parent }
}

/** The frame's first event after `seq`, or its last one before `seq`. */
function frameEvent(
  db: Db,
  run: number,
  frame: number,
  seq: number,
  direction: 'after' | 'before',
): StoredEvent | undefined {
  const after = direction === 'after'
  const events = EventStore.of(db).frameEvents(
    run,
    frame,
    after ? seq + 1 : seq - 1,
    after ? 'forward' : 'backward',
  )
  for (const event of events) return event
  return undefined
}

function functionOf(db: Db, run: number, frame: number): number | null {
  return FrameStore.of(db).frame(run, frame)?.function ?? null
}

/** The frame's variables at `seq`: its snapshot in its last block by then, and that block's changes. */
export function variablesAt(
  db: Db,
  run: number,
  frame: number,
  seq: number,
): Map<number, [number, string | null]> {
  const store = EventStore.of(db)
  const values = new Map<number, [number, string | null]>()
  for (const block of store.frameBlocks(run, frame, seq, false)) {
    const first = block.events.find((event) => event.frame === frame)
    if (first === undefined || first.seq > seq) continue
    for (const local of store.snapshot(run, frame, block.firstSeq) ?? [])
      values.set(local.name, [local.type, local.text])
    for (const event of block.events) {
      if (event.seq > seq) break
      if (event.frame !== frame) continue
      for (const local of event.locals ?? []) {
        if (local.text === null) values.delete(local.name)
        else values.set(local.name, [local.type, local.text])
      }
    }
    break
  }
  return values
}

/** The state of the program at event `seq`, or undefined when the run has no such event. */
export function momentAt(db: Db, run: number, names: RunNames, seq: number): Moment | undefined {
  const stored = EventStore.of(db).event(run, seq)
  if (stored === undefined) return undefined
  const event = toEvent(stored, names)
  const changedHere = new Set((stored.locals ?? []).map((local) => local.name))
  const variables: MomentVariable[] = []
  for (const [symbol, [type, value]] of variablesAt(db, run, stored.frame, seq)) {
    variables.push({
      name: names.symbol(symbol),
      value,
      type: names.symbol(type),
      changed: changedHere.has(symbol),
    })
  }
  for (const local of stored.locals ?? []) {
    if (local.text === null)
      variables.push({ name: names.symbol(local.name), value: null, type: null, changed: true })
  }
  const fileId = fileOf(names, stored.function)
  const moment: Moment = {
    event,
    variables,
    stack: stackAt(db, run, names, stored.frame, seq, stored.line, stored.task),
    fileId,
  }
  if (stored.task !== 0) moment.task = momentTask(db, run, names, stored.task)
  const children = childStartsAfter(db, run, seq)
  if (children.length > 0) moment.children = children
  return moment
}

function fileOf(names: RunNames, fn: number | null): number | null {
  return names.function(fn)?.file ?? null
}

function entry(
  db: Db,
  run: number,
  names: RunNames,
  frame: number,
  line: number,
  seq: number,
  task: number,
): StackEntry {
  const fn = names.function(functionOf(db, run, frame))
  const found: StackEntry = {
    frame,
    function: fn?.qualifiedName ?? '?',
    file: fn ? (names.file(fn.file)?.path ?? '?') : '?',
    fileId: fn?.file ?? null,
    line,
    seq,
  }
  if (task !== 0) {
    found.task = task
    found.taskName = names.task(task)
  }
  return found
}

/** The calls on the stack at `seq`, innermost first, each at the line it is at. */
export function stackAt(
  db: Db,
  run: number,
  names: RunNames,
  frame: number,
  seq: number,
  line: number,
  task = 0,
): StackEntry[] {
  const stack = [entry(db, run, names, frame, line, seq, task)]
  let current = frame
  let at = seq
  while (stack.length < MAX_STACK) {
    const activation = activationAt(db, run, current, at)
    if (activation === undefined || activation.parent === 0) break
    const caller = frameEvent(db, run, activation.parent, activation.seq, 'before')
    if (caller === undefined) break
    stack.push(entry(db, run, names, activation.parent, caller.line, caller.seq, caller.task))
    current = activation.parent
    at = caller.seq
  }
  return stack
}

/**
 * The frame's next return from `seq` on (a generator's yield, or its final return): the last
 * event before its next activation, or else its final return; null while it runs.
 */
function returnAfter(db: Db, run: number, frame: number, seq: number): number | null {
  const resumed = db
    .prepare(
      'SELECT seq FROM activations WHERE run = ? AND frame = ? AND seq > ? ORDER BY seq LIMIT 1',
    )
    .pluck()
    .get(run, frame, seq) as number | undefined
  if (resumed !== undefined) return frameEvent(db, run, frame, resumed, 'before')?.seq ?? null
  return FrameStore.of(db).frame(run, frame)?.endSeq ?? null
}

/** The first event after `seq` (or the last before it), in `lane` when it names one. */
function neighbour(
  db: Db,
  run: number,
  seq: number,
  direction: 'after' | 'before',
  total: number,
  lane: Lane,
): number | null {
  const after = direction === 'after'
  if (lane.thread === undefined && lane.task === undefined)
    return after ? (seq < total ? seq + 1 : null) : seq > 1 ? seq - 1 : null
  const from = after ? seq + 1 : seq - 1
  if (from < 1 || from > total) return null
  for (const event of EventStore.of(db).events(run, from, after ? 'forward' : 'backward', lane))
    return event.seq
  return null
}

/** Whether `event` is in `lane` (every event is in the lane that names nothing). */
function inLane(event: StoredEvent, lane: Lane): boolean {
  return (
    (lane.thread === undefined || event.thread === lane.thread) &&
    (lane.task === undefined || event.task === lane.task)
  )
}

/**
 * Where `move` goes from event `seq`; null when there is nowhere to go. With a thread or an
 * asyncio task, the moves that would leave it (the next or previous event, out of the
 * outermost call of the lane, such as a task's coroutine resumed by the event loop) stay in it.
 */
export function moveFrom(
  db: Db,
  run: number,
  seq: number,
  move: Move,
  total: number,
  lane: Lane = {},
): number | null {
  const here = EventStore.of(db).event(run, seq)
  if (here === undefined) return null
  const { frame } = here
  const returnOf = () => returnAfter(db, run, frame, seq)
  switch (move) {
    case 'next':
      return neighbour(db, run, seq, 'after', total, lane)
    case 'previous':
      return neighbour(db, run, seq, 'before', total, lane)
    case 'over':
      return (
        frameEvent(db, run, frame, seq, 'after')?.seq ?? moveFrom(db, run, seq, 'out', total, lane)
      )
    case 'over-back':
      return (
        frameEvent(db, run, frame, seq, 'before')?.seq ??
        moveFrom(db, run, seq, 'out-back', total, lane)
      )
    case 'call':
      return activationAt(db, run, frame, seq)?.seq ?? null
    case 'return':
      return returnOf()
    case 'out': {
      const end = returnOf()
      if (end === null) return null
      const parent = activationAt(db, run, frame, seq)?.parent ?? 0
      const there = parent === 0 ? undefined : frameEvent(db, run, parent, end, 'after')
      if (there === undefined || !inLane(there, lane))
        return parent === 0 || there !== undefined
          ? neighbour(db, run, end, 'after', total, lane)
          : null
      return there.seq
    }
    case 'out-back': {
      const activation = activationAt(db, run, frame, seq)
      if (activation === undefined) return null
      const there =
        activation.parent === 0
          ? undefined
          : frameEvent(db, run, activation.parent, activation.seq, 'before')
      if (there === undefined || !inLane(there, lane))
        return activation.parent === 0 || there !== undefined
          ? neighbour(db, run, activation.seq, 'before', total, lane)
          : null
      return there.seq
    }
    default: {
      const never: never = move
      return never
    }
  }
}
