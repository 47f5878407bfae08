/**
 * A window on a run's trace: the contiguous stretch of events around what is on screen,
 * fetched a page at a time in either direction, so that a run of ten million events costs
 * no more than a short one. Positions are event numbers (seq): jumping anywhere is one
 * keyed read on the server.
 */

import type { ChildStart } from '../../../shared/types/child-start.js'
import type { TraceEvent } from '../../../shared/types/event.js'
import type { Run } from '../../../shared/types/run.js'
import type { DataSource } from './source.js'

const PAGE = 200
/** Fetch more when the screen gets this close to an edge of the window. */
const MARGIN = 60
/** Never keep more rows than this; the far end is dropped. */
const MAX_ROWS = 3000

/** A line on screen: an event, or a process the program started after the event above it. */
export type TraceLine = { event: TraceEvent; row: number } | { start: ChildStart }

export class TraceWindow {
  /** The loaded events, in order. */
  rows = $state.raw<TraceEvent[]>([])
  /** Index in `rows` of the first event on screen. */
  offset = $state(0)
  /** How many rows fit on screen. */
  visible = $state(30)
  /** Events in the run so far (the last seq). */
  total = $state(0)
  /** A first page has arrived: `total` is known. */
  loaded = $state(false)
  status = $state<Run['status']>('running')
  /** Keep showing the newest events as they arrive. */
  following = $state(false)
  /** Only this thread's events. */
  thread = $state<number | null>(null)
  /** Only this asyncio task's events. */
  task = $state<number | null>(null)
  /** The event being inspected. */
  selected = $state<number | null>(null)
  /** The processes the run started, by their place in the trace (seq order): each is a line
   * after the event it followed (with a filter, after the last event shown before it). */
  starts = $state.raw<ChildStart[]>([])
  error = $state<string | null>(null)
  private startReached = false
  private endReached = false
  /** Loads run one after another, so that windows never interleave. */
  private queue: Promise<void> = Promise.resolve()
  private pendingScroll = false

  constructor(
    private readonly source: DataSource,
    readonly runId: string,
  ) {}

  /** The processes the run started, now known: a screen that showed the end still does. */
  setStarts(starts: ChildStart[]): void {
    const atEnd = this.endReached && this.offset >= this.lastOffset()
    this.starts = starts
    this.offset = this.clamp(atEnd ? this.lastOffset() : this.offset)
  }

  /** What is on screen: from the first event on it, events and the starts between them. */
  get lines(): TraceLine[] {
    const lines: TraceLine[] = []
    let row = this.offset
    for (; row < this.rows.length && lines.length < this.visible; row++) {
      for (const start of this.startsBefore(row)) lines.push({ start })
      lines.push({ event: this.rows[row]!, row })
    }
    if (row >= this.rows.length) for (const start of this.startsAfterLast()) lines.push({ start })
    return lines.slice(0, this.visible)
  }

  /** The events on screen. */
  get shown(): TraceEvent[] {
    return this.lines.flatMap((line) => ('event' in line ? [line.event] : []))
  }

  /** The starts drawn just above row `row`: those after the event above it, before this one. */
  private startsBefore(row: number): ChildStart[] {
    const event = this.rows[row]!
    const above = this.rows[row - 1]
    const from = above !== undefined ? above.seq : this.startReached ? -1 : event.seq - 1
    return this.startsBetween(from, event.seq)
  }

  /** The starts after the last event loaded, once it is the last one there is. */
  private startsAfterLast(): ChildStart[] {
    const last = this.rows.at(-1)
    return last === undefined || !this.endReached
      ? []
      : this.startsBetween(last.seq, Number.POSITIVE_INFINITY)
  }

