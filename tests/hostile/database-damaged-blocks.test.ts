/**
 * A database whose file is sound but whose stored events or frames are damaged (a block that
 * does not decode): what reads them says so in one line, or answers 503, and the rest works.
 */

import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../server/db/database.js'
import { createApp } from '../../server/web/app.js'
import { AppContext } from '../../server/web/context.js'
import { ROOT, smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'

let dir: { path: string; remove: () => void }
let database: string
let run: string

beforeAll(async () => {
  dir = tempDir()
  writePrograms(dir.path, {
    'calls.py':
      'def twice(n):\n    return n * 2\n\ntotal = 0\nfor i in range(50):\n    total += twice(i)\n',
  })
  database = join(dir.path, 'runs.db')
  const recorded = await smiley(['run', '-d', database, 'calls.py'], { cwd: dir.path })
  expect(recorded.code, recorded.stderr).toBe(0)
  const raw = new Database(database)
  run = raw.prepare('SELECT uuid FROM runs').pluck().get() as string
  raw.prepare('UPDATE event_blocks SET data = ?').run(Buffer.from([1, 0, 0x3f, 0x7f]))
  raw.prepare('UPDATE frames SET data = ?').run(Buffer.from([1, 0x80]))
  raw.close()
})
afterAll(() => dir.remove())

describe('damaged blocks of events and frames', () => {
  it('make a command that reads them say so in one line, and leave the others working', async () => {
    const replay = await smiley(['replay', '-d', database, 'latest'])
    expect(replay.code).toBe(1)
    expect(replay.stdout).toBe('')
    expect(replay.stderr).toMatch(/^smiley: the database file is corrupt \([^\n]+\)\n$/)
    const list = await smiley(['list', '-d', database])
    expect(list.code, list.stderr).toBe(0)
    expect(list.stdout).toContain('calls.py')
  })

  it('are answered with 503 and the reason by the API, which goes on serving', async () => {
    const db = openDatabase(database, { readonly: true })
    try {
      const app = createApp(new AppContext(db), {
        token: null,
        hosts: new Set(['127.0.0.1']),
        clientDir: join(ROOT, 'dist', 'client'),
      })
      for (const path of [
        `/runs/${run}/events`,
        `/runs/${run}/moment?seq=3`,
        `/runs/${run}/calls?parent=0`,
      ]) {
        const res = await app.request(`/api${path}`, { headers: { host: '127.0.0.1:8080' } })
        expect(res.status, path).toBe(503)
        expect(((await res.json()) as { error: string }).error).toMatch(
          /^the database file is corrupt \(/,
        )
      }
      expect(
        (await app.request(`/api/runs/${run}`, { headers: { host: '127.0.0.1:8080' } })).status,
      ).toBe(200)
    } finally {
      db.close()
    }
  })
})
