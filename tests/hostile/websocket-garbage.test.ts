/**
 * Garbage on the dashboard's WebSocket: binary frames, invalid UTF-8, huge frames, broken
 * framing and floods. Each is dropped (or its connection closed), the server stays up, and
 * other clients go on receiving their pushes.
 */

import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { ServerMessage } from '../../shared/protocol.js'
import type { Run } from '../../shared/types/run.js'
import { smiley } from '../support/cli.js'
import type { ServerProcess } from '../support/server-process.js'
import { sleep, waitFor } from '../support/wait.js'
import { serveRecordedRun, stopServedRun, type ServedRun } from './recordings.js'

let served: ServedRun
let dir: ServedRun['dir']
let database: string
let server: ServerProcess
let run: Run

beforeAll(async () => {
  served = await serveRecordedRun('answer = 6 * 7\n')
  ;({ dir, database, server, run } = served)
})
afterAll(() => stopServedRun(served))

interface Client {
  socket: WebSocket
  messages: ServerMessage[]
  closed: Promise<number>
}

async function connectClient(): Promise<Client> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws`)
  const messages: ServerMessage[] = []
  socket.on('message', (data) => messages.push(JSON.parse(data.toString()) as ServerMessage))
  socket.on('error', () => undefined) // a refused or closed socket is what some tests expect
  const closed = new Promise<number>((done) => socket.once('close', (code) => done(code)))
  await new Promise((open, fail) => {
    socket.once('open', open)
    socket.once('error', fail)
  })
  await waitFor('hello', () => messages.some((m) => m.type === 'hello'))
  return { socket, messages, closed }
}

async function expectServerWell(): Promise<void> {
  expect(server.alive()).toBe(true)
  const res = await fetch(`${server.url}api/runs/${run.id}`)
  expect(res.status).toBe(200)
  expect(server.stderr()).toBe('')
}

describe('garbage on the WebSocket', () => {
  it('drops binary frames and malformed messages, keeping the connection', async () => {
    const client = await connectClient()
    for (let i = 0; i < 50; i += 1) client.socket.send(randomBytes(1 + i * 40))
    for (const text of [
      '',
      'null',
      '{"type":"follow","run":42}',
      '{"type":"follow","run":{"$gt":""}}',
      '{"type":"follow","run":"../../etc/passwd"}',
      '{"type":"follow","run":"<script>alert(1)</script>"}',
      '{"type":"__proto__","run":null}',
      '{"__proto__":{"type":"follow"},"run":"x"}',
      '['.repeat(2000) + ']'.repeat(2000),
      '"' + '\\u0000'.repeat(500) + '"',
    ])
      client.socket.send(text)
    await sleep(300)
    expect(client.socket.readyState).toBe(WebSocket.OPEN)
    // It still works for what it is meant for.
    client.socket.send(JSON.stringify({ type: 'follow', run: run.id }))
    await waitFor('the events push', () =>
      client.messages.find((m) => m.type === 'events' && m.run === run.id),
    )
    client.socket.close()
    await expectServerWell()
  })

  it('closes a connection that sends invalid UTF-8 as text', async () => {
    const client = await connectClient()
    client.socket.send(Buffer.from([0x7b, 0xc3, 0x28, 0xff, 0xfe, 0x7d]), { binary: false })
    expect(await client.closed).toBe(1007)
    await expectServerWell()
  })

  it('closes a connection that sends a huge frame, without reading it', async () => {
    const client = await connectClient()
    client.socket.send('x'.repeat(16 * 1024 * 1024))
    // 1009 (too big), or 1006 when the server cuts the socket while the client still writes.
    expect([1006, 1009]).toContain(await client.closed)
    await expectServerWell()
  })

  it('closes a connection whose frames are not WebSocket frames', async () => {
    const socket = connect(server.port, '127.0.0.1')
    const closed = new Promise((done) => socket.once('close', done))
    socket.on('error', () => undefined)
    let answer = ''
    const upgraded = new Promise<void>((done) =>
      socket.on('data', (chunk) => {
        answer += chunk.toString('latin1')
        if (answer.includes('\r\n\r\n')) done()
      }),
    )
    socket.write(
      'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    )
    await upgraded
    expect(answer).toMatch(/^HTTP\/1\.1 101 /)
    // Unmasked, with a reserved opcode, then a length of 2^63 - 1.
    socket.write(Buffer.from([0x83, 0x05, 1, 2, 3, 4, 5]))
    socket.write(Buffer.from([0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))
    socket.write(randomBytes(4096))
    await closed
    await expectServerWell()
  })

  it('survives a flood of messages and stays responsive, pushing at most every 100 ms', async () => {
    const flooder = await connectClient()
    const bystander = await connectClient()
    const follow = JSON.stringify({ type: 'follow', run: run.id })
    const started = Date.now()
    for (let i = 0; i < 50_000; i += 1) {
      flooder.socket.send(i % 2 === 0 ? follow : 'garbage')
      if (i % 5000 === 0) await sleep(0)
    }
    const latencies: number[] = []
    for (let i = 0; i < 10; i += 1) {
      const asked = Date.now()
      expect((await fetch(`${server.url}api/runs`)).status).toBe(200)
      latencies.push(Date.now() - asked)
      await sleep(50)
    }
    // Wait until the server has read the whole flood (its answers stop coming).
    await sleep(500)
    const seconds = (Date.now() - started) / 1000
    const pushes = flooder.messages.filter((m) => m.type === 'events').length
    process.stdout.write(
      `WebSocket flood: 50,000 messages; ${pushes} pushes back in ${seconds.toFixed(1)} s; ` +
        `API latency meanwhile ${Math.min(...latencies)}–${Math.max(...latencies)} ms\n`,
    )
    expect(pushes).toBeGreaterThan(0)
    expect(pushes).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 2)
    expect(flooder.socket.readyState).toBe(WebSocket.OPEN)

    // The bystander still hears about a new run.
    const recorded = await smiley(['run', '-d', database, 'quick.py'], { cwd: dir.path })
    expect(recorded.code, recorded.stderr).toBe(0)
    await waitFor('the new run pushed to the bystander', () =>
      bystander.messages.some((m) => m.type === 'runs'),
    )
    flooder.socket.close()
    bystander.socket.close()
    await expectServerWell()
  })

  it('survives many connections opened and dropped at once', async () => {
    const sockets = await Promise.all(Array.from({ length: 200 }, () => connectClient()))
    for (const [index, client] of sockets.entries()) {
      if (index % 2 === 0) client.socket.terminate()
      else client.socket.close()
    }
    await expectServerWell()
  })
})
