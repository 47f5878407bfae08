/**
 * Reading events back from their blocks (see event-block.ts): by position, forwards and
 * backwards, one thread's, one frame's, one line's. The blocks read last stay decoded, since
 * stepping through a trace reads the same block again and again; a block still being
 * written is read again once it has grown.
 */

import type { StoredLocal } from '../../shared/locals.js'
import type { Db } from './database.js'
import { decodeBlock, decodeLocalsBlob, type StoredEvent } from './event-block.js'
import { FrameStore } from './frame-store.js'
import { RecentlyUsed } from './recently-used.js'

export interface Block {
  firstSeq: number
  lastSeq: number
  events: StoredEvent[]
}

export type Direction = 'forward' | 'backward'

const CACHED_BLOCKS = 48
/** Blocks listed per query when streaming a whole run. */
const STREAM_PAGE = 256
/** Blocks read per query, their data with them, when reading every block of a run. */
const DATA_PAGE = 32

const stores = new WeakMap<Db, EventStore>()

/** Whose events to read: one thread's, one asyncio task's, or both at once. */
export interface Lane {
  thread?: number
  task?: number
}

export class EventStore {
  /** The store reading through connection `db`. */
  static of(db: Db): EventStore {
    let store = stores.get(db)
    if (store === undefined) stores.set(db, (store = new EventStore(db)))
    return store
  }

  private readonly cache = new RecentlyUsed<Block>(CACHED_BLOCKS)
  private readonly statements
  private readonly frames: FrameStore

  private constructor(db: Db) {
    this.frames = FrameStore.of(db)
    this.statements = {
      locate: db.prepare(
        'SELECT first_seq AS firstSeq, last_seq AS lastSeq FROM event_blocks WHERE run = ? AND first_seq <= ? ORDER BY first_seq DESC LIMIT 1',
      ),
      blocksAfter: db
        .prepare(
          'SELECT first_seq FROM event_blocks WHERE run = ? AND first_seq > ? ORDER BY first_seq LIMIT ?',
        )
        .pluck(),
      threadBlocksAfter: db
        .prepare(
          'SELECT block FROM thread_blocks WHERE run = ? AND thread = ? AND block > ? ORDER BY block LIMIT ?',
        )
        .pluck(),
      pageAfter: db
        .prepare(
          'SELECT first_seq, data FROM event_blocks WHERE run = ? AND first_seq > ? ORDER BY first_seq LIMIT ?',
        )
        .raw(),
      span: db.prepare('SELECT last_seq FROM event_blocks WHERE run = ? AND first_seq = ?').pluck(),
      data: db.prepare('SELECT data FROM event_blocks WHERE run = ? AND first_seq = ?').pluck(),
      threadAfter: db
        .prepare(
          'SELECT block FROM thread_blocks WHERE run = ? AND thread = ? AND block >= ? ORDER BY block',
        )
        .pluck(),
      threadBefore: db
        .prepare(
          'SELECT block FROM thread_blocks WHERE run = ? AND thread = ? AND block <= ? ORDER BY block DESC',
        )
        .pluck(),
      taskAfter: db
        .prepare(
          'SELECT block FROM task_blocks WHERE run = ? AND task = ? AND block >= ? ORDER BY block',
        )
        .pluck(),
      taskBefore: db
        .prepare(
          'SELECT block FROM task_blocks WHERE run = ? AND task = ? AND block <= ? ORDER BY block DESC',
        )
        .pluck(),
      frameAfter: db
        .prepare(
          'SELECT block FROM frame_blocks WHERE run = ? AND frame = ? AND block >= ? ORDER BY block',
        )
        .pluck(),
      frameBefore: db
        .prepare(
          'SELECT block FROM frame_blocks WHERE run = ? AND frame = ? AND block <= ? ORDER BY block DESC',
        )
        .pluck(),
      snapshot: db
        .prepare('SELECT locals FROM frame_blocks WHERE run = ? AND frame = ? AND block = ?')
        .pluck(),
      lineAfter: db
        .prepare(
          'SELECT block FROM line_blocks WHERE run = ? AND file = ? AND line = ? AND block >= ? ORDER BY block',
        )
        .pluck(),
      lineBefore: db
        .prepare(
          'SELECT block FROM line_blocks WHERE run = ? AND file = ? AND line = ? AND block <= ? ORDER BY block DESC',
        )
        .pluck(),
    }
  }

  /** The block holding event `seq`, or undefined when the run has no such event. */
  blockAt(run: number, seq: number): Block | undefined {
    const row = this.statements.locate.get(run, seq) as
      { firstSeq: number; lastSeq: number } | undefined
    if (row === undefined || seq > row.lastSeq) return undefined
    return this.load(run, row.firstSeq, row.lastSeq)
  }

