/** A trace event, as the CLI's `replay --json` and the API present it. */

export type EventKind = 'call' | 'line' | 'return' | 'exception'

/** Stored `events.kind` values, in order. */
export const EVENT_KINDS: readonly EventKind[] = ['call', 'line', 'return', 'exception']

export interface TraceEvent {
  /** Position in the run, dense from 1. */
  seq: number
  /** Seconds since the run started. */
  time: number
  kind: EventKind
  /** Thread id within the run, and its name. */
  thread: number
  threadName: string
  /** The asyncio task it ran in (id within the run) and its name; absent outside tasks. */
  task?: number
  taskName?: string
  /** One id per activation of a function. */
  frame: number
  /** Recorded callers above this frame in its thread. */
  depth: number
  /** Absolute path of the file. */
  file: string
  line: number
  function: string
  /** The source line as it was when the run executed it. */
  source: string | null
  /** Locals on a call; changed locals otherwise. null marks a deleted variable. */
  locals: Record<string, string | null>
  /** The type of each value in `locals`. */
  localTypes: Record<string, string | null>
  /** Return value or exception message; null on a line or call, or a return by exception. */
  value: string | null
  valueType: string | null
  /** For a return: true when the generator only suspended (a `yield`). */
  yielded?: boolean
}
