/**
 * `smiley export --format perfetto` on a real threaded recording: the file is JSON a trace
 * viewer reads, names the process and each thread's track, its slices nest on every track,
 * and it has as many calls of each function as the recording (its call tree) and as many
 * activations as cProfile counted. On a real asyncio recording: a track per task, under its
 * thread's, where the slices nest too, each call on the track of the task it ran in.
 */

import { copyFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callGroups, groupCalls } from '../../server/db/calls.js'
import { openDatabase } from '../../server/db/database.js'
import { KIND } from '../../server/db/event-block.js'
import { EventStore } from '../../server/db/event-store.js'
import { RunNames } from '../../server/db/events.js'
import { readProfile } from '../../server/db/profile.js'
import { findRun } from '../../server/db/runs.js'
import { ROOT, smiley, tempDir, type Result } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { THREADED_PROGRAM, TINY_CALLS } from '../support/threaded-program.js'

interface TraceRecord {
  name: string
  ph: string
  pid: number
  tid: number
  ts?: number
  dur?: number
  args?: {
    name?: string
    file?: string
    line?: number
    locals?: Record<string, string>
    resumed?: boolean
  }
}

type Trace = { traceEvents: TraceRecord[]; otherData: { run: string } }

let dir: { path: string; remove: () => void }
let db: string
let trace: Trace
let exported: Result
/** The asyncio program's recording, its export, and the lines it printed. */
let asyncDb: string
let asyncTrace: Trace
let printed: string[]

beforeAll(async () => {
  dir = tempDir()
  writePrograms(dir.path, {
    'threads.py': THREADED_PROGRAM.replace(
      'def leaf(i):',
      'def leaf(i, api_key="sk-live-123456"):',
    ),
  })
  db = join(dir.path, 'runs.db')
  const recorded = await smiley(['run', '-d', db, 'threads.py'], { cwd: dir.path })
  expect(recorded.code, recorded.stderr).toBe(0)
  const output = join(dir.path, 'trace.json')
  exported = await smiley(['export', '-d', db, 'latest', '--format', 'perfetto', '-o', output])
  expect(exported.code, exported.stderr).toBe(0)
  trace = JSON.parse(readFileSync(output, 'utf8')) as Trace

  copyFileSync(
    join(ROOT, 'tests', 'tracer', 'cases', 'asyncio_tasks.py'),
    join(dir.path, 'tasks.py'),
  )
  asyncDb = join(dir.path, 'tasks.db')
  const tasks = await smiley(['run', '-d', asyncDb, 'tasks.py'], { cwd: dir.path })
  expect(tasks.code, tasks.stderr).toBe(0)
  printed = tasks.stdout.split('\n').filter((line) => line.startsWith('ran '))
  const asyncOutput = join(dir.path, 'tasks.json')
  const asyncExport = await smiley([
    'export',
    '-d',
    asyncDb,
    'latest',
    '--format',
    'perfetto',
    '-o',
    asyncOutput,
  ])
  expect(asyncExport.code, asyncExport.stderr).toBe(0)
  asyncTrace = JSON.parse(readFileSync(asyncOutput, 'utf8')) as Trace
})

afterAll(() => dir.remove())

const slices = (of = trace) => of.traceEvents.filter((e) => e.ph === 'X')

/** The name of each track, by its tid. */
const trackNames = (of: Trace) =>
  new Map(of.traceEvents.filter((e) => e.name === 'thread_name').map((e) => [e.tid, e.args!.name!]))

