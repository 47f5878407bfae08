/**
 * The team's store: the same tables in PostgreSQL, through a `pg` Pool. Every call is
 * asynchronous; a flush is one transaction (write-batch.ts). The rows and blobs that come out
 * are those SQLite gives, so the query layer above reads both alike.
 */

import type { ChildStart } from '../../../shared/types/child-start.js'
import type pg from 'pg'
import type { Run } from '../../../shared/types/run.js'
import type { ThreadSummary } from '../../../shared/types/thread.js'
import type { Db, OpenOptions } from '../../db/database.js'
import type { RunSink, RunSource } from '../replica/run-io.js'
import { inPgTransaction, pgSink, pgSource } from '../replica/pg-io.js'
import { RunReplica } from '../replica/replica.js'
import type { DeletedRun } from '../../db/delete.js'
import { CHILD_ROWS, linkChildStarts, type ChildRow, type MarkRow } from '../../db/child-starts.js'
import { decodeChunk } from '../../db/frame-chunk.js'
import { toRun, type RunRow } from '../../db/rows.js'
import {
  foundRun,
  isLost,
  listRunsSql,
  NEW_RUN_COLUMNS,
  newRunValues,
  runQuestion,
  type ListOptions,
  type NewRun,
  type RunEnding,
  type StoredRun,
} from '../../db/runs.js'
import { TASK_ROWS, type TaskRow } from '../../db/tasks.js'
import { decodePack, encodePack, type PackedTest } from '../../db/test-packs.js'
import {
  sessionTests,
  TEST_ROWS,
  type EndedTest,
  type NewTest,
  type TestRow,
} from '../../db/tests.js'
import type { SessionTest } from '../../../shared/types/test.js'
import { THREAD_ROWS, toThreadSummary, type ThreadRow } from '../../db/threads.js'
import { DiskRoom } from '../../record/disk-room.js'
import type { Batch } from '../batch.js'
import { NotYetSupported, StoreError } from '../errors.js'
import type { BlockData, NameRows, Store, StoreFailure, TestPlace, WatchOptions } from '../store.js'
import {
  runLookSql,
  runsByKeySql,
  toRunLook,
  type RunLook,
  type RunLookRow,
} from '../../db/run-looks.js'
import { createPool, pgFailure } from './connect.js'
import { describeUrl } from '../location.js'
import { patienceMs, Reconnecting } from './reconnect.js'
import { RunsWatcher } from './runs-watcher.js'
import { FoundRuns } from './found-runs.js'
import { PG_MIGRATIONS, PG_RUN_TABLES, PG_SCHEMA, PG_SCHEMA_VERSION } from './schema.js'
import { batchStatements, refusedBatch, RUNS_CHANNEL } from './write-batch.js'

/** Serialises schema creation between processes opening one empty database at once. */
const SCHEMA_LOCK = 0x5311e7

export class PostgresStore implements Store {
  readonly kind = 'postgres'

  /** The recorder's writes, tried again through a lost connection (reconnect.ts). */
  private readonly writes: Reconnecting
  /** The writes' own connections, pipelined: a flush's statements go at once (connect.ts). */
  private readonly writePool: pg.Pool
  /** Each run's event count as its last batch written here left it. */
  private readonly stored = new Map<number, number>()
  /** Finished runs found a moment ago: the explorer's steps name the same one (found-runs.ts). */
  private readonly found = new FoundRuns()

  private constructor(
    private readonly pool: pg.Pool,
    readonly location: string,
    private readonly url: string,
  ) {
    this.writePool = createPool(url, { pipelined: true })
    this.writes = new Reconnecting(this.writePool, location, patienceMs())
  }

  /** Connects, and creates or checks Smiley's schema; fails with one line (StoreError). */
  static async open(url: string, _options: OpenOptions = {}): Promise<PostgresStore> {
    const location = describeUrl(url)
    const store = new PostgresStore(createPool(url), location, url)
    try {
      await store.prepareSchema()
    } catch (error) {
      await Promise.all([store.pool.end(), store.writePool.end()]).catch(() => undefined)
      throw pgFailure(error, location) ?? error
    }
    return store
  }

