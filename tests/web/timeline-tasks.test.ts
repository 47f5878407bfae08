/**
 * The Timeline's task lanes on real recordings of asyncio programs (named tasks, gather,
 * cancellation, an exception in a task, a loop in a second thread; a failing TaskGroup),
 * checked against the trace and what the programs printed: every call made in a task is drawn in that task's lane, below the task's coroutine,
 * with the times the trace recorded, and a lane's bars nest as the task's calls did.
 */

import { spawnSync } from 'node:child_process'
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Run } from '../../shared/types/run.js'
import type { TaskSummary } from '../../shared/types/task.js'
import type { TimelineBar, TimelineLane, TimelineWindow } from '../../shared/types/timeline.js'
import { openDatabase, type Db } from '../../server/db/database.js'
import { createApp } from '../../server/web/app.js'
import { AppContext } from '../../server/web/context.js'
import { ROOT, smiley, tempDir } from '../support/cli.js'

let dir: { path: string; remove: () => void }
let db: Db
let run: Run
let events: TraceEvent[]
let tasks: TaskSummary[]

function appOf(database: Db) {
  return createApp(new AppContext(database), {
    token: null,
    hosts: new Set(['127.0.0.1']),
    clientDir: join(ROOT, 'dist', 'client'),
  })
}

async function get<T>(database: Db, path: string): Promise<T> {
  const res = await appOf(database).request(path, { headers: { host: '127.0.0.1:8080' } })
  expect(res.status, path).toBe(200)
  return (await res.json()) as T
}

const timeline = (query: string, database = db) =>
  get<TimelineWindow>(database, `/api/runs/${run.id}/timeline?${query}`)
const micros = (seconds: number) => Math.round(seconds * 1e6)
const task = (name: string) => tasks.find((t) => t.name === name)!

/** The call event of each frame, and the time of its final return. */
function callsOf(trace: TraceEvent[]): Map<number, { call: TraceEvent; end: number }> {
  const found = new Map<number, { call: TraceEvent; end: number }>()
  for (const event of trace) {
    if (event.kind === 'call' && !found.has(event.frame))
      found.set(event.frame, { call: event, end: Number.NaN })
    else if (event.kind === 'return' && !event.yielded)
      found.get(event.frame)!.end = micros(event.time)
  }
  return found
}

beforeAll(async () => {
  dir = tempDir()
  copyFileSync(
    join(ROOT, 'tests', 'tracer', 'cases', 'asyncio_tasks.py'),
    join(dir.path, 'prog.py'),
  )
  const path = join(dir.path, 'runs.db')
  const recorded = await smiley(['run', '-d', path, 'prog.py'], { cwd: dir.path })
  expect(recorded.code, recorded.stderr).toBe(0)
  db = openDatabase(path)
  run = (await get<Run[]>(db, '/api/runs'))[0]!
  events = (await get<{ events: TraceEvent[] }>(db, `/api/runs/${run.id}/events?limit=1000`)).events
  expect(events).toHaveLength(run.eventCount)
  tasks = await get<TaskSummary[]>(db, `/api/runs/${run.id}/tasks`)
}, 120_000)

afterAll(() => {
  db.close()
  dir.remove()
})