  /** Event `seq`, or undefined. */
  event(run: number, seq: number): StoredEvent | undefined {
    const block = this.blockAt(run, seq)
    return block?.events[seq - block.firstSeq]
  }

  /**
   * Events from `from` on (forward), or from `from` back (backward), in that order; only
   * those of `lane`'s thread and task when it names them.
   */
  *events(
    run: number,
    from: number,
    direction: Direction,
    lane: Lane = {},
  ): Generator<StoredEvent> {
    const forward = direction === 'forward'
    const { thread, task } = lane
    const blocks =
      task !== undefined
        ? this.keyedBlocks(run, 'task', task, from, forward)
        : thread !== undefined
          ? this.keyedBlocks(run, 'thread', thread, from, forward)
          : this.adjacentBlocks(run, from, forward)
    yield* eventsOf(
      blocks,
      from,
      forward,
      thread === undefined && task === undefined
        ? undefined
        : (e) =>
            (thread === undefined || e.thread === thread) &&
            (task === undefined || e.task === task),
    )
  }

  /**
   * Every event of thread `thread` (of every thread when it is undefined), in order, from
   * event `from` on, each block decoded and let go: for reading a whole run once, where
   * keeping blocks decoded only keeps the garbage collector busy.
   */
  *stream(run: number, thread?: number, from = 1): Generator<StoredEvent> {
    if (thread === undefined && from <= 1) {
      for (const events of this.blocks(run)) yield* events
      return
    }
    const start = this.statements.locate.get(run, from) as { firstSeq: number } | undefined
    for (const first of this.blockFirsts(run, thread, (start?.firstSeq ?? 1) - 1)) {
      for (const event of this.decodeAlone(run, first) ?? [])
        if (event.seq >= from && (thread === undefined || event.thread === thread)) yield event
    }
  }

  /**
   * Every block of the run in order, each one's events decoded when it is reached and not
   * kept; the blocks are read a page at a time, their data with them.
   */
  *blocks(run: number): Generator<StoredEvent[]> {
    let after = 0
    for (;;) {
      const rows = this.statements.pageAfter.all(run, after, DATA_PAGE) as Array<[number, Buffer]>
      for (const [first, data] of rows) yield decodeBlock(data, first)
      if (rows.length < DATA_PAGE) return
      after = rows.at(-1)![0]
    }
  }

  /** The first events of the blocks holding thread `thread`'s events (every block's without). */
  private *blockFirsts(run: number, thread?: number, after = 0): Generator<number> {
    for (;;) {
      // A page of blocks at a time: a block's own read cannot run while a list is iterated.
      const firsts = (
        thread === undefined
          ? this.statements.blocksAfter.all(run, after, STREAM_PAGE)
          : this.statements.threadBlocksAfter.all(run, thread, after, STREAM_PAGE)
      ) as number[]
      yield* firsts
      if (firsts.length < STREAM_PAGE) return
      after = firsts.at(-1)!
    }
  }

  /** The events of the block whose first event is `first`, decoded now and not kept. */
  private decodeAlone(run: number, first: number): StoredEvent[] | undefined {
    const data = this.statements.data.get(run, first) as Buffer | undefined
    return data === undefined ? undefined : decodeBlock(data, first)
  }

  /** Frame `frame`'s events from `from` on (forward), or from `from` back (backward). */
  *frameEvents(
    run: number,
    frame: number,
    from: number,
    direction: Direction,
  ): Generator<StoredEvent> {
    const forward = direction === 'forward'
    yield* eventsOf(
      this.frameBlocks(run, frame, from, forward),
      from,
      forward,
      (e) => e.frame === frame,
    )
  }

  /**
   * Frame `frame`'s variables just before its first event in `block`, a block other than its
   * call's; undefined for the block of its call (where the call itself has them all).
   */
  snapshot(run: number, frame: number, block: number): StoredLocal[] | undefined {
    const data = this.statements.snapshot.get(run, frame, block) as Buffer | undefined
    return data === undefined ? undefined : decodeLocalsBlob(data)
  }

  /**
   * The blocks where line `line` of `file` ran, in order from the one holding `from`
   * (forward), or back from it (backward).
   */
  *lineBlocks(
    run: number,
    file: number,
    line: number,
    from: number,
    direction: Direction,
  ): Generator<Block> {
    const forward = direction === 'forward'
    const start = this.startBlock(run, from, forward)
    if (start === undefined) return
    const rows = forward ? this.statements.lineAfter : this.statements.lineBefore
    yield* this.listed(run, rows.iterate(run, file, line, start))
  }

