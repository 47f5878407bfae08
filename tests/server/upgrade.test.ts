/**
 * A database of schema 3 (a row per event) opened by this Smiley: its events are moved into
 * blocks, and every read answers as it did. The schema-3 file is made from a real recording:
 * its events written back as schema 3 stored them, beside its other tables as they are.
 */

import Database from 'better-sqlite3'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../server/db/database.js'
import { KIND } from '../../server/db/event-block.js'
import { EventStore } from '../../server/db/event-store.js'
import { decodeChunk } from '../../server/db/frame-chunk.js'
import { FrameStore } from '../../server/db/frame-store.js'
import { pageEvents, RunNames } from '../../server/db/events.js'
import { momentAt, moveFrom } from '../../server/db/moments.js'
import { lineExecutions, variableHistory } from '../../server/db/questions.js'
import { findRun } from '../../server/db/runs.js'
import { BLOCK_EVENTS } from '../../server/ingest/event-blocks.js'
import { FRAME_CHUNK } from '../../server/ingest/frame-chunks.js'
import { callGroups, framePath, groupCalls } from '../../server/db/calls.js'
import { encodeLocals } from '../../shared/locals.js'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Move } from '../../shared/types/moment.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'

let dir: { path: string; remove: () => void }
let recorded: Db
let upgraded: Db
let runId: string

const PROGRAM = `import threading


def counter(limit):
    for n in range(limit):
        yield n * n


def tiny(x):
    return x & 7


def spin(rounds):
    text = "start"
    total = 0
    for step in range(rounds):
        total = (total * 31 + step + tiny(step)) % 100003
        text = "round %d: \\u00e9t\\u00e9 \\U0001F600 %s" % (step, "x" * (step % 40))
        if step % 5 == 0:
            gone = step
            del gone
    return total, text


def fail():
    value = 2 ** 70
    raise KeyError(value)


def worker(out):
    out.append(sum(counter(30)))


out = []
thread = threading.Thread(target=worker, args=(out,))
thread.start()
result = spin(${FRAME_CHUNK * 2 + 500})
thread.join()
try:
    fail()
except KeyError:
    pass
print(result[0], out)
`

