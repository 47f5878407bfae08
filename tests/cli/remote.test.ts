/**
 * Remote recording: `smiley run --remote` sends the event stream over HTTP to `smiley record`
 * (which stores it as a local run would be) or `smiley monitor` (which prints it live), and
 * the program never notices when the recorder is down, slow, gone or refusing.
 */

import Database from 'better-sqlite3'
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Run } from '../../shared/types/run.js'
import { SMILEY, smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'

let dir: { path: string; remove: () => void }
const started: ChildProcess[] = []

beforeEach(() => {
  dir = tempDir()
  writePrograms(dir.path, {
    'shop.py': `
import sys

class OutOfStock(Exception):
    pass

class Shop:
    def __init__(self, stock):
        self.stock = dict(stock)

    def take(self, item, wanted):
        left = self.stock.get(item, 0)
        if wanted > left:
            raise OutOfStock(f"{wanted} {item} wanted, {left} left")
        self.stock[item] = left - wanted
        return wanted

def receipts(shop, orders):
    for item, wanted in orders:
        try:
            yield item, shop.take(item, wanted)
        except OutOfStock as error:
            yield item, str(error)

shop = Shop({"pear": 2, "fig": 5})
filled = list(receipts(shop, [("pear", 1), ("fig", 2), ("pear", 3)]))
squares = [n * n for n in range(40)]
print("filled", filled)
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
`,
    // Prints "ready", then waits for the test to create `go` (at most 30 s), then works a while.
    'waits.py': `
import os, sys, time
steps = []
for step in range(3):
    steps.append(step)
print("ready", flush=True)
deadline = time.time() + 30
while not os.path.exists("go") and time.time() < deadline:
    time.sleep(0.05)
total = 0
for i in range(int(sys.argv[1]) if len(sys.argv) > 1 else 2000):
    total += i
print("finished", total, flush=True)
while not os.path.exists("go2") and time.time() < deadline:
    time.sleep(0.05)
`,
  })
})

afterEach(() => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  dir.remove()
})

/** A running smiley process whose output lines are collected as they come. */
interface Running {
  child: ChildProcess
  stdout: string[]
  stderr: string[]
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Resolves once a line of stdout matches. */
  line: (pattern: RegExp) => Promise<string>
}

