import { spawnSync } from 'node:child_process'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Db } from '../../server/db/database.js'
import { openDatabase } from '../../server/db/database.js'
import type { NewRun, RunEnding } from '../../server/db/runs.js'
import {
  createRun,
  findRun,
  finishRun,
  HEARTBEAT_TIMEOUT_S,
  listRuns,
  markLostRuns,
  RunNotFound,
} from '../../server/db/runs.js'
import { tempDir } from '../support/cli.js'

let dir: { path: string; remove: () => void }
let db: Db

beforeEach(() => {
  dir = tempDir()
  db = openDatabase(join(dir.path, 'runs.db'), { create: true })
})
afterEach(() => {
  db.close()
  dir.remove()
})

function newRun(uuid: string, startedAt: number, extra: Partial<NewRun> = {}): NewRun {
  return {
    uuid,
    description: `python prog.py ${uuid.slice(0, 4)}`,
    argv: ['prog.py', '--flag'],
    cwd: '/srv/app',
    python: '/usr/bin/python3',
    pythonVersion: '3.11.7',
    host: 'box',
    pid: 4242,
    backend: 'settrace',
    startedAt,
    options: { maxRepr: 200, profile: true },
    ...extra,
  }
}

const ending = (status: RunEnding['status'], extra: Partial<RunEnding> = {}): RunEnding => ({
  status,
  endedAt: 2000,
  exitCode: 0,
  signal: null,
  errorType: null,
  errorMessage: null,
  traceback: null,
  ...extra,
})

/** A pid that certainly belongs to no process: one that has already exited and been reaped. */
function deadPid(): number {
  const child = spawnSync('true')
  expect(child.status).toBe(0)
  return child.pid!
}

function status(uuid: string): string {
  return findRun(db, uuid).run.status
}

const A = '0a1b2c3d-0000-4000-8000-000000000001'
const B = '0a1b2c3d-0000-4000-8000-000000000002'
const C = 'f00dcafe-1111-4111-8111-111111111111'

describe('createRun and listRuns', () => {
  it('stores a running run with everything it was given', () => {
    const key = createRun(db, newRun(A, 1000))
    expect(key).toBeGreaterThan(0)
    expect(listRuns(db)).toEqual([
      {
        id: A,
        description: 'python prog.py 0a1b',
        argv: ['prog.py', '--flag'],
        cwd: '/srv/app',
        python: '/usr/bin/python3',
        pythonVersion: '3.11.7',
        host: 'box',
        pid: 4242,
        backend: 'settrace',
        startedAt: 1000,
        endedAt: null,
        status: 'running',
        exitCode: null,
        signal: null,
        errorType: null,
        errorMessage: null,
        traceback: null,
        notice: null,
        eventCount: 0,
        lostEvents: 0,
        options: { maxRepr: 200, profile: true },
      },
    ])
  })

  it('gives each run its own key', () => {
    const first = createRun(db, newRun(A, 1000))
    const second = createRun(db, newRun(B, 1000))
    expect(second).not.toBe(first)
  })

  it('refuses a second run with the same uuid', () => {
    createRun(db, newRun(A, 1000))
    expect(() => createRun(db, newRun(A, 1001))).toThrow()
  })

  it('lists runs newest first, and by creation among runs started at the same time', () => {
    createRun(db, newRun(A, 1000))
    createRun(db, newRun(C, 3000))
    createRun(db, newRun(B, 1000))
    expect(listRuns(db).map((r) => r.id)).toEqual([C, B, A])
  })

  it('lists at most limit runs', () => {
    createRun(db, newRun(A, 1000))
    createRun(db, newRun(B, 2000))
    createRun(db, newRun(C, 3000))
    expect(listRuns(db, { limit: 2 }).map((r) => r.id)).toEqual([C, B])
    expect(listRuns(db, { limit: 0 })).toHaveLength(3)
  })

  it('lists only failed, interrupted and lost runs when asked for errors', () => {
    const keys = [A, B, C].map((uuid, i) => createRun(db, newRun(uuid, 1000 + i)))
    finishRun(db, keys[0]!, ending('completed'))
    finishRun(db, keys[1]!, ending('error', { exitCode: 1 }))
    finishRun(db, keys[2]!, ending('interrupted'))
    const extra = createRun(db, newRun('abcdef00-0000-4000-8000-000000000000', 999))
    finishRun(db, extra, ending('lost'))
    createRun(db, newRun('bbbbbbbb-0000-4000-8000-000000000000', 998))
    expect(listRuns(db, { errorsOnly: true }).map((r) => r.id)).toEqual([
      C,
      B,
      'abcdef00-0000-4000-8000-000000000000',
    ])
  })

  it('lists nothing in a new database', () => {
    expect(listRuns(db)).toEqual([])
  })
})

