/**
 * The dashboard's per-run API (events, explorer, profile, timeline, compare, a session's
 * tests) on PostgreSQL, read through the store (a run's events through its local read
 * cache): the same runs, recorded into a SQLite file and imported into a real PostgreSQL
 * server, give byte for byte the same answers from both stores; a run that is not there, and a server that is gone, are said in one line.
 */

import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MOVES } from '../../shared/types/moment.js'
import { openStore } from '../../server/store/open.js'
import type { Store } from '../../server/store/store.js'
import { createApp } from '../../server/web/app.js'
import { AppContext } from '../../server/web/context.js'
import { ROOT, smiley, tempDir } from '../support/cli.js'
import { startPostgres } from '../support/postgres.js'
import { writePrograms } from '../support/programs.js'

const postgres = await startPostgres()
const dir = tempDir()
process.env['SMILEY_CACHE_DIR'] = join(dir.path, 'cache')
afterAll(() => {
  postgres?.stop()
  dir.remove()
})

writePrograms(dir.path, {
  'test_session.py': `
import pytest

def test_adds():
    assert 1 + 1 == 2

@pytest.mark.parametrize("n", [1, 2, 3])
def test_halves(n):
    assert n // 2 == n / 2
`,
  'program.py': `
import sys, threading

def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a

def accumulate(items):
    total = 0
    for item in items:
        total += item
    return total

def risky(x):
    return 10 // x

worker = threading.Thread(target=lambda: [fib(i) for i in range(8)], name="worker")
worker.start()
worker.join()
width = int(sys.argv[1])
print(accumulate(i * i for i in range(width)))
risky(width - 7)
`,
})

const run = (args: string[]) =>
  smiley(args, { cwd: dir.path, env: { SMILEY_CACHE_DIR: join(dir.path, 'cache') } })

function appOn(store: Store) {
  return createApp(new AppContext(store), {
    token: null,
    hosts: new Set(['127.0.0.1', 'localhost']),
    clientDir: join(ROOT, 'dist', 'client'),
  })
}

describe.skipIf(postgres === null)('the per-run API on PostgreSQL', () => {
  let sqlite: Store
  let pg: Store
  let ids: string[]
  beforeAll(async () => {
    const local = join(dir.path, 'local.db')
    for (const width of ['6', '7']) await run(['run', '-d', local, 'program.py', width])
    postgres!.createDatabase('api')
    const imported = await run(['import', local, '-d', postgres!.url('api')])
    expect(imported.code, imported.stderr).toBe(0)
    sqlite = await openStore(local)
    pg = await openStore(postgres!.url('api'))
    ids = (await sqlite.listRuns()).map((r) => r.id)
    expect(ids).toHaveLength(2)
  }, 120_000)
  afterAll(async () => {
    await sqlite?.close()
    await pg?.close()
  })

  const ask = async (store: Store, path: string) => {
    const res = await appOn(store).request(path, { headers: { host: '127.0.0.1:8080' } })
    return `${res.status} ${await res.text()}`
  }

  it('answers every per-run view as SQLite does', async () => {
    const [failed, passed] = ids as [string, string]
    const paths = [
      `/api/runs/${passed}/events?limit=50`,
      `/api/runs/${passed}/events?direction=backward&limit=20`,
      `/api/runs/${passed}/events?thread=2&limit=30`,
      `/api/runs/${passed}/moment?seq=1`,
      `/api/runs/${passed}/moment?seq=60`,
      ...MOVES.map((move) => `/api/runs/${passed}/move?seq=60&move=${move}`),
      `/api/runs/${passed}/lines?file=1&line=13&limit=5`,
      `/api/runs/${passed}/search?q=fn:fib%20var:a&limit=10`,
      `/api/runs/${passed}/search?q=total&direction=backward&from=1000&limit=3`,
      `/api/runs/${failed}/traceback`,
      `/api/runs/${passed}/calls`,
      `/api/runs/${passed}/calls/group?parent=0&function=2`,
      `/api/runs/${passed}/frames/3/path`,
      `/api/runs/${passed}/profile`,
      `/api/runs/${passed}/callgraph?node=0&edge=0`,
      `/api/runs/${passed}/timeline?width=400`,
      `/api/compare/${passed}/${failed}`,
      `/api/runs/ffffffff/moment?seq=1`,
      `/api/runs/${passed}/moment?seq=100000`,
    ]
    for (const [index, path] of paths.entries()) {
      const expected = await ask(sqlite, path)
      expect(await ask(pg, path), path).toBe(expected)
      // Every view answers but the last two: a run and an event that are not there.
      expect(expected.slice(0, 3), path).toBe(index < paths.length - 2 ? '200' : '404')
    }
    expect(await ask(pg, `/api/runs/${passed}/moment?seq=60`)).toMatch(/^200 \{"event"/)
    expect(await ask(pg, `/api/runs/ffffffff/moment?seq=1`)).toMatch(/^404 /)
  })

  it("lists a test session's tests as SQLite does", async () => {
    const local = join(dir.path, 'session.db')
    const pytest = ['pytest', '-d', local, '-q', '-p', 'no:cacheprovider', 'test_session.py']
    expect((await run(pytest)).code).toBe(1)
    postgres!.createDatabase('sessions')
    const imported = await run(['import', local, '-d', postgres!.url('sessions')])
    expect(imported.code, imported.stderr).toBe(0)
    const [fromFile, fromServer] = [
      await openStore(local),
      await openStore(postgres!.url('sessions')),
    ]
    try {
      const session = (await fromFile.listRuns()).find((listed) =>
        listed.description.includes('pytest'),
      )!
      const path = `/api/runs/${session.id}/tests`
      const expected = await ask(fromFile, path)
      expect(await ask(fromServer, path)).toBe(expected)
      const tests = JSON.parse(expected.slice(4)) as Array<{ name: string; outcome: string }>
      expect(tests.map((test) => [test.name, test.outcome])).toEqual([
        ['test_session.py::test_adds', 'passed'],
        ['test_session.py::test_halves[1]', 'failed'],
        ['test_session.py::test_halves[2]', 'passed'],
        ['test_session.py::test_halves[3]', 'failed'],
      ])
    } finally {
      await fromFile.close()
      await fromServer.close()
    }
  })

  it('answers 503 with one line when the server is gone', async () => {
    const gone = await openStore(postgres!.url('api'))
    try {
      postgres!.crash()
      const answer = await ask(gone, `/api/runs/${ids[0]}/moment?seq=1`)
      expect(answer).toMatch(
        /^503 \{"error":"(cannot reach|lost the connection to) PostgreSQL at postgres:\/\/smiley@127\.0\.0\.1:\d+\/api[^"]*"\}$/,
      )
    } finally {
      postgres!.resume()
      await gone.close().catch(() => undefined)
    }
  })
})
