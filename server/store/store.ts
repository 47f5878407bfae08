/**
 * The storage seam (docs/storage.md): one interface over the rows and blobs of Smiley's
 * tables, with SQLite (`sqlite/`) and PostgreSQL (`postgres/`) behind it. The store moves rows
 * and compressed blobs, nothing else: decoding blocks and every query built on them stay
 * above it, written once.
 *
 * Writes return `MaybePromise`: SQLite writes synchronously and returns nothing, which keeps
 * the recorder's flush as fast as it was; PostgreSQL returns a promise, and the recorder stops
 * taking the program's stream until it settles. Reads are asynchronous in both, a block (or
 * a page of blocks) at a time, never an event at a time.
 */

import type { ChildStart } from '../../shared/types/child-start.js'
import type { Run } from '../../shared/types/run.js'
import type { ThreadSummary } from '../../shared/types/thread.js'
import type { Db } from '../db/database.js'
import type { DeletedRun } from '../db/delete.js'
import type { TaskRow } from '../db/tasks.js'
import type { ListOptions, NewRun, RunEnding, StoredRun } from '../db/runs.js'
import type { DiskRoom } from '../record/disk-room.js'
import type { EndedTest, NewTest } from '../db/tests.js'
import type { PackedTest } from '../db/test-packs.js'
import type { SessionTest } from '../../shared/types/test.js'
import type { Batch } from './batch.js'
import type { RunLook } from '../db/run-looks.js'
import type { RunSink, RunSource } from './replica/run-io.js'

export type MaybePromise<T> = T | Promise<T>

export type StoreKind = 'sqlite' | 'postgres'

/** A failure of the store itself, said in one line; `locked`: worth trying again later. */
export interface StoreFailure {
  message: string
  locked: boolean
}

/** A stored block of events: its first event's seq and its compressed data (event-block.ts). */
export interface BlockData {
  firstSeq: number
  data: Buffer
}

/** The rows that name a run's ids (see RunNames). */
export interface NameRows {
  symbols: Array<{ id: number; text: string }>
  threads: Array<{ id: number; name: string }>
  tasks: Array<{ id: number; name: string }>
  functions: Array<{ id: number; file: number; name: string; qualified_name: string }>
  files: Array<{ id: number; path: string; source_hash: string | null }>
}

export interface Store {
  readonly kind: StoreKind
  /** Where it is, as the user gave it (a file path; a URL without its password). */
  readonly location: string

  // Writing a run (the recorder).
  createRun(run: NewRun): MaybePromise<number>
  /** Writes a flush of the run in one transaction; rejects with RunDeleted when it is gone. */
  writeBatch(batch: Batch): MaybePromise<void>
  setNotice(key: number, notice: string): MaybePromise<void>
  heartbeat(key: number): MaybePromise<void>
  markChildStart(key: number, pid: number, seq: number, at: number): MaybePromise<void>
  /** Marks the run ended (with `notice` said on it, when not null), in one transaction. */
  endRun(key: number, ending: RunEnding, notice: string | null): MaybePromise<void>
  /** Where the store keeps its bytes, to stop recording before the disk is full. */
  diskRoom(): DiskRoom
  /** `error` as a failure of the store, or null when it is something else. */
  failure(error: unknown): StoreFailure | null

  // Reading (every door).
  listRuns(options?: ListOptions): Promise<Run[]>
  /** The run a user means (see runs.ts findRun); rejects with RunNotFound. */
  findRun(reference: string): Promise<StoredRun>
  /** Marks as lost the runs whose recorder is gone; housekeeping that never fails a reader. */
  markLostRuns(): Promise<number>
  deleteRun(key: number): Promise<DeletedRun>
  threads(key: number): Promise<ThreadSummary[]>
  /** The processes the run started, each at its place in the trace (db/child-starts.ts). */
  childStarts(key: number): Promise<ChildStart[]>
  tasks(key: number): Promise<TaskRow[]>
  /** The function of frame `frame` (0 when the run has no such frame). */
  frameFunction(key: number, frame: number): Promise<number>
  names(key: number): Promise<NameRows>
  /** Source texts by hash; hashes the store does not have are left out. */
  sources(hashes: readonly string[]): Promise<Map<string, string>>
  /**
   * Up to `limit` blocks of the run in order, from the one holding event `from` (or the first
   * after it): the unit of every walk over events.
   */
  blocks(key: number, from: number, limit: number): Promise<BlockData[]>

  /** The SQLite connection, for a door not yet moved onto the seam; throws NotYetSupported. */
  sqlite(what: string): Db
  close(): Promise<void>

  // The change feed (the dashboard, tail): what is heard, and what is looked at then.
  /**
   * Calls `changed` as runs are written, by any process: with the run's key, or with 0 when
   * any run may have changed (SQLite's file changed; PostgreSQL's connection was found again).
   * Resolves once watching, with the function that stops it.
   */
  watch(changed: (run: number) => void, options?: WatchOptions): Promise<() => Promise<void>>
  /** What the dashboard shows changing, of the runs with these keys (null: of every run). */
  runLooks(keys: readonly number[] | null): Promise<RunLook[]>
  /** The runs with these keys, newest first. */
  runsByKey(keys: readonly number[]): Promise<Run[]>

  // Runs whole (server/store/replica/): the query layer's reads, export and import.
  /**
   * A SQLite database holding run `run` (found in this store) with everything the store has of
   * it, for the one synchronous query layer: SQLite's own database; PostgreSQL's local read
   * cache, brought up to date first. Rejects with one line (StoreError, RunNotFound).
   */
  reader(run: StoredRun): Promise<Db>
  /** Runs `work` reading the store in one consistent snapshot. */
  readRuns<T>(work: (source: RunSource) => Promise<T>): Promise<T>
  /** Runs `work` writing the store in one transaction: all it wrote is kept, or none. */
  writeRuns<T>(work: (sink: RunSink) => Promise<T>): Promise<T>

  // Every recorder on the store: smiley record, child processes, test sessions.
  /** How run `uuid` is listed (a fork is listed as its parent is); null when there is none. */
  runDescription(uuid: string): MaybePromise<string | null>
  /** A test of a session has begun: its place in the session's list and its run; the run's key. */
  beginTest(test: NewTest, run: NewRun): MaybePromise<number>
  /** A test whose run is kept has ended: its place in the list says how, and its run ends. */
  endTest(test: TestPlace, ended: EndedTest, key: number, ending: RunEnding): MaybePromise<void>
  /**
   * A test whose run is not kept has ended: the run is deleted, and pack `pack` of the
   * session's list is written as `tests`, the last of which (just ended) leaves its row.
   */
  dropTest(key: number, session: number, pack: number, tests: PackedTest[]): MaybePromise<void>
  /** The tests of the session with key `session`, in the order they started (db/tests.ts). */
  sessionTests(session: number): Promise<SessionTest[]>
}

export interface WatchOptions {
  /** SQLite: poll the file rather than wait for file system notifications. */
  poll?: boolean
  /**
   * PostgreSQL: the watch's own connection was lost (`message`: one line saying so); it is
   * looked for again, and `found` is called once it is back. Once per loss.
   */
  lost?(message: string): void
  found?(): void
}

/** A test's place in its session's list. */
export interface TestPlace {
  /** The session run's key. */
  session: number
  position: number
}
