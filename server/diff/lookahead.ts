/**
 * One thread's events read in order, block by block, with a window of the events ahead kept
 * for re-alignment: memory grows with the window, never with the run.
 */

import type { StoredEvent } from '../db/event-block.js'

export class Lookahead {
  private buffer: StoredEvent[] = []
  private places: number[] = []
  private head = 0
  private ended = false
  /** Events passed so far. */
  passed = 0
  /** The last event passed. */
  last: StoredEvent | null = null

  constructor(
    private readonly events: Iterator<StoredEvent>,
    private readonly placeOf: (event: StoredEvent) => number,
  ) {}

  /** The event `offset` events ahead (0: the next one), or undefined past the end. */
  at(offset: number): StoredEvent | undefined {
    return this.fill(offset) ? this.buffer[this.head + offset] : undefined
  }

  /** The place of the event `offset` events ahead, or -1 past the end. */
  place(offset: number): number {
    return this.fill(offset) ? this.places[this.head + offset]! : -1
  }

  /** Moves `count` events on. */
  skip(count: number): void {
    for (let i = 0; i < count && this.fill(0); i++) {
      this.last = this.buffer[this.head]!
      this.head += 1
      this.passed += 1
    }
    if (this.head > 4096 && this.head * 2 > this.buffer.length) {
      this.buffer = this.buffer.slice(this.head)
      this.places = this.places.slice(this.head)
      this.head = 0
    }
  }

  /** Moves to the end, counting the events passed; `each` sees every one of them. */
  drain(each: (event: StoredEvent) => void): void {
    while (this.fill(0)) {
      each(this.buffer[this.head]!)
      this.skip(1)
    }
  }

  private fill(offset: number): boolean {
    while (this.head + offset >= this.buffer.length) {
      if (this.ended) return false
      const next = this.events.next()
      if (next.done) {
        this.ended = true
        return false
      }
      this.buffer.push(next.value)
      this.places.push(this.placeOf(next.value))
    }
    return true
  }
}
