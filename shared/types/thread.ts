/** A thread of a run, with what it did. */
export interface ThreadSummary {
  /** Thread id within the run. */
  id: number
  /** The OS thread ident (threading.get_ident()). */
  ident: number
  name: string
  /** First and last event of the thread, and their times in seconds since the run started. */
  firstSeq: number | null
  lastSeq: number | null
  startedAt: number | null
  endedAt: number | null
  events: number
  /** Distinct (function, line) places the thread executed. */
  locations: number
}
