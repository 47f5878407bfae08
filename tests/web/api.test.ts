/** The dashboard's JSON API, every route, through `app.request()`: no socket needed. */

import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type { RunFile, RunSource } from '../../shared/types/file.js'
import type { Profile } from '../../shared/types/profile.js'
import type { Run } from '../../shared/types/run.js'
import type { ThreadSummary } from '../../shared/types/thread.js'
import { openDatabase, type Db } from '../../server/db/database.js'
import { createApp } from '../../server/web/app.js'
import { AppContext } from '../../server/web/context.js'
import { ROOT, smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'

let dir: { path: string; remove: () => void }
let db: Db
let app: ReturnType<typeof createApp>
let run: Run

const LOCAL = { host: '127.0.0.1:8080' }

function get(path: string, headers: Record<string, string> = LOCAL) {
  return app.request(path, { headers })
}

beforeAll(async () => {
  dir = tempDir()
  writePrograms(dir.path, {
    'prog.py': `
import threading

def add(a, b):
    return a + b

def work():
    for i in range(3):
        add(i, i)

thread = threading.Thread(target=work, name="worker")
thread.start()
thread.join()
total = add(40, 2)
`,
  })
  const path = join(dir.path, 'runs.db')
  const recorded = await smiley(['run', '-d', path, 'prog.py'], { cwd: dir.path })
  expect(recorded.code, recorded.stderr).toBe(0)
  db = openDatabase(path)
  app = createApp(new AppContext(db), {
    token: null,
    hosts: new Set(['127.0.0.1', 'localhost']),
    clientDir: join(ROOT, 'dist', 'client'),
  })
  run = ((await (await get('/api/runs')).json()) as Run[])[0]!
})
afterAll(() => {
  db.close()
  dir.remove()
})

describe('GET /api/runs', () => {
  it('lists runs newest first', async () => {
    const res = await get('/api/runs')
    expect(res.status).toBe(200)
    expect(((await res.json()) as Run[]).map((r) => r.description)).toEqual(['prog.py'])
  })

  it('rejects a malformed limit with 400', async () => {
    const res = await get('/api/runs?limit=lots')
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error: 'limit must be a whole number' })
  })
})

describe('GET /api/runs/:id', () => {
  it('answers by full id and by unique prefix', async () => {
    expect(((await (await get(`/api/runs/${run.id}`)).json()) as Run).id).toBe(run.id)
    expect(((await (await get(`/api/runs/${run.id.slice(0, 6)}`)).json()) as Run).id).toBe(run.id)
  })

  it('answers 404 for an unknown run and for text that is no run id', async () => {
    expect((await get('/api/runs/ffffffff')).status).toBe(404)
    const res = await get('/api/runs/%3Cscript%3E')
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: '"<script>" is not a run id (see: smiley list)' })
  })
})

describe('GET /api/runs/:id/events', () => {
  async function page(query: string) {
    const res = await get(`/api/runs/${run.id}/events?${query}`)
    expect(res.status).toBe(200)
    return (await res.json()) as { events: TraceEvent[]; total: number; status: string }
  }

  it('pages forward from a cursor', async () => {
    const { events, total, status } = await page('from=3&limit=4')
    expect(events.map((e) => e.seq)).toEqual([3, 4, 5, 6])
    expect(total).toBe(run.eventCount)
    expect(status).toBe('completed')
  })

  it('pages backward from a cursor, still in program order', async () => {
    const { events } = await page(`direction=backward&from=${run.eventCount}&limit=3`)
    expect(events.map((e) => e.seq)).toEqual([
      run.eventCount - 2,
      run.eventCount - 1,
      run.eventCount,
    ])
  })

  it('filters one thread', async () => {
    const threads = (await (await get(`/api/runs/${run.id}/threads`)).json()) as ThreadSummary[]
    const worker = threads.find((t) => t.name === 'worker')!
    const { events } = await page(`thread=${worker.id}&limit=1000`)
    expect(events.length).toBe(worker.events)
    expect(new Set(events.map((e) => e.threadName))).toEqual(new Set(['worker']))
  })

  it.each([
    ['limit=0', 'limit must be between 1 and 1000'],
    ['limit=5000', 'limit must be between 1 and 1000'],
    ['from=-1', 'from must be between 0 and 9007199254740991'],
    ['direction=sideways', 'direction must be one of forward, backward'],
    ['thread=main', 'thread must be a whole number'],
    ['from=1&from=2', 'from given more than once'],
  ])('rejects %s with 400', async (query, message) => {
    const res = await get(`/api/runs/${run.id}/events?${query}`)
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error: message })
  })
})

describe('files, sources and threads', () => {
  it('lists the files with executed-line counts, relative to the run folder', async () => {
    const files = (await (await get(`/api/runs/${run.id}/files`)).json()) as RunFile[]
    expect(files).toHaveLength(1)
    expect(files[0]).toMatchObject({
      displayPath: 'prog.py',
      path: join(dir.path, 'prog.py'),
      hasSource: true,
    })
    expect(files[0]!.executedLines).toBeGreaterThan(5)
  })

  it('serves a file as stored, with hit counts per line', async () => {
    writePrograms(dir.path, { 'prog.py': 'changed on disk\n' })
    const source = (await (await get(`/api/runs/${run.id}/files/1`)).json()) as RunSource
    expect(source.text).toContain('def add(a, b):')
    expect(source.hits[4]).toBe(4) // `return a + b`: three calls in the thread, one in main
  })

  it('answers 404 for a file the run does not have and 400 for a malformed one', async () => {
    expect((await get(`/api/runs/${run.id}/files/99`)).status).toBe(404)
    expect((await get(`/api/runs/${run.id}/files/..%2F..%2Fetc%2Fpasswd`)).status).toBe(400)
  })

  it('lists threads with their event counts', async () => {
    const threads = (await (await get(`/api/runs/${run.id}/threads`)).json()) as ThreadSummary[]
    expect(threads.map((t) => t.name)).toEqual(['MainThread', 'worker'])
    expect(threads.reduce((sum, t) => sum + t.events, 0)).toBe(run.eventCount)
  })
})

