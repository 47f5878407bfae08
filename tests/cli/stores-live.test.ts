/**
 * Following runs live through the store's watch, against each store: a SQLite file (chokidar
 * on the file) and a real PostgreSQL server (LISTEN/NOTIFY, tests/support/postgres.ts). A run
 * recorded by another process appears on the dashboard's socket, grows and ends; `smiley tail`
 * follows it and prints what `smiley replay` prints afterwards. On PostgreSQL: several
 * `smiley server` processes on one database each see every run, and a dashboard whose LISTEN
 * connection is killed finds it again and hears the next run.
 */

import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { ServerMessage } from '../../shared/protocol.js'
import type { RunFile, RunSource } from '../../shared/types/file.js'
import type { Run } from '../../shared/types/run.js'
import { startServer, type RunningServer } from '../../server/web/server.js'
import { SMILEY, smiley, tempDir } from '../support/cli.js'
import { PG_USER, startPostgres } from '../support/postgres.js'
import { writePrograms } from '../support/programs.js'
import { spawnServer, type ServerProcess } from '../support/server-process.js'

const postgres = await startPostgres()
const dir = tempDir()
const children: ChildProcess[] = []
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  postgres?.stop()
  dir.remove()
})

writePrograms(dir.path, {
  // Works a little, then waits for the file named by its argument, then works a little more.
  'gated.py': `
import os, sys, time

def step(i):
    return i * 2

for i in range(20):
    step(i)
print("waiting", flush=True)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.05)
for i in range(20, 200):
    step(i)
    time.sleep(0.005)
after = "recorded after the gate opened"
`,
  'quick.py': 'def double(n):\n    return n * 2\n\nvalue = double(21)\n',
})

/** A socket on a dashboard, collecting what it pushes. */
interface Listener {
  socket: WebSocket
  messages: ServerMessage[]
  /** The pushes about run `id` so far, oldest first. */
  pushesOf(id: string): Run[]
  /** Resolves once a push about run `description` matches `accept`. */
  waitFor(accept: (run: Run) => boolean, timeoutMs?: number): Promise<Run>
  close(): void
}

