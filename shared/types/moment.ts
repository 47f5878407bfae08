/** The time-travel explorer's view of a run: one moment, ways to move, and questions. */

import type { ChildStart } from './child-start.js'
import type { EventKind, TraceEvent } from './event.js'

/** A variable of the current frame at a moment. */
export interface MomentVariable {
  name: string
  /** Its value's text, as recorded; null for a variable deleted at this moment. */
  value: string | null
  type: string | null
  /** It changed at this very event. */
  changed: boolean
}

/** A call on the stack at a moment, innermost first. */
export interface StackEntry {
  frame: number
  function: string
  file: string
  /** The file's id in the run, for a link to its source. */
  fileId: number | null
  /** The line it is at: the line being run, or the line of the call below it. */
  line: number
  /** The event that puts it at that line: where to go to look at this frame. */
  seq: number
  /** The asyncio task it runs in, and its name; absent outside tasks. */
  task?: number
  taskName?: string
}

/** An asyncio task at a moment, and the task awaiting it when one was seen doing so. */
export interface MomentTask {
  id: number
  name: string
  awaiter: { id: number; name: string } | null
}

/** The state of the program at one event. */
export interface Moment {
  event: TraceEvent
  /** The frame's locals as they were at this event (after its changes). */
  variables: MomentVariable[]
  stack: StackEntry[]
  /** The asyncio task the event ran in; absent outside tasks. */
  task?: MomentTask
  /** The file id of the event's file, for the source pane. */
  fileId: number | null
  /** The processes the program started right after this event; absent when none. */
  children?: ChildStart[]
}

/**
 * Moves from an event: `next`/`previous` event; `over` (the next event of this call, or out
 * of it when it has none), `out` (the caller's next event after this call returns), both
 * also backwards; `call` and `return` of the current call.
 */
export type Move =
  'next' | 'previous' | 'over' | 'over-back' | 'out' | 'out-back' | 'call' | 'return'

export const MOVES: readonly Move[] = [
  'next',
  'previous',
  'over',
  'over-back',
  'out',
  'out-back',
  'call',
  'return',
]

/** One execution of a source line, with the values of the names the line uses. */
export interface LineExecution {
  seq: number
  threadName: string
  function: string
  values: Record<string, string | null>
}

/** One change of a variable. */
export interface VariableChange {
  seq: number
  line: number
  value: string | null
  type: string | null
}

/** What to look for in a trace; every given field must match. */
export interface TraceQuery {
  /** Part of the qualified function name. */
  function?: string
  /** Part of the file path. */
  file?: string
  /** A variable that changed (exact name). */
  variable?: string
  /** Part of a variable's value text, a return value or an exception message. */
  text?: string
  kind?: EventKind
}

/**
 * Some executions of one line, in program order. `next` is where to continue (the first seq
 * not yet looked at), or null when there are no more so far.
 */
export interface LinePage {
  executions: LineExecution[]
  /** How many times the line ran in all. */
  hits: number
  next: number | null
}

/** Some changes of one variable of one frame, in program order; `next` as in LinePage. */
export interface HistoryPage {
  changes: VariableChange[]
  next: number | null
}

/**
 * Matches of a search, in the direction searched. Each request looks at a bounded stretch of
 * the run; `next` is where to continue, null when the start or end of the run was reached.
 */
export interface SearchPage {
  matches: TraceEvent[]
  next: number | null
}

/** The calls one caller made to one function (a call-tree node), with their total time. */
export interface CallGroup {
  function: number
  /** The qualified name, and the file's path. */
  name: string
  file: string
  calls: number
  /** Time inside the calls that have returned, in microseconds. */
  micros: number
  /** Calls not returned (yet). */
  running: number
  /** The first of these calls (a frame id), and the event of its call. */
  first: number
  firstSeq: number
}

/** One call (a frame), with its duration and how many calls it made. */
export interface CallNode {
  frame: number
  function: number
  callSeq: number
  /** Its final return; null while it runs. */
  endSeq: number | null
  micros: number | null
  /** Calls it made. */
  children: number
}

/** A failed run's traceback frames tied to the trace. */
export interface TracebackEvents {
  /** The run's last exception event: where the failure ended; null when none was recorded. */
  exception: number | null
  /** The traceback's frames, outermost first, each with its exception event where recorded. */
  frames: Array<{ file: string; line: number; function: string; seq: number | null }>
}
