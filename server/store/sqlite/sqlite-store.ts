/**
 * The embedded store: today's `server/db/` functions over one better-sqlite3 connection.
 * Writes run synchronously and return nothing (the recorder's fast path); reads do their work
 * at once and return a settled promise.
 */

import type { ChildStart } from '../../../shared/types/child-start.js'
import { childStarts } from '../../db/child-starts.js'
import { runDescription } from '../../children/child-run.js'
import { readSourceText } from '../../db/source-text.js'
import type { Run } from '../../../shared/types/run.js'
import type { ThreadSummary } from '../../../shared/types/thread.js'
import { databaseFailure, type Db } from '../../db/database.js'
import { deleteRun, type DeletedRun } from '../../db/delete.js'
import { FrameStore } from '../../db/frame-store.js'
import {
  createRun,
  findRun,
  finishRun,
  heartbeat,
  listRuns,
  markChildStart,
  markLostRuns,
  setNotice,
  type ListOptions,
  type NewRun,
  type RunEnding,
  type StoredRun,
} from '../../db/runs.js'
import { taskRows, type TaskRow } from '../../db/tasks.js'
import { listThreads } from '../../db/threads.js'
import { DiskRoom } from '../../record/disk-room.js'
import { createTest, endTest, listTests, type EndedTest, type NewTest } from '../../db/tests.js'
import { storeTestPack, type PackedTest } from '../../db/test-packs.js'
import type { SessionTest } from '../../../shared/types/test.js'
import type { Batch } from '../batch.js'
import type { BlockData, NameRows, Store, StoreFailure, TestPlace, WatchOptions } from '../store.js'
import { toRun, type RunRow } from '../../db/rows.js'
import {
  runLookSql,
  runsByKeySql,
  toRunLook,
  type RunLook,
  type RunLookRow,
} from '../../db/run-looks.js'
import type { RunSink, RunSource } from '../replica/run-io.js'
import { inSqliteTransaction, sqliteSink, sqliteSource } from '../replica/sqlite-io.js'
import { sqliteNames } from './names.js'
import { writeBatch } from './write-batch.js'

export class SqliteStore implements Store {
  readonly kind = 'sqlite'

  constructor(readonly db: Db) {}

  get location(): string {
    return this.db.name
  }

  createRun(run: NewRun): number {
    return createRun(this.db, run)
  }

  writeBatch(batch: Batch): void {
    writeBatch(this.db, batch)
  }

  setNotice(key: number, notice: string): void {
    setNotice(this.db, key, notice)
  }

  heartbeat(key: number): void {
    heartbeat(this.db, key)
  }

  markChildStart(key: number, pid: number, seq: number, at: number): void {
    markChildStart(this.db, key, pid, seq, at)
  }

  endRun(key: number, ending: RunEnding, notice: string | null): void {
    // One transaction: on a disk that filled up, one write has a better chance than two.
    this.db.transaction(() => {
      if (notice !== null) setNotice(this.db, key, notice)
      finishRun(this.db, key, ending)
    })()
  }

  diskRoom(): DiskRoom {
    return DiskRoom.of(this.db)
  }

  failure(error: unknown): StoreFailure | null {
    return databaseFailure(error)
  }

  listRuns(options?: ListOptions): Promise<Run[]> {
    return settle(() => listRuns(this.db, options))
  }

  findRun(reference: string): Promise<StoredRun> {
    return settle(() => findRun(this.db, reference))
  }

  markLostRuns(): Promise<number> {
    return settle(() => markLostRuns(this.db))
  }

  deleteRun(key: number): Promise<DeletedRun> {
    return settle(() => deleteRun(this.db, key))
  }

  threads(key: number): Promise<ThreadSummary[]> {
    return settle(() => listThreads(this.db, key))
  }

  childStarts(key: number): Promise<ChildStart[]> {
    return settle(() => childStarts(this.db, key))
  }

  tasks(key: number): Promise<TaskRow[]> {
    return settle(() => taskRows(this.db, key))
  }

