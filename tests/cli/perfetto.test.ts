/**
 * `smiley export --format perfetto` on a real threaded recording: the file is JSON a trace
 * viewer reads, names the process and each thread's track, its slices nest on every track,
 * and it has as many calls of each function as the recording (its call tree) and as many
 * activations as cProfile counted.
 */

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callGroups, groupCalls } from '../../server/db/calls.js'
import { openDatabase } from '../../server/db/database.js'
import { RunNames } from '../../server/db/events.js'
import { readProfile } from '../../server/db/profile.js'
import { findRun } from '../../server/db/runs.js'
import { smiley, tempDir, type Result } from '../support/cli.js'
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

let dir: { path: string; remove: () => void }
let db: string
let trace: { traceEvents: TraceRecord[]; otherData: { run: string } }
let exported: Result

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
  trace = JSON.parse(readFileSync(output, 'utf8')) as typeof trace
})

afterAll(() => dir.remove())

const slices = () => trace.traceEvents.filter((e) => e.ph === 'X')

/** Count of each key. */
function tally(keys: string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1
  return counts
}

/** Calls per function in the recording's call tree, walked from its roots. */
function recordedCalls(): Record<string, number> {
  const sqlite = openDatabase(db, { readonly: true })
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
    const byTrack = new Map<number, TraceRecord[]>()
    for (const slice of slices()) {
      expect(slice.dur).toBeGreaterThanOrEqual(0)
      byTrack.set(slice.tid, [...(byTrack.get(slice.tid) ?? []), slice])
    }
    for (const [track, list] of byTrack) {
      // Outer slices first: by start, then the longer first.
      list.sort((a, b) => a.ts! - b.ts! || b.dur! - a.dur!)
      const stack: TraceRecord[] = []
      for (const slice of list) {
        while (stack.length > 0 && stack.at(-1)!.ts! + stack.at(-1)!.dur! <= slice.ts!) stack.pop()
        const parent = stack.at(-1)
        if (parent !== undefined)
          expect(slice.ts! + slice.dur!, `${slice.name} on track ${track}`).toBeLessThanOrEqual(
            parent.ts! + parent.dur!,
          )
        stack.push(slice)
      }
    }
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
