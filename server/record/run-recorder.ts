/**
 * Consumes one run's event stream, from wherever it comes (an inherited pipe or an HTTP
 * upload), and records it: the run row when `hello` arrives, events through `RunWriter`,
 * a heartbeat while it lasts, and the run's ending when `finish` is called.
 *
 * A malformed stream never stops the program: the recorder keeps what it stored, notes
 * what went wrong on the run, and discards the rest (still reading, so the program does
 * not block on a full pipe).
 *
 * Neither does a database that fails (locked longer than the busy timeout, disk full,
 * corrupt): each write waits at most the busy timeout, and when one fails, recording stops
 * there. Nothing more is written while the program runs on; when it ends, the events taken
 * before the failure get one more chance, and the run is marked with how it ended and why
 * recording stopped, as far as the database allows. Recording also stops while the disk
 * still has room for that ending (see disk-room.ts).
 *
 * Writes go to a `Store` (server/store/). SQLite writes at once; a store that answers with a
 * promise (PostgreSQL) holds the records that follow in a backlog until it settles, and
 * `push` returns false meanwhile: the caller waits for `drained()` before pushing more, so the
 * pipe fills and the traced program waits, losing nothing.
 */

import type { PyValue } from '../../shared/wire/marshal.js'
import { FrameReader, WireError } from '../../shared/wire/frames.js'
import { readRecords } from '../../shared/wire/record-reader.js'
import { TAG, type WireRecord } from '../../shared/wire/records.js'
import { utf8Text } from '../db/bytes.js'
import type { NewRun, RunEnding } from '../db/runs.js'
import { inOrder } from '../store/in-order.js'
import type { Store } from '../store/store.js'
import { FLUSH_INTERVAL_MS, RunWriter } from '../ingest/run-writer.js'
import { type DiskRoom } from './disk-room.js'
import { emptyGiven, TestRuns, type FailedTest, type Keep } from './test-runs.js'
import type { ProcessExit } from './outcome.js'
import { decideEnding } from './outcome.js'

const HEARTBEAT_MS = 2000
/** Said on a run whose program exited normally but whose stream had no end record. */
const TRACER_STOPPED_EARLY =
  'the tracer stopped before the program ended: the program closed its descriptor, replaced itself (exec), or exited without running its exit handlers'

/**
 * Runs this long get their Timeline's index kept as they end (about a second per 10 M events);
 * a shorter one's is built in milliseconds when first asked, and its start-up stays short.
 */
const KEEP_TIMELINE_FROM = 100_000

export class RunRecorder {
  private readonly frames = new FrameReader()
  private writer: RunWriter | null = null
  private end: Record<string, PyValue> | null = null
  private failure: string | null = null
  /** Why the database stopped taking the run, once it has. */
  private storage: string | null = null
  /** The run's ending could not be written either. */
  private unmarked = false
  private flushTimer: NodeJS.Timeout | null = null
  private heartbeatTimer: NodeJS.Timeout | null = null
  private readonly room: DiskRoom
  /** The runs of the tests, once the first test has started (`--per-test`). */
  private tests: TestRuns | null = null
  private uuid: string | null = null
  /** A write in flight: records wait in `backlog` until it settles. */
  private pending: Promise<void> | null = null
  private backlog: WireRecord[] = []
  private backlogAt = 0
  /** `finish` has begun: it writes what is left, nothing is scheduled any more. */
  private finishing = false

  constructor(
    private readonly store: Store,
    /** Builds the run row from the tracer's `hello` (asking the store, for a child's). */
    private readonly describe: (hello: Record<string, PyValue>) => NewRun | Promise<NewRun>,
  ) {
    this.room = store.diskRoom()
  }

  /** The run's uuid, once `hello` has arrived. */
  get runUuid(): string | null {
    return this.uuid
  }

  /** The run's local key, once `hello` has arrived. */
  get runKey(): number | null {
    return this.writer?.run ?? null
  }

  /** Events stored so far. */
  get eventCount(): number {
    return this.writer?.stored ?? 0
  }

  /** The tests that failed, each with its run (`--per-test`). */
  get failedTests(): readonly FailedTest[] {
    return this.tests?.failed ?? []
  }

  /** Events dropped before they reached this recorder (remote runs only). */
  get lostEvents(): number {
    return this.writer?.lostEvents ?? 0
  }

  /** What went wrong with the stream, if anything did. */
  get problem(): string | null {
    if (this.writer?.deleted) return 'the run was deleted while it was being recorded'
    return this.failure
  }

  /** Why the database stopped taking this run, in one line; null while it takes it. */
  get storageFailure(): string | null {
    if (this.storage === null) return null
    const what =
      this.writer === null
        ? `could not record the run: ${this.storage}`
        : `recording stopped after ${this.eventCount} events: ${this.storage}`
    return this.unmarked ? `${what}; the run could not be marked as ended either` : what
  }

