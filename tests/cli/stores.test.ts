/**
 * The first doors on the storage seam (run, list, show, replay, delete), run against each
 * store: a SQLite file and a real PostgreSQL server (tests/support/postgres.ts), with the
 * same expectations, and the same answers from both; smiley ci and config on PostgreSQL.
 * PostgreSQL's own failures are said in one line.
 */

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CiSummary } from '../../shared/types/ci.js'
import type { Run } from '../../shared/types/run.js'
import { smiley, tempDir, type Result } from '../support/cli.js'
import { PG_PASSWORD, startPostgres } from '../support/postgres.js'
import { PostgresStore } from '../../server/store/postgres/postgres-store.js'
import { openDatabase } from '../../server/db/database.js'
import { writePrograms } from '../support/programs.js'

const postgres = await startPostgres()
const dir = tempDir()
afterAll(() => {
  postgres?.stop()
  dir.remove()
})

writePrograms(dir.path, {
  'test_ci.py': `
def test_adds():
    assert 1 + 1 == 2

def test_miscounts():
    counted = 3
    assert counted == 4
`,
  'program.py': `
import asyncio, threading

def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a

def squares(n):
    for i in range(n):
        yield i * i

def risky(x):
    try:
        return 10 // x
    except ZeroDivisionError:
        return None

async def fetch(name, delay):
    await asyncio.sleep(delay)
    return name.upper()

async def main():
    return await asyncio.gather(fetch("one", 0.01), fetch("two", 0.02))

worker = threading.Thread(target=lambda: [fib(i) for i in range(12)], name="worker")
worker.start()
worker.join()
print(sum(squares(6)), risky(0), risky(5), asyncio.run(main()))
`,
})

writePrograms(dir.path, {
  'slow.py': `
import time

def step(i):
    return i * 2

for i in range(60):
    step(i)
    time.sleep(0.05)
print("done")
`,
  'long.py': `
def count(n):
    total = 0
    for i in range(n):
        total += i
    return total

print(count(30000))
`,
})

const STORES = [
  { name: 'SQLite', database: () => join(dir.path, 'runs.db') },
  {
    name: 'PostgreSQL',
    database: () => {
      postgres!.createDatabase('runs')
      return postgres!.url('runs')
    },
  },
]

/** Runs smiley in the programs' folder. */
const run = (args: string[]) => smiley(args, { cwd: dir.path, timeoutMs: 120_000 })

/** The output, with what differs between two recordings of one program (addresses) made equal. */
const comparable = (text: string) =>
  text.replace(/0x[0-9a-f]+/g, '0x…').replace(/(started|stopped)( daemon)? \d+/g, '$1 …')

/** The answers each store gave, compared at the end. */
const answers = new Map<string, { replay: string; show: unknown; deleted: string }>()
/** The events of long.py each store kept. */
const longRuns = new Map<string, number>()

/** Checks that a command failed with exactly one line on stderr, and returns that line. */
function oneLineError(result: Result, code = 1): string {
  expect(result.stdout).toBe('')
  expect(result.stderr).toMatch(/^smiley: [^\n]+\n$/)
  expect(result.code).toBe(code)
  return result.stderr.trim()
}

