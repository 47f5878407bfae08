/**
 * Opening a Smiley database: WAL and a busy timeout on every connection, the schema created
 * or migrated forward, and a clear `DatabaseError` for a file that is missing, locked,
 * corrupt, foreign or from a newer Smiley.
 */

import Database from 'better-sqlite3'
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs'
import { schemaFile } from '../paths.js'
import { NotYetSupported } from '../store/errors.js'
import { isPostgresUrl } from '../store/location.js'
import { BlobError } from './bytes.js'
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js'
import { copyForReading, whyUnwritable } from './read-only-place.js'
import { sqliteAddon } from './sqlite-addon.js'
import { sayUpgrade } from './upgrade-notice.js'

export type Db = Database.Database

export class DatabaseError extends Error {
  override name = 'DatabaseError'
  constructor(
    message: string,
    /** Another process held the database longer than the busy timeout. */
    readonly locked = false,
    /** The database cannot be written where it is (a read-only file system, another user's). */
    readonly unwritable = false,
  ) {
    super(message)
  }
}

export interface OpenOptions {
  /** Create the file when it does not exist (recording does; reading does not). */
  create?: boolean
  readonly?: boolean
  /**
   * Writes are housekeeping only (marking lost runs): where the database cannot be written, it
   * is opened for reading instead of refused. Implied by `readonly`.
   */
  readsWhereUnwritable?: boolean
  /**
   * The connection stays open while others use the database (a server, a recording, a tail):
   * it must never hold the database alone, not even on a full disk (see openDatabase).
   */
  lasting?: boolean
}

const BUSY_TIMEOUT_MS = 5000

/** Opens (and if asked creates) the database at `path`, ready for use. */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  // A door not moved onto the storage seam yet (server/store/) meets a PostgreSQL URL here.
  if (isPostgresUrl(path)) throw new NotYetSupported('this command')
  const exists = fileExists(path)
  if (!exists && !options.create) {
    throw new DatabaseError(`no database at ${path} (record a run first: smiley run prog.py)`)
  }
  // SQLite creates these beside a WAL database; a file refused here must be left as it was.
  const sidecars = [`${path}-wal`, `${path}-shm`].filter((sidecar) => !existsSync(sidecar))
  const removeSidecars = () => sidecars.forEach((sidecar) => rmSync(sidecar, { force: true }))
  try {
    return connect(path, options, false)
  } catch (error) {
    removeSidecars()
    const unwritable = whyUnwritable(path)
    if (unwritable !== null) return openUnwritable(path, options, unwritable)
    const noRoom = error instanceof Database.SqliteError && INDEX_WITHOUT_ROOM.has(error.code)
    if (!noRoom || options.lasting) throw failedOpen(path, error)
  }
  // The WAL's shared index (the -shm file) takes 32 KB of disk, so on a full disk a
  // database nobody has open cannot be opened as usual. A connection that locks it for
  // itself keeps that index in memory instead: a command that reads and ends still works,
  // while any other waits for it.
  try {
    return connect(path, options, true)
  } catch (error) {
    removeSidecars()
    throw failedOpen(path, error)
  }
}

/**
 * A database in a place this process may not write: read where it is when SQLite can (a writer
 * keeps its index there), else from a copy; refused, in so many words, to a command that writes.
 */
function openUnwritable(path: string, options: OpenOptions, why: string): Db {
  if (!options.readonly && !options.readsWhereUnwritable) {
    throw new DatabaseError(`${path} cannot be written (${why})`, false, true)
  }
  try {
    return connect(path, { readonly: true }, false)
  } catch {
    // no index beside it to read with: a copy is read instead
  }
  try {
    return connect(copyForReading(path), { readonly: true }, false)
  } catch (copyError) {
    throw failedOpen(path, copyError)
  }
}

/** The errors of a WAL index that could not be made for want of room. */
const INDEX_WITHOUT_ROOM = new Set(['SQLITE_FULL', 'SQLITE_IOERR_SHMSIZE', 'SQLITE_IOERR_SHMMAP'])

