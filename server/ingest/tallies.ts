/**
 * Counters kept per thread or per task while a run is written: the first and last event (seq
 * and time) and the events, and which tallies have events not written yet. A live frame keeps
 * its tallies, so an event is counted without a look-up.
 */

export interface Tally {
  id: number
  firstSeq: number
  lastSeq: number
  firstUs: number
  lastUs: number
  events: number
  /** Has events not written yet. */
  touched: boolean
}

export class Tallies<T extends Tally> {
  private readonly tallies = new Map<number, T>()
  /** The tallies with events not written yet. */
  readonly touched: T[] = []

  /** `more`: the fields of a new tally beyond a Tally's own. */
  constructor(private readonly more: () => Omit<T, keyof Tally>) {}

  of(id: number): T {
    let tally = this.tallies.get(id)
    if (tally === undefined) {
      const counters = { id, firstSeq: 0, lastSeq: 0, firstUs: 0, lastUs: 0, events: 0 }
      tally = { ...counters, touched: false, ...this.more() } as T
      this.tallies.set(id, tally)
    }
    return tally
  }

  /** Counts event `seq` at time `us` in `tally`; true when it is the tally's first. */
  protected countEvent(tally: T, seq: number, us: number): boolean {
    const first = tally.events === 0
    if (first) {
      tally.firstSeq = seq
      tally.firstUs = us
    }
    tally.lastSeq = seq
    tally.lastUs = us
    tally.events += 1
    if (!tally.touched) {
      tally.touched = true
      this.touched.push(tally)
    }
    return first
  }

  /** What `touched` held is stored. */
  written(): void {
    for (const tally of this.touched) tally.touched = false
    this.touched.length = 0
  }
}
