/**
 * Search on a run of many blocks, through the API: the blocks whose summaries cannot match
 * are passed over unread, so one request finds a rare event or word however far it is; and a run
 * recorded before summaries existed (schema 4) is still searched, block by block.
 */

import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SearchPage } from '../../shared/types/moment.js'
import type { Run } from '../../shared/types/run.js'
import { openDatabase, type Db } from '../../server/db/database.js'
import Database from 'better-sqlite3'
import { RunNames } from '../../server/db/events.js'
import { SCHEMA_VERSION } from '../../server/db/migrations.js'
import { SEARCH_SPAN, searchEvents } from '../../server/db/search.js'
import { createApp } from '../../server/web/app.js'
import { AppContext } from '../../server/web/context.js'
import { ROOT, smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'

const LOOPS = 80_000

let dir: { path: string; remove: () => void }
let db: Db
let app: ReturnType<typeof createApp>
let run: Run

beforeAll(async () => {
  dir = tempDir()
  writePrograms(dir.path, {
    'rare.py': `def spin(count):
    total = 0
    for n in range(count):
        total += n
    return total


def fail():
    try:
        raise KeyError("needle")
    except KeyError:
        rarely_set = "haystack"
    return rarely_set


spin(${LOOPS})
fail()
`,
  })
  const file = join(dir.path, 'runs.db')
  const recorded = await smiley(['run', '-d', file, 'rare.py'], { cwd: dir.path })
  expect(recorded.code, recorded.stderr).toBe(0)
  db = openDatabase(file)
  app = createApp(new AppContext(db), {
    token: null,
    hosts: new Set(['127.0.0.1', 'localhost']),
    clientDir: join(ROOT, 'dist', 'client'),
  })
  run = (await json<Run[]>('/api/runs'))[0]!
  expect(run.eventCount).toBeGreaterThan(SEARCH_SPAN * 1.5)
}, 120_000)

afterAll(() => {
  db.close()
  dir.remove()
})

async function json<T>(path: string): Promise<T> {
  const res = await app.request(path, { headers: { host: '127.0.0.1:8080' } })
  expect(res.status, path).toBe(200)
  return (await res.json()) as T
}

const search = (query: string, from = 1) =>
  json<SearchPage>(`/api/runs/${run.id}/search?q=${encodeURIComponent(query)}&from=${from}`)

describe('search over block summaries', () => {
  it('finds a rare kind, function or variable past many blocks in one request', async () => {
    for (const query of ['kind:exception', 'fn:fail', 'var:rarely_set']) {
      const page = await search(query)
      expect(page.matches, query).toHaveLength(1)
      expect(page.matches[0]!.seq, query).toBeGreaterThan(LOOPS * 2)
    }
  })

  it('says in one request that a kind never happened after an event', async () => {
    const exception = (await search('kind:exception')).matches[0]!.seq
    expect(await search('kind:exception', exception + 1)).toEqual({ matches: [], next: null })
  })

  it('finds a word in the values past many blocks in one request, and says so when none has it', async () => {
    const page = await search('HAYSTACK')
    expect(page.matches.map((event) => event.locals)).toEqual([{ rarely_set: "'haystack'" }])
    expect(await search('nosuchword')).toEqual({ matches: [], next: null })
  })

  it('reads block by block for a word too short to judge from the summaries', async () => {
    const page = await search('"zz"')
    expect(page.matches).toEqual([])
    expect(page.next).not.toBeNull()
  })

  it('searches a run of a database moved from schema 4, recorded without summaries', async () => {
    const copy = join(dir.path, 'schema4.db')
    db.exec(`VACUUM INTO '${copy}'`)
    const old = new Database(copy)
    old.exec('DROP TABLE block_summaries')
    old.pragma('user_version = 4')
    old.close()
    const moved = openDatabase(copy)
    try {
      expect(moved.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
      const key = moved.prepare('SELECT id FROM runs WHERE uuid = ?').pluck().get(run.id) as number
      const names = new RunNames(moved, key)
      const total = run.eventCount
      const ask = (from: number) =>
        searchEvents(moved, key, names, {
          query: { kind: 'exception' },
          from,
          direction: 'forward',
          limit: 1,
          total,
        })
      const first = ask(1)
      expect(first.matches).toEqual([])
      let next = first.next
      let found: SearchPage['matches'] = []
      while (next !== null && found.length === 0) {
        const page = ask(next)
        found = page.matches
        next = page.next
      }
      expect(found.map((event) => event.seq)).toEqual(
        (await search('kind:exception')).matches.map((event) => event.seq),
      )
    } finally {
      moved.close()
    }
  })
})