for (const store of STORES) {
  const unavailable = store.name === 'PostgreSQL' && postgres === null
  describe.skipIf(unavailable)(`the runs of one program in ${store.name}`, () => {
    let database: string
    let recorded: Result
    let runs: Run[]
    beforeAll(async () => {
      database = store.database()
      recorded = await run(['run', '--database', database, 'program.py'])
      runs = JSON.parse((await run(['list', '--json', '-d', database])).stdout) as Run[]
    }, 180_000)

    it('records the program, which keeps its output and exit status', () => {
      expect(recorded.stderr).toBe('')
      expect(recorded.stdout).toBe("55 None 2 ['ONE', 'TWO']\n")
      expect(recorded.code).toBe(0)
    })

    it('lists the run, completed, with its events', async () => {
      expect(runs).toHaveLength(1)
      expect(runs[0]).toMatchObject({ description: 'program.py', status: 'completed', exitCode: 0 })
      expect(runs[0]!.eventCount).toBeGreaterThan(200)
      const table = await run(['list', '-d', database])
      expect(table.stdout).toContain(runs[0]!.id.slice(0, 8))
      expect(table.stdout).toMatch(/completed +\d[\d,]* +program\.py/)
    })

    it('shows the run with its threads and asyncio tasks', async () => {
      const shown = await run(['show', '--json', '-d', database, 'latest'])
      expect(shown.code, shown.stderr).toBe(0)
      const details = JSON.parse(shown.stdout) as Run & {
        threads: Array<{ name: string; events: number }>
        tasks: Array<{ name: string; rootFunction: string | null }>
      }
      expect(details.id).toBe(runs[0]!.id)
      expect(details.threads.map((t) => t.name)).toEqual(['MainThread', 'worker'])
      expect(details.threads.reduce((sum, t) => sum + t.events, 0)).toBe(runs[0]!.eventCount)
      expect(details.tasks.map((t) => t.rootFunction).sort()).toEqual(['fetch', 'fetch', 'main'])
      const { threads, tasks, ...rest } = details
      answers.set(store.name, {
        ...(answers.get(store.name) ?? { replay: '', deleted: '' }),
        show: {
          ...rest,
          id: '',
          startedAt: 0,
          endedAt: 0,
          pid: 0,
          threads: threads.map(({ name, events }) => ({ name, events })),
          tasks: tasks.map(({ name, rootFunction }) => ({ name, rootFunction })),
        },
      })
    })

    it('replays every event in order, from any event on', async () => {
      const replay = await run(['replay', '-d', database, 'latest'])
      expect(replay.code, replay.stderr).toBe(0)
      expect(replay.stdout).toContain('return>>> 55')
      expect(replay.stdout).toContain('exception>>> ZeroDivisionError')
      const events = (await run(['replay', '--json', '-d', database, 'latest'])).stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { seq: number })
      expect(events.map((e) => e.seq)).toEqual(
        Array.from({ length: runs[0]!.eventCount }, (_, i) => i + 1),
      )
      const late = (await run(['replay', '--json', '--from', '200', '-d', database, 'latest']))
        .stdout
      expect(JSON.parse(late.split('\n')[0]!)).toMatchObject({ seq: 200 })
      const previous = answers.get(store.name)!
      answers.set(store.name, { ...previous, replay: comparable(replay.stdout) })
    })

    it('says in one line that a run does not exist', async () => {
      const missing = await run(['show', '-d', database, 'ffffffff'])
      expect(oneLineError(missing)).toBe('smiley: no run with id ffffffff (see: smiley list)')
    })

    it('keeps every event of a run written in many flushes, and replays it across pages of blocks', async () => {
      const long = await run(['run', '-d', database, 'long.py'])
      expect(long.stdout).toBe('449985000\n')
      expect(long.code).toBe(0)
      const [latest] = JSON.parse((await run(['list', '--json', '-d', database])).stdout) as Run[]
      expect(latest!.eventCount).toBeGreaterThan(50_000)
      const replayed = (await run(['replay', '--json', '-d', database, 'latest'])).stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { seq: number }).seq)
      expect(replayed.length).toBe(latest!.eventCount)
      expect(replayed.every((seq, i) => seq === i + 1)).toBe(true)
      longRuns.set(store.name, latest!.eventCount)
      expect((await run(['delete', '-d', database, 'latest'])).code).toBe(0)
    })

    it('deletes the run with everything only it used', async () => {
      const deleted = await run(['delete', '-d', database, 'latest'])
      expect(deleted.code, deleted.stderr).toBe(0)
      expect(deleted.stdout).toMatch(/^deleted run \w{8} \(program\.py\): [\d,]+ events, /)
      expect(JSON.parse((await run(['list', '--json', '-d', database])).stdout)).toEqual([])
      const previous = answers.get(store.name)!
      answers.set(store.name, {
        ...previous,
        deleted: deleted.stdout.replace(/run \w{8}/, 'run …'),
      })
    })
  })
}

