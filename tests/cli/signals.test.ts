/**
 * However the program ends (killed, interrupted, or smiley itself killed), the run says what
 * happened and every event that reached smiley is in the database.
 */

import Database from 'better-sqlite3'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import type { TraceEvent } from '../../shared/types/event.js'
import { SMILEY, smiley, tempDir, type Result } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { spawnRecorder } from '../support/server-process.js'

let dir: { path: string; remove: () => void }
let db: string

beforeEach(() => {
  dir = tempDir()
  db = join(dir.path, 'runs.db')
  writePrograms(dir.path, {
    'waits.py': `
import sys, time
steps = []
for step in range(3):
    steps.append(step)
print("ready", flush=True)
time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 30)
open("finished", "w").close()
`,
  })
})
afterEach(() => dir.remove())

/** Starts `smiley run` and resolves once the program has printed its first line. */
function start(args: string[]): Promise<{
  child: ChildProcess
  exited: Promise<{ code: number | null; signal: string | null }>
}> {
  const child = spawn(process.execPath, [SMILEY, 'run', '-d', db, ...args], {
    cwd: dir.path,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const exited = new Promise<{ code: number | null; signal: string | null }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  )
  return new Promise((done) => {
    createInterface({ input: child.stdout! }).once('line', () => done({ child, exited }))
  })
}

async function onlyRun(): Promise<Run> {
  const listed = await smiley(['list', '--json', '-d', db])
  const runs = JSON.parse(listed.stdout) as Run[]
  expect(runs).toHaveLength(1)
  return runs[0]!
}

async function changed(name: string): Promise<Array<string | null>> {
  const replay = await smiley(['replay', '--json', '-d', db, 'latest'])
  return replay.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as TraceEvent)
    .filter((e) => name in e.locals)
    .map((e) => e.locals[name]!)
}

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms))

describe('how a run ends', () => {
  it('forwards SIGTERM to the program, which is recorded as interrupted with its events', async () => {
    const { child, exited } = await start(['waits.py'])
    await pause(300)
    child.kill('SIGTERM')
    expect(await exited).toEqual({ code: null, signal: 'SIGTERM' })
    expect(await onlyRun()).toMatchObject({ status: 'interrupted', signal: 'SIGTERM' })
    expect(await changed('steps')).toContain('[0, 1, 2]')
  })

  it('forwards SIGINT when stdin is not a terminal: the program gets KeyboardInterrupt', async () => {
    const { child, exited } = await start(['waits.py'])
    await pause(300)
    child.kill('SIGINT')
    const exit = await exited
    expect(exit.signal ?? exit.code).toBe('SIGINT')
    expect(await onlyRun()).toMatchObject({ status: 'interrupted', errorType: 'KeyboardInterrupt' })
    expect(await changed('steps')).toContain('[0, 1, 2]')
  })

  it('marks a program killed with SIGKILL as lost, keeping the events that reached smiley', async () => {
    writePrograms(dir.path, {
      'killed.py': `
import os, signal, time
values = []
for v in range(4):
    values.append(v)
time.sleep(0.3)
os.kill(os.getpid(), signal.SIGKILL)
`,
    })
    const result = await smiley(['run', '-d', db, 'killed.py'], { cwd: dir.path })
    expect(result.signal).toBe('SIGKILL')
    expect(await onlyRun()).toMatchObject({
      status: 'lost',
      signal: 'SIGKILL',
      errorMessage: 'killed by SIGKILL',
    })
    expect(await changed('values')).toContain('[0, 1, 2, 3]')
  })

  it('marks the run lost when smiley itself is killed, and the program runs on untraced', async () => {
    const { child, exited } = await start(['waits.py', '1'])
    await pause(300)
    child.kill('SIGKILL')
    await exited
    const run = await onlyRun()
    expect(run.status).toBe('lost')
    expect(run.errorMessage).toBe('the recording process stopped before the run ended')
    for (let i = 0; i < 50 && !existsSync(join(dir.path, 'finished')); i++) await pause(100)
    expect(existsSync(join(dir.path, 'finished'))).toBe(true)
  })
})

