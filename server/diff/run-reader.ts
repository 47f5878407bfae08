/**
 * One run read once, block by block, each block's events handed to the lookahead of their
 * thread: a block holding events of several threads is decoded once for all of them.
 */

import type { Db } from '../db/database.js'
import type { StoredEvent } from '../db/event-block.js'
import { EventStore } from '../db/event-store.js'
import type { Lookahead } from './lookahead.js'

export class RunReader {
  private readonly blocks: Iterator<StoredEvent[]>
  /** True once every block has been read and every thread told its end. */
  done = false

  /** Reads run `run` for the threads `threads` names (by thread id); others' events are skipped. */
  constructor(
    db: Db,
    run: number,
    private readonly threads: Map<number, Lookahead>,
  ) {
    this.blocks = EventStore.of(db).blocks(run)
  }

  /** Reads the next block; at the end, tells every thread it has no more events. */
  next(): void {
    if (this.done) return
    const block = this.blocks.next()
    if (block.done) {
      this.done = true
      for (const thread of this.threads.values()) thread.ended = true
      return
    }
    for (const event of block.value) this.threads.get(event.thread)?.push(event)
  }
}