async function listen(port: number): Promise<Listener> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`)
  const messages: ServerMessage[] = []
  socket.on('message', (data) => messages.push(JSON.parse(data.toString()) as ServerMessage))
  await new Promise((open, fail) => (socket.once('open', open), socket.once('error', fail)))
  const pushed = () => messages.flatMap((m) => (m.type === 'runs' ? m.runs : []))
  return {
    socket,
    messages,
    pushesOf: (id) => pushed().filter((run) => run.id === id),
    async waitFor(accept, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const found = pushed().find(accept)
        if (found !== undefined) return found
        if (Date.now() > deadline) throw new Error(`no such push in ${JSON.stringify(messages)}`)
        await new Promise((tick) => setTimeout(tick, 25))
      }
    },
    close: () => socket.close(),
  }
}

interface Started {
  lines: string[]
  /** When the first line came. */
  firstLineAt: () => number | null
  waitFor(line: string): Promise<void>
  exited: Promise<{ code: number | null; at: number }>
}

/** Starts `smiley args…` in the programs' folder, collecting its stdout line by line. */
function start(args: string[]): Started {
  const child = spawn(process.execPath, [SMILEY, ...args], {
    cwd: dir.path,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  children.push(child)
  const lines: string[] = []
  let first: number | null = null
  const reader = createInterface({ input: child.stdout! })
  reader.on('line', (line) => {
    first ??= Date.now()
    lines.push(line)
  })
  const exited = new Promise<{ code: number | null; at: number }>((done) =>
    child.on('exit', (code) => done({ code, at: Date.now() })),
  )
  return {
    lines,
    firstLineAt: () => first,
    exited,
    waitFor: (wanted) =>
      new Promise((done, fail) => {
        if (lines.includes(wanted)) return done()
        reader.on('line', (line) => line === wanted && done())
        void exited.then(() => fail(new Error(`exited before printing ${wanted}`)))
      }),
  }
}

let gates = 0

/** Records gated.py until the test opens its gate (the file `gate`, returned). */
function recordGated(database: string, name: string) {
  const gate = join(dir.path, `${name}-${++gates}`)
  const recording = start(['run', '-d', database, 'gated.py', gate])
  return { recording, open: () => writeFileSync(gate, ''), description: `gated.py ${gate}` }
}

const STORES = [
  { name: 'SQLite', database: () => join(dir.path, 'live.db') },
  {
    name: 'PostgreSQL',
    database: () => {
      postgres!.createDatabase('live')
      return postgres!.url('live')
    },
  },
]

for (const store of STORES) {
  const unavailable = store.name === 'PostgreSQL' && postgres === null
  describe.skipIf(unavailable)(`following runs live in ${store.name}`, () => {
    let database: string
    let server: RunningServer
    beforeAll(async () => {
      database = store.database()
      server = await startServer({ database, host: '127.0.0.1', port: 0, token: null, poll: false })
    })
    afterAll(() => server.close())

    it("shows a run another process records as it appears, grows and ends, on the dashboard's socket", async () => {
      const dashboard = await listen(server.port)
      const gated = recordGated(database, 'gate-dashboard')
      await gated.recording.waitFor('waiting')
      const appeared = await dashboard.waitFor(
        (run) => run.description === gated.description && run.status === 'running',
      )
      const waiting = await dashboard.waitFor(
        (run) => run.id === appeared.id && run.status === 'running' && run.eventCount > 40,
      )
      gated.open()
      const ended = await dashboard.waitFor(
        (run) => run.id === appeared.id && run.status === 'completed',
      )
      expect((await gated.recording.exited).code).toBe(0)
      const pushes = dashboard.pushesOf(appeared.id)
      // Pushed while it ran, growing; never an older count after a newer one.
      const counts = pushes.map((run) => run.eventCount)
      expect(counts).toEqual([...counts].sort((a, b) => a - b))
      expect(
        new Set(pushes.filter((run) => run.status === 'running').map((r) => r.eventCount)).size,
      ).toBeGreaterThanOrEqual(2)
      expect(ended.eventCount).toBeGreaterThan(waiting.eventCount + 500)
      const listed = (await (await fetch(`${server.url}api/runs`)).json()) as Run[]
      expect(listed.find((run) => run.id === appeared.id)).toEqual(ended)
      // Its file and source as they were, with the lines that ran.
      const api = async <T>(path: string) =>
        (await (await fetch(`${server.url}api/runs/${appeared.id}/${path}`)).json()) as T
      const files = await api<RunFile[]>('files')
      const gatedFile = files.find((file) => file.displayPath === 'gated.py')!
      expect(gatedFile).toMatchObject({ hasSource: true })
      const source = await api<RunSource>(`files/${gatedFile.id}`)
      expect(source.text).toContain('after = "recorded after the gate opened"')
      expect(source.hits[14]).toBe(1)
      dashboard.close()
    }, 60_000)

    it('tells a follower where the run it follows ends, as it grows', async () => {
      const dashboard = await listen(server.port)
      const gated = recordGated(database, 'gate-follow')
      await gated.recording.waitFor('waiting')
      const running = await dashboard.waitFor(
        (run) => run.description === gated.description && run.status === 'running',
      )
      dashboard.socket.send(JSON.stringify({ type: 'follow', run: running.id }))
      gated.open()
      await gated.recording.exited
      const final = (await (await fetch(`${server.url}api/runs/${running.id}`)).json()) as Run
      const deadline = Date.now() + 10_000
      const followed = () =>
        dashboard.messages.flatMap((m) => (m.type === 'events' && m.run === running.id ? [m] : []))
      while (followed().at(-1)?.status !== 'completed' && Date.now() < deadline)
        await new Promise((tick) => setTimeout(tick, 25))
      expect(followed().at(-1)).toEqual({
        type: 'events',
        run: running.id,
        lastSeq: final.eventCount,
        status: 'completed',
      })
      dashboard.close()
    }, 60_000)

    it('tails a run another process records, printing as it goes what replay prints after', async () => {
      const gated = recordGated(database, 'gate-tail')
      await gated.recording.waitFor('waiting')
      let running: Run | undefined
      await expect
        .poll(async () => {
          const listed = (await (await fetch(`${server.url}api/runs`)).json()) as Run[]
          return (running = listed.find((run) => run.description === gated.description))
        })
        .toBeDefined()
      if (running === undefined) throw new Error('not listed')
      const tail = start(['tail', '-d', database, running.id])
      // Printed while the program still waits at its gate: tail follows, it does not wait.
      for (
        let wait = 0;
        wait < 200 && !tail.lines.some((l) => l.includes('time.sleep(0.05)'));
        wait++
      )
        await new Promise((tick) => setTimeout(tick, 50))
      expect(tail.lines.some((line) => line.includes('time.sleep(0.05)'))).toBe(true)
      expect(tail.lines.join('\n')).not.toContain('recorded after the gate opened')
      gated.open()
      const [ran, tailed] = await Promise.all([gated.recording.exited, tail.exited])
      expect(ran.code).toBe(0)
      expect(tailed.code).toBe(0)
      expect(tail.firstLineAt()!).toBeLessThan(ran.at)
      const replayed = await smiley(['replay', '-d', database, running.id], { cwd: dir.path })
      expect(replayed.code, replayed.stderr).toBe(0)
      expect(tail.lines.join('\n') + '\n').toBe(replayed.stdout)
      expect(replayed.stdout).toContain("after = 'recorded after the gate opened'")
    }, 60_000)
  })
}

describe.skipIf(postgres === null)('dashboards on one PostgreSQL database', () => {
  let url: string
  const servers: ServerProcess[] = []
  beforeAll(async () => {
    postgres!.createDatabase('shared')
    url = postgres!.url('shared')
    servers.push(...(await Promise.all([spawnServer(url), spawnServer(url)])))
  }, 30_000)
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()))
  })

  it('each see a run recorded by another process, and its deletion through the other', async () => {
    const [one, two] = await Promise.all(servers.map((server) => listen(server.port)))
    const recorded = await smiley(['run', '-d', url, 'quick.py'], { cwd: dir.path })
    expect(recorded.code, recorded.stderr).toBe(0)
    const seen = await Promise.all(
      [one!, two!].map((dashboard) =>
        dashboard.waitFor((run) => run.description === 'quick.py' && run.status === 'completed'),
      ),
    )
    expect(seen[0]).toEqual(seen[1])
    const id = seen[0]!.id
    const deleted = await fetch(`${servers[0]!.url}api/runs/${id}`, { method: 'DELETE' })
    expect(deleted.status).toBe(204)
    const heardDeleted = async (dashboard: Listener) => {
      const deadline = Date.now() + 10_000
      while (Date.now() < deadline) {
        if (dashboard.messages.some((m) => m.type === 'runsDeleted' && m.ids.includes(id))) return
        await new Promise((tick) => setTimeout(tick, 25))
      }
      throw new Error('no runsDeleted push')
    }
    await Promise.all([heardDeleted(one!), heardDeleted(two!)])
    expect((await fetch(`${servers[1]!.url}api/runs/${id}`)).status).toBe(404)
    one!.close()
    two!.close()
  }, 60_000)
})

describe.skipIf(postgres === null)('a dashboard whose LISTEN connection is killed', () => {
  let server: RunningServer
  beforeAll(async () => {
    postgres!.createDatabase('reconnect')
    server = await startServer({
      database: postgres!.url('reconnect'),
      host: '127.0.0.1',
      port: 0,
      token: null,
      poll: false,
    })
  })
  afterAll(() => server.close())

  it('names the database without its password', () => {
    expect(server.location).toBe(`postgres://${PG_USER}@127.0.0.1:${postgres!.port}/reconnect`)
  })

  it('is not started on a server it cannot reach, or with a wrong password (from --database or SMILEY_DB): one line each', async () => {
    const unreachable = postgres!.url('reconnect').replace(`:${postgres!.port}/`, ':1/')
    const wrong = postgres!.url('reconnect', 'not-it')
    for (const [database, said] of [
      [
        unreachable,
        /^smiley: cannot reach PostgreSQL at postgres:\/\/smiley@127\.0\.0\.1:1\/reconnect \(/,
      ],
      [
        wrong,
        /^smiley: PostgreSQL at postgres:\/\/smiley@[^ ]+\/reconnect: wrong password or user$/,
      ],
    ] as const) {
      const given = await smiley(['server', '-d', database, '--port', '0'], { timeoutMs: 20_000 })
      const fromEnv = await smiley(['server', '--port', '0'], {
        env: { SMILEY_DB: database },
        timeoutMs: 20_000,
      })
      for (const result of [given, fromEnv]) {
        expect(result.code).toBe(1)
        expect(result.stdout).toBe('')
        expect(result.stderr).toMatch(/^[^\n]+\n$/)
        expect(result.stderr.trim()).toMatch(said)
        expect(result.stderr).not.toContain('not-it')
      }
    }
  })

  const listeners = () =>
    postgres!
      .sql(
        'reconnect',
        "SELECT pid FROM pg_stat_activity WHERE datname = 'reconnect' AND query = 'LISTEN smiley_runs'",
      )
      .trim()
      .split('\n')
      .filter((line) => line !== '')

  it('listens again and hears the next run', async () => {
    const dashboard = await listen(server.port)
    const [killed] = listeners()
    expect(killed).toBeDefined()
    const terminated = postgres!.sql('reconnect', `SELECT pg_terminate_backend(${killed})`)
    expect(terminated.trim()).toBe('t')
    for (let wait = 0; wait < 100 && !listeners().some((pid) => pid !== killed); wait++)
      await new Promise((tick) => setTimeout(tick, 100))
    expect(listeners()).toHaveLength(1)
    expect(listeners()[0]).not.toBe(killed)
    const recorded = await smiley(['run', '-d', postgres!.url('reconnect'), 'quick.py'], {
      cwd: dir.path,
    })
    expect(recorded.code, recorded.stderr).toBe(0)
    const heard = await dashboard.waitFor(
      (run) => run.description === 'quick.py' && run.status === 'completed',
    )
    expect(heard.eventCount).toBeGreaterThan(0)
    dashboard.close()
  }, 60_000)
})