describe('security', () => {
  it('refuses a request naming another host (DNS rebinding)', async () => {
    expect((await get('/api/runs', { host: 'evil.example:8080' })).status).toBe(403)
  })

  it('refuses a cross-origin DELETE', async () => {
    const res = await app.request(`/api/runs/${run.id}`, {
      method: 'DELETE',
      headers: { ...LOCAL, origin: 'http://evil.example' },
    })
    expect(res.status).toBe(403)
    expect((await get(`/api/runs/${run.id}`)).status).toBe(200)
  })

  it('serves no file outside the client folder', async () => {
    for (const path of [
      '/../../package.json',
      '/%2e%2e/%2e%2e/package.json',
      '/assets/../../../server/db/schema.sql',
    ]) {
      expect((await get(path)).status).toBe(404)
    }
  })

  it('requires the token when there is one, and accepts it once from the URL', async () => {
    const guarded = createApp(new AppContext(db), {
      token: 's3cret',
      hosts: null,
      clientDir: join(ROOT, 'dist', 'client'),
    })
    expect((await guarded.request('/api/runs', { headers: LOCAL })).status).toBe(401)
    const entry = await guarded.request('/?token=s3cret', { headers: LOCAL })
    expect(entry.status).toBe(303)
    const cookie = entry.headers.get('set-cookie')!
    expect(cookie).toMatch(/^smiley_token=s3cret; .*HttpOnly/)
    const res = await guarded.request('/api/runs', {
      headers: { ...LOCAL, cookie: cookie.split(';')[0]! },
    })
    expect(res.status).toBe(200)
    expect(
      (
        await guarded.request('/api/runs', {
          headers: { ...LOCAL, authorization: 'Bearer s3cret' },
        })
      ).status,
    ).toBe(200)
    expect(
      (await guarded.request('/api/runs', { headers: { ...LOCAL, authorization: 'Bearer nope' } }))
        .status,
    ).toBe(401)
  })

  it('sends headers that forbid framing and foreign scripts', async () => {
    const res = await get('/api/runs')
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
  })

  it('answers JSON 404 for an unknown API route', async () => {
    const res = await get('/api/nothing')
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: 'no such API route' })
  })
})

describe('DELETE /api/runs/:id', () => {
  it('refuses, with 409, to delete a run that is still being recorded', async () => {
    db.prepare("UPDATE runs SET status = 'running' WHERE uuid = ?").run(run.id)
    try {
      const res = await app.request(`/api/runs/${run.id}`, { method: 'DELETE', headers: LOCAL })
      expect(res.status).toBe(409)
      expect(await res.json()).toEqual({ error: `run ${run.id} is still being recorded` })
    } finally {
      db.prepare("UPDATE runs SET status = 'completed' WHERE uuid = ?").run(run.id)
    }
  })

  it('deletes a run with everything it referenced', async () => {
    const res = await app.request(`/api/runs/${run.id}`, {
      method: 'DELETE',
      headers: { ...LOCAL, origin: 'http://127.0.0.1:8080' },
    })
    expect(res.status).toBe(204)
    expect((await get(`/api/runs/${run.id}`)).status).toBe(404)
    expect(db.prepare('SELECT count(*) AS n FROM event_blocks').get()).toEqual({ n: 0 })
    expect(db.prepare('SELECT count(*) AS n FROM sources').get()).toEqual({ n: 0 })
  })
})

describe('GET /api/runs/:id/profile and /callgraph', () => {
  let profiled: Run
  beforeAll(async () => {
    writePrograms(dir.path, {
      'profiled.py': 'def f(n):\n    return n * 2\n\nfor i in range(3):\n    f(i)\n',
    })
    const recorded = await smiley(['run', '-d', join(dir.path, 'runs.db'), 'profiled.py'], {
      cwd: dir.path,
    })
    expect(recorded.code, recorded.stderr).toBe(0)
    profiled = ((await (await get('/api/runs')).json()) as Run[])[0]!
  })

  it('gives the profile, with callers', async () => {
    const profile = (await (await get(`/api/runs/${profiled.id}/profile`)).json()) as Profile
    expect(profile.functions.length).toBeGreaterThan(1)
    expect(profile.calls.length).toBeGreaterThan(0)
  })

  it('gives the call graph as the same dot text as `smiley stats graph`', async () => {
    const res = await get(`/api/runs/${profiled.id}/callgraph?node=0.5&edge=0.1`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/vnd.graphviz')
    const cli = await smiley(['stats', 'graph', '-d', join(dir.path, 'runs.db'), profiled.id])
    expect(cli.code, cli.stderr).toBe(0)
    expect(await res.text()).toBe(cli.stdout)
  })

  it('rejects thresholds that are not percentages with 400', async () => {
    for (const query of ['node=-1', 'node=101', 'edge=lots']) {
      expect((await get(`/api/runs/${profiled.id}/callgraph?${query}`)).status).toBe(400)
    }
  })
})
