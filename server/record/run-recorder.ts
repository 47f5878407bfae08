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
 */

import type { PyValue } from '../../shared/wire/marshal.js'
import { FrameReader, WireError } from '../../shared/wire/frames.js'
import { readRecords } from '../../shared/wire/record-reader.js'
import { TAG, type WireRecord } from '../../shared/wire/records.js'
import { utf8Text } from '../db/bytes.js'
import { databaseFailure, type Db } from '../db/database.js'
import type { NewRun, RunEnding } from '../db/runs.js'
import { createRun, finishRun, heartbeat, markChildStart, setNotice } from '../db/runs.js'
import { FLUSH_INTERVAL_MS, RunWriter } from '../ingest/run-writer.js'
import { keepTimeline } from '../timeline/index.js'
import { DiskRoom } from './disk-room.js'
import { emptyGiven, TestRuns, type FailedTest, type Keep } from './test-runs.js'
import type { ProcessExit } from './outcome.js'
import { decideEnding } from './outcome.js'

const HEARTBEAT_MS = 2000
/** Said on a run whose program exited normally but whose stream had no end record. */
const TRACER_STOPPED_EARLY =
  'the tracer stopped before the program ended: the program closed its descriptor, replaced itself (exec), or exited without running its exit handlers'

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

  constructor(
    private readonly db: Db,
    /** Builds the run row from the tracer's `hello`. */
    private readonly describe: (hello: Record<string, PyValue>) => NewRun,
  ) {
    this.room = DiskRoom.of(db)
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

  push(chunk: Uint8Array): void {
    if (this.failure !== null || this.writer?.deleted) return
    try {
      for (const payload of this.frames.push(chunk)) {
        const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
        for (const record of readRecords(bytes, decodeText)) this.accept(record)
      }
      if (this.storage === null) this.scheduleFlush()
    } catch (error) {
      if (!this.stopOnDatabaseFailure(error))
        this.fail(error instanceof Error ? error.message : String(error))
    }
  }

  private accept(record: WireRecord): void {
    // Recording has stopped: only how the program ended (its exception, its status) is kept.
    if (this.storage !== null && record.tag !== TAG.end) return
    switch (record.tag) {
      case TAG.hello: {
        if (this.writer !== null) throw new WireError('a second hello in one stream')
        this.room.check()
        const session = this.describe(record.info)
        const key = createRun(this.db, session)
        this.uuid = session.uuid
        this.writer = new RunWriter(this.db, key)
        if (session.options['perTest']) {
          const keep: Keep = session.options['keep'] === 'all' ? 'all' : 'failed'
          const receiver = { writer: this.writer, given: emptyGiven() }
          this.tests = new TestRuns(this.db, { key, run: session, receiver }, keep)
        }
        this.writer.setClock(typeof record.info['clock'] === 'number' ? record.info['clock'] : 0)
        this.heartbeatTimer = setInterval(() => this.beat(key), HEARTBEAT_MS).unref()
        return
      }
      case TAG.end:
        this.end = record.info
        return
      case TAG.notice:
        if (this.writer) setNotice(this.db, this.writer.run, record.message)
        return
      case TAG.child:
        // After the events taken so far: those before the child started, in stream order.
        if (this.writer)
          markChildStart(this.db, this.writer.run, record.pid, this.writer.seq, record.time)
        return
      case TAG.test:
        this.testRuns().begin(record)
        return
      case TAG.within:
        this.testRuns().within(record.test)
        return
      case TAG.outcome:
        this.testRuns().outcome(record)
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

  private testRuns(): TestRuns {
    if (this.tests === null) throw new WireError('a test arrived in a run not recorded per test')
    return this.tests
  }

  private scheduleFlush(): void {
    const writer = this.writer
    if (writer === null) return
    if (writer.due || this.tests?.due) {
      this.flush(writer)
      return
    }
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null
      if (this.storage !== null) return
      try {
        if (this.writer) this.flush(this.writer)
      } catch (error) {
        if (!this.stopOnDatabaseFailure(error)) throw error
      }
    }, FLUSH_INTERVAL_MS)
  }

  /** Writes the pending events, while the disk has room for them and the run's ending. */
  private flush(writer: RunWriter): void {
    this.room.write(() => {
      writer.flush()
      this.tests?.flush()
    })
  }

  /** A heartbeat is a write like any other: when the database refuses it, recording stops. */
  private beat(key: number): void {
    if (this.storage !== null) return
    try {
      heartbeat(this.db, key)
      this.tests?.beat()
    } catch (error) {
      if (!this.stopOnDatabaseFailure(error)) throw error
    }
  }

  /** When `error` is the database failing, recording stops (see above): returns true. */
  private stopOnDatabaseFailure(error: unknown): boolean {
    const failure = databaseFailure(error)
    if (failure === null) return false
    if (this.storage !== null) return true
    this.storage = failure.message
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer)
    this.heartbeatTimer = null
    // Said on the run at once, so that the dashboard shows it while the program runs on; but
    // not on a locked database, where trying would hold the program up for another timeout.
    if (!failure.locked && this.writer !== null) {
      try {
        setNotice(this.db, this.writer.run, this.storageFailure!)
      } catch {
        // said again when the program ends
      }
    }
    return true
  }

  private fail(message: string): void {
    this.failure = message
    if (this.writer === null) return
    try {
      this.flush(this.writer)
      setNotice(
        this.db,
        this.writer.run,
        `the event stream was malformed, recording stopped: ${message}`,
      )
    } catch (error) {
      if (!this.stopOnDatabaseFailure(error)) throw error
    }
  }

  /**
   * The stream is over: store what is pending and how the run ended. `exit` is how the
   * process ended, when known. Returns the ending, or null when no run was ever started.
   */
  finish(exit: ProcessExit | null): RunEnding | null {
    if (this.flushTimer) clearTimeout(this.flushTimer)
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer)
    this.flushTimer = this.heartbeatTimer = null
    const writer = this.writer
    if (writer === null) return null
    try {
      // After a failure too: what was taken before it may be stored now (a lock was released).
      this.flush(writer)
    } catch (error) {
      if (!this.stopOnDatabaseFailure(error)) throw error
    }
    const ending = decideEnding(this.end, exit, Date.now() / 1000)
    try {
      // One transaction: on a disk that filled up, one write has a better chance than two.
      this.db.transaction(() => {
        const notice = this.endingNotice(exit)
        if (notice !== null) setNotice(this.db, writer.run, notice)
        this.tests?.finish(ending)
        finishRun(this.db, writer.run, ending)
      })()
    } catch (error) {
      if (!this.stopOnDatabaseFailure(error)) throw error
      this.unmarked = true
      return ending
    }
    if (this.storageFailure === null) this.prepareTimeline(writer.run)
    return ending
  }

  /**
   * The run's call index and Timeline overview kept now, so that the dashboard paints its
   * Timeline at once; on a database failure the dashboard builds them when first asked.
   */
  private prepareTimeline(run: number): void {
    try {
      keepTimeline(this.db, run, this.eventCount)
    } catch (error) {
      if (databaseFailure(error) === null) throw error
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