describe('the timeline of an asyncio run', () => {
  it("draws a lane per task under its thread's, named after both", async () => {
    const window = await timeline('width=8192')
    const names = window.lanes.map((lane) => lane.name)
    const main = tasks.find((t) => t.rootFunction === 'main')!
    expect(names).toEqual([
      'MainThread',
      ...tasks
        .filter((t) => t.threadName === 'MainThread')
        .sort((a, b) => a.id - b.id)
        .map((t) => `MainThread › task ${t.name}`),
      'loop-thread',
      ...tasks
        .filter((t) => t.threadName === 'loop-thread')
        .sort((a, b) => a.id - b.id)
        .map((t) => `loop-thread › task ${t.name}`),
    ])
    expect(names).toContain(`MainThread › task ${main.name}`)
    for (const name of ['alpha', 'beta', 'doomed', 'broken', 'side-work'])
      expect(names.some((n) => n.endsWith(`› task ${name}`))).toBe(true)
  })

  it('draws every call in the lane of the task it ran in, below its coroutine, as recorded', async () => {
    const window = await timeline('width=8192')
    const calls = callsOf(events)
    const drawn: Array<{ lane: TimelineLane; bar: TimelineBar }> = window.lanes.flatMap((lane) =>
      lane.bars.map((bar) => ({ lane, bar })),
    )
    // A lane for each task and thread the trace's calls ran in, and only those.
    const laneOf = (thread: number, task: number | undefined) => `${thread}/${task ?? 0}`
    const perLane = new Map<string, number>()
    for (const { call } of calls.values()) {
      const key = laneOf(call.thread, call.task)
      perLane.set(key, (perLane.get(key) ?? 0) + 1)
    }
    expect(window.lanes.map((lane) => laneOf(lane.key.thread, lane.key.task)).sort()).toEqual(
      [...perLane.keys()].sort(),
    )
    // Zoomed in on a task, its lane counts every call made in it (the whole run may merge a
    // short call, and leave out the calls under it).
    for (const t of tasks) {
      const zoomed = await timeline(
        `width=8192&from=${micros(t.startedAt!)}&to=${micros(t.endedAt!)}`,
      )
      const lane = zoomed.lanes.find((l) => l.key.task === t.id)!
      expect(
        lane.bars.reduce((n, b) => n + b.calls, 0),
        t.name,
      ).toBe(perLane.get(laneOf(t.thread, t.id)))
    }
    const rootDepth = new Map(
      tasks.map((t) => [
        t.id,
        [...calls.values()].find((c) => c.call.frame === t.rootFrame)!.call.depth,
      ]),
    )
    const whole = drawn.filter((d) => d.bar.calls === 1)
    expect(whole.length).toBeGreaterThan(10)
    for (const { lane, bar } of whole) {
      const { call, end } = calls.get(bar.frame)!
      const where = `${call.function} at event ${call.seq}`
      expect(lane.key, where).toEqual(
        call.task === undefined
          ? { thread: call.thread }
          : { thread: call.thread, task: call.task },
      )
      const depth = call.task === undefined ? call.depth : call.depth - rootDepth.get(call.task)!
      expect([bar.callSeq, bar.depth, bar.start, bar.end], where).toEqual([
        call.seq,
        depth,
        micros(call.time),
        end,
      ])
    }
    // Zoomed in on alpha: its coroutine, said() and helper() under it, said() under helper().
    const alpha = task('alpha')
    const zoomed = await timeline(
      `width=8192&from=${micros(alpha.startedAt!)}&to=${micros(alpha.endedAt!)}`,
    )
    const lane = zoomed.lanes.find((l) => l.key.task === alpha.id)!
    const named = lane.bars.map((b) => [
      b.depth,
      zoomed.functions.find((f) => f.id === b.function)!.name,
    ])
    expect(named).toEqual([
      [0, 'work'],
      [1, 'said'],
      [1, 'helper'],
      [2, 'said'],
    ])
  })

  it("nests each lane's bars: a call at a depth lies inside a call one depth up, never across one", async () => {
    const window = await timeline('width=8192')
    for (const lane of window.lanes) {
      for (const bar of lane.bars) {
        const same = lane.bars.filter((b) => b !== bar && b.depth === bar.depth)
        for (const other of same)
          expect(other.end <= bar.start || other.start >= bar.end, lane.name).toBe(true)
        if (bar.depth > 0)
          expect(
            lane.bars.some(
              (b) => b.depth === bar.depth - 1 && b.start <= bar.start && bar.end <= b.end,
            ),
            `${lane.name}: ${bar.callSeq}`,
          ).toBe(true)
      }
    }
  })

  it("places the explorer's event in its task's lane, at its depth there", async () => {
    const event = events.find(
      (e) => e.kind === 'line' && e.function === 'helper' && e.task === task('beta').id,
    )!
    const window = await timeline(`width=800&seq=${event.seq}`)
    expect(window.position).toEqual({
      seq: event.seq,
      us: micros(event.time),
      lane: { thread: event.thread, task: task('beta').id },
      depth: 1,
    })
    const outside = events.find((e) => e.task === undefined && e.function === '<module>')!
    expect((await timeline(`width=800&seq=${outside.seq}`)).position!.lane).toEqual({
      thread: outside.thread,
    })
  })

  it('builds again an index kept before task lanes, which had none', async () => {
    const asked = await timeline('width=1200')
    const copy = join(dir.path, 'old.db')
    db.pragma('wal_checkpoint(TRUNCATE)')
    copyFileSync(join(dir.path, 'runs.db'), copy)
    const old = openDatabase(copy)
    try {
      // An index as the server kept it before: every call in its thread's lane, no overview.
      old.prepare('DELETE FROM call_index WHERE task != 0').run()
      old.prepare('DELETE FROM call_overview').run()
      expect(await timeline('width=1200', old)).toEqual(asked)
      expect(
        old.prepare('SELECT count(*) FROM call_index WHERE task != 0').pluck().get(),
      ).toBeGreaterThan(0)
    } finally {
      old.close()
    }
  })
})

/** The Python `smiley run` uses has asyncio.TaskGroup (3.11+). */
const hasTaskGroup =
  spawnSync('python3', ['-c', 'import asyncio; asyncio.TaskGroup'], { stdio: 'ignore' }).status ===
  0

describe.runIf(hasTaskGroup)('the timeline of a TaskGroup, one of whose tasks fails', () => {
  let group: Db
  let groupRun: Run
  /** The task each step printed it ran in. */
  let printed: string[]

  beforeAll(async () => {
    copyFileSync(
      join(ROOT, 'tests', 'tracer', 'cases', 'asyncio_taskgroup.py'),
      join(dir.path, 'group.py'),
    )
    const path = join(dir.path, 'group.db')
    const recorded = await smiley(['run', '-d', path, 'group.py'], { cwd: dir.path })
    expect(recorded.code, recorded.stderr).toBe(0)
    printed = recorded.stdout
      .split('\n')
      .filter((line) => line.startsWith('ran step '))
      .map((line) => line.split(' ')[2]!)
    group = openDatabase(path)
    groupRun = (await get<Run[]>(group, '/api/runs'))[0]!
  }, 120_000)

  afterAll(() => group.close())

  it("draws each step in its task's lane, the step's call of said() under it", async () => {
    expect(printed.sort()).toEqual(['step-1', 'step-2', 'step-3'])
    const groupTasks = await get<TaskSummary[]>(group, `/api/runs/${groupRun.id}/tasks`)
    for (const name of printed) {
      const own = groupTasks.find((t) => t.name === name)!
      const query = `width=8192&from=${micros(own.startedAt!)}&to=${micros(own.endedAt!)}`
      const window = await get<TimelineWindow>(group, `/api/runs/${groupRun.id}/timeline?${query}`)
      const lane = window.lanes.find((l) => l.key.task === own.id)!
      expect(lane.name).toBe(`MainThread › task ${name}`)
      const fn = (bar: TimelineBar) => window.functions.find((f) => f.id === bar.function)!.name
      expect(lane.bars.map((bar) => [bar.depth, fn(bar), bar.calls])).toEqual([
        [0, 'step', 1],
        [1, 'said', 1],
      ])
    }
  })
})
