/** Deleting and copying runs in the database: complete, idempotent, and quick for big runs. */

import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../server/db/database.js'
import { deleteRun } from '../../server/db/delete.js'
import { createRun, findRun, finishRun, RunNotFound } from '../../server/db/runs.js'
import { copyRuns } from '../../server/db/transfer.js'
import { storeProfile } from '../../server/ingest/profile.js'
import { RunWriter } from '../../server/ingest/run-writer.js'
import { batchWriter } from '../../server/store/sqlite/write-batch.js'
import { PyDict } from '../../shared/wire/marshal.js'
import { TAG } from '../../shared/wire/records.js'
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

/**
 * A finished run of `events` events, written by the recorder's own writer: one call, line
 * events, one return, in one thread and one file with source `text`, and a profile.
 */
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
  const writer = new RunWriter(batchWriter(db), key)
  writer.accept({ tag: TAG.file, file: 1, path: '/srv/prog.py', source: text })
  writer.accept({
    tag: TAG.code,
    code: 1,
    file: 1,
    name: '<module>',
    qualifiedName: '<module>',
    firstLine: 1,
  })
  writer.accept({ tag: TAG.thread, thread: 1, ident: 42, name: 'MainThread' })
  writer.accept({ tag: TAG.symbol, symbol: 1, text: 'i' })
  writer.accept({ tag: TAG.symbol, symbol: 2, text: 'int' })
  const frame = { frame: 1, time: 0 }
  writer.accept({
    tag: TAG.call,
    ...frame,
    line: 1,
    locals: null,
    code: 1,
    parent: 0,
    thread: 1,
    depth: 0,
    task: 0,
  })
  for (let i = 2; i < events; i++) {
    writer.accept({ tag: TAG.line, ...frame, line: (i % 50) + 1, changes: [1, 2, String(i)] })
    if (writer.due) writer.flushNow()
  }
  writer.accept({ tag: TAG.return, ...frame, line: 1, changes: null, valueType: 0, value: null })
  writer.flushNow()
  storeProfile(
    db,
    key,
    new PyDict([
      [
        ['/srv/prog.py', 1, '<module>'],
        [1, 1, 0.5, 1.0, new PyDict([])],
      ],
    ]),
  )
  finishRun(db, key, {
    status: 'completed',
    endedAt: 1001,
    exitCode: 0,
    signal: null,
    errorType: null,
    errorMessage: null,
    traceback: null,
  })
  return key
}

/** Events stored for run `key`, or every run's. */
function storedEvents(db: Db, key?: number): number {
  return count(
    db,
    `SELECT coalesce(sum(last_seq - first_seq + 1), 0) FROM event_blocks ${key === undefined ? '' : 'WHERE run = ?'}`,
    ...(key === undefined ? [] : [key]),
  )
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
    expect(deleteRun(source, a)).toMatchObject({
      events: 10,
      frames: 1,
      rows: { event_blocks: 1, files: 1, frames: 1, profiles: 1 },
      sources: 0,
    })
    expect(count(source, 'SELECT count(*) FROM sources')).toBe(1)
    expect(deleteRun(source, b).sources).toBe(1)
    const tables = ['runs', 'sources', 'files', 'functions', 'frames', 'threads', 'event_blocks']
    for (const table of [...tables, 'thread_blocks', 'line_blocks', 'frame_children', 'profiles'])
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
      expect(storedEvents(target, key)).toBe(100)
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
      expect(storedEvents(target)).toBe(1_000_000)

      started = performance.now()
      deleteRun(target, findRun(target, A).key)
      const deleting = performance.now() - started
      expect(storedEvents(target)).toBe(0)
      // Typically well under 2 s each; the bound leaves room for a slow, busy machine.
      expect(copying).toBeLessThan(15_000)
      expect(deleting).toBeLessThan(15_000)
    } finally {
      target.close()
    }
  })
})