describe.skipIf(postgres === null)('smiley server whose LISTEN connection is killed', () => {
  let server: ServerProcess
  beforeAll(async () => {
    postgres!.createDatabase('listener')
    server = await spawnServer(postgres!.url('listener'))
  }, 30_000)
  afterAll(() => server.stop())

  it('says on stderr once, in one line, that live updates wait, and once that they go on', async () => {
    const listener = () =>
      postgres!
        .sql(
          'listener',
          "SELECT pid FROM pg_stat_activity WHERE datname = 'listener' AND query = 'LISTEN smiley_runs'",
        )
        .trim()
    const killed = listener()
    expect(killed).toMatch(/^\d+$/)
    expect(postgres!.sql('listener', `SELECT pg_terminate_backend(${killed})`).trim()).toBe('t')
    const lines = () =>
      server
        .stderr()
        .split('\n')
        .filter((line) => line !== '')
    for (let wait = 0; wait < 150 && lines().length < 2; wait++)
      await new Promise((tick) => setTimeout(tick, 100))
    // A moment more: nothing else may follow.
    await new Promise((tick) => setTimeout(tick, 1500))
    const where = `PostgreSQL at postgres://${PG_USER}@127.0.0.1:${postgres!.port}/listener`
    expect(lines()).toEqual([
      expect.stringMatching(
        new RegExp(
          `^smiley server: lost the connection to ${escape(where)}.*; live updates wait until it is back$`,
        ),
      ),
      `smiley server: the connection to ${where} is back; live updates go on`,
    ])
    expect(listener()).toMatch(/^\d+$/)
    expect(listener()).not.toBe(killed)
    expect(server.alive()).toBe(true)
  }, 60_000)
})