describe('finishRun', () => {
  it('records how the run ended', () => {
    const key = createRun(db, newRun(A, 1000))
    finishRun(
      db,
      key,
      ending('error', {
        endedAt: 1012.5,
        exitCode: 1,
        errorType: 'ValueError',
        errorMessage: 'bad value',
        traceback: 'Traceback (most recent call last):\n  ...',
      }),
    )
    expect(findRun(db, A).run).toMatchObject({
      status: 'error',
      endedAt: 1012.5,
      exitCode: 1,
      signal: null,
      errorType: 'ValueError',
      errorMessage: 'bad value',
      traceback: 'Traceback (most recent call last):\n  ...',
    })
  })

  it('records the signal that ended a run and touches no other run', () => {
    const key = createRun(db, newRun(A, 1000))
    createRun(db, newRun(B, 1000))
    finishRun(db, key, ending('interrupted', { exitCode: null, signal: 'SIGTERM' }))
    expect(findRun(db, A).run).toMatchObject({
      status: 'interrupted',
      signal: 'SIGTERM',
      exitCode: null,
    })
    expect(findRun(db, B).run.status).toBe('running')
  })

  it('keeps a finished run from being marked lost', () => {
    const key = createRun(db, newRun(A, 1000, { recorderPid: deadPid() }))
    finishRun(db, key, ending('completed'))
    expect(markLostRuns(db)).toBe(0)
    expect(status(A)).toBe('completed')
  })
})

describe('findRun', () => {
  beforeEach(() => {
    createRun(db, newRun(A, 1000))
    createRun(db, newRun(B, 2000))
    createRun(db, newRun(C, 1500))
  })

  it('finds a run by its full id, with its key', () => {
    const found = findRun(db, B)
    expect(found.run.id).toBe(B)
    expect(found.key).toBe(2)
  })

  it('finds a run by a unique prefix', () => {
    expect(findRun(db, 'f').run.id).toBe(C)
    expect(findRun(db, 'f00dcafe').run.id).toBe(C)
    expect(findRun(db, '0a1b2c3d-0000-4000-8000-000000000001').run.id).toBe(A)
  })

  it('finds a run by an uppercase prefix, and ignores surrounding spaces', () => {
    expect(findRun(db, 'F00DCAFE').run.id).toBe(C)
    expect(findRun(db, `  ${B.toUpperCase()} `).run.id).toBe(B)
  })

  it('finds the latest run by start time', () => {
    expect(findRun(db, 'latest').run.id).toBe(B)
    expect(findRun(db, 'LATEST').run.id).toBe(B)
  })

  it('says a prefix shared by several runs is ambiguous', () => {
    expect(() => findRun(db, '0a1b')).toThrow(RunNotFound)
    expect(() => findRun(db, '0a1b')).toThrow(/ambiguous/)
    expect(() => findRun(db, '0a1b2c3d-0000-4000-8000-00000000000')).toThrow(
      /run id 0a1b2c3d-0000-4000-8000-00000000000 is ambiguous/,
    )
  })

  it('says no run has an unknown id', () => {
    expect(() => findRun(db, 'deadbeef')).toThrow(RunNotFound)
    expect(() => findRun(db, 'deadbeef')).toThrow('no run with id deadbeef (see: smiley list)')
    expect(() => findRun(db, `${C}0`)).toThrow(RunNotFound)
  })

  it('says text that is not hex is not a run id', () => {
    for (const reference of ['xyz', 'f00d;DROP TABLE runs', '', '%', 'f00d_', 'latest1']) {
      expect(() => findRun(db, reference), reference).toThrow(RunNotFound)
    }
    expect(() => findRun(db, 'xyz')).toThrow('"xyz" is not a run id (see: smiley list)')
    expect(findRun(db, 'f').run.id).toBe(C)
  })

  it('says there are no runs yet when latest is asked of an empty database', () => {
    db.exec('DELETE FROM runs')
    expect(() => findRun(db, 'latest')).toThrow(RunNotFound)
    expect(() => findRun(db, 'latest')).toThrow(/no runs yet/)
  })
})

