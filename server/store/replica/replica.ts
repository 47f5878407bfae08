/**
 * A store's local read cache (docs/storage.md, "Reading a run"): the runs a door asks for,
 * copied from the store into a local SQLite file under the store's own keys, so the one
 * synchronous query layer reads them at SQLite's speed with SQLite's answers. A finished run is
 * copied once and kept while its row is unchanged; a run still being recorded is brought up to
 * date from where the last copy stopped. A copy is one transaction: a run half copied is
 * never kept. Whole runs are evicted, least recently used first, past the size limit.
 */

import type { Db } from '../../db/database.js'
import { openDatabase } from '../../db/database.js'
import { deleteRun } from '../../db/delete.js'
import type { StoredRun } from '../../db/runs.js'
import { toRun, type RunRow } from '../../db/rows.js'
import type { Run } from '../../../shared/types/run.js'
import { cacheFile, cacheLimit } from './cache-place.js'
import { copyRun, type CopyMark } from './copy-run.js'
import type { Record, RunSource } from './run-io.js'
import { RUN_COLUMNS } from './tables.js'
import { inSqliteTransaction, sqliteSink } from './sqlite-io.js'

/** Reads the store in one snapshot (Store.readRuns). */
export type SnapshotReader = <T>(work: (source: RunSource) => Promise<T>) => Promise<T>

/** A copy in another process may take minutes for a long run: wait for it rather than fail. */
const COPY_WAIT_MS = 10 * 60 * 1000

/** How stale a run's last use may be before it is written down again. */
const TOUCH_AFTER_S = 10

interface Kept {
  uuid: string
  fingerprint: string
  mark_block: number
  mark_frames: number
  bytes: number
  used_at: number
}

/**
 * The copies under way into each cache file of this process, one at a time: a copy holds its
 * writer's transaction across awaits, and another connection of this process waiting for that
 * lock would wait synchronously, holding up the very copy it waits for.
 */
const queues = new Map<string, Promise<unknown>>()

export class RunReplica {
  private constructor(
    /** The connection the query layer reads (and only reads whole copies through). */
    readonly db: Db,
    private readonly writer: Db,
    private readonly read: SnapshotReader,
    private readonly limit: number,
  ) {}

  /** The cache of the store at `location` (see cache-place.ts), read through `read`. */
  static open(location: string, read: SnapshotReader, file = cacheFile(location)): RunReplica {
    const writer = openDatabase(file, { create: true, lasting: true })
    writer.pragma(`busy_timeout = ${COPY_WAIT_MS}`)
    writer.exec(`CREATE TABLE IF NOT EXISTS replica_runs (
      run_key INTEGER PRIMARY KEY,
      uuid TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      mark_block INTEGER NOT NULL,
      mark_frames INTEGER NOT NULL,
      bytes INTEGER NOT NULL,
      used_at REAL NOT NULL
    )`)
    return new RunReplica(openDatabase(file, { lasting: true }), writer, read, cacheLimit())
  }

  /** The cache file. */
  get file(): string {
    return this.db.name
  }

  /** A database holding `run` as the store had it when it was found (or later). */
  async reader(run: StoredRun): Promise<Db> {
    const kept = this.kept(run.key)
    if (
      kept !== undefined &&
      kept.uuid === run.run.id &&
      kept.fingerprint === fingerprint(run.run)
    ) {
      this.touch(run.key, kept)
      return this.db
    }
    const next = (queues.get(this.file) ?? Promise.resolve()).then(() => this.copy(run))
    queues.set(
      this.file,
      next.catch(() => undefined),
    )
    await next
    return this.db
  }

  close(): void {
    this.db.close()
    this.writer.close()
  }

  private kept(key: number): Kept | undefined {
    return this.writer.prepare('SELECT * FROM replica_runs WHERE run_key = ?').get(key) as
      Kept | undefined
  }

  private touch(key: number, kept: Kept): void {
    const now = Date.now() / 1000
    if (now - kept.used_at < TOUCH_AFTER_S) return
    try {
      this.writer.prepare('UPDATE replica_runs SET used_at = ? WHERE run_key = ?').run(now, key)
    } catch {
      // Only the eviction order: a busy cache keeps the older time.
    }
  }

  private async copy(run: StoredRun): Promise<void> {
    const { key } = run
    const uuid = run.run.id
    await this.read((source) =>
      inSqliteTransaction(this.writer, 'immediate', async () => {
        // Again under the lock: another process (or an earlier call) may have copied it.
        const kept = this.kept(key)
        if (kept?.uuid === uuid && kept.fingerprint === fingerprint(run.run)) return
        let mark: CopyMark | undefined
        if (kept?.uuid === uuid) mark = { block: kept.mark_block, frames: kept.mark_frames }
        else this.forget(key, uuid)
        const copied = await copyRun(source, sqliteSink(this.writer), uuid, {
          key,
          ...(mark ? { mark } : {}),
        })
        this.keepChildren(await source.childRows(uuid))
        this.writer
          .prepare(
            `INSERT OR REPLACE INTO replica_runs
               (run_key, uuid, fingerprint, mark_block, mark_frames, bytes, used_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            key,
            uuid,
            fingerprint(toRun(copied.row as unknown as RunRow)),
            copied.mark.block,
            copied.mark.frames,
            (mark ? kept!.bytes : 0) + copied.bytes,
            Date.now() / 1000,
          )
      }),
    )
    this.evict(key)
  }

  /**
   * The rows of the runs a run's processes were recorded as, under their store keys: the query
   * layer links a run's child starts to them (child-starts.ts). A child whose events the cache
   * holds keeps them; only its row is brought up to date.
   */
  private keepChildren(rows: Record[]): void {
    const columns = ['id', ...RUN_COLUMNS]
    const upsert = this.writer.prepare(
      `INSERT INTO runs (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
       ON CONFLICT (id) DO UPDATE SET ${RUN_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}`,
    )
    for (const row of rows) upsert.run(...columns.map((c) => row[c]))
  }

  /** Removes what the cache holds under `key` or `uuid` (another run's, or a stale copy). */
  private forget(key: number, uuid: string): void {
    const keys = new Set<number>([key])
    const other = this.writer.prepare('SELECT id FROM runs WHERE uuid = ?').pluck().get(uuid)
    if (typeof other === 'number') keys.add(other)
    for (const stale of keys) {
      deleteRun(this.writer, stale)
      this.writer.prepare('DELETE FROM replica_runs WHERE run_key = ?').run(stale)
    }
  }

  /** Evicts whole runs, least recently used first, until the cache is within its limit. */
  private evict(keep: number): void {
    const runs = this.writer
      .prepare('SELECT run_key, bytes FROM replica_runs ORDER BY used_at')
      .all() as Array<{ run_key: number; bytes: number }>
    let total = runs.reduce((sum, r) => sum + r.bytes, 0)
    for (const { run_key: key, bytes } of runs) {
      if (total <= this.limit) break
      if (key === keep) continue
      this.writer.transaction(() => {
        deleteRun(this.writer, key)
        this.writer.prepare('DELETE FROM replica_runs WHERE run_key = ?').run(key)
      })()
      total -= bytes
    }
  }
}

/** What tells a copy of a run from the run as it is now: whatever a batch or an ending changes. */
function fingerprint(run: Run): string {
  return JSON.stringify([run.status, run.eventCount, run.lostEvents, run.endedAt, run.notice])
}