/** `text` as a regular expression that matches it alone. */
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

// Last in the file: it stops the PostgreSQL server the others share.
describe.skipIf(postgres === null)('a dashboard whose PostgreSQL server restarts', () => {
  let server: ServerProcess
  let url: string
  beforeAll(async () => {
    postgres!.createDatabase('restarts')
    url = postgres!.url('restarts')
    server = await spawnServer(url)
  }, 30_000)
  afterAll(() => server.stop())

  it('says so once in one line, keeps serving, and shows the runs recorded once it is back', async () => {
    const dashboard = await listen(server.port)
    postgres!.crash()
    try {
      for (let wait = 0; wait < 150 && server.stderr() === ''; wait++)
        await new Promise((tick) => setTimeout(tick, 100))
      expect(server.stderr()).toMatch(
        /^smiley server: [^\n]*PostgreSQL at postgres:\/\/smiley@[^\n]*\n$/,
      )
      expect(server.stderr()).not.toContain('smiley-test-password')
      expect((await fetch(`${server.url}api/runs`)).status).toBe(503)
    } finally {
      postgres!.resume()
    }
    const recorded = await smiley(['run', '-d', url, 'quick.py'], { cwd: dir.path })
    expect(recorded.code, recorded.stderr).toBe(0)
    await dashboard.waitFor(
      (run) => run.description === 'quick.py' && run.status === 'completed',
      40_000,
    )
    expect(server.alive()).toBe(true)
    // Once that it is lost, once that it is back: not a line per failed attempt meanwhile.
    const said = server
      .stderr()
      .split('\n')
      .filter((line) => line !== '')
    expect(said.filter((line) => line.includes('live updates wait'))).toHaveLength(1)
    expect(said.at(-1)).toMatch(/ is back; live updates go on$/)
    expect(said.length).toBeLessThanOrEqual(3)
    dashboard.close()
  }, 90_000)
})
