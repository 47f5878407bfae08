/**
 * The runs of a test session (`smiley run --per-test`): one traced process, one stream, and a
 * run per test beside the session's own. The tracer marks where each test starts (`test`),
 * where its events leave it for the session and come back (`within`) and how it ended
 * (`outcome`); the events between belong to the test's run, every other event to the session's.
 *
 * Ids in the stream (codes, files, symbols, threads, frames) are the stream's: a test's run
 * gets every symbol and thread defined so far when it starts, and each new one as it comes, and
 * the codes it calls (with their files) as it first calls them, so its events read as any run's
 * and it holds no more functions and sources than it ran. With `keep: 'failed'`, a test's run is deleted as the test ends
 * unless it failed; the session still lists the test, its outcome and its events (packed:
 * test-packs.ts).
 *
 * Every write goes to the store. SQLite's are done as they are called, the steps of a test's
 * ending in one transaction as before; PostgreSQL's answer with promises, which the recorder
 * waits for (holding the stream meanwhile), so that the writes of a session stay in order.
 */

import { randomUUID } from 'node:crypto'
import type { PyValue } from '../../shared/wire/marshal.js'
import { PyDict } from '../../shared/wire/marshal.js'
import {
  TAG,
  type CodeRecord,
  type FileRecord,
  type FlatChanges,
  type SymbolRecord,
  type OutcomeRecord,
  type TestRecord,
  type WireRecord,
} from '../../shared/wire/records.js'
import { isFailing, TEST_OUTCOMES, type TestOutcome } from '../../shared/types/test.js'
import type { NewRun, RunEnding } from '../db/runs.js'
import { PACK, type PackedTest } from '../db/test-packs.js'
import { RunWriter } from '../ingest/run-writer.js'
import { inOrder } from '../store/in-order.js'
import type { MaybePromise, Store } from '../store/store.js'
import { WireError } from '../../shared/wire/frames.js'
import type { Keep } from './keep.js'

/** Which tests' runs stay once the test has ended. */
export { KEEPS, type Keep } from './keep.js'

/** A test that failed, as `smiley pytest` names it at the end. */
export interface FailedTest {
  name: string
  outcome: TestOutcome
  /** The uuid of its run. */
  run: string
}

/** A run that takes the codes, files and symbols its events use as they first use them. */
export interface Receiver {
  writer: RunWriter
  /** The codes, files and symbols given to its writer so far. */
  given: { codes: Set<number>; files: Set<number>; symbols: Set<number> }
}

interface OpenTest extends Receiver {
  position: number
  name: string
  uuid: string
  startedAt: number
  key: number
}

export class TestRuns {
  /** Every thread so far, for the runs of the tests still to come. */
  private readonly threads: WireRecord[] = []
  /** Every code, file and symbol so far, given to a test's run as its events use them. */
  private readonly codes = new Map<number, CodeRecord>()
  private readonly files = new Map<number, FileRecord>()
  private readonly symbols = new Map<number, SymbolRecord>()
  private readonly open = new Map<number, OpenTest>()
  private current: OpenTest | null = null
  /** The tests that failed, in the order they ended. */
  readonly failed: FailedTest[] = []
  /** The tests whose runs were deleted, packed in the session's list: the pack being filled
   * and how many were filled before it. */
  private packing: PackedTest[] = []
  private packs = 0

  constructor(
    private readonly store: Store,
    /** The session's run: its local key, its row as created and its writer. */
    private readonly session: { key: number; run: NewRun; receiver: Receiver },
    private readonly keep: Keep,
  ) {}

  /** Whether the events that come now are a test's (`accept` takes them), not the session's. */
  get inTest(): boolean {
    return this.current !== null
  }

  /** An event of the current test, after the definitions it uses that its run lacks. */
  accept(record: WireRecord): void {
    this.feed(this.current!, record)
  }

  /**
   * An event of the session's own run, after the definitions it uses that the session's run
   * lacks: it holds the functions it ran, not every test function of the suite.
   */
  acceptForSession(record: WireRecord): void {
    this.feed(this.session.receiver, record)
  }

  private feed(test: Receiver, record: WireRecord): void {
    switch (record.tag) {
      case TAG.call:
        if (!test.given.codes.has(record.code)) this.giveCode(test, record.code)
        this.giveSymbols(test, record.locals)
        break
      case TAG.line:
        this.giveSymbols(test, record.changes)
        break
      case TAG.return:
      case TAG.yield:
        this.giveSymbols(test, record.changes)
        this.giveSymbol(test, record.valueType)
        break
      case TAG.exception:
        this.giveSymbols(test, record.changes)
        this.giveSymbol(test, record.exceptionType)
        break
      default:
        break
    }
    test.writer.accept(record)
  }

  private giveCode(test: Receiver, code: number): void {
    test.given.codes.add(code)
    const definition = this.codes.get(code)
    if (definition === undefined) return
    if (!test.given.files.has(definition.file)) {
      test.given.files.add(definition.file)
      const file = this.files.get(definition.file)
      if (file !== undefined) test.writer.accept(file)
    }
    test.writer.accept(definition)
  }

  /** The name and type symbols of (name, type, text) triples. */
  private giveSymbols(test: Receiver, locals: FlatChanges | null): void {
    if (locals === null) return
    for (let i = 0; i < locals.length; i += 3) {
      this.giveSymbol(test, locals[i] as number)
      this.giveSymbol(test, locals[i + 1] as number)
    }
  }

  private giveSymbol(test: Receiver, symbol: number): void {
    if (symbol === 0 || test.given.symbols.has(symbol)) return
    test.given.symbols.add(symbol)
    const definition = this.symbols.get(symbol)
    if (definition !== undefined) test.writer.accept(definition)
  }