describe('findRun with one id a prefix of another', () => {
  it('finds the run whose id is exactly the text given', () => {
    createRun(db, newRun('abc', 1000))
    createRun(db, newRun('abcd', 1000))
    expect(findRun(db, 'abc').run.id).toBe('abc')
    expect(findRun(db, 'abcd').run.id).toBe('abcd')
    expect(() => findRun(db, 'ab')).toThrow(/ambiguous/)
  })
})

describe('markLostRuns', () => {
  it('marks a running run whose recorder process on this host no longer exists', () => {
    createRun(db, newRun(A, 1000, { recorderPid: deadPid() }))
    expect(markLostRuns(db)).toBe(1)
    const run = findRun(db, A).run
    expect(run.status).toBe('lost')
    expect(run.errorMessage).toBe('the recording process stopped before the run ended')
    expect(run.endedAt).not.toBeNull()
  })

  it('ends a lost run no earlier than its last event, whatever its last heartbeat said', () => {
    const started = Date.now() / 1000 - 60
    const key = createRun(db, newRun(A, started, { recorderPid: deadPid() }))
    // A recorder killed before its second heartbeat, after writing 3 s of events.
    db.prepare('UPDATE runs SET heartbeat_at = ? WHERE id = ?').run(started + 0.004, key)
    db.prepare(
      `INSERT INTO threads (run, id, ident, name, first_seq, last_seq, first_us, last_us, events)
       VALUES (?, 1, 1, 'MainThread', 1, 315000, 0, 2900000, 315000),
              (?, 2, 2, 'worker', 5, 9, 100, 3000000, 5)`,
    ).run(key, key)
    expect(markLostRuns(db)).toBe(1)
    expect(findRun(db, A).run.endedAt).toBeCloseTo(started + 3, 3)
  })

  it('marks a running run whose heartbeat is older than the timeout', () => {
    createRun(db, newRun(A, 1000))
    const stale = Date.now() / 1000 - HEARTBEAT_TIMEOUT_S - 60
    db.prepare('UPDATE runs SET heartbeat_at = ? WHERE uuid = ?').run(stale, A)
    expect(markLostRuns(db)).toBe(1)
    expect(findRun(db, A).run).toMatchObject({ status: 'lost', endedAt: stale })
  })

  it('leaves alone a running run whose recorder is this live process', () => {
    createRun(db, newRun(A, 1000))
    expect(markLostRuns(db)).toBe(0)
    expect(status(A)).toBe('running')
  })

  it('marks only the lost runs among several', () => {
    createRun(db, newRun(A, 1000, { recorderPid: deadPid() }))
    createRun(db, newRun(B, 1000, { recorderPid: process.pid }))
    createRun(db, newRun(C, 1000))
    db.prepare('UPDATE runs SET heartbeat_at = ? WHERE uuid = ?').run(Date.now() / 1000 - 3600, C)
    expect(markLostRuns(db)).toBe(2)
    expect([status(A), status(B), status(C)]).toEqual(['lost', 'running', 'lost'])
    expect(markLostRuns(db)).toBe(0)
  })

  it('trusts a fresh heartbeat from a recorder on another host', () => {
    createRun(db, newRun(A, 1000, { recorderPid: deadPid() }))
    db.prepare('UPDATE runs SET recorder_host = ? WHERE uuid = ?').run(`not-${hostname()}`, A)
    expect(markLostRuns(db)).toBe(0)
    expect(status(A)).toBe('running')
  })

  it('keeps an error message the run already had', () => {
    createRun(db, newRun(A, 1000, { recorderPid: deadPid() }))
    db.prepare("UPDATE runs SET error_message = 'ValueError: bad' WHERE uuid = ?").run(A)
    markLostRuns(db)
    expect(findRun(db, A).run).toMatchObject({ status: 'lost', errorMessage: 'ValueError: bad' })
  })

  it('leaves a lost run for the next look when the database cannot be written', () => {
    createRun(db, newRun(A, 1000, { recorderPid: deadPid() }))
    const reader = openDatabase(join(dir.path, 'runs.db'), { readonly: true })
    try {
      expect(markLostRuns(reader)).toBe(0)
    } finally {
      reader.close()
    }
    expect(status(A)).toBe('running')
    expect(markLostRuns(db)).toBe(1)
  })

  it('marks nothing in a database without running runs', () => {
    expect(markLostRuns(db)).toBe(0)
  })
})