  private async prepareSchema(): Promise<void> {
    const client = await this.pool.connect()
    try {
      await client.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK])
      try {
        const version = await this.schemaVersion(client)
        if (version === PG_SCHEMA_VERSION) return
        await client.query('BEGIN')
        if (version === 0) await client.query(PG_SCHEMA)
        else for (const step of PG_MIGRATIONS.slice(version - 1)) await client.query(step)
        await client.query('DELETE FROM smiley_schema')
        await client.query('INSERT INTO smiley_schema (version) VALUES ($1)', [PG_SCHEMA_VERSION])
        await client.query('COMMIT')
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK])
      }
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
  }

  /** The schema's version; 0 for an empty database; refuses another program's and a newer Smiley's. */
  private async schemaVersion(client: pg.PoolClient): Promise<number> {
    const marked = await client.query("SELECT to_regclass('smiley_schema') IS NOT NULL AS ours")
    if (marked.rows[0].ours) {
      const found = await client.query('SELECT max(version) AS version FROM smiley_schema')
      const version = Number(found.rows[0].version ?? 0)
      if (version > PG_SCHEMA_VERSION)
        throw new StoreError(
          `${this.location} was written by a newer Smiley (schema ${version}; this one knows ${PG_SCHEMA_VERSION})`,
        )
      return version
    }
    const tables = await client.query(
      'SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema()',
    )
    if (Number(tables.rows[0].n) > 0)
      throw new StoreError(`${this.location} is a PostgreSQL database, but not a Smiley one`)
    return 0
  }

  private async query<R extends pg.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
  ): Promise<R[]> {
    try {
      return (await this.pool.query<R>(numbered(sql), params)).rows
    } catch (error) {
      throw pgFailure(error, this.location) ?? error
    }
  }

  createRun(run: NewRun): Promise<number> {
    return this.writes.commit(
      (client) => insertRun(client, run),
      () => this.runKey(run.uuid),
    )
  }

  writeBatch(batch: Batch): Promise<void> {
    const before = this.stored.get(batch.run) ?? 0
    // Written again, a batch without new events changes nothing; one with new events
    // committed when the run's count reached its own.
    const found =
      batch.events > before
        ? async () => {
            const rows = await this.lookUp<{ event_count: number }>(
              'SELECT event_count FROM runs WHERE id = ?',
              [batch.run],
            )
            return (rows[0]?.event_count ?? 0) >= batch.events ? { value: [] } : null
          }
        : null
    return this.writes.commitAtOnce(batchStatements(batch), found, refusedBatch).then(() => {
      this.stored.set(batch.run, batch.events)
    })
  }

  setNotice(key: number, notice: string): Promise<void> {
    return this.changing(
      [key],
      this.write(async (client) => {
        await client.query('UPDATE runs SET notice = $1 WHERE id = $2', [notice, key])
        await client.query(`SELECT pg_notify('${RUNS_CHANNEL}', $1)`, [String(key)])
      }),
    )
  }

  heartbeat(key: number): Promise<void> {
    return this.write(async (client) => {
      await client.query("UPDATE runs SET heartbeat_at = $1 WHERE id = $2 AND status = 'running'", [
        Date.now() / 1000,
        key,
      ])
    })
  }

  markChildStart(key: number, pid: number, seq: number, at: number): Promise<void> {
    const mark = [key, pid, seq, at]
    return this.writes.commit(
      async (client) => {
        await client.query(
          'INSERT INTO child_starts (run, pid, seq, at) VALUES ($1, $2, $3, $4)',
          mark,
        )
      },
      async () =>
        (
          await this.lookUp(
            'SELECT 1 FROM child_starts WHERE run = ? AND pid = ? AND seq = ? AND at = ?',
            mark,
          )
        ).length > 0
          ? { value: undefined }
          : null,
    )
  }

  endRun(key: number, ending: RunEnding, notice: string | null): Promise<void> {
    this.stored.delete(key)
    return this.changing(
      [key],
      this.write((client) => endRunIn(client, key, ending, notice)),
    )
  }

  /** `writing`, after which the runs of `keys` (0: all) are found again, even when it failed. */
  private changing<T>(keys: number[], writing: Promise<T>): Promise<T> {
    return writing.finally(() => {
      for (const key of keys) this.found.forget(key)
    })
  }

  /**
   * A recorder's write that changes nothing when written twice (updates to the same values,
   * upserts): one transaction, through a lost connection.
   */
  private write(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    return this.writes.commit(work)
  }

  /** A read that decides whether a write was lost: its failures as they came (reconnect.ts). */
  private async lookUp<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    return (await this.pool.query<R>(numbered(sql), params)).rows
  }

  /** The key of the run with `uuid`, when a transaction whose answer was lost wrote it. */
  private async runKey(uuid: string): Promise<{ value: number } | null> {
    const rows = await this.lookUp<{ id: number }>('SELECT id FROM runs WHERE uuid = ?', [uuid])
    return rows[0] === undefined ? null : { value: rows[0].id }
  }

  /**
   * Calls `changed` with the key of each run written, by any process on any machine, as its
   * writes commit (LISTEN on one connection of its own); with 0 after the connection was lost
   * and found again, when anything may have changed meanwhile. Resolves once listening, with
   * the function that stops it.
   */
  async watch(
    changed: (run: number) => void,
    options: WatchOptions = {},
  ): Promise<() => Promise<void>> {
    const forgetting = (run: number) => {
      this.found.forget(run)
      changed(run)
    }
    const watcher = new RunsWatcher(this.url, this.location, forgetting, options)
    await watcher.start()
    return () => watcher.stop()
  }

  diskRoom(): DiskRoom {
    // The server's disk is the server's to watch.
    return new DiskRoom(null)
  }

  failure(error: unknown): StoreFailure | null {
    return pgFailure(error, this.location)
  }

  async listRuns(options?: ListOptions): Promise<Run[]> {
    return (await this.query<RunRow>(listRunsSql(options))).map(toRun)
  }

  async findRun(reference: string): Promise<StoredRun> {
    const kept = this.found.get(reference)
    if (kept !== undefined) return kept
    const question = runQuestion(reference)
    const found = foundRun(
      reference,
      question,
      await this.query<RunRow>(question.sql, question.params),
    )
    this.found.keep(reference, found)
    return found
  }

  async markLostRuns(): Promise<number> {
    const running = await this.query<RunRow>(
      "SELECT id, recorder_host, recorder_pid, heartbeat_at FROM runs WHERE status = 'running'",
    )
    const now = Date.now() / 1000
    const lost = running.filter((row) => isLost(row, now))
    for (const row of lost)
      await this.query(
        `UPDATE runs SET status = 'lost',
           ended_at = coalesce(ended_at, greatest(coalesce(heartbeat_at, started_at), started_at +
             coalesce((SELECT max(last_us) FROM threads WHERE run = runs.id), 0) / 1e6)),
           error_message = coalesce(error_message, 'the recording process stopped before the run ended')
         WHERE id = ? AND status = 'running'`,
        [row.id],
      ).catch(() => undefined) // housekeeping: left for the next look
    return lost.length
  }

  deleteRun(key: number): Promise<DeletedRun> {
    return this.changing(
      [key],
      this.inTransaction((client) => deleteRunIn(client, key)),
    )
  }

  async threads(key: number): Promise<ThreadSummary[]> {
    return (await this.query<ThreadRow>(THREAD_ROWS, [key])).map(toThreadSummary)
  }

  /** The processes the run started, each at its place in the trace (db/child-starts.ts). */
  async childStarts(key: number): Promise<ChildStart[]> {
    const marks = await this.query<Omit<MarkRow, 'id'>>(
      'SELECT pid, seq, at FROM child_starts WHERE run = ? ORDER BY at, seq, ctid',
      [key],
    )
    if (marks.length === 0) return []
    const children = await this.query<ChildRow>(CHILD_ROWS, [key])
    return linkChildStarts(
      marks.map((mark, id) => ({ ...mark, id })),
      children,
    )
  }

  tasks(key: number): Promise<TaskRow[]> {
    return this.query<TaskRow>(TASK_ROWS, [key])
  }

  async frameFunction(key: number, frame: number): Promise<number> {
    const chunks = await this.query<{ data: Buffer }>(
      'SELECT data FROM frames WHERE run = ? AND min_id <= ? AND max_id >= ? ORDER BY first_id',
      [key, frame, frame],
    )
    for (const { data } of chunks) {
      const found = decodeChunk(data).find((record) => record.id === frame)
      if (found !== undefined) return found.function
    }
    return 0
  }

  async names(key: number): Promise<NameRows> {
    const [symbols, threads, tasks, functions, files] = await Promise.all([
      this.query<NameRows['symbols'][number]>('SELECT id, text FROM symbols WHERE run = ?', [key]),
      this.query<NameRows['threads'][number]>('SELECT id, name FROM threads WHERE run = ?', [key]),
      this.query<NameRows['tasks'][number]>('SELECT id, name FROM tasks WHERE run = ?', [key]),
      this.query<NameRows['functions'][number]>(
        'SELECT id, file, name, qualified_name FROM functions WHERE run = ?',
        [key],
      ),
      this.query<NameRows['files'][number]>(
        'SELECT id, path, source_hash FROM files WHERE run = ?',
        [key],
      ),
    ])
    return { symbols, threads, tasks, functions, files }
  }

  async sources(hashes: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.query<{ hash: string; text: string }>(
      'SELECT hash, text FROM sources WHERE hash = ANY(?)',
      [hashes],
    )
    return new Map(rows.map((row) => [row.hash, row.text]))
  }

  async blocks(key: number, from: number, limit: number): Promise<BlockData[]> {
    const rows = await this.query<{ first_seq: number; data: Buffer }>(
      `SELECT first_seq, data FROM event_blocks WHERE run = ? AND first_seq >= coalesce(
         (SELECT max(first_seq) FROM event_blocks WHERE run = ? AND first_seq <= ?), 0)
       ORDER BY first_seq LIMIT ?`,
      [key, key, from, limit],
    )
    return rows.map((row) => ({ firstSeq: row.first_seq, data: row.data }))
  }

  sqlite(what: string): Db {
    throw new NotYetSupported(what)
  }

  async close(): Promise<void> {
    this.replica?.close()
    await Promise.all([this.pool.end(), this.writePool.end()])
  }

  async runLooks(keys: readonly number[] | null): Promise<RunLook[]> {
    if (keys?.length === 0) return []
    return (await this.query<RunLookRow>(runLookSql(keys), [...(keys ?? [])])).map(toRunLook)
  }

  async runsByKey(keys: readonly number[]): Promise<Run[]> {
    if (keys.length === 0) return []
    return (await this.query<RunRow>(runsByKeySql(keys), [...keys])).map(toRun)
  }

  // Runs whole (server/store/replica/): the query layer's reads, export and import.
  /** The local read cache, opened when a run is first read. */
  private replica: RunReplica | undefined

  /** Run `run` in the local read cache, copied or brought up to date first. */
  reader(run: StoredRun): Promise<Db> {
    this.replica ??= RunReplica.open(this.location, (work) => this.readRuns(work))
    return this.replica.reader(run)
  }

  readRuns<T>(work: (source: RunSource) => Promise<T>): Promise<T> {
    return this.withClient((client) =>
      inPgTransaction(client, 'snapshot', () => work(pgSource(client))),
    )
  }

  writeRuns<T>(work: (sink: RunSink) => Promise<T>): Promise<T> {
    return this.changing(
      [0],
      this.withClient((client) => inPgTransaction(client, 'write', () => work(pgSink(client)))),
    )
  }

  // Every recorder on the store: smiley record, child processes, test sessions.
  async runDescription(uuid: string): Promise<string | null> {
    const rows = await this.query<{ description: string }>(
      'SELECT description FROM runs WHERE uuid = ?',
      [uuid],
    )
    return rows[0]?.description ?? null
  }

  beginTest(test: NewTest, run: NewRun): Promise<number> {
    return this.writes.commit(
      async (client) => {
        await client.query(
          `INSERT INTO tests (run, position, name, test_run, started_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (run, position) DO UPDATE SET name = EXCLUDED.name,
           test_run = EXCLUDED.test_run, started_at = EXCLUDED.started_at`,
          [test.session, test.position, test.name, test.run, test.startedAt],
        )
        return insertRun(client, run)
      },
      () => this.runKey(run.uuid),
    )
  }

  endTest(test: TestPlace, ended: EndedTest, key: number, ending: RunEnding): Promise<void> {
    return this.changing(
      [key],
      this.write(async (client) => {
        await client.query(
          'UPDATE tests SET outcome = $1, duration = $2, events = $3 WHERE run = $4 AND position = $5',
          [ended.outcome, ended.duration, ended.events, test.session, test.position],
        )
        await endRunIn(client, key, ending, null)
      }),
    )
  }

  dropTest(key: number, session: number, pack: number, tests: PackedTest[]): Promise<void> {
    const last = tests[tests.length - 1]
    return this.changing(
      [key, session],
      this.write(async (client) => {
        await deleteRunIn(client, key)
        if (last === undefined) return
        await client.query(
          `INSERT INTO test_packs (run, pack, data) VALUES ($1, $2, $3)
         ON CONFLICT (run, pack) DO UPDATE SET data = EXCLUDED.data`,
          [session, pack, encodePack(tests)],
        )
        await client.query('DELETE FROM tests WHERE run = $1 AND position = $2', [
          session,
          last.position,
        ])
        await client.query(`SELECT pg_notify('${RUNS_CHANNEL}', $1)`, [String(session)])
      }),
    )
  }

  async sessionTests(session: number): Promise<SessionTest[]> {
    const [rows, packs] = await Promise.all([
      this.query<TestRow>(TEST_ROWS, [session]),
      this.query<{ data: Buffer }>('SELECT data FROM test_packs WHERE run = ? ORDER BY pack', [
        session,
      ]),
    ])
    return sessionTests(
      rows,
      packs.flatMap((pack) => decodePack(pack.data)),
    )
  }

  /** Runs `work` in a transaction on a client of its own. */
  private inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(async (client) => {
      await client.query('BEGIN')
      try {
        const result = await work(client)
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      }
    })
  }

  /**
   * Runs `work` on a client of its own (a transaction). A connection that dies meanwhile
   * fails `work` with one line, never an unhandled 'error' event, and is not reused.
   */
  private async withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient
    try {
      client = await this.pool.connect()
    } catch (error) {
      throw pgFailure(error, this.location) ?? error
    }
    const ignore = () => undefined // the query under way fails with it
    client.on('error', ignore)
    let broken: Error | undefined
    try {
      return await work(client)
    } catch (error) {
      const failure = pgFailure(error, this.location)
      if (failure !== null) broken = failure
      throw failure ?? error
    } finally {
      client.off('error', ignore)
      client.release(broken)
    }
  }
}