  /** Whether a test's writer has enough pending to be written out. */
  get due(): boolean {
    for (const test of this.open.values()) if (test.writer.due) return true
    return false
  }

  /** A code, file, symbol, thread or task: kept for the tests' runs. */
  define(record: WireRecord): void {
    switch (record.tag) {
      case TAG.code:
        this.codes.set(record.code, record)
        break
      case TAG.file:
        this.files.set(record.file, record)
        break
      case TAG.symbol:
        this.symbols.set(record.symbol, record)
        break
      default:
        this.threads.push(record)
        for (const test of this.open.values()) test.writer.accept(record)
    }
  }

  /** A test has begun; its events are taken once its run exists (when this settles). */
  begin(record: TestRecord): MaybePromise<void> {
    const name = typeof record.info['id'] === 'string' ? record.info['id'] : `test ${record.test}`
    const started = number(record.info['started']) ?? Date.now() / 1000
    const uuid = randomUUID()
    const base = this.session.run
    // A test's run belongs to its session, not to the session's process tree.
    const { process: _process, ...session } = base
    const key = this.store.beginTest(
      { session: this.session.key, position: record.test, name, run: uuid, startedAt: started },
      {
        ...session,
        uuid,
        description: name,
        startedAt: started,
        options: { ...base.options, session: base.uuid },
      },
    )
    const opened = (key: number) => this.opened(record, { name, uuid, started, key })
    return typeof key === 'number' ? opened(key) : key.then(opened)
  }

  /** The run of a test that has begun exists: its events go to it. */
  private opened(
    record: TestRecord,
    { name, uuid, started, key }: { name: string; uuid: string; started: number; key: number },
  ): void {
    const writer = new RunWriter(this.store, key)
    writer.setClock(number(record.info['clock']) ?? 0)
    for (const thread of this.threads) writer.accept(thread)
    const given = emptyGiven()
    const test = { position: record.test, name, uuid, startedAt: started, key, writer, given }
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
  flush(): MaybePromise<void> {
    return inOrder([...this.open.values()].map((test) => () => test.writer.flush()))
  }

  /** Keeps the open tests' runs from looking lost while they last. */
  beat(): MaybePromise<void> {
    return inOrder([...this.open.values()].map((test) => () => this.store.heartbeat(test.key)))
  }

  /**
   * The test has ended, in one transaction: its run is written out and ended, or deleted
   * (unless kept) without writing what it still held.
   */
  outcome(record: OutcomeRecord): MaybePromise<void> {
    const test = this.open.get(record.test)
    if (test === undefined)
      throw new WireError(`an outcome of test ${record.test}, which is not running`)
    const info = record.info
    const outcome = TEST_OUTCOMES.find((known) => known === info['outcome'])
    if (outcome === undefined)
      throw new WireError(`unknown test outcome ${String(info['outcome'])}`)
    this.open.delete(record.test)
    if (this.current === test) this.current = null
    const failing = isFailing(outcome)
    const kept = failing || this.keep === 'all'
    const ended = { outcome, duration: number(info['duration']) ?? 0, events: test.writer.seq }
    if (failing) this.failed.push({ name: test.name, outcome, run: test.uuid })
    const place = { session: this.session.key, position: test.position }
    if (kept)
      return this.together(() =>
        inOrder([
          () => test.writer.flush(),
          () => this.store.endTest(place, ended, test.key, testEnding(info, failing)),
        ]),
      )
    return this.together(() =>
      this.pack(test.key, {
        ...ended,
        position: test.position,
        name: test.name,
        run: test.uuid,
        startedAt: test.startedAt,
      }),
    )
  }

  /** A test whose run is deleted goes into the session's packed list, in place of its row. */
  private pack(key: number, test: PackedTest): MaybePromise<void> {
    if (this.packing.length === PACK) {
      this.packing = []
      this.packs++
    }
    this.packing.push(test)
    return this.store.dropTest(key, this.session.key, this.packs, [...this.packing])
  }

  /**
   * Writes what `work` writes in one SQLite transaction, as the recorder always has; in
   * PostgreSQL each step is a transaction of its own, in order.
   */
  private together(work: () => MaybePromise<void>): MaybePromise<void> {
    if (this.store.kind !== 'sqlite') return work()
    const db = this.store.sqlite('a test session')
    db.transaction(() => {
      if (work() !== undefined) throw new Error('SQLite wrote later than asked')
    })()
  }

  /**
   * The session has ended: a test still running was interrupted (Ctrl-C, pytest.exit), or lost
   * with the session. It has no outcome, and its run is kept. `then` ends the session's own
   * run, in the same transaction (SQLite).
   */
  finish(ending: RunEnding, then: () => MaybePromise<void>): MaybePromise<void> {
    const lost = ending.status === 'lost'
    const open = [...this.open.values()]
    this.open.clear()
    this.current = null
    const steps = open.flatMap((test) => [
      () => test.writer.flush(),
      () =>
        this.store.endRun(
          test.key,
          {
            ...ending,
            status: lost ? 'lost' : 'interrupted',
            errorType: null,
            errorMessage: `the session ended before the test did (${ending.errorMessage ?? ending.status})`,
            traceback: null,
          },
          null,
        ),
    ])
    return this.together(() => inOrder([...steps, then]))
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

/** Nothing given yet. */
export function emptyGiven(): Receiver['given'] {
  return { codes: new Set<number>(), files: new Set<number>(), symbols: new Set<number>() }
}

function number(value: PyValue | undefined): number | null {
  return typeof value === 'number' ? value : null
}

function text(value: PyValue | undefined): string | null {
  return typeof value === 'string' ? value : null
}
