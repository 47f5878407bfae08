/**
 * The PostgreSQL store's local read cache (server/store/replica/): a run recorded into a real
 * PostgreSQL server, copied into a local SQLite file row for row, read there by the one query
 * layer, kept while unchanged, brought up to date while recorded, never kept half copied, and
 * evicted whole past its size.
 */

import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../server/db/database.js'
import { decodeBlock } from '../../server/db/event-block.js'
import { RunNames } from '../../server/db/events.js'
import { momentAt } from '../../server/db/moments.js'
import { runTables, columnsOf } from '../../server/db/run-tables.js'
import type { StoredRun } from '../../server/db/runs.js'
import { PostgresStore } from '../../server/store/postgres/postgres-store.js'
import { RUN_COLUMNS, RUN_TABLES } from '../../server/store/replica/tables.js'
import { SMILEY, smiley, tempDir } from '../support/cli.js'
import { startPostgres } from '../support/postgres.js'
import { writePrograms } from '../support/programs.js'
import { waitFor } from '../support/wait.js'

const postgres = await startPostgres()
const dir = tempDir()
process.env['SMILEY_CACHE_DIR'] = join(dir.path, 'cache')
afterAll(() => {
  postgres?.stop()
  dir.remove()
})

writePrograms(dir.path, {
  'program.py': `
import threading

def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a

def squares(n):
    for i in range(n):
        yield i * i

worker = threading.Thread(target=lambda: [fib(i) for i in range(12)], name="worker")
worker.start()
worker.join()
print(sum(squares(6)), fib(20))
`,
  'slow.py': `
import time

def step(i):
    total = 0
    for j in range(300):
        total += j
    return total + i

for i in range(40):
    step(i)
    time.sleep(0.05)
print("done")
`,
})

const run = (args: string[]) => smiley(args, { cwd: dir.path, timeoutMs: 120_000 })

/** Every row of run `key` in `db`, table by table, in key order. */
function rowsOf(db: Db, key: number): Record<string, unknown[]> {
  const rows: Record<string, unknown[]> = {}
  for (const table of RUN_TABLES)
    rows[table.name] = db
      .prepare(
        `SELECT ${table.columns.join(', ')} FROM ${table.name} WHERE run = ? ORDER BY ${table.columns.join(', ')}`,
      )
      .raw()
      .all(key)
  return rows
}

describe('the copy plan', () => {
  it('names every per-run table and column of the SQLite schema', () => {
    const db = openDatabase(join(dir.path, 'schema.db'), { create: true })
    try {
      const tables = runTables(db).map(({ name, columns }) => ({
        name,
        columns: columns.filter((c) => c !== 'run'),
      }))
      const planned = RUN_TABLES.map(({ name, columns }) => ({ name, columns: [...columns] }))
      expect(planned.sort((a, b) => a.name.localeCompare(b.name))).toEqual(tables)
      expect(columnsOf(db, 'main', 'runs').filter((c) => c !== 'id')).toEqual(RUN_COLUMNS)
    } finally {
      db.close()
    }
  })
})

