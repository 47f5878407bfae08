/** The WebSocket side of the dashboard: what is pushed, to whom, and what is refused. */

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { ServerMessage } from '../../shared/protocol.js'
import { PROTOCOL_VERSION } from '../../shared/protocol.js'
import type { Run } from '../../shared/types/run.js'
import { startServer, type RunningServer } from '../../server/web/server.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { storeUnderTest } from '../support/store-under-test.js'

const store = await storeUnderTest()

let dir: { path: string; remove: () => void }
let db: string
let server: RunningServer

beforeAll(async () => {
  dir = tempDir()
  db = store.database(dir.path)
  writePrograms(dir.path, { 'prog.py': 'x = 1\ny = x + 1\n' })
  server = await startServer({ database: db, host: '127.0.0.1', port: 0, token: null, poll: false })
})
afterAll(async () => {
  await server.close()
  dir.remove()
})

/** A connected client that collects what the server pushes. */
async function connect(headers: Record<string, string> = {}) {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers })
  const messages: ServerMessage[] = []
  socket.on('message', (data) => messages.push(JSON.parse(data.toString()) as ServerMessage))
  await new Promise((open, fail) => {
    socket.once('open', open)
    socket.once('error', fail)
  })
  const next = async (type: ServerMessage['type'], timeoutMs = 5000): Promise<ServerMessage> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const index = messages.findIndex((m) => m.type === type)
      if (index >= 0) return messages.splice(index, 1)[0]!
      if (Date.now() > deadline) throw new Error(`no ${type} message`)
      await new Promise((tick) => setTimeout(tick, 20))
    }
  }
  return { socket, messages, next }
}

describe('the WebSocket', () => {
  it('greets with the protocol version, then pushes runs as they are recorded', async () => {
    const client = await connect()
    expect(await client.next('hello')).toMatchObject({ type: 'hello', protocol: PROTOCOL_VERSION })
    await smiley(['run', '-d', db, 'prog.py'], { cwd: dir.path })
    const pushed = (await client.next('runs')) as Extract<ServerMessage, { type: 'runs' }>
    expect(pushed.runs[0]!.description).toBe('prog.py')
    client.socket.close()
  })

  it('tells a follower where the followed run ends, and nobody else', async () => {
    const [run] = (await (await fetch(`${server.url}api/runs`)).json()) as Run[]
    const follower = await connect()
    const bystander = await connect()
    follower.socket.send(JSON.stringify({ type: 'follow', run: run!.id }))
    expect(await follower.next('events')).toEqual({
      type: 'events',
      run: run!.id,
      lastSeq: run!.eventCount,
      status: 'completed',
    })
    await new Promise((wait) => setTimeout(wait, 300))
    expect(bystander.messages.some((m) => m.type === 'events')).toBe(false)
    follower.socket.close()
    bystander.socket.close()
  })

  it('ignores malformed messages and keeps the connection', async () => {
    const client = await connect()
    await client.next('hello')
    for (const garbage of [
      'not json',
      '{"type":"follow"}',
      '{"type":"explode","run":1}',
      '[]',
      'null',
    ])
      client.socket.send(garbage)
    client.socket.send(Buffer.from([0, 1, 2]))
    await new Promise((wait) => setTimeout(wait, 200))
    expect(client.socket.readyState).toBe(WebSocket.OPEN)
    client.socket.close()
  })

  it('closes the connection on an oversized message', async () => {
    const client = await connect()
    const closed = new Promise<number>((done) => client.socket.once('close', done))
    client.socket.send('x'.repeat(100_000))
    expect(await closed).toBe(1009)
  })

  it('refuses an upgrade from another origin or for another host', async () => {
    await expect(connect({ origin: 'http://evil.example' })).rejects.toThrow(/403/)
    await expect(connect({ host: 'evil.example' })).rejects.toThrow(/403/)
  })
})

describe('a server with a token', () => {
  it('refuses sockets and requests without it', async () => {
    const guarded = await startServer({
      database: db,
      host: '127.0.0.1',
      port: 0,
      token: 'abc',
      poll: false,
    })
    try {
      expect(guarded.url).toMatch(/\?token=abc$/)
      expect((await fetch(`http://127.0.0.1:${guarded.port}/api/runs`)).status).toBe(401)
      const refused = new WebSocket(`ws://127.0.0.1:${guarded.port}/ws`)
      await expect(
        new Promise((open, fail) => (refused.once('open', open), refused.once('error', fail))),
      ).rejects.toThrow(/403/)
      const allowed = new WebSocket(`ws://127.0.0.1:${guarded.port}/ws`, {
        headers: { cookie: 'smiley_token=abc' },
      })
      await new Promise((open, fail) => (allowed.once('open', open), allowed.once('error', fail)))
      allowed.close()
    } finally {
      await guarded.close()
    }
  })
})
