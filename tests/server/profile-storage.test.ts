/** A run's profile is stored compressed, whole, and read back exactly as cProfile gave it. */

import Database from 'better-sqlite3'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { deflateRawSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../../server/db/database.js'
import { readProfile } from '../../server/db/profile.js'
import { profileRows, storeProfile } from '../../server/ingest/profile.js'
import { loads, PyDict } from '../../shared/wire/marshal.js'
import { tempDir } from '../support/cli.js'

let dir: { path: string; remove: () => void }
beforeEach(() => {
  dir = tempDir()
})
afterEach(() => dir.remove())

/** cProfile's stats for `count` functions in a few files, each called by the one before. */
function stats(count: number): PyDict {
  const key = (i: number) => [`/srv/app/module_${i % 7}.py`, i + 1, `function_${i}`]
  return new PyDict(
    Array.from({ length: count }, (_, i) => [
      key(i),
      [
        i + 1,
        i + 2,
        0.1 + i / 3,
        1e-7 * (i + 1),
        new PyDict(i === 0 ? [] : [[key(i - 1), [i + 2, i + 1, 1 / (i + 3), Math.PI * i]]]),
      ],
    ]),
  )
}

describe('profile storage', () => {
  it('gives back every function and call with its exact numbers, in far fewer bytes than rows', () => {
    const db = openDatabase(join(dir.path, 'p.db'), { create: true })
    storeProfile(db, 1, stats(3000))
    const profile = readProfile(db, 1)!
    expect(profile.functions).toHaveLength(3000)
    expect(profile.functions[2]).toEqual({
      id: 3,
      file: '/srv/app/module_2.py',
      line: 3,
      name: 'function_2',
      primitiveCalls: 3,
      calls: 4,
      totalTime: 0.1 + 2 / 3,
      cumulativeTime: 1e-7 * 3,
    })
    expect(profile.calls).toHaveLength(2999)
    expect(profile.calls[1]).toEqual({
      caller: 2,
      callee: 3,
      primitiveCalls: 3,
      calls: 4,
      totalTime: 1 / 5,
      cumulativeTime: Math.PI * 2,
    })
    const bytes = db.prepare('SELECT length(data) FROM profiles WHERE run = 1').pluck().get()
    expect(bytes).toBeLessThan(3000 * 40)
    expect(readProfile(db, 2)).toBeNull()
    db.close()
  })

  it('gives back a real cProfile profile exactly, in well under the bytes of deflated JSON', () => {
    // cProfile's own stats of a small workload, marshalled as dump_stats writes them.
    const program = `
import cProfile, marshal, sys, json
def fib(n): return n if n < 2 else fib(n - 1) + fib(n - 2)
profiler = cProfile.Profile()
profiler.enable()
for n in range(18): fib(n)
sorted(str(i) for i in range(5000))
json.dumps([{"a": i} for i in range(2000)])
import email.mime.multipart, http.client, xml.dom.minidom, argparse, decimal, unittest
profiler.disable()
profiler.create_stats()
sys.stdout.buffer.write(marshal.dumps(profiler.stats))
`
    const stats = loads(execFileSync('python3', ['-c', program])) as PyDict
    const db = openDatabase(join(dir.path, 'p.db'), { create: true })
    storeProfile(db, 1, stats)
    const { functions, calls } = profileRows(stats)
    expect(functions.length).toBeGreaterThan(300)
    const profile = readProfile(db, 1)!
    expect(profile.functions).toEqual(functions)
    expect(profile.calls).toEqual(
      [...calls].sort((a, b) => a.callee - b.callee || a.caller - b.caller),
    )
    const bytes = db.prepare('SELECT length(data) FROM profiles WHERE run = 1').pluck().get()
    // The form stored before: each function's and call's values in an array, deflated.
    const rows = { functions: functions.map(Object.values), calls: calls.map(Object.values) }
    const json = deflateRawSync(JSON.stringify(rows)).length
    // 86 KB against 187 KB for a pytest session's profile of 4,000 functions; a small profile
    // saves less.
    expect(bytes).toBeLessThan(0.6 * json)
    db.close()
  })

  it('reads a profile stored as deflated JSON before, and times that are no whole nanoseconds', () => {
    const db = openDatabase(join(dir.path, 'p.db'), { create: true })
    const old = {
      files: ['/p.py', '~'],
      functions: [
        [1, 0, 3, 'main', 1, 1, 0.1, 2.5],
        [2, 1, 0, '<built-in method len>', 4, 4, 1e-9 * 7, 1 / 3],
      ],
      calls: [[1, 2, 4, 4, 1e-9 * 7, 1 / 3]],
    }
    db.prepare('INSERT INTO profiles (run, functions, calls, data) VALUES (?, ?, ?, ?)').run(
      1,
      2,
      1,
      deflateRawSync(JSON.stringify(old)),
    )
    const stored = readProfile(db, 1)!
    expect(stored.functions[1]).toEqual({
      id: 2,
      file: '~',
      line: 0,
      name: '<built-in method len>',
      primitiveCalls: 4,
      calls: 4,
      totalTime: 1e-9 * 7,
      cumulativeTime: 1 / 3,
    })
    // Written back in the compact form, every number is the same double.
    const odd = [0, 1e-9 * 7, 1 / 3, 2 ** 60, Number.MIN_VALUE, 12345.678901234567, -0.5, -0]
    const stats = new PyDict(
      odd.map((time, i) => [
        ['/p.py', i + 1, `f${i}`],
        [
          1,
          2,
          time,
          odd[(i + 1) % odd.length]!,
          new PyDict([
            [
              ['/p.py', 1, 'f0'],
              [2, 1, time, time],
            ],
          ]),
        ],
      ]),
    )
    storeProfile(db, 2, stats)
    const again = readProfile(db, 2)!
    expect(again.functions.map((f) => [f.totalTime, f.cumulativeTime])).toEqual(
      odd.map((time, i) => [time, odd[(i + 1) % odd.length]]),
    )
    expect(again.calls.map((c) => c.totalTime)).toEqual(odd)
    db.close()
  })

  it('moves the profile rows of a version-7 file into one blob per run, numbers kept', () => {
    const path = join(dir.path, 'old.db')
    openDatabase(path, { create: true }).close()
    const raw = new Database(path)
    raw.exec(`DROP TABLE profiles;
      CREATE TABLE profile_functions (run INTEGER NOT NULL, id INTEGER NOT NULL, file TEXT NOT NULL,
        line INTEGER NOT NULL, name TEXT NOT NULL, primitive_calls INTEGER NOT NULL,
        calls INTEGER NOT NULL, total_time REAL NOT NULL, cumulative_time REAL NOT NULL,
        PRIMARY KEY (run, id)) WITHOUT ROWID;
      CREATE TABLE profile_calls (run INTEGER NOT NULL, caller INTEGER NOT NULL,
        callee INTEGER NOT NULL, primitive_calls INTEGER NOT NULL, calls INTEGER NOT NULL,
        total_time REAL NOT NULL, cumulative_time REAL NOT NULL,
        PRIMARY KEY (run, callee, caller)) WITHOUT ROWID;
      INSERT INTO profile_functions VALUES (4, 1, '~', 0, '<built-in method len>', 3, 3, 0.25, 0.5),
        (4, 2, '/p.py', 1, '<module>', 1, 1, 0.1, 0.75);
      INSERT INTO profile_calls VALUES (4, 2, 1, 3, 3, 0.25, 0.5);
      PRAGMA user_version = 7;`)
    raw.close()
    const db = openDatabase(path)
    expect(readProfile(db, 4)).toEqual({
      functions: [
        {
          id: 1,
          file: '~',
          line: 0,
          name: '<built-in method len>',
          primitiveCalls: 3,
          calls: 3,
          totalTime: 0.25,
          cumulativeTime: 0.5,
        },
        {
          id: 2,
          file: '/p.py',
          line: 1,
          name: '<module>',
          primitiveCalls: 1,
          calls: 1,
          totalTime: 0.1,
          cumulativeTime: 0.75,
        },
      ],
      calls: [
        { caller: 2, callee: 1, primitiveCalls: 3, calls: 3, totalTime: 0.25, cumulativeTime: 0.5 },
      ],
      totalTime: 0.35,
    })
    expect(
      db
        .prepare(
          "SELECT count(*) FROM sqlite_master WHERE name IN ('profile_functions', 'profile_calls')",
        )
        .pluck()
        .get(),
    ).toBe(0)
    db.close()
  })
})
