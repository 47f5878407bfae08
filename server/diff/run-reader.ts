/**
 * One run read thread by thread, its threads' readers moving together through the run: a
 * block holding events of several threads is decoded once and kept while the others reach it.
 */

import type { Db } from '../db/database.js'
import type { StoredEvent } from '../db/event-block.js'
import { EventStore } from '../db/event-store.js'
import { RecentlyUsed } from '../db/recently-used.js'

/**
 * Blocks kept decoded: the threads' readers stay within a block or two of one another, and a
 * decoded block kept longer costs the garbage collector more than decoding it again.
 */
const KEPT = 2

export class RunReader {
  private readonly kept = new RecentlyUsed<StoredEvent[]>(KEPT)
  private readonly store: EventStore

  constructor(
    db: Db,
    private readonly run: number,
  ) {
    this.store = EventStore.of(db)
  }

  /** Thread `thread`'s events, in order. */
  *thread(thread: number): Generator<StoredEvent> {
    for (const first of this.store.blockFirsts(this.run, thread)) {
      const events = this.kept.get(
        String(first),
        () => true,
        () => this.store.decodeAlone(this.run, first) ?? [],
      )
      for (const event of events) if (event.thread === thread) yield event
    }
  }
}
