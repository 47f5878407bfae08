/**
 * Each thread's counters while a run is written (tallies.ts), and its locations: distinct
 * function and line pairs run. A live frame keeps the set of its function's lines that its
 * thread has run, so a line is counted without looking anything up.
 */

import { Tallies, type Tally } from './tallies.js'

export interface ThreadTally extends Tally {
  /** Distinct (function, line) pairs run: the sizes of `lines`. */
  locations: number
  /** Lines run, by function. */
  lines: Map<number, Set<number>>
}

export class ThreadTallies extends Tallies<ThreadTally> {
  constructor() {
    super(() => ({ locations: 0, lines: new Map() }))
  }

  /** The lines of function `code` that `tally`'s thread has run. */
  linesOf(tally: ThreadTally, code: number): Set<number> {
    let lines = tally.lines.get(code)
    if (lines === undefined) tally.lines.set(code, (lines = new Set()))
    return lines
  }

  /** Counts event `seq` at `line`; `lines` are its function's lines in `tally`'s thread. */
  count(tally: ThreadTally, lines: Set<number>, seq: number, us: number, line: number): void {
    this.countEvent(tally, seq, us)
    if (!lines.has(line)) {
      lines.add(line)
      tally.locations += 1
    }
  }
}