  frameFunction(key: number, frame: number): Promise<number> {
    return settle(() => FrameStore.of(this.db).frame(key, frame)?.function ?? 0)
  }

  names(key: number): Promise<NameRows> {
    return settle(() => sqliteNames(this.db, key))
  }

  sources(hashes: readonly string[]): Promise<Map<string, string>> {
    return settle(() => {
      const found = new Map<string, string>()
      for (const hash of hashes) {
        const text = readSourceText(this.db, hash)
        if (text !== null) found.set(hash, text)
      }
      return found
    })
  }

  blocks(key: number, from: number, limit: number): Promise<BlockData[]> {
    return settle(() =>
      (
        this.db
          .prepare(
            `SELECT first_seq, data FROM event_blocks WHERE run = ? AND first_seq >= coalesce(
               (SELECT max(first_seq) FROM event_blocks WHERE run = ? AND first_seq <= ?), 0)
             ORDER BY first_seq LIMIT ?`,
          )
          .raw()
          .all(key, key, from, limit) as Array<[number, Buffer]>
      ).map(([firstSeq, data]) => ({ firstSeq, data })),
    )
  }

  sqlite(): Db {
    return this.db
  }

  close(): Promise<void> {
    this.db.close()
    return Promise.resolve()
  }

  /** chokidar on the file and its WAL (where commits land): any run may have changed. */
  async watch(
    changed: (run: number) => void,
    options: WatchOptions = {},
  ): Promise<() => Promise<void>> {
    // Loaded only when watching: smiley run never pays for chokidar.
    const { DatabaseWatcher } = await import('../../live/watcher.js')
    const watcher = new DatabaseWatcher(this.db.name, () => changed(0), {
      poll: options.poll ?? false,
    })
    await watcher.ready()
    return () => watcher.close()
  }

  runLooks(keys: readonly number[] | null): Promise<RunLook[]> {
    if (keys?.length === 0) return Promise.resolve([])
    return settle(() =>
      (this.db.prepare(runLookSql(keys)).all(...(keys ?? [])) as RunLookRow[]).map(toRunLook),
    )
  }

  runsByKey(keys: readonly number[]): Promise<Run[]> {
    if (keys.length === 0) return Promise.resolve([])
    return settle(() => (this.db.prepare(runsByKeySql(keys)).all(...keys) as RunRow[]).map(toRun))
  }

  /** The database itself: the query layer reads it directly, at no cost. */
  reader(_run: StoredRun): Promise<Db> {
    return Promise.resolve(this.db)
  }

  readRuns<T>(work: (source: RunSource) => Promise<T>): Promise<T> {
    return inSqliteTransaction(this.db, 'deferred', () => work(sqliteSource(this.db)))
  }

  writeRuns<T>(work: (sink: RunSink) => Promise<T>): Promise<T> {
    return inSqliteTransaction(this.db, 'immediate', () => work(sqliteSink(this.db)))
  }

  // Every recorder on the store: smiley record, child processes, test sessions.
  runDescription(uuid: string): string | null {
    return runDescription(this.db, uuid)
  }

  beginTest(test: NewTest, run: NewRun): number {
    return this.db.transaction(() => {
      createTest(this.db, test)
      return createRun(this.db, run)
    })()
  }

  endTest(test: TestPlace, ended: EndedTest, key: number, ending: RunEnding): void {
    this.db.transaction(() => {
      endTest(this.db, test.session, test.position, ended)
      finishRun(this.db, key, ending)
    })()
  }

  dropTest(key: number, session: number, pack: number, tests: PackedTest[]): void {
    this.db.transaction(() => {
      deleteRun(this.db, key)
      storeTestPack(this.db, session, pack, tests)
    })()
  }

  sessionTests(session: number): Promise<SessionTest[]> {
    return settle(() => listTests(this.db, session))
  }
}

/** `work`'s result (or its error) as a settled promise. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work())
  } catch (error) {
    return Promise.reject(error as Error)
  }
}
