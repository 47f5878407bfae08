/** `smiley export` and `smiley import`: runs move between database files whole and unchanged. */

import Database from 'better-sqlite3'
import { copyFileSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import { smiley, tempDir, type Result } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'

let dir: { path: string; remove: () => void }
let db: string
/** Newest first: threads.py, fails.py, shop.py. */
let runs: Run[]

beforeAll(async () => {
  dir = tempDir()
  db = join(dir.path, 'runs.db')
  writePrograms(dir.path, {
    'shop.py': `
stock = {"apple": 3}

def buy(item, quantity):
    left = stock[item]
    stock[item] = left - quantity
    return quantity * 0.5

for n in range(3):
    buy("apple", 1)
`,
    'fails.py': 'def go():\n    raise RuntimeError("went wrong")\n\ngo()\n',
    'threads.py': `
import threading

def work(name):
    return name.upper()

t = threading.Thread(target=work, args=("x",), name="helper")
t.start()
t.join()
`,
  })
  for (const script of ['shop.py', 'fails.py', 'threads.py'])
    await smiley(['run', '-d', db, script], { cwd: dir.path })
  runs = await list(db)
})
afterAll(() => dir.remove())

async function list(database: string): Promise<Run[]> {
  const listed = await smiley(['list', '--json', '-d', database])
  expect(listed.code, listed.stderr).toBe(0)
  return JSON.parse(listed.stdout) as Run[]
}

/** Everything a reader can see of a run: its events, details, threads and profile. */
async function everything(database: string, run: string): Promise<string[]> {
  const commands = [
    ['replay', '--json'],
    ['show', '--json'],
    ['threads', '--json'],
    ['stats', 'show', '--json'],
  ]
  const results = await Promise.all(commands.map((c) => smiley([...c, '-d', database, run])))
  for (const result of results) expect(result.code, result.stderr).toBe(0)
  return results.map((r) => r.stdout)
}

function rowCounts(database: string): Record<string, number> {
  const sqlite = new Database(database, { readonly: true })
  try {
    const tables = sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all() as string[]
    return Object.fromEntries(
      tables.map((t) => [t, sqlite.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number]),
    )
  } finally {
    sqlite.close()
  }
}

function oneLineError(result: Result, code = 1): string {
  expect(result.code).toBe(code)
  expect(result.stderr).toMatch(/^smiley: [^\n]+\n$/)
  return result.stderr.trim()
}

describe('smiley export and import', () => {
  it('gives identical replays after export and import into an empty database', async () => {
    const file = join(dir.path, 'exported.db')
    const exported = await smiley(['export', '-d', db, ...runs.map((r) => r.id), '-o', file])
    expect(exported.code, exported.stderr).toBe(0)
    expect(exported.stdout.trim().split('\n')).toEqual(
      runs.map(
        (r) =>
          `exported run ${r.id.slice(0, 8)} (${r.description}, ${r.eventCount} events) to ${file}`,
      ),
    )

    const fresh = join(dir.path, 'fresh.db')
    const imported = await smiley(['import', '-d', fresh, file])
    expect(imported.code, imported.stderr).toBe(0)
    // Oldest first, so the new file lists them in the same order.
    expect(imported.stdout).toMatch(/^imported run .*shop\.py.*\n.*fails\.py.*\n.*threads\.py/)
    expect(await list(fresh)).toEqual(runs)
    for (const run of runs)
      expect(await everything(fresh, run.id), run.description).toEqual(await everything(db, run.id))
    expect(rowCounts(fresh)).toEqual(rowCounts(db))
  })

  it('changes nothing when the same runs are imported twice', async () => {
    const file = join(dir.path, 'one.db')
    await smiley(['export', '-d', db, runs[0]!.id.slice(0, 8), '--output', file])
    const target = join(dir.path, 'twice.db')
    const first = await smiley(['import', '-d', target, file])
    expect(first.stdout).toMatch(/^imported run /)
    const before = rowCounts(target)
    const second = await smiley(['import', '-d', target, file, 'latest'])
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).toBe(
      `skipped run ${runs[0]!.id.slice(0, 8)} (threads.py): already in ${target}\n`,
    )
    expect(rowCounts(target)).toEqual(before)
  })

  it('adds to an existing database, keeping its runs and sharing stored sources', async () => {
    const file = join(dir.path, 'partial.db')
    await smiley(['export', '-d', db, runs[2]!.id, '-o', file])
    const again = await smiley(['export', '-d', db, runs[2]!.id, runs[1]!.id, '-o', file])
    expect(again.stdout.split('\n')[0]).toBe(
      `skipped run ${runs[2]!.id.slice(0, 8)} (shop.py): already in ${file}`,
    )
    expect((await list(file)).map((r) => r.id)).toEqual([runs[1]!.id, runs[2]!.id])
    // Into a database that has other runs, the runs get new local keys.
    const target = join(dir.path, 'busy.db')
    await smiley(['run', '-d', target, 'fails.py'], { cwd: dir.path })
    await smiley(['import', '-d', target, file, runs[1]!.id])
    const imported = await list(target)
    expect(imported.map((r) => r.description)).toEqual(['fails.py', 'fails.py'])
    expect(await everything(target, runs[1]!.id)).toEqual(await everything(db, runs[1]!.id))
    // Both fails.py runs have the same text, stored once.
    expect(rowCounts(target)['sources']).toBe(1)
  })

  it('refuses a run still being recorded', async () => {
    const copy = join(dir.path, 'live.db')
    await smiley(['import', '-d', copy, db])
    const sqlite = new Database(copy)
    sqlite
      .prepare(
        `UPDATE runs SET status = 'running', recorder_host = ?, recorder_pid = ?, heartbeat_at = ?
         WHERE uuid = ?`,
      )
      .run(hostname(), process.pid, Date.now() / 1000, runs[0]!.id)
    sqlite.close()
    const file = join(dir.path, 'never.db')
    expect(oneLineError(await smiley(['export', '-d', copy, 'latest', '-o', file]))).toBe(
      `smiley: run ${runs[0]!.id.slice(0, 8)} is still being recorded; nothing copied (try again when it has ended)`,
    )
    const target = join(dir.path, 'some.db')
    const all = await smiley(['import', '-d', target, copy])
    expect(all.stdout).toContain(
      `skipped run ${runs[0]!.id.slice(0, 8)} (threads.py): still being recorded`,
    )
    expect(await list(target)).toHaveLength(2)
  })

  it('explains bad input in one line', async () => {
    const file = join(dir.path, 'out.db')
    expect(oneLineError(await smiley(['export', '-d', db, 'latest']), 2)).toBe(
      'smiley: missing --output FILE.db: where should the runs go? (see: smiley export --help)',
    )
    oneLineError(await smiley(['export', '-d', db, '-o', file]), 2)
    expect(oneLineError(await smiley(['export', '-d', db, 'ffffffff', '-o', file]))).toBe(
      'smiley: no run with id ffffffff (see: smiley list)',
    )
    expect(oneLineError(await smiley(['export', '-d', db, 'latest', '-o', db]), 2)).toBe(
      `smiley: ${db} is the database the runs come from: choose another file`,
    )
    const nowhere = join(dir.path, 'missing', 'out.db')
    expect(oneLineError(await smiley(['export', '-d', db, 'latest', '-o', nowhere]))).toContain(
      `cannot open database ${nowhere}`,
    )
    const text = join(dir.path, 'notes.txt')
    writeFileSync(text, 'not a database\n'.repeat(100))
    oneLineError(await smiley(['export', '-d', db, 'latest', '-o', text]))

    const missing = join(dir.path, 'absent.db')
    expect(oneLineError(await smiley(['import', '-d', file, missing]))).toBe(
      `smiley: no such file: ${missing}`,
    )
    expect(oneLineError(await smiley(['import', '-d', file, text]))).toContain(text)
    expect(oneLineError(await smiley(['import', '-d', file, db, 'ffffffff']))).toBe(
      `smiley: in ${db}: no run with id ffffffff (see: smiley list -d ${db})`,
    )
    const patterned = join(dir.path, 'runs $& $`.db')
    copyFileSync(db, patterned)
    expect(oneLineError(await smiley(['import', '-d', file, patterned, 'ffffffff']))).toBe(
      `smiley: in ${patterned}: no run with id ffffffff (see: smiley list -d ${patterned})`,
    )
    oneLineError(await smiley(['import', '-d', file]), 2)
  })
})
