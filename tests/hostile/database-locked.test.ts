/**
 * A database another process holds locked (`BEGIN EXCLUSIVE`). Every write of `smiley run`
 * waits for it up to the busy timeout (5 s): a shorter lock costs the program a pause and
 * loses nothing; a longer one stops recording with one line, keeps what was stored before,
 * lets the program run on and end with its own status, and marks the run once it can.
 */

import Database from 'better-sqlite3'
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import { SMILEY, smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { spawnServer } from '../support/server-process.js'
import { sleep, waitFor } from '../support/wait.js'
import { expectDense, lastValue, listRuns, orphan, replayEvents } from './recordings.js'

let dir: { path: string; remove: () => void }

beforeAll(() => {
  dir = tempDir()
  writePrograms(dir.path, {
    // Holds the database locked until told to let go (a line on stdin).
    'locker.py': `
import sqlite3, sys

connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
connection.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("COMMIT")
`,
    // Counts until a file appears, then exits with the status it is given.
    'counter.py': `
import os, sys, time

count = 0
while not os.path.exists(sys.argv[1]):
    count += 1
    time.sleep(0.001)
print("counted", count, flush=True)
sys.exit(int(sys.argv[2]))
`,
    'quick.py': 'answer = 6 * 7\nprint(answer)\n',
  })
})
afterAll(() => dir.remove())

interface Locker {
  release(): Promise<void>
}

async function lock(database: string): Promise<Locker> {
  const child = spawn('python3', [join(dir.path, 'locker.py'), database], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const exited = new Promise((done) => child.once('exit', done))
  await new Promise((locked) => createInterface({ input: child.stdout! }).once('line', locked))
  return {
    async release() {
      child.stdin!.end('\n')
      await exited
    },
  }
}

interface Recording {
  child: ChildProcess
  done: Promise<{ code: number | null; stdout: string; stderr: string }>
}

function record(database: string, args: string[]): Recording {
  const child = spawn(process.execPath, [SMILEY, 'run', '-d', database, ...args], {
    cwd: dir.path,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((finished) =>
    child.once('exit', (code) => finished({ code, stdout, stderr })),
  )
  return { child, done }
}

/** Waits until the newest run has stored some events (read without taking any lock). */
async function recordingStarted(database: string): Promise<void> {
  await waitFor('events to be stored', async () => {
    const runs = await listRuns(database).catch(() => [])
    return (runs[0]?.eventCount ?? 0) > 100
  })
}

describe('a database locked by another process', () => {
  it('makes recording wait for a lock shorter than the busy timeout, losing nothing', async () => {
    const database = join(dir.path, 'short.db')
    const stop = join(dir.path, 'stop-short')
    const recording = record(database, ['counter.py', stop, '0'])
    await recordingStarted(database)
    const locker = await lock(database)
    await sleep(2000)
    await locker.release()
    await sleep(500)
    writeFileSync(stop, '')
    const { code, stdout, stderr } = await recording.done
    expect(code).toBe(0)
    expect(stderr).toBe('')
    const count = /counted (\d+)/.exec(stdout)![1]!
    const [run] = await listRuns(database)
    expect(run).toMatchObject({ status: 'completed', notice: null })
    const events = await replayEvents(database, run!.id)
    expectDense(events, run!)
    // The last value the program counted to is recorded: nothing after the lock was lost.
    expect(lastValue(events, 'count')).toBe(count)
  })

  it('stops recording after the busy timeout with one line, keeping what was stored', async () => {
    const database = join(dir.path, 'long.db')
    const earlier = await smiley(['run', '-d', database, 'quick.py'], { cwd: dir.path })
    expect(earlier.code, earlier.stderr).toBe(0)
    const [before] = await listRuns(database)
    const beforeEvents = await replayEvents(database, before!.id)
    const stop = join(dir.path, 'stop-long')
    const recording = record(database, ['counter.py', stop, '3'])
    await recordingStarted(database)
    const locker = await lock(database)
    // The recorder gives up 5 s after its first write attempt; then the lock goes away.
    await sleep(7500)
    await locker.release()
    const stored = (await listRuns(database))[0]!.eventCount
    await sleep(1000)
    // Recording has stopped: the program runs on, and nothing more is written meanwhile.
    expect((await listRuns(database))[0]!.eventCount).toBe(stored)
    expect(recording.child.exitCode).toBe(null)
    writeFileSync(stop, '')
    const { code, stdout, stderr } = await recording.done
    expect(code).toBe(3)
    expect(stdout).toMatch(/^counted \d+\n$/)
    const [run, first] = await listRuns(database)
    // The events taken before the lock that were waiting to be written are stored at the end.
    expect(run!.eventCount).toBeGreaterThanOrEqual(stored)
    const line = `recording stopped after ${run!.eventCount} events: the database is locked by another process (waited 5 s)`
    expect(stderr).toBe(`smiley: ${line}\n`)
    expect(run).toMatchObject({ status: 'error', exitCode: 3, notice: line })
    expectDense(await replayEvents(database, run!.id), run!)
    expect(first).toEqual(before)
    expect(await replayEvents(database, first!.id)).toEqual(beforeEvents)
  })

  // A run to mark lost waits behind the lock too: that housekeeping must not stop the program.
  it.each([
    ['', false, 'completed'],
    [', even with a run to mark lost', true, 'lost'],
  ] as const)(
    'runs the program unrecorded, with one line, when the lock outlasts the busy timeout from the start%s',
    async (_case, orphaned, status) => {
      const database = join(dir.path, `start-${orphaned}.db`)
      const earlier = await smiley(['run', '-d', database, 'quick.py'], { cwd: dir.path })
      expect(earlier.code, earlier.stderr).toBe(0)
      if (orphaned) await orphan(database)
      const locker = await lock(database)
      try {
        const result = await smiley(['run', '-d', database, 'quick.py'], { cwd: dir.path })
        expect(result).toMatchObject({
          code: 0,
          stdout: '42\n',
          stderr:
            'smiley: could not record the run: the database is locked by another process (waited 5 s)\n',
        })
      } finally {
        await locker.release()
      }
      expect((await listRuns(database)).map((run) => run.status)).toEqual([status])
    },
  )

  it('keeps the dashboard answering while the lock lasts, and marks a lost run after', async () => {
    const database = join(dir.path, 'served.db')
    const earlier = await smiley(['run', '-d', database, 'quick.py'], { cwd: dir.path })
    expect(earlier.code, earlier.stderr).toBe(0)
    // A run whose recorder has died: the server marks such runs lost every 5 s.
    await orphan(database)
    const server = await spawnServer(database)
    try {
      await waitFor('the run to be marked lost', async () => {
        const [run] = await listRuns(database)
        return run!.status === 'lost'
      })
      const again = new Database(database)
      again.prepare("UPDATE runs SET status = 'running'").run()
      again.close()
      const locker = await lock(database)
      const latencies: number[] = []
      const until = Date.now() + 12_000
      while (Date.now() < until) {
        const asked = performance.now()
        const res = await fetch(`${server.url}api/runs`)
        expect(res.status).toBe(200)
        latencies.push(performance.now() - asked)
        await sleep(100)
      }
      await locker.release()
      // It never waited for the lock: the check that found it locked let go at once.
      expect(Math.max(...latencies)).toBeLessThan(2500)
      await waitFor('the run to be marked lost again', async () => {
        const runs = (await (await fetch(`${server.url}api/runs`)).json()) as Run[]
        return runs[0]!.status === 'lost'
      })
      expect(server.stderr()).toBe('')
    } finally {
      expect(await server.stop()).toBe(0)
    }
  })
})
