/**
 * Walks one thread of each run side by side: while both are at the same place, the events
 * are aligned; where they part, it looks ahead for the nearest point where both are back on
 * the same path (the fewest events skipped on both sides, confirmed by the events after it)
 * and carries on from there. It moves on as far as the events at hand allow and then says
 * which side it waits for, so that every pair of threads of two runs moves on together while
 * each run is read once (see index.ts).
 */

import type { StoredEvent } from '../db/event-block.js'
import type { Lookahead } from './lookahead.js'

/** Events looked ahead on each side for a rejoin. */
export const REJOIN_WINDOW = 10_000
/** Rejoins this near are looked for pair by pair, before the whole window is indexed. */
const NEAR = 32
/** Events that must agree after a rejoin for it to count. */
const CONFIRM = 8
/**
 * Events that must be at hand on both sides (or their ends) to look for a near rejoin, and
 * for one anywhere in the window: most rejoins are near, and events held longer cost the
 * garbage collector more.
 */
const LOOK_NEAR = NEAR + CONFIRM
const LOOK = REJOIN_WINDOW + CONFIRM

/** Where the two threads parted, and where they met again. */
export interface Stretch {
  lastCommon: [StoredEvent | null, StoredEvent | null]
  next: [StoredEvent | null, StoredEvent | null]
  rejoin: [StoredEvent, StoredEvent] | null
  only: [number, number]
}

export interface AlignHandlers {
  aligned(a: StoredEvent, b: StoredEvent): void
  alone(side: 0 | 1, event: StoredEvent): void
  parted(stretch: Stretch): void
}

export class Aligner {
  /** Which sides the aligner waits for events of, after `advance` returned false. */
  readonly waiting: [boolean, boolean] = [false, false]
  /** The stretch being drained: the paths parted and never meet again. */
  private draining: Stretch | null = null

  constructor(
    private readonly a: Lookahead,
    private readonly b: Lookahead,
    private readonly on: AlignHandlers,
  ) {}

  /** Aligns as far as the events at hand allow; true once both threads are at their ends. */
  advance(): boolean {
    const { a, b, on } = this
    if (this.draining !== null) return this.drain(this.draining)
    for (;;) {
      while (a.ahead > 0 && b.ahead > 0 && a.place(0) === b.place(0)) {
        on.aligned(a.at(0)!, b.at(0)!)
        a.skip()
        b.skip()
      }
      if (!this.readyFor(0)) return false
      if (a.ahead === 0 && b.ahead === 0) return true
      // A detached thread reads its next event only when asked: still in step?
      if (a.ahead > 0 && b.ahead > 0 && a.place(0) === b.place(0)) continue
      if (!this.readyFor(LOOK_NEAR)) return false
      let found = nearRejoin(a, b)
      if (found === null) {
        if (!this.readyFor(LOOK)) return false
        found = rejoin(a, b)
      }
      const lastCommon: Stretch['lastCommon'] = [a.last, b.last]
      const next: Stretch['next'] = [a.at(0) ?? null, b.at(0) ?? null]
      if (found === null) {
        this.draining = { lastCommon, next, rejoin: null, only: [0, 0] }
        return this.drain(this.draining)
      }
      const [i, j] = found
      for (let k = 0; k < i; k++) {
        on.alone(0, a.at(0)!)
        a.skip()
      }
      for (let k = 0; k < j; k++) {
        on.alone(1, b.at(0)!)
        b.skip()
      }
      on.parted({ lastCommon, next, rejoin: [a.at(0)!, b.at(0)!], only: [i, j] })
    }
  }

  /** True when both sides know what lies `offset` events ahead; else says which it waits for. */
  private readyFor(offset: number): boolean {
    this.waiting[0] = !this.a.ready(offset)
    this.waiting[1] = !this.b.ready(offset)
    return !this.waiting[0] && !this.waiting[1]
  }

  /** Every event left on both sides is its run's own; the stretch is told at the ends. */
  private drain(stretch: Stretch): boolean {
    const sides = [this.a, this.b] as const
    for (;;) {
      for (const s of [0, 1] as const) {
        const side = sides[s]
        while (side.ahead > 0) {
          stretch.only[s] += 1
          this.on.alone(s, side.at(0)!)
          side.skip()
        }
      }
      if (!this.readyFor(0)) return false
      if (this.a.ahead === 0 && this.b.ahead === 0) break
    }
    this.on.parted(stretch)
    return true
  }
}

/**
 * The offsets (i, j) of the nearest rejoin skipping at most NEAR events (i + j), or null:
 * the nearest points first, pair by pair, fewest skipped first.
 */
function nearRejoin(a: Lookahead, b: Lookahead): [number, number] | null {
  for (let skipped = 1; skipped <= NEAR; skipped++) {
    for (let i = 0; i <= skipped; i++) {
      const place = a.place(i)
      if (place === -1) break
      if (place === b.place(skipped - i) && confirmed(a, b, i, skipped - i)) return [i, skipped - i]
    }
  }
  return null
}

/**
 * The offsets (i, j) of the nearest rejoin, the one with the fewest events skipped (i + j),
 * or null when there is none in the window.
 */
function rejoin(a: Lookahead, b: Lookahead): [number, number] | null {
  const positions = new Map<number, number[]>()
  for (let j = 0; j < REJOIN_WINDOW; j++) {
    const place = b.place(j)
    if (place === -1) break
    let list = positions.get(place)
    if (list === undefined) positions.set(place, (list = []))
    list.push(j)
  }
  let best = Number.POSITIVE_INFINITY
  let found: [number, number] | null = null
  for (let i = 0; i < REJOIN_WINDOW && i < best; i++) {
    const place = a.place(i)
    if (place === -1) break
    for (const j of positions.get(place) ?? []) {
      if (i + j >= best) break
      if (i + j === 0 || !confirmed(a, b, i, j)) continue
      best = i + j
      found = [i, j]
      break
    }
  }
  return found
}

/** True when the events from `i` on in `a` and from `j` on in `b` agree for a while. */
function confirmed(a: Lookahead, b: Lookahead, i: number, j: number): boolean {
  for (let t = 0; t < CONFIRM; t++) {
    const place = a.place(i + t)
    if (place !== b.place(j + t)) return false
    if (place === -1) return true
  }
  return true
}