  /**
   * Takes a chunk of the stream. Returns false while a write is in flight: push no more until
   * `drained()` resolves.
   */
  push(chunk: Uint8Array): boolean {
    if (this.failure !== null || this.writer?.deleted) return true
    try {
      for (const payload of this.frames.push(chunk)) {
        const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
        for (const record of readRecords(bytes, decodeText)) {
          if (this.pending === null) this.accept(record)
          else this.backlog.push(record)
        }
      }
      if (this.storage === null && this.pending === null) this.scheduleFlush()
    } catch (error) {
      this.refused(error)
    }
    return this.pending === null
  }

  /** Resolves once every record pushed so far is taken and no write is in flight. */
  async drained(): Promise<void> {
    while (this.pending !== null) await this.pending
  }

  /** Goes on once `writing` has settled, holding the records that come meanwhile. */
  private track(writing: void | Promise<void>): void {
    if (writing === undefined) return
    const current: Promise<void> = writing
      .then(undefined, (error: unknown) => this.refused(error))
      .then(() => {
        if (this.pending === current) this.resume()
      })
    this.pending = current
  }

  /** Takes the records held while a write was in flight, until another one starts. */
  private resume(): void {
    this.pending = null
    const took = this.backlogAt < this.backlog.length
    try {
      while (this.pending === null && this.backlogAt < this.backlog.length) {
        if (this.failure !== null || this.writer?.deleted) break
        this.accept(this.backlog[this.backlogAt++]!)
      }
      if (this.pending === null) {
        this.backlog = []
        this.backlogAt = 0
        // Records taken are written within a flush interval, as those pushed are.
        if (took && this.storage === null) this.scheduleFlush()
      }
    } catch (error) {
      this.refused(error)
    }
  }

  /** A write or a record failed: the store stops recording, anything else stops the stream. */
  private refused(error: unknown): void {
    if (this.stopOnDatabaseFailure(error) || this.failure !== null) return
    this.fail(error instanceof Error ? error.message : String(error))
  }

  private accept(record: WireRecord): void {
    // Recording has stopped: only how the program ended (its exception, its status) is kept.
    if (this.storage !== null && record.tag !== TAG.end) return
    switch (record.tag) {
      case TAG.hello: {
        if (this.uuid !== null) throw new WireError('a second hello in one stream')
        this.room.check()
        const described = this.describe(record.info)
        if (described instanceof Promise)
          this.track(described.then((session) => this.create(session, record.info)))
        else this.track(this.create(described, record.info))
        return
      }
      case TAG.end:
        this.end = record.info
        return
      case TAG.notice:
        if (this.writer) this.track(this.store.setNotice(this.writer.run, record.message))
        return
      case TAG.child:
        // After the events taken so far: those before the child started, in stream order.
        if (this.writer)
          this.track(
            this.store.markChildStart(this.writer.run, record.pid, this.writer.seq, record.time),
          )
        return
      case TAG.test:
        this.track(this.testRuns().begin(record))
        return
      case TAG.within:
        this.testRuns().within(record.test)
        return
      case TAG.outcome:
        this.track(this.testRuns().outcome(record))
        return
      case TAG.code:
      case TAG.file:
      case TAG.thread:
      case TAG.task:
      case TAG.symbol:
        if (this.writer === null) throw new WireError('definitions arrived before hello')
        // A session recorded per test takes codes, files and symbols as its events use them,
        // as its tests do (TestRuns).
        if (this.tests === null || record.tag === TAG.thread || record.tag === TAG.task)
          this.writer.accept(record)
        this.tests?.define(record)
        return
      default:
        if (this.writer === null) throw new WireError('events arrived before hello')
        if (this.tests === null) this.writer.accept(record)
        else if (this.tests.inTest) this.tests.accept(record)
        else this.tests.acceptForSession(record)
    }
  }

  /** Creates the run's row; its events are written once it exists. */
  private create(session: NewRun, hello: Record<string, PyValue>): void | Promise<void> {
    this.uuid = session.uuid
    const key = this.store.createRun(session)
    if (typeof key === 'number') return this.begin(key, session, hello)
    return key.then((key) => this.begin(key, session, hello))
  }

  /** The run's row exists: its events can be written. */
  private begin(key: number, session: NewRun, hello: Record<string, PyValue>): void {
    this.writer = new RunWriter(this.store, key)
    if (session.options['perTest']) {
      const keep: Keep = session.options['keep'] === 'all' ? 'all' : 'failed'
      const receiver = { writer: this.writer, given: emptyGiven() }
      this.tests = new TestRuns(this.store, { key, run: session, receiver }, keep)
    }
    this.writer.setClock(typeof hello['clock'] === 'number' ? hello['clock'] : 0)
    this.heartbeatTimer = setInterval(() => this.beat(key), HEARTBEAT_MS).unref()
  }

  private testRuns(): TestRuns {
    if (this.tests === null) throw new WireError('a test arrived in a run not recorded per test')
    return this.tests
  }