  /** Starts placed after event `from` (or later) and before event `to`. */
  private startsBetween(from: number, to: number): ChildStart[] {
    if (this.starts.length === 0) return []
    let low = 0
    let high = this.starts.length
    while (low < high) {
      const middle = (low + high) >> 1
      if (this.starts[middle]!.seq < from) low = middle + 1
      else high = middle
    }
    const found: ChildStart[] = []
    for (let index = low; index < this.starts.length && this.starts[index]!.seq < to; index++)
      found.push(this.starts[index]!)
    return found
  }

  /** The first row of the screen that shows the last event: the rest of the rows, with their
   * starts, fill the screen at most. */
  private lastOffset(): number {
    let lines = this.startsAfterLast().length
    for (let row = this.rows.length - 1; row >= 0; row--) {
      lines += 1 + this.startsBefore(row).length
      if (lines > this.visible) return row + 1
    }
    return 0
  }

  /** Where the screen is in the run, from 0 to 1 (for the scrollbar). */
  get position(): number {
    const first = this.rows[this.offset]
    if (first === undefined || this.total <= 1) return 0
    return (first.seq - 1) / (this.total - 1)
  }

  get selectedEvent(): TraceEvent | undefined {
    return this.selected === null ? undefined : this.rows.find((e) => e.seq === this.selected)
  }

  private page(from: number, direction: 'forward' | 'backward', limit = PAGE) {
    return this.source.events(this.runId, {
      from,
      limit,
      direction,
      ...(this.thread === null ? {} : { thread: this.thread }),
      ...(this.task === null ? {} : { task: this.task }),
    })
  }

  private enqueue(load: () => Promise<void>): Promise<void> {
    const next = this.queue.then(load).catch((error: Error) => {
      this.error = error.message
    })
    this.queue = next
    return next
  }

  /** Shows event `seq` (or the nearest one of the filtered thread) near the top of the screen. */
  jumpTo(seq: number, select = false): Promise<void> {
    const target = Math.max(1, seq)
    // Asked for now, not when the queue gets there: the server answers in order, so the
    // pages come before whatever the jump makes other views ask (the state at the event).
    const pages = Promise.all([
      target > 1 ? this.page(target - 1, 'backward', PAGE / 2) : null,
      this.page(target, 'forward'),
    ])
    pages.catch(() => {}) // reported by the load below, once its turn comes
    return this.enqueue(async () => {
      const [before, after] = await pages
      const earlier = before?.events ?? []
      this.total = after.total
      this.status = after.status
      this.rows = [...earlier, ...after.events]
      this.loaded = true
      this.startReached = target <= 1 || earlier.length < PAGE / 2
      this.endReached = after.events.length < PAGE
      this.offset = this.clamp(earlier.length - Math.min(3, earlier.length))
      if (after.events.length === 0) this.offset = this.clamp(this.lastOffset())
      if (select) this.selected = after.events[0]?.seq ?? earlier.at(-1)?.seq ?? null
      this.error = null
    })
  }

  /** Selects event `seq` and brings it on screen, moving the screen as little as it can. */
  reveal(seq: number): Promise<void> {
    this.selected = seq
    const index = this.rows.findIndex((event) => event.seq === seq)
    if (index < 0) {
      this.following = false
      return this.jumpTo(seq)
    }
    const context = Math.min(3, Math.floor(this.visible / 4))
    // Events on screen: fewer than lines when starts are drawn between them.
    const fit = this.shown.length
    if (index < this.offset + context) return this.scrollBy(index - context - this.offset)
    if (index >= this.offset + fit - context)
      return this.scrollBy(index - (this.offset + fit - context - 1))
    return Promise.resolve()
  }

  toStart(): Promise<void> {
    this.following = false
    return this.jumpTo(1)
  }

  /**
   * The last events, and keep following them while the run is recorded. Following starts
   * now, so that a move asked for before the end arrives (Start, a scroll) still stops it.
   */
  toEnd(): Promise<void> {
    this.following = true
    return this.enqueue(async () => {
      await this.loadEnd()
      if (this.status !== 'running') this.following = false
    })
  }