/** Opens `path` and checks or creates its schema; SQLite's errors once open are thrown as is. */
function connect(path: string, options: OpenOptions, exclusive: boolean): Db {
  const readonly = options.readonly ?? false
  let db: Db
  try {
    db = new Database(path, {
      // SQLite keeps an exclusive lock's WAL index in memory only on a connection that may write.
      readonly: readonly && !exclusive,
      fileMustExist: !options.create,
      timeout: BUSY_TIMEOUT_MS,
      ...(sqliteAddon !== null ? { nativeBinding: sqliteAddon } : {}),
    })
  } catch (error) {
    throw new DatabaseError(`cannot open database ${path}: ${reason(error)}`)
  }
  try {
    if (exclusive) {
      db.pragma('locking_mode = EXCLUSIVE')
      if (readonly) db.pragma('query_only = ON')
    }
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    // Checked before anything is changed: another program's database is left as it was.
    migrate(db, path, readonly)
    if (!readonly) db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

function failedOpen(path: string, error: unknown): DatabaseError {
  if (error instanceof DatabaseError) return error
  return new DatabaseError(`cannot use database ${path}: ${reason(error)}`)
}

/** Runs `work` with no busy timeout: a database locked by another process fails at once. */
export function withoutWaiting<T>(db: Db, work: () => T): T {
  db.pragma('busy_timeout = 0')
  try {
    return work()
  } finally {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
  }
}

/**
 * A failure of SQLite itself (corrupt file, disk full, locked too long…) as a `DatabaseError`
 * with a message a user can act on; null for any other error.
 */
export function databaseFailure(error: unknown): DatabaseError | null {
  if (error instanceof DatabaseError) return error
  // A block of events or frames that does not decode: damaged as surely as a corrupt page.
  if (error instanceof BlobError)
    return new DatabaseError(`the database file is corrupt (${error.message})`)
  if (!(error instanceof Database.SqliteError)) return null
  const explained = reason(error)
  return new DatabaseError(
    explained === error.message ? `database error: ${explained}` : explained,
    /^SQLITE_(BUSY|LOCKED)/.test(error.code),
  )
}

function migrate(db: Db, path: string, readonly: boolean): void {
  const found = schemaVersion(db, path)
  if (found === SCHEMA_VERSION) return
  if (readonly)
    throw new DatabaseError(
      `${path} was written by an older Smiley; bring it forward once with: smiley list -d ${path}`,
    )
  if (found > 0)
    sayUpgrade(
      `moving ${path} forward to this Smiley's format, once (up to ten seconds per million events)`,
    )
  db.transaction(() => {
    // Read again under the write lock: another process may have created or moved the file
    // forward while this one waited for it.
    const version = schemaVersion(db, path)
    if (version === SCHEMA_VERSION) return
    if (version === 0) db.exec(readFileSync(schemaFile, 'utf8'))
    else
      for (const step of MIGRATIONS.slice(version - 1)) {
        if (typeof step === 'string') db.exec(step)
        else step(db)
      }
    db.pragma(`user_version = ${SCHEMA_VERSION}`)
  }).immediate()
}

/** The file's schema version, refusing a newer Smiley's file and another program's. */
function schemaVersion(db: Db, path: string): number {
  const version = db.pragma('user_version', { simple: true }) as number
  if (version > SCHEMA_VERSION) {
    throw new DatabaseError(
      `${path} was written by a newer Smiley (schema ${version}; this one knows ${SCHEMA_VERSION})`,
    )
  }
  if (version === 0) {
    const tables = db
      .prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'")
      .get() as { n: number }
    if (tables.n > 0) throw new DatabaseError(`${path} is a SQLite database, but not a Smiley one`)
  }
  return version
}

function fileExists(path: string): boolean {
  try {
    if (statSync(path).isDirectory())
      throw new DatabaseError(`${path} is a folder, not a database file`)
    return true
  } catch (error) {
    if (error instanceof DatabaseError) throw error
    return false
  }
}

function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  // Extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_WRITE…) mean what their primary code
  // means, but for those of a WAL index without room.
  const extended = (error as { code?: string }).code ?? ''
  const code = /^SQLITE_[A-Z]+/.exec(extended)?.[0]
  if (code === 'SQLITE_NOTADB') return 'the file is not a SQLite database'
  if (code === 'SQLITE_CORRUPT') return 'the database file is corrupt'
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')
    return `the database is locked by another process (waited ${BUSY_TIMEOUT_MS / 1000} s)`
  if (code === 'SQLITE_CANTOPEN')
    return 'the file cannot be opened (check the path and permissions)'
  if (code === 'SQLITE_READONLY') return 'the database is read-only'
  if (code === 'SQLITE_FULL') return 'the disk is full'
  if (INDEX_WITHOUT_ROOM.has(extended))
    return 'the disk is full: no room beside the database for its index (the -shm file)'
  if (code === 'SQLITE_IOERR') return 'the database file could not be read or written'
  return error.message
}