describe.skipIf(postgres === null)('the read cache of a PostgreSQL store', () => {
  let url: string
  let sqlite: string
  let store: PostgresStore
  beforeAll(async () => {
    postgres!.createDatabase('cache')
    url = postgres!.url('cache')
    sqlite = join(dir.path, 'runs.db')
    for (const database of [url, sqlite]) {
      const recorded = await run(['run', '-d', database, 'program.py'])
      expect(recorded.stderr).toBe('')
    }
    store = await PostgresStore.open(url)
  }, 120_000)
  afterAll(async () => {
    await store?.close()
  })

  it('copies a run row for row under its own key, and the query layer answers there as in SQLite', async () => {
    const found = await store.findRun('latest')
    const db = await store.reader(found)
    const copied = rowsOf(db, found.key)
    expect(copied['event_blocks']!.length).toBeGreaterThan(0)
    // The truth: what PostgreSQL holds, read in its own snapshot.
    const direct: Record<string, unknown[]> = {}
    await store.readRuns(async (source) => {
      for (const table of RUN_TABLES) {
        const rows: unknown[][] = []
        for (let after: unknown[] | null = null; ;) {
          const page = await source.page(table, found.key, null, after)
          rows.push(...page)
          if (page.length < table.page) break
          after = table.key.map((k) => page.at(-1)![table.columns.indexOf(k)])
        }
        direct[table.name] = rows.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
      }
    })
    for (const table of RUN_TABLES) {
      const mine = (copied[table.name] as unknown[][]).sort((a, b) =>
        JSON.stringify(a) < JSON.stringify(b) ? -1 : 1,
      )
      expect(mine, table.name).toEqual(direct[table.name])
    }
    expect(db.prepare('SELECT uuid, event_count FROM runs WHERE id = ?').get(found.key)).toEqual({
      uuid: found.run.id,
      event_count: found.run.eventCount,
    })
    // The same program recorded into SQLite: the same moments, once addresses are made equal.
    const local = openDatabase(sqlite, { readonly: true })
    try {
      const localKey = local.prepare('SELECT id FROM runs').pluck().get() as number
      expect(local.prepare('SELECT event_count FROM runs').pluck().get()).toBe(found.run.eventCount)
      const moment = (d: Db, key: number, seq: number) =>
        JSON.stringify(momentAt(d, key, new RunNames(d, key), seq))
          .replace(/0x[0-9a-f]+/g, '0x')
          .replace(/"time":[\d.e-]+/g, '"time":0')
          .replace(/(started|stopped)( daemon)? \d+/g, '$1 …')
      for (const seq of [1, Math.floor(found.run.eventCount / 2), found.run.eventCount])
        expect(moment(db, found.key, seq)).toBe(moment(local, localKey, seq))
    } finally {
      local.close()
    }
  })

  it('brings a run being recorded up to date when asked again, its count always with its events', async () => {
    const child = spawn(process.execPath, [SMILEY, 'run', '-d', url, 'slow.py'], {
      cwd: dir.path,
      stdio: 'ignore',
    })
    const ended = new Promise((done) => child.once('exit', done))
    const seen: number[] = []
    let found: StoredRun | undefined
    await waitFor(
      'slow.py recorded to its end',
      async () => {
        found = await store.findRun('latest')
        if (found.run.description !== 'slow.py') return false
        const db = await store.reader(found)
        const count = db
          .prepare('SELECT event_count FROM runs WHERE id = ?')
          .pluck()
          .get(found.key) as number
        const blocks = db
          .prepare('SELECT first_seq, data FROM event_blocks WHERE run = ? ORDER BY first_seq')
          .raw()
          .all(found.key) as Array<[number, Buffer]>
        const events = blocks.flatMap(([first, data]) => decodeBlock(data, first))
        expect(events.filter((e) => e.seq <= count).map((e) => e.seq)).toEqual(
          Array.from({ length: count }, (_, i) => i + 1),
        )
        seen.push(count)
        return found.run.status !== 'running'
      },
      60_000,
      100,
    )
    await ended
    expect(new Set(seen).size).toBeGreaterThan(2)
    const db = await store.reader(found!)
    const direct = openDatabase(join(dir.path, 'copy-of-slow.db'), { create: true })
    try {
      await store.readRuns(async (source) => {
        const { sqliteSink } = await import('../../server/store/replica/sqlite-io.js')
        const { copyRun } = await import('../../server/store/replica/copy-run.js')
        await copyRun(source, sqliteSink(direct), found!.run.id, { key: found!.key })
      })
      expect(rowsOf(db, found!.key)).toEqual(rowsOf(direct, found!.key))
    } finally {
      direct.close()
    }
  }, 90_000)

  it('evicts whole runs, least recently used first, past its size', async () => {
    // A cache of its own, empty, that holds less than one run.
    process.env['SMILEY_CACHE_MB'] = '0.0001'
    process.env['SMILEY_CACHE_DIR'] = join(dir.path, 'small-cache')
    const small = await PostgresStore.open(url)
    try {
      const runs = await small.listRuns()
      expect(runs.length).toBeGreaterThanOrEqual(2)
      const first = await small.findRun(runs[0]!.id)
      const second = await small.findRun(runs[1]!.id)
      const db = await small.reader(first)
      await small.reader(second)
      const kept = db.prepare('SELECT uuid FROM runs').pluck().all()
      expect(kept).toContain(second.run.id)
      expect(kept).not.toContain(first.run.id)
      expect(
        db.prepare('SELECT count(*) FROM event_blocks WHERE run = ?').pluck().get(first.key),
      ).toBe(0)
    } finally {
      delete process.env['SMILEY_CACHE_MB']
      process.env['SMILEY_CACHE_DIR'] = join(dir.path, 'cache')
      await small.close()
    }
  })
  it('copies two runs at once for two stores of one process into one cache file', async () => {
    process.env['SMILEY_CACHE_DIR'] = join(dir.path, 'shared-cache')
    const one = await PostgresStore.open(url)
    const two = await PostgresStore.open(url)
    try {
      const runs = await one.listRuns()
      const [a, b] = await Promise.all([
        one.findRun(runs[0]!.id).then((found) => one.reader(found)),
        two.findRun(runs[1]!.id).then((found) => two.reader(found)),
      ])
      expect(a.name).toBe(b.name)
      expect(a.prepare('SELECT count(*) FROM runs').pluck().get()).toBe(2)
    } finally {
      process.env['SMILEY_CACHE_DIR'] = join(dir.path, 'cache')
      await one.close()
      await two.close()
    }
  }, 30_000)

  it('keeps a finished run once copied, and reads it with the server gone', async () => {
    const own = await PostgresStore.open(url)
    try {
      const found = await own.findRun('latest')
      await own.reader(found)
      postgres!.crash()
      try {
        const db = await own.reader(found)
        expect(momentAt(db, found.key, new RunNames(db, found.key), 1)).toBeDefined()
      } finally {
        postgres!.resume()
      }
    } finally {
      await own.close()
    }
  })

  it('fails in one line when the server is gone, keeping nothing of the run', async () => {
    const recorded = await run(['run', '-d', url, 'program.py'])
    expect(recorded.code).toBe(0)
    const own = await PostgresStore.open(url)
    try {
      const found = await own.findRun('latest')
      postgres!.crash()
      try {
        await expect(own.reader(found)).rejects.toThrow(
          /PostgreSQL at postgres:\/\/smiley@127\.0\.0\.1/,
        )
      } finally {
        postgres!.resume()
      }
      const db = openDatabase(own['replica']!.file, { readonly: true })
      try {
        expect(
          db.prepare('SELECT count(*) FROM runs WHERE uuid = ?').pluck().get(found.run.id),
        ).toBe(0)
        expect(
          db.prepare('SELECT count(*) FROM event_blocks WHERE run = ?').pluck().get(found.key),
        ).toBe(0)
      } finally {
        db.close()
      }
    } finally {
      await own.close()
    }
  })
})
