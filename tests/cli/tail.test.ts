/** `smiley tail`: following a run while it is being recorded, in either store. */

import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import { SMILEY, smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { itOnSqlite, storeUnderTest } from '../support/store-under-test.js'

const store = await storeUnderTest()

let dir: { path: string; remove: () => void }
let db: string
const children: ChildProcess[] = []

beforeEach(() => {
  dir = tempDir()
  db = store.database(dir.path)
  writePrograms(dir.path, {
    // Waits for the test to create the file named by its argument, then does a little more.
    'waits.py': `
import os, sys, time
go = sys.argv[1]
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.05)
after = "produced later"
time.sleep(0.3)
finished = True
`,
  })
})
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
  dir.remove()
})

interface Started {
  child: ChildProcess
  lines: string[]
  /** Resolves with the first line (including those already read) that `match` accepts. */
  waitFor: (match: (line: string) => boolean) => Promise<string>
  exited: Promise<{ code: number | null; at: number }>
}

/** Starts `smiley args…` in the test folder, collecting its stdout line by line. */
function start(args: string[]): Started {
  const child = spawn(process.execPath, [SMILEY, ...args], {
    cwd: dir.path,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  children.push(child)
  const lines: string[] = []
  const waiting: Array<{ match: (line: string) => boolean; done: (line: string) => void }> = []
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line)
    for (const w of waiting.filter((w) => w.match(line))) {
      waiting.splice(waiting.indexOf(w), 1)
      w.done(line)
    }
  })
  const exited = new Promise<{ code: number | null; at: number }>((done) =>
    child.on('exit', (code) => done({ code, at: Date.now() })),
  )
  const waitFor = (match: (line: string) => boolean) =>
    new Promise<string>((done, fail) => {
      const seen = lines.find(match)
      if (seen !== undefined) return done(seen)
      waiting.push({ match, done })
      void exited.then(() => setTimeout(() => fail(new Error(`exited before: ${match}`)), 200))
    })
  return { child, lines, waitFor, exited }
}

describe('smiley tail', () => {
  it('prints a live run as it happens and exits when the run ends', async () => {
    const go = join(dir.path, 'go')
    const run = start(['run', '-d', db, 'waits.py', go])
    await run.waitFor((line) => line === 'ready')

    const tail = start(['tail', '-d', db])
    await tail.waitFor((line) => line.includes('time.sleep(0.05)'))
    expect(tail.lines.join('\n')).not.toContain('produced later')
    expect(tail.child.exitCode).toBeNull()

    // Only now can the program go on: what follows is recorded after tail started.
    writeFileSync(go, '')
    await tail.waitFor((line) => line.includes("after = 'produced later'"))
    const [ran, tailed] = await Promise.all([run.exited, tail.exited])
    expect(ran.code).toBe(0)
    expect(tailed.code).toBe(0)
    // Not before the run ended: the database marks that before `smiley run` has closed it
    // and exited, so the end is read from there rather than from the exit of that process.
    const [recorded] = JSON.parse((await smiley(['list', '--json', '-d', db])).stdout) as Run[]
    expect(recorded!.status).toBe('completed')
    expect(tailed.at).toBeGreaterThanOrEqual(recorded!.endedAt! * 1000)

    // Every event once, in order, ending with the module's return: the replay of the run.
    const replay = await smiley(['replay', '-d', db, 'latest'], { cwd: dir.path })
    expect(tail.lines.join('\n') + '\n').toBe(replay.stdout)
    expect(tail.lines.at(-2)).toMatch(/^waits\.py: +8:MainThread: return>>> None$/)
  })

  it('prints every event of a run that has ended, as JSON with --json, and exits', async () => {
    writeFileSync(join(dir.path, 'go'), '')
    await smiley(['run', '-d', db, 'waits.py', 'go'], { cwd: dir.path })
    const tailed = await smiley(['tail', '--json', '-d', db, 'latest'], { timeoutMs: 10_000 })
    expect(tailed.code, tailed.stderr).toBe(0)
    const replay = await smiley(['replay', '--json', '-d', db, 'latest'])
    expect(tailed.stdout).toBe(replay.stdout)
    expect(tailed.stdout.split('\n').length).toBeGreaterThan(5)
  })

  it('explains an unknown run, or no runs at all, in one line', async () => {
    writeFileSync(join(dir.path, 'go'), '')
    await smiley(['run', '-d', db, 'waits.py', 'go'], { cwd: dir.path })
    const unknown = await smiley(['tail', '-d', db, 'ffffffff'])
    expect(unknown).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'smiley: no run with id ffffffff (see: smiley list)\n',
    })
    await smiley(['delete', '-d', db, 'latest'])
    const none = await smiley(['tail', '-d', db])
    expect(none.code).toBe(1)
    expect(none.stderr).toBe(
      'smiley: there are no runs yet (record one with: smiley run prog.py)\n',
    )
  })

  // A missing file is SQLite's own case (PostgreSQL's missing database: stores.test.ts).
  itOnSqlite('says in one line that there is no database file', async () => {
    const missing = await smiley(['tail', '-d', join(dir.path, 'empty.db')])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^smiley: no database at [^\n]+\n$/)
  })
})
