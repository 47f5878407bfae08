/** An asyncio task of a run, with what it did. */
export interface TaskSummary {
  /** Task id within the run. */
  id: number
  /** Its name when first seen (`Task.get_name()`). */
  name: string
  /** The thread whose event loop ran it. */
  thread: number
  threadName: string
  /** The task last seen awaiting it (directly or through gather); null when none was seen. */
  awaiter: number | null
  /** The frame of its first event (its coroutine): the root of its calls, and its function. */
  rootFrame: number | null
  rootFunction: string | null
  /** First and last event of the task, and their times in seconds since the run started. */
  firstSeq: number | null
  lastSeq: number | null
  startedAt: number | null
  endedAt: number | null
  events: number
}
