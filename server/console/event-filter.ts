/**
 * Which events `replay` and `tail` print: up to an event number, of one thread, in functions
 * or files whose names hold a text. The function and file tests are the search language's
 * (`fn:`, `file:`: part of the name, ignoring case); a thread is named exactly.
 */

import type { TraceEvent } from '../../shared/types/event.js'

export interface EventFilter {
  /** The last event to print (inclusive). */
  to?: number
  /** A thread's name, exactly. */
  thread?: string
  /** Part of the qualified function name. */
  function?: string
  /** Part of the file's path. */
  file?: string
}

/** True when `event` is past the filter's end: nothing after it can be printed. */
export function pastEnd(filter: EventFilter, event: TraceEvent): boolean {
  return filter.to !== undefined && event.seq > filter.to
}

/** True when `event` is one the filter keeps. */
export function keeps(filter: EventFilter, event: TraceEvent): boolean {
  if (filter.thread !== undefined && event.threadName !== filter.thread) return false
  if (
    filter.function !== undefined &&
    !event.function.toLowerCase().includes(filter.function.toLowerCase())
  )
    return false
  if (filter.file !== undefined && !event.file.toLowerCase().includes(filter.file.toLowerCase()))
    return false
  return true
}
