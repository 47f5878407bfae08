/**
 * Each thread's counters while a run is written: its first and last event (seq and time), its
 * events, and its locations (distinct function and line pairs run). A live frame keeps its
 * thread's tally and the set of its function's lines that thread has run, so an event is
 * counted without looking anything up.
 */

export interface ThreadTally {
  id: number
  firstSeq: number
  lastSeq: number
  firstUs: number
  lastUs: number
  events: number
  /** Distinct (function, line) pairs run: the sizes of `lines`. */
  locations: number
  /** Lines run, by function. */
  lines: Map<number, Set<number>>
  /** Has events not written yet. */
  touched: boolean
}

export class ThreadTallies {
  private readonly tallies = new Map<number, ThreadTally>()
  /** The tallies with events not written yet. */
  readonly touched: ThreadTally[] = []

  of(thread: number): ThreadTally {
    let tally = this.tallies.get(thread)
    if (tally === undefined) {
      tally = {
        id: thread,
        firstSeq: 0,
        lastSeq: 0,
        firstUs: 0,
        lastUs: 0,
        events: 0,
        locations: 0,
        lines: new Map(),
        touched: false,
      }
      this.tallies.set(thread, tally)
    }
    return tally
  }

  /** The lines of function `code` that `tally`'s thread has run. */
  linesOf(tally: ThreadTally, code: number): Set<number> {
    let lines = tally.lines.get(code)
    if (lines === undefined) tally.lines.set(code, (lines = new Set()))
    return lines
  }

  /** Counts event `seq` at `line`; `lines` are its function's lines in `tally`'s thread. */
  count(tally: ThreadTally, lines: Set<number>, seq: number, us: number, line: number): void {
    if (tally.events === 0) {
      tally.firstSeq = seq
      tally.firstUs = us
    }
    tally.lastSeq = seq
    tally.lastUs = us
    tally.events += 1
    if (!lines.has(line)) {
      lines.add(line)
      tally.locations += 1
    }
    if (!tally.touched) {
      tally.touched = true
      this.touched.push(tally)
    }
  }

  /** What `touched` held is stored. */
  written(): void {
    for (const tally of this.touched) tally.touched = false
    this.touched.length = 0
  }
}
