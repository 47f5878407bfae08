/**
 * Honest endings when a parent and its children do not end together: a parent killed while
 * its child runs, smiley itself told to stop (SIGTERM) while children run, and Ctrl-C while
 * smiley waits for a child that outlived its parent. Every run says how it ended, with the
 * events that reached the recorder, and smiley's exit stays the top program's.
 */

import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Run } from '../../shared/types/run.js'
import { SMILEY, smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { storeUnderTest } from '../support/store-under-test.js'

const store = await storeUnderTest()

let dir: { path: string; remove: () => void }

beforeAll(() => {
  dir = tempDir()
  writePrograms(dir.path, {
    // The child writes its file after `seconds`, then returns: proof that it ran to its end.
    'slow_child.py': `
import sys, time

def finish(path, seconds):
    time.sleep(seconds)
    with open(path, "w") as out:
        out.write("done")
    return path

finish(sys.argv[1], float(sys.argv[2]))
`,
    'killed_parent.py': `
import os, signal, subprocess, sys, time
subprocess.Popen([sys.executable, "slow_child.py", sys.argv[1], "2"])
time.sleep(0.5)  # the parent's events reach the recorder (the tracer sends every 50 ms)
print("ready", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
`,
    'waiting_parent.py': `
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "slow_child.py", sys.argv[1], sys.argv[2]])
time.sleep(1)
print("ready", flush=True)
child.wait()
`,
    'leaving_parent.py': `
import subprocess, sys, time
subprocess.Popen([sys.executable, "slow_child.py", sys.argv[1], "60"])
time.sleep(1)
print("ready", flush=True)
`,
  })
})
afterAll(() => dir.remove())

/** `smiley run` started; resolves once the program has printed its first line. */
function start(db: string, args: string[]) {
  const child = spawn(process.execPath, [SMILEY, 'run', '-d', db, ...args], {
    cwd: dir.path,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  // Its exit, not the end of its output: a child that outlives it holds smiley's stdout.
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>(
    (done) =>
      child.on('exit', (code, signal) => setTimeout(() => done({ code, signal, stderr }), 200)),
  )
  const ready = new Promise<void>((done) =>
    createInterface({ input: child.stdout }).once('line', () => done()),
  )
  return { child, exited, ready }
}

async function runsOf(db: string): Promise<{ top: Run; child: Run }> {
  const listed = await smiley(['list', '--json', '-d', db], { timeoutMs: 200_000 })
  const runs = JSON.parse(listed.stdout) as Run[]
  expect(runs).toHaveLength(2)
  return {
    top: runs.find((run) => run.process === undefined)!,
    child: runs.find((run) => run.process !== undefined)!,
  }
}

async function callsOf(db: string, run: Run, name: string): Promise<TraceEvent[]> {
  const replay = await smiley(['replay', '--json', '-d', db, run.id], { timeoutMs: 200_000 })
  return replay.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as TraceEvent)
    .filter((event) => event.kind === 'call' && event.function === name)
}

describe.concurrent('parents and children that end apart', { timeout: 240_000 }, () => {
  it('records a child to its end when its parent is killed by SIGKILL, and dies of the same signal', async () => {
    const db = store.database(dir.path, 'killed')
    const marker = join(dir.path, 'killed.txt')
    const { exited } = start(db, ['killed_parent.py', marker])
    const { signal, stderr } = await exited
    expect(signal, stderr).toBe('SIGKILL')
    expect(existsSync(marker)).toBe(true)
    const { top, child } = await runsOf(db)
    expect(top).toMatchObject({ status: 'lost', errorMessage: 'killed by SIGKILL' })
    expect(child).toMatchObject({ status: 'completed', process: { parent: top.id } })
    expect(child.endedAt!).toBeGreaterThan(top.endedAt!)
    expect(await callsOf(db, child, 'finish')).toHaveLength(1)
  })

  it('passes SIGTERM to the parent alone: it is interrupted, its child runs on to its end', async () => {
    const db = store.database(dir.path, 'terminated')
    const marker = join(dir.path, 'terminated.txt')
    const { child: smileyProcess, exited, ready } = start(db, ['waiting_parent.py', marker, '2'])
    await ready
    smileyProcess.kill('SIGTERM')
    const { code, signal, stderr } = await exited
    expect({ code, signal }, stderr).toEqual({ code: null, signal: 'SIGTERM' })
    expect(existsSync(marker)).toBe(true)
    const { top, child } = await runsOf(db)
    expect(top).toMatchObject({ status: 'interrupted', signal: 'SIGTERM' })
    expect(child).toMatchObject({ status: 'completed', exitCode: 0 })
    expect(await callsOf(db, child, 'finish')).toHaveLength(1)
  })

  it('stops recording a child that outlived its parent at Ctrl-C, exiting with the parent status', async () => {
    const db = store.database(dir.path, 'left')
    const marker = join(dir.path, 'left.txt')
    const { child: smileyProcess, exited, ready } = start(db, ['leaving_parent.py', marker])
    await ready
    // The parent has ended: smiley waits for the child, until Ctrl-C.
    const { top: ended } = await (async () => {
      for (;;) {
        const listed = await smiley(['list', '--json', '-d', db])
        const runs = JSON.parse(listed.stdout) as Run[]
        const top = runs.find((run) => run.process === undefined)
        const child = runs.find((run) => run.process !== undefined)
        // The child is in its sleep: its call of finish has reached the database.
        if (top?.status === 'completed' && child !== undefined && child.eventCount >= 4)
          return { top }
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    })()
    expect(ended.exitCode).toBe(0)
    smileyProcess.kill('SIGINT')
    const { code, signal, stderr } = await exited
    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' })
    const { child } = await runsOf(db)
    expect(child).toMatchObject({
      status: 'lost',
      errorMessage: 'the recording stopped before the program ended',
    })
    // What it had sent is kept: the call it was in when the recording stopped.
    expect(await callsOf(db, child, 'finish')).toHaveLength(1)
    expect(existsSync(marker)).toBe(false)
    process.kill(child.pid!, 'SIGKILL') // the child itself runs on, unrecorded
  })
})