  /** The blocks holding the frame's events, in order from the one holding `from`. */
  *frameBlocks(run: number, frame: number, from: number, forward: boolean): Generator<Block> {
    const start = this.startBlock(run, from, forward)
    if (start === undefined) return
    const callSeq = this.frames.frame(run, frame)?.callSeq
    const call = callSeq === undefined ? undefined : this.blockAt(run, callSeq)
    // The call's block comes first: every block of frame_blocks is after it.
    if (forward && call !== undefined && call.firstSeq >= start) yield call
    const rows = (forward ? this.statements.frameAfter : this.statements.frameBefore).iterate(
      run,
      frame,
      start,
    ) as IterableIterator<number>
    yield* this.listed(
      run,
      filter(rows, (first) => first !== call?.firstSeq),
    )
    if (!forward && call !== undefined && call.firstSeq <= start) yield call
  }

  /** The first block to look at from `from`: the one holding it, or the first or last one. */
  private startBlock(run: number, from: number, forward: boolean): number | undefined {
    const block = this.blockAt(run, Math.max(1, from))
    if (block !== undefined) return block.firstSeq
    if (forward) return from < 1 ? 1 : undefined
    const last = this.statements.locate.get(run, Number.MAX_SAFE_INTEGER) as
      { firstSeq: number } | undefined
    return from < 1 ? undefined : last?.firstSeq
  }

  private *adjacentBlocks(run: number, from: number, forward: boolean): Generator<Block> {
    const first = this.startBlock(run, from, forward)
    let block = first === undefined ? undefined : this.loadFirst(run, first)
    while (block !== undefined) {
      yield block
      block = forward
        ? this.blockAt(run, block.lastSeq + 1)
        : block.firstSeq > 1
          ? this.blockAt(run, block.firstSeq - 1)
          : undefined
    }
  }

  /** The blocks holding events of thread or task `id`, from the block of event `from` on. */
  private *keyedBlocks(
    run: number,
    key: 'thread' | 'task',
    id: number,
    from: number,
    forward: boolean,
  ): Generator<Block> {
    const start = this.startBlock(run, from, forward)
    if (start === undefined) return
    const s = this.statements
    const rows =
      key === 'thread'
        ? forward
          ? s.threadAfter
          : s.threadBefore
        : forward
          ? s.taskAfter
          : s.taskBefore
    yield* this.listed(run, rows.iterate(run, id, start))
  }

  /** The blocks whose first events `firsts` lists, in that order. */
  private *listed(run: number, firsts: Iterable<unknown>): Generator<Block> {
    for (const first of firsts) {
      const block = this.loadFirst(run, first as number)
      if (block !== undefined) yield block
    }
  }

  /** The block whose first event is `firstSeq`, or undefined when there is none. */
  blockStarting(run: number, firstSeq: number): Block | undefined {
    return this.loadFirst(run, firstSeq)
  }

  private loadFirst(run: number, firstSeq: number): Block | undefined {
    const lastSeq = this.statements.span.get(run, firstSeq) as number | undefined
    return lastSeq === undefined ? undefined : this.load(run, firstSeq, lastSeq)
  }

  private load(run: number, firstSeq: number, lastSeq: number): Block {
    return this.cache.get(
      `${run}:${firstSeq}`,
      (block) => block.lastSeq === lastSeq,
      () => {
        const data = this.statements.data.get(run, firstSeq) as Buffer
        const events = decodeBlock(data, firstSeq)
        // A block rewritten between the two reads (outside a transaction) may have grown.
        return { firstSeq, lastSeq: firstSeq + events.length - 1, events }
      },
    )
  }
}

/**
 * The events of `blocks` from `from` on (or back), those `keep` accepts. A block still being
 * written can come again, longer: each block is read from where the one before ended.
 */
function* eventsOf(
  blocks: Iterable<Block>,
  from: number,
  forward: boolean,
  keep: ((event: StoredEvent) => boolean) | undefined,
): Generator<StoredEvent> {
  let at = from
  for (const { events, firstSeq, lastSeq } of blocks) {
    if (forward) {
      for (let i = Math.max(0, at - firstSeq); i < events.length; i++) {
        const event = events[i]!
        if (keep === undefined || keep(event)) yield event
      }
      at = Math.max(at, lastSeq + 1)
    } else {
      for (let i = Math.min(events.length - 1, at - firstSeq); i >= 0; i--) {
        const event = events[i]!
        if (keep === undefined || keep(event)) yield event
      }
      at = Math.min(at, firstSeq - 1)
    }
  }
}

function* filter<T>(items: Iterable<T>, keep: (item: T) => boolean): Generator<T> {
  for (const item of items) if (keep(item)) yield item
}
