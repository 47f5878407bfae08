/**
 * A file that is not a usable Smiley database, given to every command: each says so in one
 * line with a non-zero status, and leaves the file exactly as it was (no sidecar files either).
 */

import Database from 'better-sqlite3'
import { randomBytes } from 'node:crypto'
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'

let dir: { path: string; remove: () => void }

/** Each bad file, and what its one line must say. */
const FILES: Record<string, RegExp> = {
  'notes.txt': /: the file is not a SQLite database$/,
  'picture.png': /: the file is not a SQLite database$/,
  'garbage-after-header.db': /: (the file is not a SQLite database|the database file is corrupt)$/,
  'truncated.db': /: the database file is corrupt$/,
  'broken-runs.db': /^the database file is corrupt$/,
  'other-program.db': /^\S+ is a SQLite database, but not a Smiley one$/,
  'newer.db': /^\S+ was written by a newer Smiley \(schema 999; this one knows \d+\)$/,
}

/** Every command that opens a database, with DB where the file goes. */
const COMMANDS: string[][] = [
  ['list', '-d', 'DB'],
  ['show', '-d', 'DB', 'latest'],
  ['replay', '-d', 'DB', 'latest'],
  ['tail', '-d', 'DB', 'latest'],
  ['threads', '-d', 'DB', 'latest'],
  ['stats', 'show', '-d', 'DB', 'latest'],
  ['stats', 'export', '-d', 'DB', 'latest', 'OUT.pstats'],
  ['stats', 'graph', '-d', 'DB', 'latest'],
  ['delete', '-d', 'DB', 'latest'],
  ['export', '-d', 'DB', 'latest', '-o', 'OUT.db'],
  ['import', 'DB', '-d', 'OUT.db'],
  ['report', '-d', 'DB', 'latest', '-o', 'OUT-report'],
  ['run', '-d', 'DB', 'quick.py'],
  ['server', '-d', 'DB', '--port', '0'],
  ['record', '-d', 'DB', '--listen', '127.0.0.1:0'],
]

beforeAll(async () => {
  dir = tempDir()
  writePrograms(dir.path, { 'quick.py': 'answer = 6 * 7\nprint("ran")\n' })
  const good = join(dir.path, 'good.db')
  const recorded = await smiley(['run', '-d', good, 'quick.py'], { cwd: dir.path })
  expect(recorded.code, recorded.stderr).toBe(0)
  const smileyBytes = readFileSync(good)

  const at = (name: string) => join(dir.path, name)
  writeFileSync(at('notes.txt'), 'Shopping: eggs, flour, milk.\n'.repeat(300))
  writeFileSync(
    at('picture.png'),
    Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(20_000)]),
  )
  writeFileSync(
    at('garbage-after-header.db'),
    Buffer.concat([Buffer.from('SQLite format 3\0'), randomBytes(16_384)]),
  )
  writeFileSync(at('truncated.db'), smileyBytes.subarray(0, 3000))

  // A Smiley database whose runs table has been overwritten by garbage.
  writeFileSync(at('broken-runs.db'), smileyBytes)
  const probe = new Database(at('broken-runs.db'), { readonly: true })
  const pageSize = probe.pragma('page_size', { simple: true }) as number
  const root = probe.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'runs'").pluck().get()
  probe.close()
  const fd = openSync(at('broken-runs.db'), 'r+')
  writeSync(fd, randomBytes(pageSize), 0, pageSize, ((root as number) - 1) * pageSize)
  closeSync(fd)

  const other = new Database(at('other-program.db'))
  other.exec("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine')")
  other.close()

  writeFileSync(at('newer.db'), smileyBytes)
  const newer = new Database(at('newer.db'))
  newer.pragma('user_version = 999')
  newer.close()
})
afterAll(() => dir.remove())

describe('a corrupt or foreign file given as the database', () => {
  it.concurrent.each(Object.keys(FILES))(
    '%s: every command says so in one line and changes nothing',
    async (name) => {
      const file = join(dir.path, name)
      const before = readFileSync(file)
      for (const command of COMMANDS) {
        const args = command.map((arg) =>
          arg === 'DB' ? file : arg.replace(/^OUT/, join(dir.path, `out-${name}`)),
        )
        const result = await smiley(args, { cwd: dir.path, timeoutMs: 30_000 })
        const said = `${command.join(' ')}: ${JSON.stringify(result)}`
        expect(result.code, said).not.toBe(0)
        expect(result.code, said).not.toBe(null)
        expect(result.stdout, said).toBe('')
        expect(result.stderr, said).toMatch(/^smiley: [^\n]+\n$/)
        expect(result.stderr, said).not.toContain('internal error')
        expect(result.stderr.slice('smiley: '.length, -1), said).toMatch(FILES[name]!)
        expect(readFileSync(file).equals(before), `${said}: the file was changed`).toBe(true)
        if (name === 'broken-runs.db') {
          // Opened fine, failed on reading: a read-only connection leaves SQLite's empty WAL.
          if (existsSync(`${file}-wal`)) expect(statSync(`${file}-wal`).size, said).toBe(0)
        } else {
          for (const sidecar of ['-wal', '-shm', '-journal'])
            expect(existsSync(file + sidecar), `${said}: left ${sidecar}`).toBe(false)
        }
      }
    },
    300_000,
  )
})
