/**
 * Writes one run's records into the database: events in blocks (see event-blocks.ts), and
 * beside them the run's files (sources stored once per content), functions, symbols, frames,
 * threads with their counters, per-line hit counts and the profile, in batched transactions.
 *
 * The tracer sends only what is new; this class keeps what it needs to complete each event
 * (the function, thread and depth of every live frame) and the running counters, and writes
 * them out every `FLUSH_EVENTS` events or `FLUSH_INTERVAL_MS`, whichever comes first.
 */

import { createHash } from 'node:crypto'
import type { FlatChanges, WireRecord } from '../../shared/wire/records.js'
import { TAG } from '../../shared/wire/records.js'
import type { PyDict } from '../../shared/wire/marshal.js'
import { KIND, type StoredKind } from '../db/event-block.js'
import { SMALL_TABLES, type Batch } from '../store/batch.js'
import { RunDeleted } from '../store/errors.js'
import type { Store } from '../store/store.js'
import { EventBlocks } from './event-blocks.js'
import { FrameChunks } from './frame-chunks.js'
import { MomentKeeper } from './moments.js'
import { TaskTallies, type TaskTally } from './task-tallies.js'
import { ThreadTallies, type ThreadTally } from './thread-tallies.js'

const FLUSH_EVENTS = 20_000
export const FLUSH_INTERVAL_MS = 50

interface LiveFrame {
  file: number
  function: number
  thread: number
  depth: number
  /** The asyncio task it runs in; 0: none. */
  task: number
  /** Its thread's counters. */
  tally: ThreadTally
  /** Its task's counters; null in no task. */
  taskTally: TaskTally | null
  /** The lines of its function its thread has run. */
  lines: Set<number>
}

type Row = unknown[]

export class RunWriter {
  /** Events taken so far (the last seq). */
  seq = 0
  /** Events committed to the database so far. */
  stored = 0
  /** The run was deleted while it was being recorded: nothing more is written. */
  deleted = false
  /** Events dropped on the way, as the forwarder's last `lost` record said. */
  lostEvents = 0
  private clock = 0
  /** Events taken since the last flush. */
  private pendingEvents = 0
  /** Rows for the small tables, written with the next batch of events. */
  private readonly pending = {
    functions: [] as Row[],
    symbols: [] as Row[],
    threads: [] as Row[],
    tasks: [] as Row[],
    awaits: [] as Row[],
    files: [] as Row[],
    sources: [] as Row[],
  }
  private readonly frames = new Map<number, LiveFrame>()
  private readonly moments: MomentKeeper
  private readonly blocks: EventBlocks
  private readonly chunks: FrameChunks
  private readonly functionFiles = new Map<number, number>()
  private readonly tallies = new ThreadTallies()
  private readonly taskTallies = new TaskTallies()
  /** The frame of the last line, return, yield or exception: the next is mostly the same. */
  private lastFrameId = -1
  private lastFrame!: LiveFrame
  /** Stands for every frame whose call was never seen: its events are kept, in no function. */
  private unknownFrame: LiveFrame | null = null
  private hits = new Map<number, Map<number, number>>()
  /** The file of the last line hit, and its hits: the next line is mostly in the same file. */
  private lastHitFile = -1
  private lastHits: Map<number, number> | null = null
  /** cProfile's stats, when they arrived since the last flush. */
  private profile: PyDict | null = null
  private lastFlush = Date.now()

  constructor(
    /** Where flushes go: the store, which writes each in one transaction. */
    private readonly store: Pick<Store, 'writeBatch'>,
    /** The run's local key. */
    readonly run: number,
  ) {
    this.moments = new MomentKeeper(run)
    this.blocks = new EventBlocks(run, (frame) => this.moments.variables(frame))
    this.chunks = new FrameChunks(run)
  }

  /** The perf_counter value at the run's start, from `hello`: event times count from it. */
  setClock(clock: number): void {
    this.clock = clock
  }