function start(args: string[]): Running {
  const child = spawn(process.execPath, [SMILEY, ...args], {
    cwd: dir.path,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  started.push(child)
  const stdout: string[] = []
  const stderr: string[] = []
  const waiting: Array<{ pattern: RegExp; done: (line: string) => void }> = []
  createInterface({ input: child.stdout! }).on('line', (line) => {
    stdout.push(line)
    for (const wait of waiting.filter((w) => w.pattern.test(line))) {
      waiting.splice(waiting.indexOf(wait), 1)
      wait.done(line)
    }
  })
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('close', (code, signal) => done({ code, signal })),
  )
  const line = (pattern: RegExp) =>
    new Promise<string>((done, fail) => {
      const seen = stdout.find((l) => pattern.test(l))
      if (seen !== undefined) return done(seen)
      waiting.push({ pattern, done })
      void exited.then(() =>
        fail(new Error(`exited without printing ${pattern}: ${[...stdout, ...stderr].join('\n')}`)),
      )
    })
  return { child, stdout, stderr, exited, line }
}

/** Starts `smiley record` or `smiley monitor` on a free loopback port; resolves with its URL. */
async function receiver(args: string[]): Promise<Running & { url: string }> {
  const running = start([
    ...args,
    ...(args.includes('--listen') ? [] : ['--listen', '127.0.0.1:0']),
  ])
  const url = await new Promise<string>((done, fail) => {
    const timer = setInterval(() => {
      const found = running.stderr.join('\n').match(/runs sent to (http:\/\/\S+)/)
      if (found) {
        clearInterval(timer)
        done(found[1]!)
      }
    }, 20)
    void running.exited.then(() => {
      clearInterval(timer)
      fail(new Error(`the receiver did not start: ${running.stderr.join('\n')}`))
    })
  })
  return { ...running, url }
}

async function runs(db: string): Promise<Run[]> {
  const listed = await smiley(['list', '--json', '-d', db])
  expect(listed.code, listed.stderr).toBe(0)
  return JSON.parse(listed.stdout) as Run[]
}

/** A run's events as `replay --json` prints them, without what differs between two runs. */
async function comparableEvents(db: string, run = 'latest'): Promise<unknown[]> {
  const replay = await smiley(['replay', '--json', '-d', db, run])
  expect(replay.code, replay.stderr).toBe(0)
  return replay.stdout
    .trim()
    .split('\n')
    .map((line) => {
      const { time: _time, ...event } = JSON.parse(
        line.replace(/0x[0-9a-f]+/g, '0x…'),
      ) as TraceEvent
      return event
    })
}

function query(db: string, sql: string): unknown[] {
  const connection = new Database(db, { readonly: true })
  try {
    return connection.prepare(sql).all()
  } finally {
    connection.close()
  }
}

/** A loopback port nobody listens on. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as { port: number }
  await new Promise((done) => server.close(done))
  return port
}

const touch = (name: string) => writeFileSync(join(dir.path, name), '')

/** An IPv4 address of this machine other than loopback, if it has one. */
const ownAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address

describe('smiley record', () => {
  it('records a run sent with --remote exactly as the same program recorded locally', async () => {
    const local = join(dir.path, 'local.db')
    const remote = join(dir.path, 'remote.db')
    const here = await smiley(['run', '-d', local, 'shop.py', '3'], { cwd: dir.path })
    const recorder = await receiver(['record', '-d', remote])
    const sent = await smiley(['run', '--remote', recorder.url, 'shop.py', '3'], { cwd: dir.path })

    expect(sent.code).toBe(3)
    expect(sent.stdout).toBe(here.stdout)
    expect(sent.stderr).toBe('')
    await recorder.line(/ error: /)
    const [localRun] = await runs(local)
    const [remoteRun] = await runs(remote)
    const comparable = (run: Run) => ({
      description: run.description,
      argv: run.argv,
      cwd: run.cwd,
      status: run.status,
      exitCode: run.exitCode,
      errorMessage: run.errorMessage,
      eventCount: run.eventCount,
      lostEvents: run.lostEvents,
      options: run.options,
    })
    expect(comparable(remoteRun!)).toEqual(comparable(localRun!))
    expect(remoteRun!.lostEvents).toBe(0)
    expect(await comparableEvents(remote)).toEqual(await comparableEvents(local))

    const sources = `SELECT f.path, s.text FROM files f JOIN sources s ON s.hash = f.source_hash ORDER BY f.path`
    expect(query(remote, sources)).toEqual(query(local, sources))
    const profile = `SELECT file, line, name, calls, primitive_calls FROM profile_functions ORDER BY file, line, name`
    const profiled = query(remote, profile) as Array<{ name: string }>
    expect(profiled.map((f) => f.name)).toContain('take')
    expect(profiled).toEqual(query(local, profile))

    const id = remoteRun!.id.slice(0, 8)
    expect(recorder.stdout).toEqual([
      expect.stringMatching(new RegExp(`^run ${id} started: shop\\.py 3 \\(host .+\\)$`)),
      `run ${id} error: ${remoteRun!.eventCount} events (exited with status 3)`,
    ])
  })

  it('takes several runs at once', async () => {
    const db = join(dir.path, 'runs.db')
    const recorder = await receiver(['record', '-d', db])
    touch('go')
    touch('go2')
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        smiley(['run', '--remote', recorder.url, 'waits.py', '3000'], { cwd: dir.path }),
      ),
    )
    expect(results.map((r) => [r.code, r.stderr])).toEqual([
      [0, ''],
      [0, ''],
      [0, ''],
    ])
    for (let i = 0; i < 50 && recorder.stdout.length < 6; i++) await pause(100)
    const recorded = await runs(db)
    expect(recorded).toHaveLength(3)
    expect(new Set(recorded.map((r) => r.status))).toEqual(new Set(['completed']))
    expect(new Set(recorded.map((r) => r.eventCount)).size).toBe(1)
    expect(recorded[0]!.eventCount).toBeGreaterThan(6000)
  })

  it('ends a run as lost, keeping its events, when its sender disappears', async () => {
    const db = join(dir.path, 'runs.db')
    const recorder = await receiver(['record', '-d', db, '--sender-timeout', '1'])
    const sender = start(['run', '--remote', recorder.url, 'waits.py'])
    await sender.line(/^ready$/)
    await recorder.line(/ started: /)
    await pause(300)
    sender.child.kill('SIGKILL')
    const ended = await recorder.line(/ lost: /)
    touch('go')
    touch('go2')
    expect(ended).toMatch(
      /^run \w{8} lost: \d+ events \(the recording stopped before the program ended\)$/,
    )
    const [run] = await runs(db)
    expect(run).toMatchObject({ status: 'lost' })
    const steps = (await comparableEvents(db)) as TraceEvent[]
    expect(steps.map((e) => e.locals['steps']).filter(Boolean)).toContain('[0, 1, 2]')
  })

  it.skipIf(ownAddress === undefined)(
    'takes runs on every interface with a token, from this machine’s own address',
    async () => {
      const db = join(dir.path, 'runs.db')
      const recorder = await receiver([
        'record',
        '-d',
        db,
        '--listen',
        '0.0.0.0:0',
        '--token',
        's3',
      ])
      const port = new URL(recorder.url).port
      touch('go')
      touch('go2')
      const sent = await smiley(
        ['run', '--remote', `http://${ownAddress}:${port}`, '--token', 's3', 'waits.py', '5000'],
        { cwd: dir.path },
      )
      expect([sent.code, sent.stderr]).toEqual([0, ''])
      await recorder.line(/ completed: /)
      const [run] = await runs(db)
      expect(run).toMatchObject({ status: 'completed', lostEvents: 0 })
      expect(run!.eventCount).toBeGreaterThan(10_000)
    },
  )
})

