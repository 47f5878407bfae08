/**
 * A run as Chrome trace events (the JSON that Perfetto and chrome://tracing open): metadata
 * naming the process after the run and each track after its thread or asyncio task, then one complete event
 * ('X') per activation of a function, with its file, line and arguments (the call's locals,
 * as recorded, so redacted as stored). A generator's every resumption is an activation of its
 * own, marked `resumed`, so that slices nest on their track as they ran.
 *
 * Events are read in order a block at a time and an activation is written when it ends:
 * what is held is the activations still open, never the run.
 */

import type { Run } from '../../shared/types/run.js'
import type { Db } from '../db/database.js'
import { KIND, type StoredEvent } from '../db/event-block.js'
import { EventStore } from '../db/event-store.js'
import { RunNames } from '../db/events.js'

/** One event of the trace-event format, as written. */
export interface TraceEventRecord {
  name: string
  ph: 'X' | 'M'
  pid: number
  tid: number
  ts?: number
  dur?: number
  cat?: string
  args?: Record<string, unknown>
}

/** The trace's process: one run, one process. */
export const PROCESS_ID = 1

/** An activation not yet ended. */
interface Open {
  start: number
  tid: number
  function: number
  line: number
  args: Record<string, unknown>
}

/**
 * The tracks of a run: one per thread, and one per asyncio task under its thread's, numbered
 * past the threads'. A task's track is a thread's track to the viewer (complete events on a
 * tid of their own, named), so its calls nest, show their arguments and read as one story,
 * with gaps where the task waited; on the event loop's track the turns of every task would
 * alternate, nameless. (Async slices would do too, but Perfetto's JSON import puts slices
 * that overlap on sub-tracks of their own, and chrome://tracing draws them apart.)
 */
export class Tracks {
  private readonly firstTask: number

  constructor(db: Db, run: number) {
    const most = db.prepare('SELECT max(id) FROM threads WHERE run = ?').pluck().get(run) as
      number | null
    this.firstTask = (most ?? 0) + 1
  }

  /** The track of an event: its task's, or its thread's outside tasks. */
  of(event: StoredEvent): number {
    return event.task === 0 ? event.thread : this.firstTask + event.task
  }

  /** The track of task `task`. */
  ofTask(task: number): number {
    return this.firstTask + task
  }
}

/**
 * Metadata: the process named after the run, each thread's track after the thread, and each
 * task's after the task and its thread, sorted under the thread's.
 */
export function metadataEvents(db: Db, run: number, described: Run): TraceEventRecord[] {
  const threads = db
    .prepare(
      'SELECT id, ident, name FROM threads WHERE run = ? ORDER BY first_seq IS NULL, first_seq, id',
    )
    .all(run) as Array<{ id: number; ident: number; name: string }>
  const tasks = db
    .prepare(
      'SELECT id, name, thread FROM tasks WHERE run = ? ORDER BY first_seq IS NULL, first_seq, id',
    )
    .all(run) as Array<{ id: number; name: string; thread: number }>
  const tracks = new Tracks(db, run)
  const named: Array<{ tid: number; name: string }> = []
  for (const thread of threads) {
    named.push({ tid: thread.id, name: thread.name })
    for (const task of tasks)
      if (task.thread === thread.id)
        named.push({ tid: tracks.ofTask(task.id), name: `${thread.name} › task ${task.name}` })
  }
  return [
    {
      name: 'process_name',
      ph: 'M',
      pid: PROCESS_ID,
      tid: 0,
      args: { name: `${described.description} (run ${described.id.slice(0, 8)})` },
    },
    ...named.flatMap(({ tid, name }, index): TraceEventRecord[] => [
      { name: 'thread_name', ph: 'M', pid: PROCESS_ID, tid, args: { name } },
      { name: 'thread_sort_index', ph: 'M', pid: PROCESS_ID, tid, args: { sort_index: index } },
    ]),
  ]
}

/**
 * The complete events of run `run`, in the order the activations end; `onEvent` hears the
 * number of recorded events read so far.
 */
export function* callEvents(
  db: Db,
  run: number,
  onEvent?: (read: number) => void,
): Generator<TraceEventRecord> {
  const names = new RunNames(db, run)
  const tracks = new Tracks(db, run)
  const open = new Map<number, Open>()
  /** Generators suspended by a yield: their next activation is a resumption, not a call. */
  const suspended = new Set<number>()
  let read = 0
  let last = 0
  for (const event of EventStore.of(db).stream(run)) {
    read += 1
    if ((read & 0xffff) === 0) onEvent?.(read)
    last = Math.max(last, event.us)
    let activation = open.get(event.frame)
    if (activation === undefined) {
      // A frame met first mid-way (its call was not recorded) is resumed as well.
      const resumed = suspended.delete(event.frame) || event.kind !== KIND.call
      activation = {
        start: event.us,
        tid: tracks.of(event),
        function: event.function,
        line: event.line,
        args: resumed ? { resumed: true } : argumentsOf(event, names),
      }
      open.set(event.frame, activation)
    }
    if (event.kind === KIND.return || event.kind === KIND.yield) {
      open.delete(event.frame)
      if (event.kind === KIND.yield) suspended.add(event.frame)
      yield complete(activation, event.us, names, event.kind === KIND.yield)
    }
  }
  onEvent?.(read)
  // Calls the run never returned from end with it, innermost first.
  const unfinished = [...open.values()].reverse()
  for (const activation of unfinished) {
    activation.args['unfinished'] = true
    yield complete(activation, last, names, false)
  }
}

function argumentsOf(event: StoredEvent, names: RunNames): Record<string, unknown> {
  const locals: Record<string, string> = {}
  for (const local of event.locals ?? [])
    if (local.text !== null) locals[names.symbol(local.name)] = local.text
  return { locals }
}

function complete(
  activation: Open,
  end: number,
  names: RunNames,
  suspended: boolean,
): TraceEventRecord {
  const fn = names.function(activation.function)
  const path = fn === undefined ? '?' : (names.file(fn.file)?.path ?? '?')
  return {
    name: fn?.qualifiedName ?? '?',
    cat: 'call',
    ph: 'X',
    pid: PROCESS_ID,
    tid: activation.tid,
    ts: activation.start,
    dur: Math.max(0, end - activation.start),
    args: {
      file: path,
      line: activation.line,
      ...activation.args,
      ...(suspended ? { suspended: true } : {}),
    },
  }
}
