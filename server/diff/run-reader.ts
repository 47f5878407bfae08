/**
 * One run read once, block by block, each block's events handed to the lookahead of their
 * thread: a block holding events of several threads is decoded once for all of them. A
 * thread holding more than HELD events its partner has not reached (the runs' threads ran
 * in very different orders) is detached: it reads its own events again later, when its
 * partner reaches them, so that memory stays bounded.
 */

import type { Db } from '../db/database.js'
import type { StoredEvent } from '../db/event-block.js'
import { EventStore } from '../db/event-store.js'
import type { Lookahead } from './lookahead.js'

/** Events a thread may hold ahead of its comparison before it is detached. */
export const HELD = 100_000

export class RunReader {
  private readonly blocks: Iterator<StoredEvent[]>
  private readonly store: EventStore
  /** True once every block has been read and every thread told its end. */
  done = false

  /** Reads run `run` for the threads `threads` names (by thread id); others' events are skipped. */
  constructor(
    db: Db,
    private readonly run: number,
    private readonly threads: Map<number, Lookahead>,
    private readonly held = HELD,
  ) {
    this.store = EventStore.of(db)
    this.blocks = this.store.blocks(run)
  }

  /** Reads the next block; at the end, tells every thread it has no more events. */
  next(): void {
    if (this.done) return
    const block = this.blocks.next()
    if (block.done) {
      this.done = true
      for (const thread of this.threads.values()) if (!thread.detached) thread.ended = true
      return
    }
    for (const event of block.value) {
      const thread = this.threads.get(event.thread)
      if (thread === undefined || thread.detached) continue
      thread.push(event)
      if (thread.ahead > this.held)
        thread.detach(this.store.stream(this.run, event.thread, event.seq + 1))
    }
  }
}
