/**
 * What the remote recording tests share: a folder with two programs, smiley processes whose
 * output is read line by line as it comes, receivers on free ports, and reading runs back.
 */

import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, beforeEach, expect } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Run } from '../../shared/types/run.js'
import { SMILEY, smiley, tempDir } from './cli.js'
import { writePrograms } from './programs.js'

let dir: { path: string; remove: () => void }
const started: ChildProcess[] = []

/**
 * A fresh folder for each test, holding shop.py and waits.py, and every smiley process a test
 * started killed after it. `path` is the current test's folder.
 */
export function remoteFolder(): { readonly path: string } {
  beforeEach(setUp)
  afterEach(tearDown)
  return {
    get path() {
      return dir.path
    },
  }
}

function setUp(): void {
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
}

function tearDown(): void {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  dir.remove()
}

/** A running smiley process whose output lines are collected as they come. */
export interface Running {
  child: ChildProcess
  stdout: string[]
  stderr: string[]
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Resolves once a line of stdout matches. */
  line: (pattern: RegExp) => Promise<string>
}

export function start(args: string[]): Running {
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
export async function receiver(args: string[]): Promise<Running & { url: string }> {
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

export async function runs(db: string): Promise<Run[]> {
  const listed = await smiley(['list', '--json', '-d', db])
  expect(listed.code, listed.stderr).toBe(0)
  return JSON.parse(listed.stdout) as Run[]
}

/** A run's events as `replay --json` prints them, without what differs between two runs. */
export async function comparableEvents(db: string, run = 'latest'): Promise<unknown[]> {
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

/** A loopback port nobody listens on. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as { port: number }
  await new Promise((done) => server.close(done))
  return port
}

export const touch = (name: string) => writeFileSync(join(dir.path, name), '')

/** An IPv4 address of this machine other than loopback, if it has one. */
export const ownAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address

export const pause = (ms: number) => new Promise((done) => setTimeout(done, ms))