  private async loadEnd(): Promise<void> {
    const last = await this.page(Number.MAX_SAFE_INTEGER, 'backward', PAGE)
    this.total = last.total
    this.status = last.status
    this.rows = last.events
    this.loaded = true
    this.startReached = last.events.length < PAGE
    this.endReached = true
    this.offset = this.clamp(this.lastOffset())
    this.error = null
  }

  /** Moves the screen by `rows` (negative: up), fetching more at the edges. */
  scrollBy(rows: number): Promise<void> {
    if (rows < 0) this.following = false
    this.offset = this.clamp(this.offset + rows)
    if (this.pendingScroll) return this.queue
    this.pendingScroll = true
    return this.enqueue(async () => {
      this.pendingScroll = false
      if (this.offset + this.visible > this.rows.length - MARGIN && !this.endReached)
        await this.extendForward()
      else if (this.offset < MARGIN && !this.startReached) await this.extendBackward()
      this.offset = this.clamp(this.offset)
    })
  }

  /** Jumps to a fraction of the run (the scrollbar was dragged). */
  scrollTo(fraction: number): Promise<void> {
    this.following = false
    return this.jumpTo(Math.round(Math.min(1, Math.max(0, fraction)) * (this.total - 1)) + 1)
  }

  /** The run has events up to `lastSeq`: show them if the screen is following the end. */
  grow(lastSeq: number, status: Run['status']): Promise<void> {
    if (lastSeq > this.total) this.endReached = false
    this.total = Math.max(this.total, lastSeq)
    this.status = status
    return this.enqueue(async () => {
      if (!this.following) return
      // Far behind (a fast program): the newest page, rather than every page on the way.
      if ((this.rows.at(-1)?.seq ?? 0) < this.total - PAGE) await this.loadEnd()
      while (!this.endReached) await this.extendForward()
      this.offset = this.clamp(this.lastOffset())
      if (status !== 'running') this.following = false
    })
  }

  setThread(thread: number | null): Promise<void> {
    const seq = this.rows[this.offset]?.seq ?? 1
    this.thread = thread
    return this.jumpTo(seq)
  }

  setTask(task: number | null): Promise<void> {
    const seq = this.rows[this.offset]?.seq ?? 1
    this.task = task
    return this.jumpTo(seq)
  }

  /**
   * The screen now fits `rows` rows. A screen that showed the last event keeps showing it
   * (the toolbar above may wrap onto another line once the position it shows has changed).
   */
  setVisible(rows: number): void {
    const atEnd = this.endReached && this.offset + this.visible >= this.rows.length
    this.visible = Math.max(1, rows)
    const keepEnd = this.following || (atEnd && this.rows.length > 0)
    this.offset = this.clamp(keepEnd ? this.lastOffset() : this.offset)
  }

  private clamp(offset: number): number {
    return Math.max(0, Math.min(offset, this.lastOffset()))
  }

  private async extendForward(): Promise<void> {
    const last = this.rows.at(-1)
    const next = await this.page(last ? last.seq + 1 : 1, 'forward')
    this.total = Math.max(next.total, this.total)
    this.status = next.status
    this.endReached = next.events.length < PAGE
    let rows = [...this.rows, ...next.events]
    const excess = rows.length - MAX_ROWS
    if (excess > 0) {
      rows = rows.slice(excess)
      this.offset = Math.max(0, this.offset - excess)
      this.startReached = false
    }
    this.rows = rows
  }

  private async extendBackward(): Promise<void> {
    const first = this.rows[0]
    if (first === undefined || first.seq <= 1) {
      this.startReached = true
      return
    }
    const previous = await this.page(first.seq - 1, 'backward')
    this.startReached = previous.events.length < PAGE
    let rows = [...previous.events, ...this.rows]
    this.offset += previous.events.length
    if (rows.length > MAX_ROWS) {
      rows = rows.slice(0, MAX_ROWS)
      this.endReached = false
    }
    this.rows = rows
  }
}
