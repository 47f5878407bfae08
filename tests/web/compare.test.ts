/** GET /api/compare/:a/:b, the compare page's one read, through `app.request()`. */

import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DiffReport } from '../../shared/types/diff.js'
import type { Run } from '../../shared/types/run.js'
import { openDatabase, type Db } from '../../server/db/database.js'
import { createApp } from '../../server/web/app.js'
import { AppContext } from '../../server/web/context.js'
import { ROOT, smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'

let dir: { path: string; remove: () => void }
let db: Db
let ctx: AppContext
let app: ReturnType<typeof createApp>
let runs: Run[]

const get = (path: string) => app.request(path, { headers: { host: '127.0.0.1:8080' } })

beforeAll(async () => {
  dir = tempDir()
  writePrograms(dir.path, {
    'loops.py': `
import sys

def count(limit):
    total = 0
    for i in range(limit):
        total += i
    return total

first = count(int(sys.argv[1]))
second = count(int(sys.argv[2]))
`,
  })
  const path = join(dir.path, 'runs.db')
  for (const args of [
    ['3', '2'],
    ['4', '4'],
  ]) {
    const recorded = await smiley(['run', '-d', path, 'loops.py', ...args], { cwd: dir.path })
    expect(recorded.code, recorded.stderr).toBe(0)
  }
  db = openDatabase(path)
  ctx = new AppContext(db)
  app = createApp(ctx, {
    token: null,
    hosts: new Set(['127.0.0.1', 'localhost']),
    clientDir: join(ROOT, 'dist', 'client'),
  })
  runs = (await (await get('/api/runs')).json()) as Run[]
})
afterAll(() => {
  ctx.close()
  db.close()
  dir.remove()
})

describe('GET /api/compare/:a/:b', () => {
  it('compares two runs with every divergent stretch, as smiley diff --all --json does', async () => {
    const [b, a] = runs
    const res = await get(`/api/compare/${a!.id}/${b!.id}`)
    expect(res.status).toBe(200)
    const report = (await res.json()) as DiffReport
    expect(report.a.id).toBe(a!.id)
    expect(report.identical).toBe(false)
    expect(report.divergences.map((d) => [d.a?.line, d.b?.line, d.only])).toEqual([
      [7, 6, { a: 0, b: 2 }],
      [7, 6, { a: 0, b: 4 }],
    ])
    const cli = await smiley([
      'diff',
      '--all',
      '--json',
      '-d',
      join(dir.path, 'runs.db'),
      a!.id,
      b!.id,
    ])
    const fromCli = JSON.parse(cli.stdout) as DiffReport
    expect(report).toEqual(fromCli)
  })

  it('takes the names of runs the CLI takes, and ignores variables by name', async () => {
    const all = (await (await get('/api/compare/latest~1/latest')).json()) as DiffReport
    expect(all.value?.name).toBe('limit')
    const res = await get(
      '/api/compare/latest~1/latest?ignoreName=limit&ignoreName=i&ignoreName=total&ignoreName=first&ignoreName=second',
    )
    const report = (await res.json()) as DiffReport
    expect(report.value).toBeNull()
    expect(report.summary.ignored).toBeGreaterThan(0)
  })

  it('answers 404 for an unknown run and 400 for a pattern that is not one', async () => {
    const missing = await get(`/api/compare/${runs[0]!.id}/ffffffff`)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ error: 'no run with id ffffffff (see: smiley list)' })
    const bad = await get('/api/compare/latest~1/latest?ignore=(')
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: string }).error).toMatch(/is not a regular expression/)
  })
})
