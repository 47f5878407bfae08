/**
 * The Timeline's API on a real threaded recording, checked against the recorded events
 * themselves: every call drawn whole is a call of the trace, with its function, thread, depth
 * and times; calls under a pixel are merged and counted; a window holds only what overlaps it.
 */

import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Run } from '../../shared/types/run.js'
import type { TimelineBar, TimelineWindow } from '../../shared/types/timeline.js'
import { openDatabase, type Db } from '../../server/db/database.js'
import { createApp } from '../../server/web/app.js'
import { AppContext } from '../../server/web/context.js'
import { ROOT, smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { THREADED_PROGRAM, TINY_CALLS } from '../support/threaded-program.js'

/** A call as the trace tells it: its call event and its final return. */
interface Call {
  seq: number
  thread: number
  depth: number
  function: string
  start: number
  end: number
}

let dir: { path: string; remove: () => void }
let db: Db
let app: ReturnType<typeof createApp>
let run: Run
let events: TraceEvent[]
let calls: Call[]

async function get<T>(path: string, status = 200): Promise<T> {
  const res = await app.request(path, { headers: { host: '127.0.0.1:8080' } })
  expect(res.status, path).toBe(status)
  return (await res.json()) as T
}

const timeline = (query: string) => get<TimelineWindow>(`/api/runs/${run.id}/timeline?${query}`)
const micros = (seconds: number) => Math.round(seconds * 1e6)

/** The trace's calls, each with the time of its final return (a frame's first call event). */
function callsOf(trace: TraceEvent[]): Call[] {
  const open = new Map<number, Call>()
  const found: Call[] = []
  for (const event of trace) {
    // A generator resumed is a call event again: its call is its first.
    if (event.kind === 'call' && !open.has(event.frame)) {
      const call = {
        seq: event.seq,
        thread: event.thread,
        depth: event.depth,
        function: event.function,
        start: micros(event.time),
        end: Number.NaN,
      }
      open.set(event.frame, call)
      found.push(call)
    } else if (event.kind === 'return' && !event.yielded) {
      open.get(event.frame)!.end = micros(event.time)
    }
  }
  return found
}

function nameOf(window: TimelineWindow, bar: TimelineBar): string {
  return window.functions.find((f) => f.id === bar.function)!.name
}

beforeAll(async () => {
  dir = tempDir()
  writePrograms(dir.path, { 'threads.py': THREADED_PROGRAM })
  const path = join(dir.path, 'runs.db')
  const recorded = await smiley(['run', '-d', path, 'threads.py'], { cwd: dir.path })
  expect(recorded.code, recorded.stderr).toBe(0)
  db = openDatabase(path)
  app = createApp(new AppContext(db), {
    token: null,
    hosts: new Set(['127.0.0.1', 'localhost']),
    clientDir: join(ROOT, 'dist', 'client'),
  })
  run = (await get<Run[]>('/api/runs'))[0]!
  events = []
  for (let from = 1; from <= run.eventCount; from += 1000) {
    const page = await get<{ events: TraceEvent[] }>(
      `/api/runs/${run.id}/events?from=${from}&limit=1000`,
    )
    events.push(...page.events)
  }
  calls = callsOf(events)
})

afterAll(() => {
  db.close()
  dir.remove()
})

describe('the timeline of a threaded run', () => {
  it('has the call index and overview of a long run kept by the recorder as it ended, and leaves a short one for its first question', async () => {
    writePrograms(dir.path, {
      'long.py': 'def step(i):\n    return i * 2\n\n\nfor i in range(40_000):\n    step(i)\n',
    })
    const path = join(dir.path, 'long.db')
    const recorded = await smiley(['run', '-d', path, 'long.py'], { cwd: dir.path })
    expect(recorded.code, recorded.stderr).toBe(0)
    const long = openDatabase(path)
    const kept = (from: Db, table: string, key: number) =>
      from
        .prepare(`SELECT count(*) AS rows, min(events) AS events FROM ${table} WHERE run = ?`)
        .get(key) as { rows: number; events: number | null }
    try {
      const events = long.prepare('SELECT event_count FROM runs').pluck().get() as number
      expect(events).toBeGreaterThan(100_000)
      expect(kept(long, 'call_index', 1)).toEqual({ rows: 2, events })
      expect(kept(long, 'call_overview', 1)).toEqual({ rows: 1, events })
    } finally {
      long.close()
    }
    // The threaded run is short: nothing is kept until the Timeline is first asked for.
    expect(run.eventCount).toBeLessThan(100_000)
    expect(kept(db, 'call_index', 1).rows).toBe(0)
  })

  it('draws every call at least a pixel wide as the call the trace recorded', async () => {
    const window = await timeline('width=4000')
    expect(calls.filter((c) => Number.isNaN(c.end))).toEqual([])
    expect(window.span.start).toBe(Math.min(...calls.map((c) => c.start)))
    expect(window.span.end).toBeGreaterThanOrEqual(Math.max(...calls.map((c) => c.end)))
    expect(window.lanes.map((lane) => lane.name)).toEqual(['MainThread', 'worker-0', 'worker-1'])
    const whole = window.lanes.flatMap((lane) =>
      lane.bars.filter((bar) => bar.calls === 1).map((bar) => ({ lane, bar })),
    )
    expect(whole.length).toBeGreaterThan(10)
    for (const { lane, bar } of whole) {
      const call = calls.find((c) => c.seq === bar.callSeq)
      expect(call, `bar at event ${bar.callSeq}`).toBeDefined()
      expect([nameOf(window, bar), lane.key.thread, bar.depth, bar.start, bar.end]).toEqual([
        call!.function,
        call!.thread,
        call!.depth,
        call!.start,
        call!.end,
      ])
    }
    // The workers' calls each last milliseconds: every one is a bar of its own.
    const wide = calls.filter((c) => c.function === 'leaf' || c.function === 'work')
    expect(wide).toHaveLength(10)
    for (const call of wide) expect(whole.map((w) => w.bar.callSeq)).toContain(call.seq)
  })

  it('merges the calls narrower than a pixel, and counts every one of them', async () => {
    // A window three times burst()'s length at 8 px: burst is 8/3 px wide, each of its 400
    // calls well under a pixel, however slow the machine was.
    const burst = calls.find((c) => c.function === 'burst')!
    const length = burst.end - burst.start
    const window = await timeline(`width=8&from=${burst.start - length}&to=${burst.end + length}`)
    const main = window.lanes.find((lane) => lane.name === 'MainThread')!
    const drawn = main.bars.find((bar) => bar.callSeq === burst.seq)!
    expect([nameOf(window, drawn), drawn.calls]).toEqual(['burst', 1])
    const under = main.bars.filter(
      (bar) => bar.depth === drawn.depth + 1 && bar.start >= drawn.start && bar.end <= drawn.end,
    )
    expect(under.some((bar) => bar.calls > 1)).toBe(true)
    expect(under.length).toBeLessThan(TINY_CALLS)
    expect(under.reduce((sum, bar) => sum + bar.calls, 0)).toBe(TINY_CALLS)
    // A depth holds about a bar a pixel at most, however many calls it has.
    for (const lane of window.lanes) {
      const depths = new Map<number, number>()
      for (const bar of lane.bars) depths.set(bar.depth, (depths.get(bar.depth) ?? 0) + 1)
      for (const count of depths.values()) expect(count).toBeLessThanOrEqual(2 * 8 + 2)
    }
  })

  it('answers a narrower window with the calls that overlap it, the deeper ones too', async () => {
    const leaf = calls.find((c) => c.function === 'leaf')!
    const window = await timeline(`width=1000&from=${leaf.start}&to=${leaf.end}`)
    expect([window.from, window.to]).toEqual([leaf.start, leaf.end])
    const bars = window.lanes.flatMap((lane) => lane.bars)
    for (const bar of bars) {
      expect(bar.end).toBeGreaterThanOrEqual(leaf.start)
      expect(bar.start).toBeLessThanOrEqual(leaf.end)
    }
    expect(bars.map((bar) => bar.callSeq)).toContain(leaf.seq)
    const expected = calls.filter(
      (c) =>
        c.end >= leaf.start &&
        c.start <= leaf.end &&
        c.end - c.start >= (leaf.end - leaf.start) / 1000,
    )
    for (const call of expected) expect(bars.map((bar) => bar.callSeq)).toContain(call.seq)
  })

  it("places the explorer's event at its time, thread and depth", async () => {
    const event = events.find((e) => e.kind === 'return' && e.function === 'leaf')!
    const window = await timeline(`width=800&seq=${event.seq}`)
    expect(window.position).toEqual({
      seq: event.seq,
      us: micros(event.time),
      lane: { thread: event.thread },
      depth: event.depth,
    })
    expect((await timeline(`width=800&seq=${run.eventCount + 1}`)).position).toBeNull()
  })

  it('keeps the call index of the ended run, for a server started later to answer from', async () => {
    const asked = await timeline('width=1200&seq=40')
    const kept = db
      .prepare('SELECT count(*) AS rows, min(events) AS events FROM call_index WHERE run = 1')
      .get() as { rows: number; events: number }
    const depths = asked.lanes.reduce((sum, lane) => sum + lane.depth + 1, 0)
    expect(kept).toEqual({ rows: depths, events: run.eventCount })
    // A copy without its frames can only answer from the index kept.
    const copy = join(dir.path, 'copy.db')
    db.pragma('wal_checkpoint(TRUNCATE)')
    copyFileSync(join(dir.path, 'runs.db'), copy)
    const other = openDatabase(copy)
    try {
      other.prepare('DELETE FROM frames').run()
      const later = createApp(new AppContext(other), {
        token: null,
        hosts: new Set(['127.0.0.1']),
        clientDir: join(ROOT, 'dist', 'client'),
      })
      const ask = async () => {
        const res = await later.request(`/api/runs/${run.id}/timeline?width=1200&seq=40`, {
          headers: { host: '127.0.0.1:8080' },
        })
        return (await res.json()) as TimelineWindow
      }
      expect(await ask()).toEqual(asked)
      // An index kept at another length of the run is not used: the run is read again.
      other.prepare('UPDATE call_index SET events = events - 1').run()
      other.prepare('UPDATE call_overview SET events = events - 1').run()
      const fresh = openDatabase(copy)
      const again = createApp(new AppContext(fresh), {
        token: null,
        hosts: new Set(['127.0.0.1']),
        clientDir: join(ROOT, 'dist', 'client'),
      })
      const res = await again.request(`/api/runs/${run.id}/timeline?width=1200`, {
        headers: { host: '127.0.0.1:8080' },
      })
      expect(((await res.json()) as TimelineWindow).lanes).toEqual([])
      fresh.close()
    } finally {
      other.close()
    }
  })

  it('answers the whole run from the overview kept, as the index would, at any width up to its own', async () => {
    const copy = join(dir.path, 'overview.db')
    db.pragma('wal_checkpoint(TRUNCATE)')
    copyFileSync(join(dir.path, 'runs.db'), copy)
    const other = openDatabase(copy)
    try {
      expect(other.prepare('SELECT count(*) FROM call_overview WHERE run = 1').pluck().get()).toBe(
        1,
      )
      // Without frames nor index, the whole run can only come from the overview.
      other.prepare('DELETE FROM frames').run()
      other.prepare('DELETE FROM call_index').run()
      const later = createApp(new AppContext(other), {
        token: null,
        hosts: new Set(['127.0.0.1']),
        clientDir: join(ROOT, 'dist', 'client'),
      })
      const ask = async (query: string) => {
        const res = await later.request(`/api/runs/${run.id}/timeline?${query}`, {
          headers: { host: '127.0.0.1:8080' },
        })
        return (await res.json()) as TimelineWindow
      }
      // A merged bar names the longest of the overview's bars, not always the longest call.
      const anyFunction = (window: TimelineWindow) => ({
        ...window,
        lanes: window.lanes.map((lane) => ({
          ...lane,
          bars: lane.bars.map((bar) => (bar.calls > 1 ? { ...bar, function: 0 } : bar)),
        })),
        functions: [],
      })
      let merged = 0
      for (const width of [7, 80, 333, 1200, 4096]) {
        const exact = await timeline(`width=${width}&seq=40`)
        for (const lane of exact.lanes) merged += lane.bars.filter((bar) => bar.calls > 1).length
        expect(anyFunction(await ask(`width=${width}&seq=40`)), `${width} px`).toEqual(
          anyFunction(exact),
        )
      }
      // Merged bars were met, merged again from the overview's.
      expect(merged).toBeGreaterThan(0)
      // A window the overview cannot answer is looked for in the index: there is none here.
      const span = (await ask('width=100')).span
      expect((await ask(`width=100&from=${span.start}&to=${span.end}`)).lanes).toEqual([])
      expect((await ask('width=5000')).lanes).toEqual([])
    } finally {
      other.close()
    }
  })

  it('refuses a malformed window with one clear message', async () => {
    const path = `/api/runs/${run.id}/timeline`
    expect(await get(`${path}?width=0`, 400)).toEqual({ error: 'width must be between 1 and 8192' })
    expect(await get(`${path}?from=50&to=50`, 400)).toEqual({ error: 'to must be after from' })
    expect(await get(`${path}?from=soon`, 400)).toEqual({ error: 'from must be a whole number' })
    expect(await get(`/api/runs/ffffffff/timeline`, 404)).toHaveProperty('error')
  })
})