/** Expects the slices of every track to nest: none ends inside another it started outside of. */
function expectNested(list: TraceRecord[]): void {
  const byTrack = new Map<number, TraceRecord[]>()
  for (const slice of list) {
    expect(slice.dur).toBeGreaterThanOrEqual(0)
    byTrack.set(slice.tid, [...(byTrack.get(slice.tid) ?? []), slice])
  }
  for (const [track, own] of byTrack) {
    // Outer slices first: by start, then the longer first.
    own.sort((a, b) => a.ts! - b.ts! || b.dur! - a.dur!)
    const stack: TraceRecord[] = []
    for (const slice of own) {
      while (stack.length > 0 && stack.at(-1)!.ts! + stack.at(-1)!.dur! <= slice.ts!) stack.pop()
      const parent = stack.at(-1)
      if (parent !== undefined)
        expect(slice.ts! + slice.dur!, `${slice.name} on track ${track}`).toBeLessThanOrEqual(
          parent.ts! + parent.dur!,
        )
      stack.push(slice)
    }
  }
}

/** Count of each key. */
function tally(keys: string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1
  return counts
}

/** Calls per function in the recording's call tree, walked from its roots. */
function recordedCalls(path = db): Record<string, number> {
  const sqlite = openDatabase(path, { readonly: true })
  try {
    const { key } = findRun(sqlite, 'latest')
    const names = new RunNames(sqlite, key)
    const counts: Record<string, number> = {}
    const parents = [0]
    while (parents.length > 0) {
      const parent = parents.pop()!
      for (const group of callGroups(sqlite, key, names, parent)) {
        counts[group.name] = (counts[group.name] ?? 0) + group.calls
        const request = { parent, function: group.function, from: 0, limit: 1_000_000 }
        for (const call of groupCalls(sqlite, key, { ...request, direction: 'forward' }))
          parents.push(call.frame)
      }
    }
    return counts
  } finally {
    sqlite.close()
  }
}

describe('a run exported for Perfetto', () => {
  it('names the process after the run and a track after each thread', () => {
    const meta = trace.traceEvents.filter((e) => e.ph === 'M')
    const process = meta.find((e) => e.name === 'process_name')!
    expect(process.args!.name).toMatch(/^threads\.py \(run [0-9a-f]{8}\)$/)
    const threads = meta.filter((e) => e.name === 'thread_name')
    expect(threads.map((e) => e.args!.name)).toEqual(['MainThread', 'worker-0', 'worker-1'])
    const tracks = new Set(threads.map((e) => e.tid))
    expect(tracks.size).toBe(3)
    for (const slice of slices()) expect(tracks.has(slice.tid)).toBe(true)
    expect(exported.stdout).toContain(`to ${join(dir.path, 'trace.json')}`)
  })

  it('nests the slices of every track: none ends inside another it started outside of', () => {
    expectNested(slices())
  })

  it("has each function's calls as the call tree counts them, and its activations as cProfile does", () => {
    const calls = tally(
      slices()
        .filter((s) => s.args?.resumed !== true)
        .map((s) => s.name),
    )
    expect(calls).toEqual(recordedCalls())
    expect(calls['tiny']).toBe(TINY_CALLS)
    expect(calls['leaf']).toBe(8)
    const sqlite = openDatabase(db, { readonly: true })
    const profile = readProfile(sqlite, findRun(sqlite, 'latest').key)!
    sqlite.close()
    const activations = tally(slices().map((s) => s.name.split('.').at(-1)!))
    const profiled = Object.fromEntries(
      profile.functions.filter((f) => f.file.endsWith('threads.py')).map((f) => [f.name, f.calls]),
    )
    expect(activations).toEqual(profiled)
  })

  it('gives each call its file, line and arguments, redacted as recorded', () => {
    const leaf = slices().find((s) => s.name === 'leaf')!
    expect(leaf.args!.file).toBe(join(dir.path, 'threads.py'))
    expect(leaf.args!.line).toBe(5)
    expect(leaf.args!.locals).toEqual({ i: '0', api_key: expect.not.stringContaining('sk-live') })
    expect(slices().find((s) => s.name === 'numbers' && s.args?.resumed === true)).toBeDefined()
  })

  it('refuses what it cannot do with one line and a non-zero exit', async () => {
    const output = join(dir.path, 'other.json')
    const two = await smiley([
      'export',
      '-d',
      db,
      'latest',
      'latest',
      '--format',
      'perfetto',
      '-o',
      output,
    ])
    expect(two.code).not.toBe(0)
    expect(two.stderr).toMatch(
      /^smiley: --format perfetto writes one run to one file, not 2[^\n]*\n$/,
    )
    const unknown = await smiley(['export', '-d', db, 'latest', '--format', 'svg', '-o', output])
    expect(unknown.code).not.toBe(0)
    expect(unknown.stderr).toMatch(/^smiley: --format must be one of db, perfetto, not svg\n$/)
    const nowhere = await smiley([
      'export',
      '-d',
      db,
      'latest',
      '--format',
      'perfetto',
      '-o',
      join(dir.path, 'no', 'such', 'x.json'),
    ])
    expect(nowhere.code).not.toBe(0)
    expect(nowhere.stderr).toMatch(/^smiley: cannot write [^\n]+\n$/)
  })
})