/** Writes the recorded run's events into a schema-3 file beside a copy of its other tables. */
function writeSchema3(from: Db, path: string): void {
  const old = new Database(path)
  old.exec(readFileSync(join(import.meta.dirname, 'fixtures', 'schema-3.sql'), 'utf8'))
  old.exec(`ATTACH DATABASE '${from.name}' AS recorded`)
  for (const table of [
    'runs',
    'sources',
    'files',
    'functions',
    'symbols',
    'threads',
    'activations',
    'line_hits',
  ]) {
    // The columns schema 3 had: tables have grown since.
    const columns = (
      old.prepare('SELECT name FROM main.pragma_table_info(?)').pluck().all(table) as string[]
    ).join(', ')
    old.exec(`INSERT INTO main.${table} (${columns}) SELECT ${columns} FROM recorded.${table}`)
  }
  old.exec('DETACH DATABASE recorded')
  const run = findRun(from, runId).key
  const frame = old.prepare(
    'INSERT INTO frames (run, id, parent, function, thread, depth, call_seq, end_seq, call_us, end_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  )
  const chunks = from.prepare('SELECT data FROM frames WHERE run = ?').pluck().all(run) as Buffer[]
  for (const chunk of chunks) {
    for (const { id } of decodeChunk(chunk)) {
      const f = FrameStore.of(from).frame(run, id)!
      frame.run(
        run,
        id,
        f.parent,
        f.function,
        f.thread,
        f.depth,
        f.callSeq,
        f.endSeq,
        f.callUs,
        f.endUs,
      )
    }
  }
  const insert = old.prepare(
    'INSERT INTO events (run, seq, kind, thread, frame, depth, line, us, locals, value_type, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  )
  old.transaction(() => {
    for (const event of EventStore.of(from).events(run, 1, 'forward')) {
      const flat = event.locals?.flatMap((local) => [local.name, local.type, local.text]) ?? null
      insert.run(
        run,
        event.seq,
        event.kind === KIND.yield ? KIND.return : event.kind,
        event.thread,
        event.frame,
        event.depth,
        event.line,
        event.us,
        encodeLocals(flat),
        event.valueType,
        event.value,
      )
    }
  })()
  old.pragma('user_version = 3')
  old.close()
}

beforeAll(async () => {
  dir = tempDir()
  writePrograms(dir.path, { 'prog.py': PROGRAM })
  const recordedPath = join(dir.path, 'recorded.db')
  const result = await smiley(['run', '-d', recordedPath, 'prog.py'], { cwd: dir.path })
  expect(result.stderr).toBe('')
  recorded = openDatabase(recordedPath)
  runId = recorded.prepare('SELECT uuid FROM runs').pluck().get() as string
  const oldPath = join(dir.path, 'schema3.db')
  writeSchema3(recorded, oldPath)
  writeSchema3(recorded, join(dir.path, 'cli.db'))
  upgraded = openDatabase(oldPath)
}, 120_000)

afterAll(() => {
  recorded?.close()
  upgraded?.close()
  dir.remove()
})

/** `read` on the recording and on the upgraded file, for comparing. */
function both<T>(read: (db: Db, run: number, names: RunNames) => T): [T, T] {
  return [recorded, upgraded].map((db) => {
    const run = findRun(db, runId).key
    return read(db, run, new RunNames(db, run))
  }) as [T, T]
}

describe('a schema-3 database opened by this Smiley', () => {
  let events: TraceEvent[]

  beforeAll(() => {
    ;[events] = both((db, run, names) =>
      pageEvents(db, run, names, { from: 1, limit: 1_000_000, direction: 'forward' }),
    )
  })

  it('keeps every event, in order, as recorded', () => {
    const [, after] = both((db, run, names) =>
      pageEvents(db, run, names, { from: 1, limit: 1_000_000, direction: 'forward' }),
    )
    expect(events.length).toBeGreaterThan(BLOCK_EVENTS * 4)
    expect(after).toEqual(events)
    expect(events.some((event) => event.yielded)).toBe(true)
    expect(events.some((event) => Object.values(event.locals).some((v) => v?.includes('😀')))).toBe(
      true,
    )
  })

  it('keeps each thread apart', () => {
    const threads = new Set(events.map((event) => event.thread))
    expect(threads.size).toBe(2)
    for (const thread of threads) {
      const [before, after] = both((db, run, names) =>
        pageEvents(db, run, names, { from: 1, limit: 1_000_000, direction: 'forward', thread }),
      )
      expect(after).toEqual(before)
      expect(after.length).toBeGreaterThan(0)
    }
  })

  it('rebuilds the same moment at events all through the run', () => {
    for (let seq = 1; seq <= events.length; seq += 97) {
      const [before, after] = both((db, run, names) => momentAt(db, run, names, seq))
      expect(after, `event ${seq}`).toEqual(before)
    }
  })

  it('moves the same way from every kind of event', () => {
    const moves: Move[] = [
      'next',
      'previous',
      'over',
      'over-back',
      'call',
      'return',
      'out',
      'out-back',
    ]
    for (let seq = 1; seq <= events.length; seq += 211) {
      for (const move of moves) {
        const [before, after] = both((db, run) => moveFrom(db, run, seq, move, events.length))
        expect(after, `${move} from ${seq}`).toEqual(before)
      }
    }
  })

  it('answers the same questions about lines and variables', () => {
    const spin = events.find((event) => event.kind === 'call' && event.function === 'spin')!
    const [before, after] = both((db, run, names) =>
      variableHistory(db, run, names, spin.frame, 'text', 1, 10_000),
    )
    expect(after).toEqual(before)
    expect(after.changes.length).toBeGreaterThan(BLOCK_EVENTS / 2)
    const line = events.find((event) => event.source?.includes('total = (total'))!
    const file = both(
      (db, run) => db.prepare('SELECT id FROM files WHERE run = ?').pluck().get(run) as number,
    )
    const [executions, upgradedExecutions] = [recorded, upgraded].map((db, index) => {
      const run = findRun(db, runId).key
      return lineExecutions(db, run, new RunNames(db, run), file[index]!, line.line, {
        from: 1,
        direction: 'forward',
        limit: 5000,
      })
    })
    expect(upgradedExecutions).toEqual(executions)
    expect(executions!.executions.length).toBe(FRAME_CHUNK * 2 + 500)
  })

  it('keeps the call tree: groups, pages of calls and paths', () => {
    const module = both((db, run, names) => callGroups(db, run, names, 0))
    expect(module[1]).toEqual(module[0])
    const spin = events.find((event) => event.kind === 'call' && event.function === 'spin')!
    const [groups, upgradedGroups] = both((db, run, names) =>
      callGroups(db, run, names, spin.frame),
    )
    expect(upgradedGroups).toEqual(groups)
    expect(groups.map((group) => [group.name, group.calls])).toEqual([
      ['tiny', FRAME_CHUNK * 2 + 500],
    ])
    for (const direction of ['forward', 'backward'] as const) {
      const from = direction === 'forward' ? 0 : Number.MAX_SAFE_INTEGER
      const request = {
        parent: spin.frame,
        function: groups[0]!.function,
        from,
        direction,
        limit: 5000,
      }
      const [calls, upgradedCalls] = both((db, run) => groupCalls(db, run, request))
      expect(upgradedCalls).toEqual(calls)
      expect(calls).toHaveLength(FRAME_CHUNK * 2 + 500)
    }
    const last = events
      .filter((event) => event.kind === 'call' && event.function === 'tiny')
      .at(-1)!
    const [path, upgradedPath] = both((db, run) => framePath(db, run, last.frame))
    expect(upgradedPath).toEqual(path)
    expect(path).toHaveLength(3)
  })
})

describe('a schema-3 database on the command line', () => {
  it('is refused, saying what to run, by a command that only reads; moved forward, saying so, by one that writes', async () => {
    const path = join(dir.path, 'cli.db')
    const replay = await smiley(['replay', '-d', path, 'latest'])
    expect(replay).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `smiley: ${path} was written by an older Smiley; bring it forward once with: smiley list -d ${path}\n`,
    })
    const list = await smiley(['list', '-d', path])
    expect(list.code, list.stderr).toBe(0)
    expect(list.stderr).toBe(
      `smiley: moving ${path} forward to this Smiley's format, once (up to ten seconds per million events)\n`,
    )
    expect(list.stdout).toContain('prog.py')
    const again = await smiley(['replay', '--json', '-d', path, 'latest'])
    expect(again.code, again.stderr).toBe(0)
    expect(again.stderr).toBe('')
    const replayed = again.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as TraceEvent)
    const run = findRun(recorded, runId).key
    expect(replayed).toEqual(
      pageEvents(recorded, run, new RunNames(recorded, run), {
        from: 1,
        limit: 1_000_000,
        direction: 'forward',
      }),
    )
  })
})
