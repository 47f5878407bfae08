/**
 * Each asyncio task's counters while a run is written (tallies.ts), and the frame of its first
 * event: its coroutine, the root of the task's calls.
 */

import { Tallies, type Tally } from './tallies.js'

export interface TaskTally extends Tally {
  /** The frame of the task's first event. */
  firstFrame: number
}

export class TaskTallies extends Tallies<TaskTally> {
  constructor() {
    super(() => ({ firstFrame: 0 }))
  }

  /** The tally of task `task`; null for no task (0). */
  ofTask(task: number): TaskTally | null {
    return task === 0 ? null : this.of(task)
  }

  /** Counts event `seq` of `frame` in `tally`'s task. */
  count(tally: TaskTally, frame: number, seq: number, us: number): void {
    if (this.countEvent(tally, seq, us)) tally.firstFrame = frame
  }
}
