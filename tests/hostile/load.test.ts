/**
 * Load: 100 WebSocket clients follow a run while a program records about a million events
 * a minute (~17,000 a second) for 20 s. Every client receives pushes all along, and the
 * server answers the API promptly meanwhile; the figures reached are printed.
 */

import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { ServerMessage } from '../../shared/protocol.js'
import type { Run } from '../../shared/types/run.js'
import { SMILEY, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { spawnServer, type ServerProcess } from '../support/server-process.js'
import { sleep, waitFor } from '../support/wait.js'

const CLIENTS = 100
/** Of them, this many also fetch the newest events on each push. */
const READERS = 10
const RATE = 17_000
const SECONDS = 20

let dir: { path: string; remove: () => void }
let database: string
let server: ServerProcess

beforeAll(async () => {
  dir = tempDir()
  database = join(dir.path, 'runs.db')
  writePrograms(dir.path, {
    // Two line events per inner iteration, paced in 10 ms ticks to RATE events a second.
    'steady.py': `
import sys, time

rate, seconds = int(sys.argv[1]), float(sys.argv[2])
per_tick = rate // 100 // 2
start = time.monotonic()
ticks = 0
while ticks < seconds * 100:
    for item in range(per_tick):
        value = item
    ticks += 1
    pause = start + ticks / 100 - time.monotonic()
    if pause > 0:
        time.sleep(pause)
print("ticks", ticks, flush=True)
`,
  })
  server = await spawnServer(database)
})
afterAll(async () => {
  expect(await server.stop()).toBe(0)
  dir.remove()
})

interface Follower {
  socket: WebSocket
  pushes: Array<Extract<ServerMessage, { type: 'events' }>>
  /** Pages of the newest events fetched, for a follower that reads as it is told. */
  pages: number
  /** The newest event it has read. */
  newest: number
}

/**
 * A follower; a reader also fetches the newest events on each push, one request at a time,
 * as a dashboard following the end of a run shows them.
 */
async function follower(reads: boolean): Promise<Follower> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws`)
  const client: Follower = { socket, pushes: [], pages: 0, newest: 0 }
  let reading = false
  const read = async (run: string) => {
    reading = true
    try {
      while (client.newest < client.pushes.at(-1)!.lastSeq) {
        const last = client.pushes.at(-1)!.lastSeq
        const res = await fetch(
          `${server.url}api/runs/${run}/events?direction=backward&from=${last}&limit=200`,
        )
        const page = (await res.json()) as { events: Array<{ seq: number }> }
        client.pages += 1
        client.newest = page.events.at(-1)?.seq ?? client.newest
      }
    } finally {
      reading = false
    }
  }
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as ServerMessage
    if (message.type !== 'events') return
    client.pushes.push(message)
    if (reads && !reading) read(message.run).catch(() => undefined)
  })
  await new Promise((open, fail) => {
    socket.once('open', open)
    socket.once('error', fail)
  })
  return client
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

describe('load', () => {
  it('pushes to 100 followers of a run recording ~17,000 events a second, and stays responsive', async () => {
    const followers = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) => follower(i < READERS)),
    )
    const child = spawn(
      process.execPath,
      [SMILEY, 'run', '-d', database, 'steady.py', String(RATE), String(SECONDS)],
      { cwd: dir.path, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stderr = ''
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const exited = new Promise<number | null>((done) => child.once('exit', done))
    let running = true
    void exited.then(() => (running = false))

    const run = await waitFor('the run to appear', async () => {
      const runs = (await (await fetch(`${server.url}api/runs`)).json()) as Run[]
      return runs[0]
    })
    for (const f of followers) f.socket.send(JSON.stringify({ type: 'follow', run: run.id }))

    // The API, asked as a dashboard would, all along.
    const latencies: number[] = []
    const paths = [
      'api/runs',
      `api/runs/${run.id}`,
      `api/runs/${run.id}/events?direction=backward&from=${Number.MAX_SAFE_INTEGER}&limit=200`,
      `api/runs/${run.id}/threads`,
    ]
    let asked = 0
    while (running) {
      const path = paths[asked++ % paths.length]!
      const start = performance.now()
      const res = await fetch(`${server.url}${path}`)
      await res.arrayBuffer()
      latencies.push(performance.now() - start)
      expect(res.status, path).toBe(200)
      await sleep(100)
    }
    expect(await exited, stderr).toBe(0)

    const final = await waitFor('the run to be completed', async () => {
      const now = (await (await fetch(`${server.url}api/runs/${run.id}`)).json()) as Run
      return now.status === 'completed' && now
    })
    await waitFor(
      'every follower to hear that the run completed',
      () =>
        followers.every((f) =>
          f.pushes.some((p) => p.status === 'completed' && p.lastSeq === final.eventCount),
        ),
      30_000,
    )
    const duration = final.endedAt! - final.startedAt
    const rate = final.eventCount / duration
    const pushes = followers.map((f) => f.pushes.length).sort((a, b) => a - b)
    latencies.sort((a, b) => a - b)
    process.stdout.write(
      [
        `load: ${final.eventCount.toLocaleString('en-US')} events in ${duration.toFixed(1)} s ` +
          `= ${Math.round(rate).toLocaleString('en-US')} events/s (${Math.round(rate * 60).toLocaleString('en-US')}/min)`,
        `${CLIENTS} WebSocket followers (${READERS} also fetching the newest events on each push): ` +
          `${pushes[0]}–${pushes.at(-1)} pushes each (median ${percentile(pushes, 50)})`,
        `API latency during the load, ${latencies.length} requests: median ` +
          `${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, ` +
          `max ${latencies.at(-1)!.toFixed(1)} ms`,
      ].join('\n') + '\n',
    )
    // Generous bounds: two shared cores run the program, its recorder, the server and us.
    expect(rate).toBeGreaterThan(RATE * 0.6)
    // Pushes come at most every 100 ms, and kept coming all along: at least one a second.
    expect(pushes[0]).toBeGreaterThanOrEqual(SECONDS)
    expect(pushes.at(-1)).toBeLessThanOrEqual(Math.ceil(duration * 10) + 20)
    for (const f of followers) {
      const seqs = f.pushes.map((p) => p.lastSeq)
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    }
    await waitFor('the readers to have read the last events', () =>
      followers.slice(0, READERS).every((f) => f.newest === final.eventCount),
    )
    expect(percentile(latencies, 95)).toBeLessThan(2000)
    for (const f of followers) f.socket.close()
    expect(server.alive()).toBe(true)
    expect(server.stderr()).toBe('')
  }, 180_000)
})
