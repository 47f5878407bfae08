/**
 * PostgreSQL's cases no other file tried: `smiley export` from one PostgreSQL database into
 * another, `smiley export` of a run still being recorded, and the server lost while a command
 * copies a run into its local read cache (one line; nothing half copied kept; a later command
 * works). A real server (tests/support/postgres.ts) of this file's own: one test stops it.
 */

import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import { SMILEY, smiley, tempDir, type Result } from '../support/cli.js'
import { startPostgres } from '../support/postgres.js'
import { writePrograms } from '../support/programs.js'
import { spawn } from 'node:child_process'

const postgres = await startPostgres()
const dir = tempDir()
const cache = join(dir.path, 'cache')
afterAll(() => {
  postgres?.stop()
  dir.remove()
})

writePrograms(dir.path, {
  'count.py': `
import sys

def count(n):
    total = 0
    for i in range(n):
        total += i
    return total

print(count(int(sys.argv[1])))
`,
  // Waits for the file \`go\` (at most 60 s), then ends.
  'waits.py': `
import os, time
deadline = time.time() + 60
while not os.path.exists("go") and time.time() < deadline:
    time.sleep(0.05)
print("went")
`,
})

/** Runs smiley in the programs' folder, with a read cache of this file's. */
const run = (args: string[]) =>
  smiley(args, { cwd: dir.path, timeoutMs: 180_000, env: { SMILEY_CACHE_DIR: cache } })

const listed = async (url: string): Promise<Run[]> => {
  const result = await run(['list', '--json', '-d', url])
  expect(result.code, result.stderr).toBe(0)
  return JSON.parse(result.stdout) as Run[]
}

function oneLineError(result: Result): string {
  expect(result.stdout).toBe('')
  expect(result.stderr).toMatch(/^smiley: [^\n]+\n$/)
  expect(result.code).toBe(1)
  return result.stderr.trim()
}

describe.skipIf(postgres === null)(
  'smiley export between PostgreSQL databases',
  { timeout: 180_000 },
  () => {
    it('copies a run from one database into another, which replays it as the first does', async () => {
      postgres!.createDatabase('origin')
      postgres!.createDatabase('copy')
      const origin = postgres!.url('origin')
      const copy = postgres!.url('copy')
      expect((await run(['run', '-d', origin, 'count.py', '50'])).code).toBe(0)
      const [recorded] = await listed(origin)
      const exported = await run(['export', '-d', origin, recorded!.id, '-o', copy])
      expect(exported.stderr).toBe('')
      expect(exported.stdout).toMatch(
        new RegExp(
          `^exported run ${recorded!.id.slice(0, 8)} \\(count\\.py 50, \\d+ events\\) to `,
        ),
      )
      expect(exported.stdout).not.toContain('smiley-test-password')
      const [copied] = await listed(copy)
      expect(copied).toMatchObject({
        id: recorded!.id,
        eventCount: recorded!.eventCount,
        status: 'completed',
      })
      const replay = async (url: string) => await run(['replay', '--json', '-d', url, 'latest'])
      const [there, here] = [await replay(copy), await replay(origin)]
      expect(there.code, there.stderr).toBe(0)
      expect(there.stdout).toBe(here.stdout)
      const again = await run(['export', '-d', origin, recorded!.id, '-o', copy])
      expect(again.stdout).toContain(
        `skipped run ${recorded!.id.slice(0, 8)} (count.py 50): already in`,
      )
      expect(await listed(copy)).toHaveLength(1)
    })

    it('refuses a run still being recorded in one line, copies nothing, and copies it once it ended', async () => {
      postgres!.createDatabase('live')
      postgres!.createDatabase('later')
      const live = postgres!.url('live')
      const later = postgres!.url('later')
      const recording = spawn(process.execPath, [SMILEY, 'run', '-d', live, 'waits.py'], {
        cwd: dir.path,
        stdio: 'ignore',
      })
      const ended = new Promise((done) => recording.on('close', done))
      try {
        let runs: Run[] = []
        for (let wait = 0; wait < 300 && runs.length === 0; wait++) {
          await new Promise((tick) => setTimeout(tick, 100))
          runs = await listed(live)
        }
        expect(runs[0]).toMatchObject({ status: 'running' })
        const refused = await run(['export', '-d', live, runs[0]!.id, '-o', later])
        expect(oneLineError(refused)).toBe(
          `smiley: run ${runs[0]!.id.slice(0, 8)} is still being recorded; nothing copied (try again when it has ended)`,
        )
        expect(await listed(later)).toEqual([])
        const toFile = await run(['export', '-d', live, runs[0]!.id, '-o', join(dir.path, 'l.db')])
        expect(oneLineError(toFile)).toContain('is still being recorded; nothing copied')
      } finally {
        writeFileSync(join(dir.path, 'go'), '')
        await ended
      }
      const [done] = await listed(live)
      expect(done!.status).toBe('completed')
      const copied = await run(['export', '-d', live, done!.id, '-o', later])
      expect(copied.code, copied.stderr).toBe(0)
      expect((await listed(later)).map((r) => [r.id, r.eventCount])).toEqual([
        [done!.id, done!.eventCount],
      ])
    })
  },
)

// Last in the file: it stops the server.
describe.skipIf(postgres === null)(
  'a PostgreSQL server lost while a run is copied into the read cache',
  () => {
    it('says so in one line, keeps nothing half copied, and a later command copies the run whole', async () => {
      postgres!.createDatabase('lost')
      const url = postgres!.url('lost')
      // Long enough that its copy takes a while: pages of blocks, many round trips.
      expect((await run(['run', '-d', url, 'count.py', '150000'])).code).toBe(0)
      const [long] = await listed(url)
      const key = Number(postgres!.sql('lost', `SELECT id FROM runs WHERE uuid = '${long!.id}'`))
      // The server goes away as soon as the copy has begun reading blocks.
      const replaying = run(['replay', '--json', '-d', url, long!.id])
      const copying = () =>
        postgres!
          .sql(
            'lost',
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%FROM event_blocks%'",
          )
          .trim() !== '0'
      let begun = false
      for (let wait = 0; wait < 1000 && !(begun = copying()); wait++)
        await new Promise((tick) => setTimeout(tick, 10))
      postgres!.crash()
      expect(begun, 'the copy was seen reading blocks before the server went away').toBe(true)
      const failed = await replaying
      try {
        expect(oneLineError(failed)).toMatch(/PostgreSQL at postgres:\/\/smiley@[^ ]+\/lost/)
        expect(failed.stderr).not.toContain('smiley-test-password')
        // Whatever file the cache is, it holds neither the run nor any of its rows.
        const files = existsSync(cache) ? readdirSync(cache).filter((f) => f.endsWith('.db')) : []
        for (const file of files) {
          const db = new Database(join(cache, file), { readonly: true })
          try {
            const tables = db
              .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'replica_runs'",
              )
              .all()
            if (tables.length > 0)
              expect(db.prepare('SELECT count(*) FROM replica_runs').pluck().get()).toBe(0)
            expect(db.prepare('SELECT count(*) FROM runs WHERE id = ?').pluck().get(key)).toBe(0)
            expect(
              db.prepare('SELECT count(*) FROM event_blocks WHERE run = ?').pluck().get(key),
            ).toBe(0)
          } finally {
            db.close()
          }
        }
      } finally {
        postgres!.resume()
      }
      const again = await run(['replay', '--json', '-d', url, long!.id])
      expect(again.code, again.stderr).toBe(0)
      expect(again.stdout.trim().split('\n')).toHaveLength(long!.eventCount)
    }, 240_000)
  },
)