describe('an asyncio run exported for Perfetto', () => {
  it("names a track after each task, under its thread's", () => {
    const names = [...trackNames(asyncTrace).values()]
    expect(names[0]).toBe('MainThread')
    expect(names.filter((n) => !n.includes('›'))).toEqual(['MainThread', 'loop-thread'])
    for (const task of ['alpha', 'beta', 'doomed', 'broken'])
      expect(names.slice(0, names.indexOf('loop-thread'))).toContain(`MainThread › task ${task}`)
    expect(names.slice(names.indexOf('loop-thread'))).toContain('loop-thread › task side-work')
    expect(new Set(trackNames(asyncTrace).keys()).size).toBe(names.length)
    for (const slice of slices(asyncTrace)) expect(trackNames(asyncTrace).has(slice.tid)).toBe(true)
  })

  it('nests the slices of every task track, as the calls of a task nest', () => {
    expectNested(slices(asyncTrace))
  })

  it('puts each call on the track of the task the program saw it run in', () => {
    const names = trackNames(asyncTrace)
    // said() prints the task it runs in: its slices, by track, are the program's lines.
    const onTracks = slices(asyncTrace)
      .filter((s) => s.name === 'said' && s.args?.resumed !== true)
      .map((s) => names.get(s.tid)!.split(' › task ')[1] ?? '-')
    expect(onTracks.sort()).toEqual(printed.map((line) => line.split(' ')[2]!).sort())
  })

  it("has as many calls on each track as the recording has in the track's task or thread", () => {
    const sqlite = openDatabase(asyncDb, { readonly: true })
    const recorded: Record<string, number> = {}
    const tasks = new Map<number, string>()
    try {
      const { key } = findRun(sqlite, 'latest')
      for (const row of sqlite
        .prepare('SELECT id, name FROM tasks WHERE run = ?')
        .all(key) as Array<{ id: number; name: string }>)
        tasks.set(row.id, row.name)
      const threads = new Map(
        (
          sqlite.prepare('SELECT id, name FROM threads WHERE run = ?').all(key) as Array<{
            id: number
            name: string
          }>
        ).map((row) => [row.id, row.name]),
      )
      const called = new Set<number>()
      for (const event of EventStore.of(sqlite).stream(key)) {
        if (event.kind !== KIND.call || called.has(event.frame)) continue
        called.add(event.frame)
        const track =
          event.task === 0
            ? threads.get(event.thread)!
            : `${threads.get(event.thread)} › task ${tasks.get(event.task)}`
        recorded[track] = (recorded[track] ?? 0) + 1
      }
    } finally {
      sqlite.close()
    }
    const names = trackNames(asyncTrace)
    const exported = tally(
      slices(asyncTrace)
        .filter((s) => s.args?.resumed !== true)
        .map((s) => names.get(s.tid)!),
    )
    expect(exported).toEqual(recorded)
    expect(
      tally(
        slices(asyncTrace)
          .filter((s) => s.args?.resumed !== true)
          .map((s) => s.name),
      ),
    ).toEqual(recordedCalls(asyncDb))
  })
})