  private scheduleFlush(): void {
    const writer = this.writer
    if (writer === null || this.finishing) return
    if (writer.due || this.tests?.due) {
      this.track(this.flush(writer))
      return
    }
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null
      // A write in flight schedules the next flush when it settles.
      if (this.storage !== null || this.pending !== null) return
      try {
        if (this.writer) this.track(this.flush(this.writer))
      } catch (error) {
        if (!this.stopOnDatabaseFailure(error)) throw error
      }
    }, FLUSH_INTERVAL_MS)
  }

  /** Writes the pending events, while the disk has room for them and the run's ending. */
  private flush(writer: RunWriter): void | Promise<void> {
    let writing: void | Promise<void> = undefined
    this.room.write(() => {
      writing = inOrder([() => writer.flush(), () => this.tests?.flush()])
    })
    return writing
  }

  /** A heartbeat is a write like any other: when the database refuses it, recording stops. */
  private beat(key: number): void {
    if (this.storage !== null || this.pending !== null || this.finishing) return
    try {
      this.track(inOrder([() => this.store.heartbeat(key), () => this.tests?.beat()]))
    } catch (error) {
      if (!this.stopOnDatabaseFailure(error)) throw error
    }
  }

  /** When `error` is the database failing, recording stops (see above): returns true. */
  private stopOnDatabaseFailure(error: unknown): boolean {
    const failure = this.store.failure(error)
    if (failure === null) return false
    if (this.storage !== null) return true
    this.storage = failure.message
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer)
    this.heartbeatTimer = null
    // Said on the run at once, so that the dashboard shows it while the program runs on; but
    // not on a locked database, where trying would hold the program up for another timeout.
    if (!failure.locked && this.writer !== null) {
      try {
        const noting = this.store.setNotice(this.writer.run, this.storageFailure!)
        if (noting !== undefined) this.track(noting.catch(() => undefined))
      } catch {
        // said again when the program ends
      }
    }
    return true
  }

  private fail(message: string): void {
    this.failure = message
    const writer = this.writer
    if (writer === null) return
    const notice = `the event stream was malformed, recording stopped: ${message}`
    try {
      const flushing = this.flush(writer)
      if (flushing === undefined) this.track(this.store.setNotice(writer.run, notice))
      else this.track(flushing.then(() => this.store.setNotice(writer.run, notice)))
    } catch (error) {
      if (!this.stopOnDatabaseFailure(error)) throw error
    }
  }

  /**
   * The stream is over: store what is pending and how the run ended. `exit` is how the
   * process ended, when known. Resolves with the ending, or null when no run was ever started.
   */
  async finish(exit: ProcessExit | null): Promise<RunEnding | null> {
    this.finishing = true
    if (this.flushTimer) clearTimeout(this.flushTimer)
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer)
    this.flushTimer = this.heartbeatTimer = null
    await this.drained()
    const writer = this.writer
    if (writer === null) return null
    try {
      // After a failure too: what was taken before it may be stored now (a lock was released).
      await this.flush(writer)
    } catch (error) {
      if (!this.stopOnDatabaseFailure(error)) throw error
    }
    await this.drained()
    const ending = decideEnding(this.end, exit, Date.now() / 1000)
    try {
      const notice = this.endingNotice(exit)
      const tests = this.tests
      if (tests === null) await this.store.endRun(writer.run, ending, notice)
      // One transaction in SQLite: on a disk that filled up, one write has a better chance.
      else await tests.finish(ending, () => this.store.endRun(writer.run, ending, notice))
    } catch (error) {
      if (!this.stopOnDatabaseFailure(error)) throw error
      this.unmarked = true
      return ending
    }
    if (this.storageFailure === null && this.eventCount >= KEEP_TIMELINE_FROM)
      await this.prepareTimeline(writer.run)
    return ending
  }

  /**
   * The run's call index and Timeline overview kept now, so that the dashboard paints its
   * Timeline at once; on a database failure the dashboard builds them when first asked.
   */
  private async prepareTimeline(run: number): Promise<void> {
    if (this.store.kind !== 'sqlite') return
    const { keepTimeline } = await import('../timeline/index.js')
    try {
      keepTimeline(this.store.sqlite('the Timeline'), run, this.eventCount)
    } catch (error) {
      if (this.store.failure(error) === null) throw error
    }
  }

  /** What to say on the run as it ends, if anything. */
  private endingNotice(exit: ProcessExit | null): string | null {
    const failure = this.storageFailure
    if (failure !== null) return failure
    if (this.failure !== null) return null
    if (this.frames.incomplete) return 'the event stream ended in the middle of a batch'
    if (this.end === null && exit?.signal === null) return TRACER_STOPPED_EARLY
    return null
  }
}

/** Stream text, decoded by Node where it can be (the payloads are Buffers). */
function decodeText(data: Uint8Array, start: number, end: number): string {
  return utf8Text(data as Buffer, start, end)
}