describe.skipIf(postgres === null)('PostgreSQL beside SQLite', () => {
  it('answers as SQLite does: the same replay, run details and delete', () => {
    const sqlite = answers.get('SQLite')
    const pg = answers.get('PostgreSQL')
    expect(sqlite?.replay).toBeTruthy()
    expect(pg).toEqual(sqlite)
    expect(longRuns.get('PostgreSQL')).toBe(longRuns.get('SQLite'))
  })

  it("has every table and column of SQLite's schema", async () => {
    postgres!.createDatabase('mirror')
    const listed = await run(['list', '--json', '-d', postgres!.url('mirror')])
    expect(listed.code, listed.stderr).toBe(0)
    const pgColumns = postgres!
      .sql(
        'mirror',
        `SELECT table_name || '.' || column_name FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> 'smiley_schema' ORDER BY 1`,
      )
      .trim()
      .split('\n')
    const db = openDatabase(join(dir.path, 'mirror.db'), { create: true })
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all() as string[]
    const sqliteColumns = tables.flatMap((table) =>
      (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]).map(
        (column) => `${table}.${column}`,
      ),
    )
    db.close()
    expect(pgColumns).toEqual(sqliteColumns.sort())
  })

  it('says in one line that the server cannot be reached', async () => {
    const url = postgres!.url('runs').replace(`:${postgres!.port}/`, ':1/')
    expect(oneLineError(await run(['list', '-d', url]))).toMatch(
      /^smiley: cannot reach PostgreSQL at postgres:\/\/smiley@127\.0\.0\.1:1\/runs \(connection refused/,
    )
  })

  it('says in one line that the password is wrong, without repeating it', async () => {
    const line = oneLineError(await run(['list', '-d', postgres!.url('runs', 'not-it')]))
    expect(line).toMatch(/: wrong password or user$/)
    expect(line).not.toContain('not-it')
  })

  it('says in one line that the database does not exist', async () => {
    expect(oneLineError(await run(['list', '-d', postgres!.url('nosuch')]))).toMatch(
      /nosuch: the database does not exist$/,
    )
  })

  it("refuses a database that is not Smiley's, and leaves it alone", async () => {
    postgres!.createDatabase('theirs')
    postgres!.sql('theirs', 'CREATE TABLE orders (id INTEGER)')
    expect(oneLineError(await run(['list', '-d', postgres!.url('theirs')]))).toMatch(
      /theirs is a PostgreSQL database, but not a Smiley one$/,
    )
    expect(
      postgres!.sql('theirs', "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").trim(),
    ).toBe('1')
  })

  it('records a failing command with smiley ci, keeping its runs and tests, and forgets a passing one', async () => {
    postgres!.createDatabase('ci')
    const url = postgres!.url('ci')
    const failing = await run([
      'ci',
      '-d',
      url,
      '--summary',
      'ci-failing.json',
      '--',
      'python3',
      '-m',
      'pytest',
      '-q',
      '-p',
      'no:cacheprovider',
      'test_ci.py',
    ])
    expect(failing.code, failing.stderr).toBe(1)
    const summary = JSON.parse(readFileSync(join(dir.path, 'ci-failing.json'), 'utf8')) as CiSummary
    expect(summary).toMatchObject({
      failed: true,
      kept: true,
      database: `postgres://smiley@127.0.0.1:${postgres!.port}/ci`,
    })
    expect(summary.tests.map((test) => [test.name, test.outcome])).toEqual([
      ['test_ci.py::test_adds', 'passed'],
      ['test_ci.py::test_miscounts', 'failed'],
    ])
    const kept = summary.tests.find((test) => test.outcome === 'failed')!.run!
    const shown = await run(['show', '--json', '-d', url, kept])
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: kept, status: 'error' })
    const before = JSON.parse((await run(['list', '--json', '-d', url])).stdout) as Run[]
    const passing = await run([
      'ci',
      '-d',
      url,
      '--summary',
      'ci-passing.json',
      '--',
      'python3',
      'program.py',
    ])
    expect(passing.code, passing.stderr).toBe(0)
    const forgotten = JSON.parse(
      readFileSync(join(dir.path, 'ci-passing.json'), 'utf8'),
    ) as CiSummary
    expect(forgotten).toMatchObject({ failed: false, kept: false, database: null })
    expect(forgotten.runs).toHaveLength(1)
    const after = JSON.parse((await run(['list', '--json', '-d', url])).stdout) as Run[]
    expect(after.map((listed) => listed.id)).toEqual(before.map((listed) => listed.id))
  })

  it('shows a PostgreSQL URL from SMILEY_DB in smiley config, never its password', async () => {
    const env = { SMILEY_DB: postgres!.url('runs') }
    expect(env.SMILEY_DB).toContain(PG_PASSWORD)
    const shown = await smiley(['config'], { env })
    expect(shown.code, shown.stderr).toBe(0)
    expect(shown.stdout).toMatch(
      /^database +postgres:\/\/smiley@127\.0\.0\.1:\d+\/runs +env \(SMILEY_DB\)$/m,
    )
    const json = await smiley(['config', '--json'], { env })
    expect(json.stdout).toContain('postgres://smiley@127.0.0.1')
    expect(shown.stdout + json.stdout).not.toContain(PG_PASSWORD)
  })

  it('tells a watcher, through LISTEN/NOTIFY, of each write to a run another process records', async () => {
    postgres!.createDatabase('watched')
    const url = postgres!.url('watched')
    const store = await PostgresStore.open(url)
    const heard: number[] = []
    const stop = await store.watch((key) => heard.push(key))
    try {
      const recorded = await run(['run', '-d', url, 'long.py'])
      expect(recorded.code, recorded.stderr).toBe(0)
      const { key, run: ended } = await store.findRun('latest')
      expect(ended.status).toBe('completed')
      // Its creation, its batches (60,000 events: several flushes) and its end.
      for (let wait = 0; wait < 50 && heard.length < 5; wait++)
        await new Promise((done) => setTimeout(done, 100))
      expect(heard.length).toBeGreaterThanOrEqual(5)
      expect(new Set(heard)).toEqual(new Set([key]))
    } finally {
      await stop()
      await store.close()
    }
  }, 60_000)

  it('goes on without recording when the server goes away mid-run: one line, and the run is lost with what was committed', async () => {
    postgres!.createDatabase('crash')
    const url = postgres!.url('crash')
    // Tried again for a second only (the recorder waits out a short outage: pg-writers.test.ts).
    const recording = smiley(['run', '-d', url, 'slow.py'], {
      cwd: dir.path,
      timeoutMs: 120_000,
      env: { SMILEY_PG_RECONNECT: '1' },
    })
    // Once some events are committed: the server goes away while the program runs.
    const committed = () => {
      try {
        return Number(postgres!.sql('crash', 'SELECT coalesce(max(event_count), 0) FROM runs'))
      } catch {
        return 0 // no tables yet
      }
    }
    for (let wait = 0; wait < 200 && committed() === 0; wait++)
      await new Promise((done) => setTimeout(done, 100))
    postgres!.crash()
    const ended = await recording
    postgres!.resume()
    expect(ended.stdout).toBe('done\n')
    expect(ended.code, ended.stderr).toBe(0)
    expect(ended.stderr).toMatch(
      /^smiley: recording stopped after \d+ events: (cannot reach|lost the connection to) PostgreSQL at postgres:\/\/smiley@127\.0\.0\.1:\d+\/crash[ :][^\n]*; the run could not be marked as ended either\n$/,
    )
    const [lost] = JSON.parse((await run(['list', '--json', '-d', url])).stdout) as Run[]
    expect(lost).toMatchObject({ description: 'slow.py', status: 'lost' })
    const kept = (await run(['replay', '--json', '-d', url, 'latest'])).stdout.trim().split('\n')
    expect(kept.length).toBe(lost!.eventCount)
    expect(lost!.eventCount).toBeGreaterThan(0)
  }, 60_000)
})