/** SQLite's `?` parameters as PostgreSQL's `$1, $2…` (the shared SQL has no `?` in literals). */
function numbered(sql: string): string {
  let next = 0
  return sql.replace(/\?/g, () => `$${++next}`)
}

/** Marks run `key` ended on `client`, and says so on RUNS_CHANNEL. */
async function endRunIn(
  client: pg.ClientBase,
  key: number,
  ending: RunEnding,
  notice: string | null,
): Promise<void> {
  await client.query(
    `UPDATE runs SET status = $1, ended_at = $2, exit_code = $3, signal = $4, error_type = $5,
       error_message = $6, traceback = $7, heartbeat_at = NULL, notice = coalesce($8, notice)
     WHERE id = $9`,
    [
      ending.status,
      ending.endedAt,
      ending.exitCode,
      ending.signal,
      ending.errorType,
      ending.errorMessage,
      ending.traceback,
      notice,
      key,
    ],
  )
  await client.query(`SELECT pg_notify('${RUNS_CHANNEL}', $1)`, [String(key)])
}

/** Deletes run `key` and what only it used, inside the transaction open on `client`. */
async function deleteRunIn(client: pg.ClientBase, key: number): Promise<DeletedRun> {
  const one = async (sql: string) => Number((await client.query(numbered(sql), [key])).rows[0].n)
  const hashes = (
    await client.query(
      'SELECT DISTINCT source_hash FROM files WHERE run = $1 AND source_hash IS NOT NULL',
      [key],
    )
  ).rows.map((row: { source_hash: string }) => row.source_hash)
  const events = await one(
    'SELECT coalesce(sum(last_seq - first_seq + 1), 0) AS n FROM event_blocks WHERE run = ?',
  )
  const frames = await one('SELECT coalesce(sum(count), 0) AS n FROM frames WHERE run = ?')
  const rows: Record<string, number> = {}
  for (const table of PG_RUN_TABLES)
    rows[table] = (await client.query(`DELETE FROM ${table} WHERE run = $1`, [key])).rowCount ?? 0
  await client.query('DELETE FROM runs WHERE id = $1', [key])
  const sources =
    (
      await client.query(
        `DELETE FROM sources WHERE hash = ANY($1)
         AND hash NOT IN (SELECT source_hash FROM files WHERE source_hash IS NOT NULL)`,
        [hashes],
      )
    ).rowCount ?? 0
  await client.query(`SELECT pg_notify('${RUNS_CHANNEL}', $1)`, [String(key)])
  return { events, frames, rows, sources }
}

/** Inserts the row of a new run, and says so on RUNS_CHANNEL; its key. */
async function insertRun(client: pg.ClientBase, run: NewRun): Promise<number> {
  const values = newRunValues(run)
  const created = await client.query<{ id: number }>(
    numbered(
      `INSERT INTO runs (${NEW_RUN_COLUMNS}) VALUES (${values.map(() => '?').join(', ')})
       RETURNING id`,
    ),
    values,
  )
  const key = created.rows[0]!.id
  await client.query(`SELECT pg_notify('${RUNS_CHANNEL}', $1)`, [String(key)])
  return key
}
