/**
 * Each asyncio task's counters while a run is written: its first and last event (seq and
 * time), its events, and the frame of its first event (its coroutine: the root of the task's
 * calls). A live frame keeps its task's tally, so an event is counted without a look-up.
 */

export interface TaskTally {
  id: number
  firstSeq: number
  lastSeq: number
  firstUs: number
  lastUs: number
  events: number
  /** The frame of the task's first event. */
  firstFrame: number
  /** Has events not written yet. */
  touched: boolean
}

export class TaskTallies {
  private readonly tallies = new Map<number, TaskTally>()
  /** The tallies with events not written yet. */
  readonly touched: TaskTally[] = []

  /** The tally of task `task`; null for no task (0). */
  of(task: number): TaskTally | null {
    if (task === 0) return null
    let tally = this.tallies.get(task)
    if (tally === undefined) {
      tally = {
        id: task,
        firstSeq: 0,
        lastSeq: 0,
        firstUs: 0,
        lastUs: 0,
        events: 0,
        firstFrame: 0,
        touched: false,
      }
      this.tallies.set(task, tally)
    }
    return tally
  }

  /** Counts event `seq` of `frame` in `tally`'s task. */
  count(tally: TaskTally, frame: number, seq: number, us: number): void {
    if (tally.events === 0) {
      tally.firstSeq = seq
      tally.firstUs = us
      tally.firstFrame = frame
    }
    tally.lastSeq = seq
    tally.lastUs = us
    tally.events += 1
    if (!tally.touched) {
      tally.touched = true
      this.touched.push(tally)
    }
  }

  /** The touched tallies are written. */
  written(): void {
    for (const tally of this.touched) tally.touched = false
    this.touched.length = 0
  }
}