  /** Takes one record; `flush` writes it out. */
  accept(record: WireRecord): void {
    switch (record.tag) {
      case TAG.call: {
        let frame = this.frames.get(record.frame)
        const seq = ++this.seq
        if (frame === undefined) {
          frame = this.liveFrame(record.code, record.thread, record.depth, record.task)
          this.frames.set(record.frame, frame)
          this.lastFrameId = -1
          this.chunks.begin({
            id: record.frame,
            parent: record.parent,
            function: record.code,
            thread: record.thread,
            depth: record.depth,
            callSeq: seq,
            callUs: this.micros(record.time),
            endSeq: null,
            endUs: null,
            children: 0,
          })
        } else {
          if (frame.thread !== record.thread) {
            frame.tally = this.tallies.of(record.thread)
            frame.lines = this.tallies.linesOf(frame.tally, frame.function)
            frame.thread = record.thread
          }
          frame.depth = record.depth
          if (frame.task !== record.task) {
            frame.task = record.task
            frame.taskTally = this.taskTallies.ofTask(record.task)
          }
        }
        this.event(
          seq,
          KIND.call,
          record.frame,
          frame,
          record.line,
          record.time,
          record.locals,
          0,
          null,
        )
        this.moments.call(record.frame, record.parent, seq, record.line, record.locals)
        break
      }
      case TAG.line: {
        const frame = this.frameOf(record.frame)
        this.event(
          ++this.seq,
          KIND.line,
          record.frame,
          frame,
          record.line,
          record.time,
          record.changes,
          0,
          null,
        )
        this.hit(frame.file, record.line)
        this.moments.event(record.frame, record.line, record.changes)
        break
      }
      case TAG.return:
      case TAG.yield: {
        const frame = this.frameOf(record.frame)
        const seq = ++this.seq
        const kind = record.tag === TAG.return ? KIND.return : KIND.yield
        this.event(
          seq,
          kind,
          record.frame,
          frame,
          record.line,
          record.time,
          record.changes,
          record.valueType,
          record.value,
        )
        this.moments.event(record.frame, record.line, record.changes)
        if (record.tag === TAG.return) {
          this.chunks.end(record.frame, seq, this.micros(record.time))
          this.frames.delete(record.frame)
          this.lastFrameId = -1
          this.moments.end(record.frame)
          this.blocks.end(record.frame)
        }
        break
      }
      case TAG.exception: {
        const frame = this.frameOf(record.frame)
        this.event(
          ++this.seq,
          KIND.exception,
          record.frame,
          frame,
          record.line,
          record.time,
          record.changes,
          record.exceptionType,
          record.message,
        )
        this.moments.event(record.frame, record.line, record.changes)
        break
      }
      case TAG.code:
        this.functionFiles.set(record.code, record.file)
        this.pending.functions.push([
          this.run,
          record.code,
          record.file,
          record.name,
          record.qualifiedName,
          record.firstLine,
        ])
        break
      case TAG.file:
        this.storeFile(record.file, record.path, record.source)
        break
      case TAG.thread:
        this.pending.threads.push([this.run, record.thread, record.ident, record.name])
        break
      case TAG.task:
        this.pending.tasks.push([this.run, record.task, record.name, record.thread])
        break
      case TAG.await:
        this.pending.awaits.push([record.task, this.run, record.awaited])
        break
      case TAG.symbol:
        this.pending.symbols.push([this.run, record.symbol, record.text])
        break
      case TAG.profile:
        this.profile = record.stats
        break
      case TAG.lost:
        this.lostEvents = record.count
        break
      case TAG.hello:
      case TAG.end:
      case TAG.notice:
      case TAG.child:
      case TAG.test:
      case TAG.within:
      case TAG.outcome:
        break // run-level records: the caller handles them
      default: {
        const never: never = record
        throw new Error(`unhandled record ${JSON.stringify(never)}`)
      }
    }
  }

  /** True when enough is pending, or for long enough, that a flush is due. */
  get due(): boolean {
    return this.pendingEvents >= FLUSH_EVENTS || Date.now() - this.lastFlush >= FLUSH_INTERVAL_MS
  }

