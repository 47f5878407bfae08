/**
 * Consumes one run's event stream, from wherever it comes (an inherited pipe or an HTTP
 * upload), and records it: the run row when `hello` arrives, events through `RunWriter`,
 * a heartbeat while it lasts, and the run's ending when `finish` is called.
 *
 * A malformed stream never stops the program: the recorder keeps what it stored, notes
 * what went wrong on the run, and discards the rest (still reading, so the program does
 * not block on a full pipe).
 */

import type { PyValue } from '../../shared/wire/marshal.js'
import { loads } from '../../shared/wire/marshal.js'
import { FrameReader, WireError } from '../../shared/wire/frames.js'
import { parseRecord, TAG } from '../../shared/wire/records.js'
import type { Db } from '../db/database.js'
import type { NewRun, RunEnding } from '../db/runs.js'
import { createRun, finishRun, heartbeat, setNotice } from '../db/runs.js'
import { FLUSH_INTERVAL_MS, RunWriter } from '../ingest/run-writer.js'
import type { ProcessExit } from './outcome.js'
import { decideEnding } from './outcome.js'

const HEARTBEAT_MS = 2000

export class RunRecorder {
  private readonly frames = new FrameReader()
  private writer: RunWriter | null = null
  private end: Record<string, PyValue> | null = null
  private failure: string | null = null
  private flushTimer: NodeJS.Timeout | null = null
  private heartbeatTimer: NodeJS.Timeout | null = null

  constructor(
    private readonly db: Db,
    /** Builds the run row from the tracer's `hello`. */
    private readonly describe: (hello: Record<string, PyValue>) => NewRun,
  ) {}

  /** The run's local key, once `hello` has arrived. */
  get runKey(): number | null {
    return this.writer?.run ?? null
  }

  /** Events stored so far. */
  get eventCount(): number {
    return this.writer?.seq ?? 0
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

  push(chunk: Uint8Array): void {
    if (this.failure !== null || this.writer?.deleted) return
    try {
      for (const payload of this.frames.push(chunk)) {
        const records = loads(payload)
        if (!Array.isArray(records)) throw new WireError('a frame did not hold a list of records')
        for (const value of records) this.accept(value)
      }
      this.scheduleFlush()
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error))
    }
  }

  private accept(value: PyValue): void {
    const record = parseRecord(value)
    switch (record.tag) {
      case TAG.hello: {
        if (this.writer !== null) throw new WireError('a second hello in one stream')
        const key = createRun(this.db, this.describe(record.info))
        this.writer = new RunWriter(this.db, key)
        this.writer.setClock(typeof record.info['clock'] === 'number' ? record.info['clock'] : 0)
        this.heartbeatTimer = setInterval(() => heartbeat(this.db, key), HEARTBEAT_MS).unref()
        return
      }
      case TAG.end:
        this.end = record.info
        return
      case TAG.notice:
        if (this.writer) setNotice(this.db, this.writer.run, record.message)
        return
      default:
        if (this.writer === null) throw new WireError('events arrived before hello')
        this.writer.accept(record)
    }
  }

  private scheduleFlush(): void {
    const writer = this.writer
    if (writer === null) return
    if (writer.due) {
      writer.flush()
      return
    }
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null
      this.writer?.flush()
    }, FLUSH_INTERVAL_MS)
  }

  private fail(message: string): void {
    this.failure = message
    if (this.writer !== null) {
      this.writer.flush()
      setNotice(
        this.db,
        this.writer.run,
        `the event stream was malformed, recording stopped: ${message}`,
      )
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
    writer.flush()
    if (this.frames.incomplete && this.failure === null) {
      setNotice(this.db, writer.run, 'the event stream ended in the middle of a batch')
    }
    const ending = decideEnding(this.end, exit, Date.now() / 1000)
    finishRun(this.db, writer.run, ending)
    return ending
  }
}
