/** A run's profile is stored compressed, whole, and read back exactly as cProfile gave it. */

import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../../server/db/database.js'
import { readProfile } from '../../server/db/profile.js'
import { storeProfile } from '../../server/ingest/profile.js'
import { PyDict } from '../../shared/wire/marshal.js'
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