  /**
   * Writes every pending row and counter in one transaction of the store: at once (SQLite,
   * which returns nothing), or by the promise returned. When the store refuses it (locked,
   * disk full, connection lost), the error is thrown (or the promise rejects) and everything
   * stays pending, for a later flush. No record may be accepted while a flush is in flight.
   */
  flush(): void | Promise<void> {
    this.lastFlush = Date.now()
    if (this.deleted) return this.written()
    let writing: void | Promise<void>
    try {
      writing = this.store.writeBatch(this.batch())
    } catch (error) {
      return this.refused(error)
    }
    if (writing === undefined) return this.written()
    return writing.then(
      () => this.written(),
      (error: unknown) => this.refused(error),
    )
  }

  /** `flush`, for a writer whose store writes synchronously (a test session's, in SQLite). */
  flushNow(): void {
    if (this.flush() !== undefined) throw new Error('flushNow needs a store that writes at once')
  }

  /** Everything pending, as one batch for the store. */
  private batch(): Batch {
    return {
      run: this.run,
      events: this.seq,
      lostEvents: this.lostEvents,
      small: this.pending,
      frames: this.chunks.pending(),
      blocks: this.blocks.pending(),
      activations: this.moments.activations,
      hits: this.hits,
      threadTallies: this.tallies.touched,
      taskTallies: this.taskTallies.touched,
      profile: this.profile,
    }
  }

  /** A deleted run takes nothing more; any other refusal is the caller's to handle. */
  private refused(error: unknown): void {
    if (!(error instanceof RunDeleted)) throw error
    this.deleted = true
    this.written()
  }

  /** What the last batch held is stored (or no longer wanted). */
  private written(): void {
    this.pendingEvents = 0
    this.blocks.written()
    this.chunks.written()
    this.moments.activations.length = 0
    this.hits = new Map()
    this.lastHits = null
    this.profile = null
    for (const table of SMALL_TABLES) this.pending[table].length = 0
    this.tallies.written()
    this.taskTallies.written()
    if (!this.deleted) this.stored = this.seq
  }

  private frameOf(id: number): LiveFrame {
    if (id === this.lastFrameId) return this.lastFrame
    const frame = this.frames.get(id) ?? (this.unknownFrame ??= this.liveFrame(0, 0, 0, 0))
    this.lastFrameId = id
    this.lastFrame = frame
    return frame
  }

  private liveFrame(code: number, thread: number, depth: number, task: number): LiveFrame {
    const tally = this.tallies.of(thread)
    return {
      file: this.functionFiles.get(code) ?? 0,
      function: code,
      thread,
      depth,
      task,
      tally,
      taskTally: this.taskTallies.ofTask(task),
      lines: this.tallies.linesOf(tally, code),
    }
  }

  private event(
    seq: number,
    kind: StoredKind,
    frameId: number,
    frame: LiveFrame,
    line: number,
    time: number,
    locals: FlatChanges | null,
    valueType: number,
    value: string | null,
  ): void {
    const us = this.micros(time)
    this.blocks.add(seq, kind, frameId, frame, frame.file, line, us, locals, valueType, value)
    this.pendingEvents += 1
    this.tallies.count(frame.tally, frame.lines, seq, us, line)
    if (frame.taskTally !== null) this.taskTallies.count(frame.taskTally, frameId, seq, us)
  }

  /** Microseconds since the run started, for a perf_counter time. */
  private micros(time: number): number {
    return Math.max(0, Math.round((time - this.clock) * 1e6))
  }

  private hit(file: number, line: number): void {
    let lines = this.lastHits
    if (file !== this.lastHitFile || lines === null) {
      lines = this.hits.get(file) ?? null
      if (lines === null) this.hits.set(file, (lines = new Map()))
      this.lastHitFile = file
      this.lastHits = lines
    }
    lines.set(line, (lines.get(line) ?? 0) + 1)
  }

  private storeFile(id: number, path: string, source: string | null): void {
    let hash: string | null = null
    if (source !== null) {
      hash = createHash('sha256').update(source, 'utf8').digest('hex')
      this.pending.sources.push([hash, source])
    }
    this.pending.files.push([this.run, id, path, hash])
  }
}
