/**
 * Unknown ids and path traversal in every route parameter of the dashboard: run ids, file
 * ids, frame ids, query parameters and static paths, sent byte for byte. Each answer is a
 * JSON 4xx (or a plain answer for what exists), never a 500, and never a file from disk.
 */

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import { openDatabase } from '../../server/db/database.js'
import { createApp } from '../../server/web/app.js'
import { AppContext } from '../../server/web/context.js'
import { startServer, type RunningServer } from '../../server/web/server.js'
import { ROOT, smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { rawRequest, type RawAnswer } from '../support/raw-http.js'

let dir: { path: string; remove: () => void }
let server: RunningServer
let run: Run
let routes: Array<{ method: string; path: string }>

/** Texts that must never come back: files a traversal would reach. */
const SECRETS = [
  readFileSync(join(ROOT, 'package.json'), 'utf8').slice(0, 60),
  'CREATE TABLE runs',
  'root:x:0:0',
]

const UNKNOWN_IDS = ['ffffffff', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '-', 'abc-']
const HOSTILE = [
  '..',
  '.',
  '..%2F..%2Fpackage.json',
  '%2e%2e',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..%5c..%5cpackage.json',
  '..%5C..%5C',
  '%00',
  'x%00y',
  '1%00',
  '%E0%A4%A',
  '%',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  "'%20OR%201=1%20--",
  '1e3',
  '-1',
  '0x10',
  '99999999999999999999999',
  '%2Fetc%2Fpasswd',
  '~',
  '%20',
]
const QUERY_NAMES = [
  'seq',
  'from',
  'limit',
  'thread',
  'direction',
  'file',
  'line',
  'after',
  'frame',
  'name',
  'q',
  'move',
  'node',
  'edge',
  'errors',
  'force',
  'token',
]

function get(path: string): Promise<RawAnswer> {
  return rawRequest(
    server.port,
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
  )
}

function expectSafe(answer: RawAnswer, path: string, refused: boolean): void {
  const said = `${path} → ${answer.status} ${answer.body.slice(0, 200)}`
  expect(answer.status, said).toBeGreaterThanOrEqual(200)
  expect(answer.status, said).toBeLessThan(500)
  if (refused) expect(answer.status, said).toBeGreaterThanOrEqual(400)
  if (answer.status >= 400)
    expect(JSON.parse(answer.body), said).toEqual({ error: expect.any(String) })
  for (const secret of SECRETS) expect(answer.body, said).not.toContain(secret)
}

beforeAll(async () => {
  dir = tempDir()
  writePrograms(dir.path, {
    'prog.py': 'def double(n):\n    return n * 2\n\nfor i in range(3):\n    double(i)\n',
  })
  const database = join(dir.path, 'runs.db')
  const recorded = await smiley(['run', '-d', database, 'prog.py'], { cwd: dir.path })
  expect(recorded.code, recorded.stderr).toBe(0)
  // The routes as the app itself declares them: routes added later are covered too.
  const db = openDatabase(database)
  routes = createApp(new AppContext(db), { token: null, hosts: null, clientDir: ROOT })
    .routes.filter((route) => route.method === 'GET' && route.path.startsWith('/api/runs/:id'))
    .filter((route, index, all) => all.findIndex((r) => r.path === route.path) === index)
  db.close()
  server = await startServer({ database, host: '127.0.0.1', port: 0, token: null, poll: false })
  run = ((await (await fetch(`${server.url}api/runs`)).json()) as Run[])[0]!
})
afterAll(async () => {
  await server.close()
  dir.remove()
})

/** A one-digit id that is not a prefix of the recorded run's (ids match by prefix). */
function otherDigit(): string {
  return run.id.startsWith('0') ? '1' : '0'
}

/** A route's path with its parameters filled in, `:name` by `values[name]`, else real ones. */
function fill(path: string, values: Record<string, string>): string {
  return path.replace(
    /:(\w+)/g,
    (_, name: string) => values[name] ?? (name === 'id' ? run.id : '1'),
  )
}

describe('every route parameter', () => {
  it('covers the API routes with parameters', () => {
    expect(routes.length).toBeGreaterThanOrEqual(6)
  })

  it('answers unknown run ids with a JSON 404 on every route', async () => {
    for (const route of routes)
      for (const id of [...UNKNOWN_IDS, otherDigit()]) {
        const path = fill(route.path, { id })
        const answer = await get(path)
        expectSafe(answer, path, true)
        expect(answer.status, path).toBe(404)
      }
  })

  it('refuses hostile values in every path parameter, reading nothing from disk', async () => {
    for (const route of routes)
      for (const name of route.path.match(/:(\w+)/g)!.map((p) => p.slice(1)))
        for (const value of [...HOSTILE, ...UNKNOWN_IDS]) {
          const path = fill(route.path, { [name]: value })
          expectSafe(await get(path), path, true)
        }
  })

  it('never fails on hostile values in query parameters', async () => {
    for (const route of routes)
      for (const name of QUERY_NAMES)
        for (const value of HOSTILE) {
          const path = `${fill(route.path, {})}?${name}=${value}`
          expectSafe(await get(path), path, false)
        }
  })

  it('serves no file outside the client folder, however the path is written', async () => {
    for (const path of [
      '/..%2f..%2fpackage.json',
      '/%2e%2e/%2e%2e/package.json',
      '/%2e%2e%2f%2e%2e%2fpackage.json',
      '/assets/..%2f..%2f..%2fpackage.json',
      '/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fserver%2fdb%2fschema.sql',
      '/..%5c..%5cpackage.json',
      '/assets%5c..%5c..%5cpackage.json',
      '/%00',
      '/index.html%00.js',
      '/%2fetc%2fpasswd',
      '//etc/passwd',
      '/..%252f..%252fpackage.json',
      '/%E0%A4%A',
      '/.%2e/.%2e/package.json',
    ])
      expectSafe(await get(path), path, true)
  })

  it('still serves the run afterwards', async () => {
    const res = await fetch(`${server.url}api/runs/${run.id}/files/1`)
    expect(res.status).toBe(200)
  })
})
