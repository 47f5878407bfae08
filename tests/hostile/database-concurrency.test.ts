/**
 * One database, several processes at once: two programs recorded side by side, and a
 * dashboard reading a run while it is being written.
 */

import Database from 'better-sqlite3'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Run } from '../../shared/types/run.js'
import type { ThreadSummary } from '../../shared/types/thread.js'
import { SCHEMA_VERSION } from '../../server/db/migrations.js'
import { schemaFile } from '../../server/paths.js'
import { SMILEY, smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { spawnServer, type ServerProcess } from '../support/server-process.js'
import { sleep, waitFor } from '../support/wait.js'
import { expectDense, lastValue, listRuns, replayEvents } from './recordings.js'

let dir: { path: string; remove: () => void }

const COUNTING = `
import sys

count = int(sys.argv[1])
total = 0
for step in range(count):
    total += step
print(step, total)
`

beforeAll(() => {
  dir = tempDir()
  writePrograms(dir.path, {
    'alpha.py': COUNTING,
    'beta.py': COUNTING,
    'long.py': `
import sys, time

deadline = time.monotonic() + float(sys.argv[1])
rounds = 0
while time.monotonic() < deadline:
    for item in range(20):
        rounds += 1
    time.sleep(0.002)
print("rounds", rounds)
`,
  })
})
afterAll(() => dir.remove())

describe('two programs recording into one database at once', () => {
  it('completes both runs, each with its own events, dense and whole', async () => {
    const database = join(dir.path, 'two.db')
    const counts = { 'alpha.py': 60_000, 'beta.py': 45_000 }
    const results = await Promise.all(
      Object.entries(counts).map(([script, count]) =>
        smiley(['run', '-d', database, script, String(count)], {
          cwd: dir.path,
          timeoutMs: 120_000,
        }),
      ),
    )
    for (const [index, [, count]] of Object.entries(counts).entries()) {
      expect(results[index]!.code, results[index]!.stderr).toBe(0)
      expect(results[index]!.stderr).toBe('')
      expect(results[index]!.stdout).toBe(`${count - 1} ${((count - 1) * count) / 2}\n`)
    }
    const runs = await listRuns(database)
    expect(runs.map((run) => run.status)).toEqual(['completed', 'completed'])
    const [first, second] = [...runs].sort((a, b) => a.startedAt - b.startedAt)
    // They really were written at the same time.
    expect(second!.startedAt).toBeLessThan(first!.endedAt!)

    for (const run of runs) {
      const script = run.description.split(' ')[0] as keyof typeof counts
      const count = counts[script]
      const events = await replayEvents(database, run.id)
      expectDense(events, run)
      expect(new Set(events.map((event) => event.file))).toEqual(new Set([join(dir.path, script)]))
      expect(lastValue(events, 'step')).toBe(String(count - 1))
      expect(lastValue(events, 'total')).toBe(String(((count - 1) * count) / 2))
      expect(events.filter((event) => event.locals['step'] !== undefined).length).toBe(count)
    }
  })
})

describe('a new database made by two processes at once', () => {
  it('gets its schema from the first, and the second records into it', async () => {
    const database = join(dir.path, 'new.db')
    const first = new Database(database)
    first.exec('BEGIN IMMEDIATE')
    const second = smiley(['run', '-d', database, 'alpha.py', '10'], { cwd: dir.path })
    // Long enough for the second to find the file empty and wait for the write lock, well
    // within its busy timeout; on a slower start it finds the schema made, which passes too.
    await sleep(2000)
    first.exec(readFileSync(schemaFile, 'utf8'))
    first.pragma(`user_version = ${SCHEMA_VERSION}`)
    first.exec('COMMIT')
    first.close()
    const result = await second
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect((await listRuns(database)).map((run) => run.status)).toEqual(['completed'])
  })
})

describe('the server reading while a run is written', () => {
  let server: ServerProcess
  let database: string

  beforeAll(async () => {
    database = join(dir.path, 'live.db')
    server = await spawnServer(database)
  })
  afterAll(async () => {
    expect(await server.stop()).toBe(0)
  })

  async function json<T>(path: string): Promise<T> {
    const res = await fetch(`${server.url}${path}`)
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`)
    return (await res.json()) as T
  }

  function expectContiguous(events: TraceEvent[], path: string): void {
    const broken = events.findIndex((event, i) => i > 0 && event.seq !== events[i - 1]!.seq + 1)
    expect(broken, `${path}: events out of order`).toBe(-1)
  }

  it('keeps every page consistent while a long run is recorded, with no errors', async () => {
    const child = spawn(process.execPath, [SMILEY, 'run', '-d', database, 'long.py', '8'], {
      cwd: dir.path,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const exited = new Promise<number | null>((done) => child.once('exit', done))
    let ended = false
    void exited.then(() => (ended = true))

    const run = await waitFor('the run to appear', async () => {
      const runs = await json<Run[]>('api/runs')
      return runs.find((r) => r.description === 'long.py 8')
    })
    let rounds = 0
    let lastTotal = 0
    const statuses = new Set<string>()
    while (!ended) {
      rounds += 1
      const id = run.id
      const now = await json<Run>(`api/runs/${id}`)
      expect(now.eventCount).toBeGreaterThanOrEqual(lastTotal)
      lastTotal = now.eventCount
      statuses.add(now.status)

      const tail = await json<{ events: TraceEvent[]; total: number; status: string }>(
        `api/runs/${id}/events?direction=backward&from=${Number.MAX_SAFE_INTEGER}&limit=300`,
      )
      expectContiguous(tail.events, 'tail')
      // The page and its total come from one moment of the database.
      if (tail.events.length > 0) expect(tail.events.at(-1)!.seq).toBe(tail.total)
      expect(tail.total).toBeGreaterThanOrEqual(lastTotal)

      const from = 1 + Math.floor(Math.random() * Math.max(1, tail.total))
      const page = await json<{ events: TraceEvent[]; total: number }>(
        `api/runs/${id}/events?from=${from}&limit=500`,
      )
      expectContiguous(page.events, 'page')
      if (page.events.length > 0) expect(page.events[0]!.seq).toBe(from)
      expect(page.events.at(-1)?.seq ?? 0).toBeLessThanOrEqual(page.total)

      const threads = await json<ThreadSummary[]>(`api/runs/${id}/threads`)
      expect(threads.reduce((sum, t) => sum + t.events, 0)).toBeGreaterThanOrEqual(lastTotal)
      await json<unknown[]>(`api/runs/${id}/files`)
      await json<Run[]>('api/runs')
    }
    expect(await exited, stderr).toBe(0)
    process.stdout.write(
      `server reads while recording: ${rounds} rounds of 6 requests, ${lastTotal} events\n`,
    )
    expect(rounds).toBeGreaterThanOrEqual(5)
    expect([...statuses].every((s) => s === 'running' || s === 'completed')).toBe(true)

    const final = await waitFor('the run to be completed', async () => {
      const now = await json<Run>(`api/runs/${run.id}`)
      return now.status === 'completed' && now
    })
    const replayed = await replayEvents(database, run.id)
    expectDense(replayed, final)
    const pages: TraceEvent[] = []
    while (pages.length < final.eventCount) {
      const next = await json<{ events: TraceEvent[] }>(
        `api/runs/${run.id}/events?from=${pages.length + 1}&limit=1000`,
      )
      expect(next.events.length).toBeGreaterThan(0)
      pages.push(...next.events)
    }
    expect(pages).toEqual(replayed)
    expect(server.stderr()).toBe('')
  })
})
