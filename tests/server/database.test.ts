import Database from 'better-sqlite3'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DatabaseError, openDatabase } from '../../server/db/database.js'
import { SCHEMA_VERSION } from '../../server/db/migrations.js'
import { tempDir } from '../support/cli.js'

let dir: { path: string; remove: () => void }
beforeEach(() => {
  dir = tempDir()
})
afterEach(() => dir.remove())

function tables(db: Database.Database): string[] {
  const rows = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all() as Array<{ name: string }>
  return rows.map((r) => r.name)
}

/** The error `attempt` throws, checked to be a DatabaseError. */
function databaseError(attempt: () => unknown): DatabaseError {
  try {
    attempt()
  } catch (error) {
    expect(error).toBeInstanceOf(DatabaseError)
    return error as DatabaseError
  }
  throw new Error('expected a DatabaseError, but nothing was thrown')
}

describe('openDatabase', () => {
  it('gives a new file the schema and the current user_version', () => {
    const path = join(dir.path, 'new.db')
    const db = openDatabase(path, { create: true })
    try {
      expect(existsSync(path)).toBe(true)
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
      expect(tables(db)).toEqual(
        expect.arrayContaining(['runs', 'sources', 'files', 'functions', 'symbols', 'threads']),
      )
      const columns = (db.prepare('PRAGMA table_info(runs)').all() as Array<{ name: string }>).map(
        (c) => c.name,
      )
      expect(columns).toEqual(
        expect.arrayContaining(['uuid', 'status', 'recorder_pid', 'heartbeat_at']),
      )
    } finally {
      db.close()
    }
  })

  it('creates every table of schema.sql', () => {
    const schema = readFileSync(
      join(import.meta.dirname, '..', '..', 'server', 'db', 'schema.sql'),
      'utf8',
    )
    const declared = [...schema.matchAll(/CREATE TABLE (\w+)/g)].map((m) => m[1]!)
    const db = openDatabase(join(dir.path, 'new.db'), { create: true })
    try {
      expect(declared.length).toBeGreaterThan(0)
      expect(tables(db)).toEqual(expect.arrayContaining(declared))
    } finally {
      db.close()
    }
  })

  it('turns WAL mode on', () => {
    const db = openDatabase(join(dir.path, 'wal.db'), { create: true })
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    } finally {
      db.close()
    }
  })

  it('reopens an existing database with its data, without create', () => {
    const path = join(dir.path, 'again.db')
    const first = openDatabase(path, { create: true })
    first.prepare('INSERT INTO sources (hash, text) VALUES (?, ?)').run('h', 'print(1)')
    first.close()
    const second = openDatabase(path)
    try {
      expect(second.prepare('SELECT text FROM sources WHERE hash = ?').get('h')).toEqual({
        text: 'print(1)',
      })
      expect(second.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
      expect(second.pragma('journal_mode', { simple: true })).toBe('wal')
    } finally {
      second.close()
    }
  })

  it('reopens an existing database with create, keeping its data', () => {
    const path = join(dir.path, 'again.db')
    const first = openDatabase(path, { create: true })
    first.prepare('INSERT INTO sources (hash, text) VALUES (?, ?)').run('h', 'x')
    first.close()
    const second = openDatabase(path, { create: true })
    try {
      expect(second.prepare('SELECT count(*) AS n FROM sources').get()).toEqual({ n: 1 })
    } finally {
      second.close()
    }
  })

  it('opens an existing database read-only and refuses writes', () => {
    const path = join(dir.path, 'ro.db')
    openDatabase(path, { create: true }).close()
    const db = openDatabase(path, { readonly: true })
    try {
      expect(db.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 0 })
      expect(() =>
        db.prepare('INSERT INTO sources (hash, text) VALUES (?, ?)').run('h', 'x'),
      ).toThrow()
    } finally {
      db.close()
    }
  })

  it('tells the user to record a run first when the file is missing and create is not asked', () => {
    const path = join(dir.path, 'missing.db')
    const error = databaseError(() => openDatabase(path))
    expect(error.message).toBe(`no database at ${path} (record a run first: smiley run prog.py)`)
    expect(existsSync(path)).toBe(false)
  })

  it('says a file that is not SQLite is not a SQLite database', () => {
    const path = join(dir.path, 'notes.db')
    writeFileSync(path, 'These are my notes, not a database.\n'.repeat(200))
    const error = databaseError(() => openDatabase(path))
    expect(error.message).toContain(path)
    expect(error.message).toContain('the file is not a SQLite database')
    expect(readFileSync(path, 'utf8')).toBe('These are my notes, not a database.\n'.repeat(200))
  })

  it("says a SQLite file with someone else's tables is not a Smiley database", () => {
    const path = join(dir.path, 'shop.db')
    const other = new Database(path)
    other.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)')
    other.close()
    const error = databaseError(() => openDatabase(path, { create: true }))
    expect(error.message).toBe(`${path} is a SQLite database, but not a Smiley one`)
    const check = new Database(path, { readonly: true })
    try {
      expect(tables(check)).toEqual(['customers'])
    } finally {
      check.close()
    }
  })

  it("leaves someone else's database in the journal mode it had", () => {
    const path = join(dir.path, 'shop.db')
    const other = new Database(path)
    other.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)')
    other.close()
    databaseError(() => openDatabase(path))
    const check = new Database(path, { readonly: true })
    try {
      expect(check.pragma('journal_mode', { simple: true })).toBe('delete')
    } finally {
      check.close()
    }
  })

  it('moves a version-1 file forward: the tables, columns and indexes of a new file, data kept', () => {
    const shape = (path: string) => {
      const raw = new Database(path, { readonly: true })
      const entries = raw
        .prepare(
          "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .all() as Array<{ type: string; name: string; tbl_name: string; sql: string | null }>
      const result = entries.map((entry) => ({
        ...entry,
        // Tables altered by a migration keep their statements' wording; an index must match.
        sql: entry.type === 'index' ? entry.sql?.replace(/\s+/g, ' ') : null,
        columns: (
          raw.prepare('SELECT name FROM pragma_table_info(?)').all(entry.name) as Array<{
            name: string
          }>
        )
          .map((column) => column.name)
          .join(','),
      }))
      raw.close()
      return result
    }
    const fresh = join(dir.path, 'fresh.db')
    openDatabase(fresh, { create: true }).close()
    const old = join(dir.path, 'old.db')
    const raw = new Database(old)
    raw.exec(readFileSync(join(import.meta.dirname, 'fixtures', 'schema-3.sql'), 'utf8'))
    raw.exec(`DROP TABLE activations; DROP TABLE snapshots;
      DROP INDEX frames_by_parent; DROP INDEX events_by_frame; DROP INDEX events_by_line;
      ALTER TABLE frames DROP COLUMN call_us; ALTER TABLE frames DROP COLUMN end_us;
      INSERT INTO runs (uuid, description, argv, started_at) VALUES ('u-1', 'old run', '[]', 1);
      PRAGMA user_version = 1;`)
    raw.close()
    const migrated = openDatabase(old)
    expect(migrated.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    expect(migrated.prepare('SELECT description FROM runs').pluck().all()).toEqual(['old run'])
    migrated.close()
    expect(shape(old)).toEqual(shape(fresh))
  })

  it('stores source files of a few KB in about their size, in a new file and an old file moved forward', () => {
    const sources = Array.from({ length: 40 }, (_, i) => [
      `h${i}`,
      `# file ${i}\n`.padEnd(1100, 'x'),
    ])
    const bytes = sources.reduce((sum, [, text]) => sum + text!.length, 0)
    const stored = (db: Database.Database) =>
      db.prepare("SELECT sum(pgsize) FROM dbstat WHERE name = 'sources'").pluck().get() as number

    const fresh = openDatabase(join(dir.path, 'fresh.db'), { create: true })
    const insert = fresh.prepare('INSERT INTO sources (hash, text) VALUES (?, ?)')
    for (const row of sources) insert.run(...row)
    expect(stored(fresh)).toBeLessThan(bytes * 1.5)
    fresh.close()

    // Up to version 7, sources were kept WITHOUT ROWID: each such source took a page of overflow.
    const old = join(dir.path, 'old.db')
    const raw = new Database(old)
    raw.exec(readFileSync(join(import.meta.dirname, 'fixtures', 'schema-3.sql'), 'utf8'))
    raw.exec('PRAGMA user_version = 3;')
    const insertOld = raw.prepare('INSERT INTO sources (hash, text) VALUES (?, ?)')
    for (const row of sources) insertOld.run(...row)
    expect(stored(raw)).toBeGreaterThan(bytes * 3)
    raw.close()
    const migrated = openDatabase(old)
    const kept = migrated.prepare('SELECT hash, text FROM sources').raw().all() as string[][]
    expect(new Map(kept.map(([hash, text]) => [hash, text]))).toEqual(
      new Map(sources.map(([hash, text]) => [hash!, text!] as const)),
    )
    expect(
      migrated.prepare("SELECT wr FROM pragma_table_list WHERE name = 'sources'").pluck().get(),
    ).toBe(0)
    migrated.prepare('VACUUM').run()
    expect(stored(migrated)).toBeLessThan(bytes * 1.5)
    migrated.close()
  })

  it('says a database from a newer Smiley was written by a newer Smiley', () => {
    const path = join(dir.path, 'future.db')
    openDatabase(path, { create: true }).close()
    const raw = new Database(path)
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
    raw.close()
    const error = databaseError(() => openDatabase(path))
    expect(error.message).toBe(
      `${path} was written by a newer Smiley (schema ${SCHEMA_VERSION + 1}; this one knows ${SCHEMA_VERSION})`,
    )
  })

  it('says a folder is a folder, with or without create', () => {
    const path = join(dir.path, 'folder.db')
    mkdirSync(path)
    expect(databaseError(() => openDatabase(path)).message).toBe(
      `${path} is a folder, not a database file`,
    )
    expect(databaseError(() => openDatabase(path, { create: true })).message).toBe(
      `${path} is a folder, not a database file`,
    )
  })

  it('gives a DatabaseError when the folder of a new file does not exist', () => {
    const path = join(dir.path, 'no', 'such', 'folder', 'new.db')
    const error = databaseError(() => openDatabase(path, { create: true }))
    expect(error.message).toContain(`cannot open database ${path}`)
  })
})
