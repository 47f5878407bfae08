/** Deleting and copying runs in the database: complete, idempotent, and quick for big runs. */

import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../server/db/database.js'
import { deleteRun } from '../../server/db/delete.js'
import { createRun, findRun, RunNotFound } from '../../server/db/runs.js'
import { copyRuns } from '../../server/db/transfer.js'
import { tempDir } from '../support/cli.js'

let dir: { path: string; remove: () => void }
let source: Db
let sourcePath: string

beforeEach(() => {
  dir = tempDir()
  sourcePath = join(dir.path, 'source.db')
  source = openDatabase(sourcePath, { create: true })
})
afterEach(() => {
  source.close()
  dir.remove()
})

const A = '0a1b2c3d-0000-4000-8000-000000000001'
const B = '0a1b2c3d-0000-4000-8000-000000000002'

/** A finished run with `events` line events in one thread and one file with source `text`. */
function addRun(db: Db, uuid: string, events: number, text: string): number {
  const key = createRun(db, {
    uuid,
    description: `prog.py ${uuid.slice(-1)}`,
    argv: ['prog.py'],
    cwd: '/srv',
    python: '/usr/bin/python3',
    pythonVersion: '3.11.7',
    host: 'box',
    pid: 1,
    backend: 'settrace',
    startedAt: 1000,
    options: {},
  })
  db.transaction(() => {
    db.prepare(
      `INSERT INTO events (run, seq, kind, thread, frame, depth, line, us, locals, value_type, value)
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       SELECT ?, i, 1, 1, 1, 1, i % 50 + 1, i, NULL, NULL, NULL FROM n`,
    ).run(events, key)
    db.prepare('INSERT OR IGNORE INTO sources (hash, text) VALUES (?, ?)').run(`h-${text}`, text)
    db.prepare(
      "INSERT INTO files (run, id, path, source_hash) VALUES (?, 1, '/srv/prog.py', ?)",
    ).run(key, `h-${text}`)
    db.prepare("INSERT INTO functions VALUES (?, 1, 1, '<module>', '<module>', 1)").run(key)
    db.prepare(
      'INSERT INTO frames (run, id, parent, function, thread, depth, call_seq, end_seq) VALUES (?, 1, 0, 1, 1, 1, 1, ?)',
    ).run(key, events)
    db.prepare('INSERT INTO activations (run, frame, seq, parent) VALUES (?, 1, 1, 0)').run(key)
    db.prepare("INSERT INTO threads VALUES (?, 1, 42, 'MainThread', 1, ?, 1, ?, ?, 50)").run(
      key,
      events,
      events,
      events,
    )
    db.prepare(
      "INSERT INTO profile_functions VALUES (?, 1, '/srv/prog.py', 1, '<module>', 1, 1, 0.5, 1.0)",
    ).run(key)
    db.prepare('UPDATE runs SET event_count = ?, status = ? WHERE id = ?').run(
      events,
      'completed',
      key,
    )
  })()
  return key
}

function count(db: Db, sql: string, ...params: unknown[]): number {
  return db
    .prepare(sql)
    .pluck()
    .get(...params) as number
}

describe('deleteRun', () => {
  it('removes every row of the run, and a source only when no other run uses it', () => {
    const a = addRun(source, A, 10, 'shared')
    const b = addRun(source, B, 10, 'shared')
    expect(deleteRun(source, a)).toMatchObject({ rows: { events: 10, files: 1 }, sources: 0 })
    expect(count(source, 'SELECT count(*) FROM sources')).toBe(1)
    expect(deleteRun(source, b).sources).toBe(1)
    for (const table of ['runs', 'sources', 'events', 'files', 'functions', 'frames', 'threads'])
      expect([table, count(source, `SELECT count(*) FROM ${table}`)]).toEqual([table, 0])
  })
})

describe('copyRuns', () => {
  it('copies a run under a new local key, once', () => {
    addRun(source, A, 100, 'a')
    const target = openDatabase(join(dir.path, 'target.db'), { create: true })
    try {
      addRun(target, B, 5, 'b')
      expect(copyRuns(target, sourcePath, [A])).toEqual([{ uuid: A, copied: true, events: 100 }])
      expect(copyRuns(target, sourcePath, [A])).toEqual([{ uuid: A, copied: false, events: 100 }])
      const { key } = findRun(target, A)
      expect(key).not.toBe(findRun(source, A).key)
      expect(count(target, 'SELECT count(*) FROM events WHERE run = ?', key)).toBe(100)
      expect(count(target, 'SELECT count(*) FROM sources')).toBe(2)
      expect(() => copyRuns(target, sourcePath, [B.replace('2', '9')])).toThrow(RunNotFound)
      // The source is detached again, whatever happened.
      expect(target.prepare('PRAGMA database_list').all()).toHaveLength(1)
    } finally {
      target.close()
    }
  })

  it('copies and deletes a run of a million events in seconds', () => {
    addRun(source, A, 1_000_000, 'big')
    const target = openDatabase(join(dir.path, 'target.db'), { create: true })
    try {
      let started = performance.now()
      copyRuns(target, sourcePath, [A])
      const copying = performance.now() - started
      expect(count(target, 'SELECT count(*) FROM events')).toBe(1_000_000)

      started = performance.now()
      deleteRun(target, findRun(target, A).key)
      const deleting = performance.now() - started
      expect(count(target, 'SELECT count(*) FROM events')).toBe(0)
      // Typically well under 2 s each; the bound leaves room for a slow, busy machine.
      expect(copying).toBeLessThan(15_000)
      expect(deleting).toBeLessThan(15_000)
    } finally {
      target.close()
    }
  })
})
