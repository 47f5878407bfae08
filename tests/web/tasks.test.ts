/**
 * Asyncio tasks through the API, on a real recording of a program that prints which task each
 * of its functions ran in: the tasks, the trace filtered by task, moves that stay in a task,
 * the explorer's stack and the calls of each task.
 */

import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type { CallGroup, Moment } from '../../shared/types/moment.js'
import type { Run } from '../../shared/types/run.js'
import type { TaskSummary } from '../../shared/types/task.js'
import { openDatabase, type Db } from '../../server/db/database.js'
import { createApp } from '../../server/web/app.js'
import { AppContext } from '../../server/web/context.js'
import { ROOT, smiley, tempDir } from '../support/cli.js'

let dir: { path: string; remove: () => void }
let db: Db
let app: ReturnType<typeof createApp>
let run: Run
let events: TraceEvent[]
let tasks: TaskSummary[]
/** What the program printed: the task each call of `said` ran in, by its caller. */
let printed: string[]

async function json<T>(path: string, status = 200): Promise<T> {
  const res = await app.request(path, { headers: { host: '127.0.0.1:8080' } })
  expect(res.status, path).toBe(status)
  return (await res.json()) as T
}

const api = (path: string) => `/api/runs/${run.id}/${path}`
const task = (name: string) => tasks.find((t) => t.name === name)!

beforeAll(async () => {
  dir = tempDir()
  copyFileSync(
    join(ROOT, 'tests', 'tracer', 'cases', 'asyncio_tasks.py'),
    join(dir.path, 'prog.py'),
  )
  const path = join(dir.path, 'runs.db')
  const recorded = await smiley(['run', '-d', path, 'prog.py'], { cwd: dir.path })
  expect(recorded.code, recorded.stderr).toBe(0)
  printed = recorded.stdout
    .split('\n')
    .filter((line) => line.startsWith('ran '))
    .map((line) => line.slice(4))
    .sort()
  db = openDatabase(path)
  app = createApp(new AppContext(db), {
    token: null,
    hosts: new Set(['127.0.0.1', 'localhost']),
    clientDir: join(ROOT, 'dist', 'client'),
  })
  run = (await json<Run[]>('/api/runs'))[0]!
  events = (await json<{ events: TraceEvent[] }>(api('events?limit=1000'))).events
  expect(events).toHaveLength(run.eventCount)
  tasks = await json<TaskSummary[]>(api('tasks'))
}, 120_000)

afterAll(() => {
  db.close()
  dir.remove()
})

describe('the tasks of a run', () => {
  it('are listed with their names, threads, awaiters and coroutines', () => {
    const main = printed.find((line) => line.startsWith('main '))!.split(' ')[1]!
    for (const name of ['alpha', 'beta', 'doomed', 'broken'])
      expect(task(name)).toMatchObject({ threadName: 'MainThread', awaiter: task(main).id })
    expect(task('alpha').rootFunction).toBe('work')
    expect(task(main).rootFunction).toBe('main')
    expect(task('side-work').threadName).toBe('loop-thread')
    expect(task('broken').rootFunction).toBe('failing')
  })

  it('give each event the task the program saw it run in', () => {
    // said(function) prints the name it is given and the task it runs in.
    const saw = events
      .filter((e) => e.kind === 'call' && e.function === 'said')
      .map((e) => `${e.locals['function']!.slice(1, -1)} ${e.taskName ?? '-'}`)
      .sort()
    expect(saw).toEqual(printed)
  })

  it('count each task its events, from the first to the last', () => {
    for (const t of tasks) {
      const own = events.filter((e) => e.task === t.id)
      expect(own.length, t.name).toBe(t.events)
      expect(own[0]!.seq).toBe(t.firstSeq)
      expect(own.at(-1)!.seq).toBe(t.lastSeq)
    }
  })
})

describe('the trace filtered by task', () => {
  it('pages through exactly the events of that task, both ways', async () => {
    const alpha = task('alpha')
    const own = events.filter((e) => e.task === alpha.id).map((e) => e.seq)
    const forward = await json<{ events: TraceEvent[] }>(api(`events?task=${alpha.id}&limit=1000`))
    expect(forward.events.map((e) => e.seq)).toEqual(own)
    const backward = await json<{ events: TraceEvent[] }>(
      api(`events?task=${alpha.id}&direction=backward&from=${run.eventCount}&limit=3`),
    )
    expect(backward.events.map((e) => e.seq)).toEqual(own.slice(-3))
  })

  it('refuses a task that is not a number, in one line', async () => {
    const res = await app.request(api('events?task=alpha'), { headers: { host: '127.0.0.1:8080' } })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toMatch(/task/)
  })

  it('steps from event to event of the task, never into another', async () => {
    const beta = task('beta')
    const own = events.filter((e) => e.task === beta.id).map((e) => e.seq)
    const visited = [own[0]!]
    for (;;) {
      const { seq } = await json<{ seq: number | null }>(
        api(`move?seq=${visited.at(-1)!}&move=next&task=${beta.id}`),
      )
      if (seq === null) break
      visited.push(seq)
    }
    expect(visited).toEqual(own)
  })

  it("steps out of the task's coroutine to the task's next event, not to the event loop's caller", async () => {
    const beta = task('beta')
    const own = events.filter((e) => e.task === beta.id)
    // The coroutine's first suspension: out of it, in the task, is where it resumes.
    const suspended = own.find((e) => e.kind === 'return' && e.yielded && e.function === 'work')!
    const { seq } = await json<{ seq: number | null }>(
      api(`move?seq=${suspended.seq}&move=out&task=${beta.id}`),
    )
    const after = own.find((e) => e.seq > suspended.seq)!
    expect(seq).toBe(after.seq)
    const unfiltered = await json<{ seq: number | null }>(api(`move?seq=${suspended.seq}&move=out`))
    expect(events[unfiltered.seq! - 1]!.task).not.toBe(beta.id)
  })
})

describe('the explorer in a task', () => {
  it("names the task and its awaiter, and each frame's task on the stack", async () => {
    const alpha = task('alpha')
    const helperLine = events.find(
      (e) => e.task === alpha.id && e.function === 'helper' && e.kind === 'line',
    )!
    const moment = await json<Moment>(api(`moment?seq=${helperLine.seq}`))
    const main = tasks.find((t) => t.id === alpha.awaiter)!
    expect(moment.task).toEqual({
      id: alpha.id,
      name: 'alpha',
      awaiter: { id: main.id, name: main.name },
    })
    expect(moment.stack.map((entry) => [entry.function, entry.taskName ?? null])).toEqual([
      ['helper', 'alpha'],
      ['work', 'alpha'],
      ['<module>', null],
    ])
  })

  it('has no task outside asyncio', async () => {
    const moment = await json<Moment>(api('moment?seq=1'))
    expect(moment.task).toBeUndefined()
  })

  it("shows each task's calls under its coroutine", async () => {
    const { groups } = await json<{ groups: CallGroup[] }>(
      api(`calls?parent=${task('alpha').rootFrame!}`),
    )
    expect(groups.map((group) => group.name)).toEqual(['said', 'helper'])
  })
})
