/**
 * The runs of a test session (`smiley run --per-test`): one traced process, one stream, and a
 * run per test beside the session's own. The tracer marks where each test starts (`test`),
 * where its events leave it for the session and come back (`within`) and how it ended
 * (`outcome`); the events between belong to the test's run, every other event to the session's.
 *
 * Ids in the stream (codes, files, symbols, threads, frames) are the stream's: a test's run
 * gets every definition made so far when it starts, and each new one as it comes, so its
 * events read as any run's. With `keep: 'failed'`, a test's run is deleted as the test ends
 * unless it failed; the session still lists the test, its outcome and its events.
 */

import { randomUUID } from 'node:crypto'
import type { PyValue } from '../../shared/wire/marshal.js'
import { PyDict } from '../../shared/wire/marshal.js'
import type { OutcomeRecord, TestRecord, WireRecord } from '../../shared/wire/records.js'
import { isFailing, TEST_OUTCOMES, type TestOutcome } from '../../shared/types/test.js'
import type { Db } from '../db/database.js'
import { deleteRun } from '../db/delete.js'
import { createRun, finishRun, heartbeat, type NewRun, type RunEnding } from '../db/runs.js'
import { createTest, endTest } from '../db/tests.js'
import { RunWriter } from '../ingest/run-writer.js'
import { WireError } from '../../shared/wire/frames.js'

/** Which tests' runs stay once the test has ended. */
export type Keep = 'failed' | 'all'
export const KEEPS: readonly Keep[] = ['failed', 'all']

/** A test that failed, as `smiley pytest` names it at the end. */
export interface FailedTest {
  name: string
  outcome: TestOutcome
  /** The uuid of its run. */
  run: string
}

interface OpenTest {
  position: number
  name: string
  uuid: string
  key: number
  writer: RunWriter
}

export class TestRuns {
  /** Every definition so far, for the runs of the tests still to come. */
  private readonly definitions: WireRecord[] = []
  private readonly open = new Map<number, OpenTest>()
  private current: OpenTest | null = null
  /** The tests that failed, in the order they ended. */
  readonly failed: FailedTest[] = []

  constructor(
    private readonly db: Db,
    /** The session's run: its local key and its row as created. */
    private readonly session: { key: number; run: NewRun },
    private readonly keep: Keep,
  ) {}

  /** The writer of the test whose events come now; null: the session's. */
  get writer(): RunWriter | null {
    return this.current?.writer ?? null
  }

  /** Whether a test's writer has enough pending to be written out. */
  get due(): boolean {
    for (const test of this.open.values()) if (test.writer.due) return true
    return false
  }

  /** A code, file, symbol or thread: kept for later tests, and given to every open one. */
  define(record: WireRecord): void {
    this.definitions.push(record)
    for (const test of this.open.values()) test.writer.accept(record)
  }

  begin(record: TestRecord): void {
    const name = typeof record.info['id'] === 'string' ? record.info['id'] : `test ${record.test}`
    const started = number(record.info['started']) ?? Date.now() / 1000
    const uuid = randomUUID()
    const base = this.session.run
    const key = createRun(this.db, {
      ...base,
      uuid,
      description: name,
      startedAt: started,
      options: { ...base.options, session: base.uuid },
    })
    createTest(this.db, {
      session: this.session.key,
      position: record.test,
      name,
      run: uuid,
      startedAt: started,
    })
    const writer = new RunWriter(this.db, key)
    writer.setClock(number(record.info['clock']) ?? 0)
    for (const definition of this.definitions) writer.accept(definition)
    const test = { position: record.test, name, uuid, key, writer }
    this.open.set(record.test, test)
    this.current = test
  }

  within(test: number): void {
    if (test === 0) {
      this.current = null
      return
    }
    const found = this.open.get(test)
    if (found === undefined) throw new WireError(`events of test ${test}, which is not running`)
    this.current = found
  }

  /** Writes out what every open test has pending. */
  flush(): void {
    for (const test of this.open.values()) test.writer.flush()
  }

  /** Keeps the open tests' runs from looking lost while they last. */
  beat(): void {
    for (const test of this.open.values()) heartbeat(this.db, test.key)
  }

  /** The test has ended: its run is written out and ended, and deleted unless kept. */
  outcome(record: OutcomeRecord): void {
    const test = this.open.get(record.test)
    if (test === undefined)
      throw new WireError(`an outcome of test ${record.test}, which is not running`)
    this.open.delete(record.test)
    if (this.current === test) this.current = null
    const info = record.info
    const outcome = TEST_OUTCOMES.find((known) => known === info['outcome'])
    if (outcome === undefined)
      throw new WireError(`unknown test outcome ${String(info['outcome'])}`)
    test.writer.flush()
    const failing = isFailing(outcome)
    this.db.transaction(() => {
      endTest(this.db, this.session.key, test.position, {
        outcome,
        duration: number(info['duration']) ?? 0,
        events: test.writer.stored,
      })
      finishRun(this.db, test.key, testEnding(info, failing))
    })()
    if (failing) this.failed.push({ name: test.name, outcome, run: test.uuid })
    else if (this.keep === 'failed') deleteRun(this.db, test.key)
  }

  /** The session has ended: tests still running end as it did (interrupted, lost…). */
  finish(ending: RunEnding): void {
    for (const test of this.open.values()) {
      test.writer.flush()
      finishRun(this.db, test.key, ending)
    }
    this.open.clear()
    this.current = null
  }
}

/** How a test's run ends: an error when the test failed, with what made it fail. */
function testEnding(info: Record<string, PyValue>, failing: boolean): RunEnding {
  const ending: RunEnding = {
    status: failing ? 'error' : 'completed',
    endedAt: number(info['ended']) ?? Date.now() / 1000,
    exitCode: null,
    signal: null,
    errorType: null,
    errorMessage: null,
    traceback: null,
  }
  const exception = info['exception']
  if (exception instanceof PyDict) {
    const described = exception.toObject()
    ending.errorType = text(described['type'])
    ending.errorMessage = text(described['message'])
    ending.traceback = text(described['traceback'])
  }
  if (failing && ending.errorType === null)
    ending.errorMessage = `the test ${String(info['outcome'])}`
  return ending
}

function number(value: PyValue | undefined): number | null {
  return typeof value === 'number' ? value : null
}

function text(value: PyValue | undefined): string | null {
  return typeof value === 'string' ? value : null
}