describe('a signal during start-up', () => {
  it.each(['a database', 'a remote recorder'])(
    'ends smiley run by that signal, without a word, before the tracer has started (into %s)',
    async (into) => {
      // An interpreter slow to start: the signal arrives before Python, let alone the tracer, runs.
      const python = join(dir.path, 'slow-python')
      writeFileSync(python, '#!/bin/sh\ntouch starting\nsleep 5\nexec python3 "$@"\n', {
        mode: 0o755,
      })
      const recorder =
        into === 'a remote recorder' ? await spawnRecorder(join(dir.path, 'received.db')) : null
      const where = recorder ? ['--remote', recorder.url] : ['-d', db]
      try {
        const child = spawn(
          process.execPath,
          [SMILEY, 'run', ...where, '--python', python, 'waits.py'],
          { cwd: dir.path, stdio: ['ignore', 'pipe', 'pipe'] },
        )
        let stderr = ''
        child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
        const exited = new Promise((done) =>
          child.on('exit', (code, signal) => done({ code, signal })),
        )
        for (let i = 0; i < 100 && !existsSync(join(dir.path, 'starting')); i++) await pause(50)
        child.kill('SIGTERM')
        expect(await exited).toEqual({ code: null, signal: 'SIGTERM' })
        expect(stderr).toBe('')
      } finally {
        if (recorder) expect(await recorder.stop()).toBe(0)
      }
    },
  )
})

describe('signals ignored when smiley run starts', () => {
  const SHOW_IGNORED = `
import os
with open("/proc/self/status") as status:
    print([line.split()[1] for line in status if line.startswith("SigIgn:")][0])
print(os.environ.get("SMILEY_IGNORED_SIGNALS", "nothing of Smiley's"))
`

  /** What `shell` (running $0 as the command) prints run alone and through `smiley run`. */
  async function alongside(shell: string[]): Promise<{ alone: string; traced: Result }> {
    writePrograms(dir.path, { 'ignored.py': SHOW_IGNORED })
    const run = (command: string, args: string[]) =>
      new Promise<Result>((done) => {
        const child = spawn(shell[0]!, [...shell.slice(1), command, ...args], {
          cwd: dir.path,
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        let stdout = ''
        let stderr = ''
        child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
        child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
        child.on('close', (code, signal) => done({ code, signal, stdout, stderr }))
      })
    const alone = await run('python3', ['ignored.py'])
    expect(alone.code, alone.stderr).toBe(0)
    return { alone: alone.stdout, traced: await run(SMILEY, ['run', '-d', db, 'ignored.py']) }
  }

  it.each([
    ['nohup', ['nohup']],
    ["a script's background job", ['bash', '-c', '"$0" "$@" & wait']],
    ['a shell that ignores SIGTERM and SIGUSR1', ['sh', '-c', 'trap "" TERM USR1; exec "$0" "$@"']],
  ])('stay ignored for the program, as without Smiley: %s', async (_name, shell) => {
    const { alone, traced } = await alongside(shell)
    expect(traced.code, traced.stderr).toBe(0)
    expect(traced.stdout).toBe(alone)
    // Ignored beyond what Python itself ignores (SIGPIPE, SIGXFSZ): the shell's own choices.
    expect(BigInt(`0x${alone.split('\n')[0]}`) & ~0x1001000n).not.toBe(0n)
  })

  it('keep a program started with nohup running when its terminal hangs up', async () => {
    writePrograms(dir.path, {
      'hangs-on.py': `
import os, time
steps = []
for step in range(3):
    steps.append(step)
open("ready", "w").close()
while not os.path.exists("go"):
    time.sleep(0.02)
print("finished")
`,
    })
    const child = spawn('nohup', [SMILEY, 'run', '-d', db, 'hangs-on.py'], {
      cwd: dir.path,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // a process group of its own, as a terminal's job is
    })
    let stdout = ''
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    const exited = new Promise((done) => child.on('exit', (code, signal) => done({ code, signal })))
    for (let i = 0; i < 200 && !existsSync(join(dir.path, 'ready')); i++) await pause(50)
    process.kill(-child.pid!, 'SIGHUP') // the terminal closes: its whole job hears it
    await pause(300)
    writeFileSync(join(dir.path, 'go'), '')
    expect(await exited).toEqual({ code: 0, signal: null })
    expect(stdout).toBe('finished\n')
    expect(await onlyRun()).toMatchObject({ status: 'completed' })
    expect(await changed('steps')).toContain('[0, 1, 2]')
  })
})

describe('a run deleted while it is recorded', () => {
  it('stops being written, and the program runs on', async () => {
    const { exited } = await start(['waits.py', '1'])
    const run = await onlyRun()
    const deleted = await smiley(['delete', '--force', '-d', db, run.id])
    expect(deleted.code, deleted.stderr).toBe(0)
    expect(await exited).toEqual({ code: 0, signal: null })
    expect(existsSync(join(dir.path, 'finished'))).toBe(true)
    const listed = await smiley(['list', '--json', '-d', db])
    expect(JSON.parse(listed.stdout)).toEqual([])
    const sqlite = new Database(db, { readonly: true })
    expect(sqlite.prepare('SELECT count(*) AS n FROM event_blocks').get()).toEqual({ n: 0 })
    sqlite.close()
  })
})