describe('smiley monitor', () => {
  it('prints the events of a run while the program is still running', async () => {
    const monitor = await receiver(['monitor', '--exit'])
    const sender = start(['run', '--remote', monitor.url, 'waits.py', '10'])
    await sender.line(/^ready$/)
    // The program cannot end before `go` exists: these lines were printed while it ran.
    await monitor.line(/^waits\.py: +5:MainThread: print\("ready", flush=True\)$/)
    await monitor.line(/^ +steps = \[0, 1, 2\]$/)
    expect(monitor.stdout[0]).toMatch(/^run \w{8} started: waits\.py 10 \(host .+\)$/)
    expect(sender.child.exitCode).toBeNull()
    touch('go')
    touch('go2')
    expect(await sender.exited).toEqual({ code: 0, signal: null })
    expect(await monitor.exited).toEqual({ code: 0, signal: null })
    expect(monitor.stdout).toContain(
      'waits.py:  12:MainThread: print("finished", total, flush=True)',
    )
    expect(monitor.stdout.at(-1)).toMatch(/^run \w{8} completed: \d+ events$/)
    expect(sender.stderr).toEqual([])
  })
})

describe('smiley run --remote', () => {
  it('runs the program when the recorder is down, says so in one line, and keeps its exit status', async () => {
    const url = `http://127.0.0.1:${await freePort()}`
    const result = await smiley(['run', '--remote', url, 'shop.py', '4'], { cwd: dir.path })
    expect(result.code).toBe(4)
    expect(result.stdout).toContain('filled')
    expect(result.stderr).toBe(
      `smiley: cannot reach the recorder at ${url} (connection refused); the program runs, but this run is not recorded\n`,
    )
  })

  it('carries on when the recorder stops mid-run and says in one line how much was lost', async () => {
    const db = join(dir.path, 'runs.db')
    const recorder = await receiver(['record', '-d', db])
    const sender = start(['run', '--remote', recorder.url, 'waits.py'])
    await sender.line(/^ready$/)
    await recorder.line(/ started: /)
    recorder.child.kill('SIGKILL')
    await recorder.exited
    touch('go')
    touch('go2')
    expect(await sender.exited).toEqual({ code: 0, signal: null })
    expect(sender.stdout).toEqual(['ready', 'finished 1999000'])
    expect(sender.stderr).toHaveLength(1)
    expect(sender.stderr[0]).toMatch(
      new RegExp(
        `^smiley: lost the recorder at ${recorder.url} \\(connection refused\\): [\\d,]+ events were not recorded$`,
      ),
    )
  })

  it('drops events, never definitions, when the recorder falls behind, and counts them', async () => {
    const db = join(dir.path, 'runs.db')
    const recorder = await receiver(['record', '-d', db])
    const sender = start([
      'run',
      '--remote',
      recorder.url,
      '--remote-buffer',
      '100000',
      'waits.py',
      '20000',
    ])
    await sender.line(/^ready$/)
    await recorder.line(/ started: /)
    recorder.child.kill('SIGSTOP')
    touch('go')
    await sender.line(/^finished/)
    recorder.child.kill('SIGCONT')
    touch('go2')
    expect(await sender.exited).toEqual({ code: 0, signal: null })
    expect(sender.stderr).toHaveLength(1)
    const dropped = /fell behind: ([\d,]+) events were dropped from the run$/.exec(
      sender.stderr[0]!,
    )
    expect(dropped, sender.stderr[0]).not.toBeNull()
    await recorder.line(/ completed: /)
    const [run] = await runs(db)
    expect(run!.lostEvents).toBe(Number(dropped![1]!.replace(/,/g, '')))
    expect(run!.lostEvents).toBeGreaterThan(1000)
    expect(run!.status).toBe('completed')
    // Every event kept still has its function, file and source; the profile, sent last, is there.
    const events = (await comparableEvents(db)) as TraceEvent[]
    expect(events).toHaveLength(run!.eventCount)
    for (const event of events)
      expect(event).toMatchObject({ function: '<module>', source: expect.any(String) })
    expect(query(db, 'SELECT name FROM profile_functions')).not.toHaveLength(0)
    expect(query(db, 'SELECT path FROM files')).toEqual([{ path: join(dir.path, 'waits.py') }])
  })

  it('says in one line that the recorder refused the token, and the recorder stores nothing', async () => {
    const db = join(dir.path, 'runs.db')
    const recorder = await receiver(['record', '-d', db, '--token', 'right'])
    const wrong = await smiley(
      ['run', '--remote', recorder.url, '--token', 'wrong', 'shop.py', '2'],
      {
        cwd: dir.path,
      },
    )
    expect(wrong.code).toBe(2)
    expect(wrong.stdout).toContain('filled')
    expect(wrong.stderr).toBe(
      `smiley: the recorder at ${recorder.url} refused the token; the program runs, but this run is not recorded\n`,
    )
    const none = await smiley(['run', '--remote', recorder.url, 'shop.py'], { cwd: dir.path })
    expect(none.code).toBe(0)
    expect(none.stderr).toMatch(
      /^smiley: the recorder at \S+ needs a token \(give --token or set SMILEY_TOKEN\); /,
    )
    recorder.child.kill('SIGTERM')
    expect((await recorder.exited).code).toBe(0)
    expect(recorder.stdout).toEqual([])
    expect(await runs(db)).toEqual([])
  })
})

describe('listening', () => {
  it('says in one line that the port is in use', async () => {
    const first = await receiver(['record', '-d', join(dir.path, 'a.db')])
    const port = new URL(first.url).port
    for (const command of ['record', 'monitor']) {
      const second = await smiley([command, '--listen', `127.0.0.1:${port}`], { cwd: dir.path })
      expect(second.code).toBe(1)
      expect(second.stderr).toBe(`smiley: port ${port} is in use: choose another with --listen\n`)
    }
  })

  it('refuses to listen beyond loopback without a token', async () => {
    for (const command of ['record', 'monitor']) {
      const result = await smiley([command, '--listen', '0.0.0.0:0'], { cwd: dir.path })
      expect(result.code).toBe(2)
      expect(result.stderr).toBe(
        'smiley: listening on 0.0.0.0 lets other machines send runs: give a --token (or SMILEY_TOKEN)\n',
      )
    }
  })
})

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms))
