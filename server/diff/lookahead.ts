/**
 * One thread's events ahead of the comparison, fed by the run's reader (run-reader.ts) and
 * taken by the aligner: a window of the events ahead kept for re-alignment, and nothing
 * behind it, so memory grows with the window, never with the run. A thread that got too far
 * ahead of its partner is detached from the run's reader and reads on by itself, when asked.
 */

import type { StoredEvent } from '../db/event-block.js'

/** Consumed slots kept at the front before the buffer is compacted. */
const COMPACT_AFTER = 1024

export class Lookahead {
  private buffer: Array<StoredEvent | undefined> = []
  private places: number[] = []
  private head = 0
  /** True once the thread has no more events to come. */
  ended = false
  /** The last event passed. */
  last: StoredEvent | null = null
  /** Once detached, the thread's own reading: its events come from there, not from `push`. */
  private source: Iterator<StoredEvent> | null = null
  /** True once the thread reads on by itself. */
  detached = false

  constructor(private readonly placeOf: (event: StoredEvent) => number) {}

  /** Adds the thread's next event. */
  push(event: StoredEvent): void {
    this.buffer.push(event)
    this.places.push(this.placeOf(event))
  }

  /** Events at hand, not passed yet. */
  get ahead(): number {
    return this.buffer.length - this.head
  }

  /** From now on the thread's events come from `source`, read when they are needed. */
  detach(source: Iterator<StoredEvent>): void {
    this.detached = true
    this.source = source
  }

  /**
   * True when what lies `offset` events ahead is known: the event is at hand (a detached
   * thread reads it now) or the thread ended.
   */
  ready(offset: number): boolean {
    while (this.head + offset >= this.buffer.length) {
      if (this.ended) return true
      if (this.source === null) return false
      const next = this.source.next()
      if (next.done) this.ended = true
      else this.push(next.value)
    }
    return true
  }

  /** The event `offset` events ahead (0: the next one), or undefined past those at hand. */
  at(offset: number): StoredEvent | undefined {
    return this.buffer[this.head + offset]
  }

  /** The place of the event `offset` events ahead, or -1 past those at hand. */
  place(offset: number): number {
    const index = this.head + offset
    return index < this.places.length ? this.places[index]! : -1
  }

  /** Moves one event on. */
  skip(): void {
    if (this.head >= this.buffer.length) return
    this.last = this.buffer[this.head]!
    // Let the passed event go now, while it is young: a buffer holding events long after
    // they were passed makes the garbage collector move them to the old generation.
    this.buffer[this.head] = undefined
    this.head += 1
    if (this.head === this.buffer.length) {
      this.buffer.length = 0
      this.places.length = 0
      this.head = 0
    } else if (this.head > COMPACT_AFTER && this.head * 2 > this.buffer.length) {
      this.buffer = this.buffer.slice(this.head)
      this.places = this.places.slice(this.head)
      this.head = 0
    }
  }
}
