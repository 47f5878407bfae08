/**
 * Walks one thread of each run side by side: while both are at the same place, the events
 * are aligned; where they part, it looks ahead for the nearest point where both are back on
 * the same path (the fewest events skipped on both sides, confirmed by the events after it)
 * and carries on from there. Only the window it looks ahead is kept in memory.
 */

import type { StoredEvent } from '../db/event-block.js'
import type { Lookahead } from './lookahead.js'

/** Events looked ahead on each side for a rejoin. */
export const REJOIN_WINDOW = 10_000
/** Rejoins this near are looked for pair by pair, before the whole window is indexed. */
const NEAR = 32
/** Events that must agree after a rejoin for it to count. */
const CONFIRM = 8

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

/** Aligns the two threads to their ends. */
export function align(a: Lookahead, b: Lookahead, on: AlignHandlers): void {
  for (;;) {
    for (;;) {
      const place = a.place(0)
      if (place === -1 || place !== b.place(0)) break
      on.aligned(a.at(0)!, b.at(0)!)
      a.skip(1)
      b.skip(1)
    }
    if (a.place(0) === -1 && b.place(0) === -1) return
    const lastCommon: Stretch['lastCommon'] = [a.last, b.last]
    const next: Stretch['next'] = [a.at(0) ?? null, b.at(0) ?? null]
    const found = rejoin(a, b)
    if (found === null) {
      const only: [number, number] = [0, 0]
      a.drain((event) => {
        only[0] += 1
        on.alone(0, event)
      })
      b.drain((event) => {
        only[1] += 1
        on.alone(1, event)
      })
      on.parted({ lastCommon, next, rejoin: null, only })
      return
    }
    const [i, j] = found
    for (let k = 0; k < i; k++) {
      on.alone(0, a.at(0)!)
      a.skip(1)
    }
    for (let k = 0; k < j; k++) {
      on.alone(1, b.at(0)!)
      b.skip(1)
    }
    on.parted({ lastCommon, next, rejoin: [a.at(0)!, b.at(0)!], only: [i, j] })
  }
}

/**
 * The offsets (i, j) of the nearest rejoin, the one with the fewest events skipped (i + j),
 * or null when there is none in the window.
 */
function rejoin(a: Lookahead, b: Lookahead): [number, number] | null {
  // Most paths meet again soon: the nearest points first, pair by pair, fewest skipped first.
  for (let skipped = 1; skipped <= NEAR; skipped++) {
    for (let i = 0; i <= skipped; i++) {
      const place = a.place(i)
      if (place === -1) break
      if (place === b.place(skipped - i) && confirmed(a, b, i, skipped - i)) return [i, skipped - i]
    }
  }
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
