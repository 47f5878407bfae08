/**
 * A real `smiley record` with a token, as a stranger and as a flood see it: without the token
 * every address answers 401 alike; a refused request is not read on, however much its sender
 * pushes; and many large batches at once are passed on as they arrive, not held in memory.
 */

import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../support/cli.js'
import { spawnRecorder, type ServerProcess } from '../support/server-process.js'

const TOKEN = 'a-token-of-twenty-chars'
const AUTHORIZED = { authorization: `Bearer ${TOKEN}` }
const MiB = 1024 * 1024

let dir: { path: string; remove: () => void }
let recorder: ServerProcess

beforeAll(async () => {
  dir = tempDir()
  recorder = await spawnRecorder(join(dir.path, 'received.db'), ['--token', TOKEN])
})
afterAll(async () => {
  expect(await recorder.stop()).toBe(0)
  dir.remove()
})

const uuid = (n: number) => `0b5e1f3a-1111-4222-8333-${String(n).padStart(12, '0')}`

function openRun(id: string): Promise<Response> {
  return fetch(`${recorder.url}/v1/runs/${id}`, {
    method: 'PUT',
    headers: AUTHORIZED,
    body: JSON.stringify({ protocol: 1, description: 'flood', argv: [], options: {} }),
  })
}

describe('a request without the token', () => {
  it.each([
    ['GET', '/'],
    ['GET', '/favicon.ico'],
    ['POST', '/v1/nothing'],
    ['PUT', `/v1/runs/${uuid(1)}/stream`],
    ['POST', `/v1/runs/${uuid(1)}/stream?offset=0`],
    ['GET', '/%zz'],
  ])('gets 401 whatever it asks for: %s %s', async (method, path) => {
    const res = await fetch(`${recorder.url}${path}`, {
      method,
      ...(method === 'GET' ? {} : { body: 'x' }),
    })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: 'a token is needed' })
  })

  it('with the token, an unknown address is a 404', async () => {
    const res = await fetch(`${recorder.url}/v1/nothing`, { headers: AUTHORIZED })
    expect(res.status).toBe(404)
  })
})

/**
 * Sends the head of a request on a socket, then pushes its body until the recorder closes the
 * connection or `most` bytes are written (then waits a moment for it to close); resolves with
 * what was written, whether the recorder closed the connection, and what came back.
 */
function push(head: string, chunked: boolean, most = 128 * MiB) {
  return new Promise<{ written: number; closed: boolean; answer: string }>((done) => {
    const socket = connect(recorder.port, '127.0.0.1')
    const piece = Buffer.alloc(Math.min(64 * 1024, most), 120)
    const framed = chunked
      ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')])
      : piece
    let written = 0
    let answer = ''
    let closed = false
    let waited = false
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')))
    socket.on('error', () => undefined)
    socket.on('close', () => {
      closed = !waited
      done({ written, closed, answer })
    })
    const more = () => {
      while (socket.writable && written < most) {
        written += piece.length
        if (!socket.write(framed)) return void socket.once('drain', more)
      }
      setTimeout(() => {
        waited = true
        socket.destroy()
      }, 3000).unref()
    }
    socket.write(head)
    more()
  })
}

describe('a refused request', () => {
  const head = (path: string, headers: string, length: string) =>
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n${headers}${length}\r\n`

  it.each([
    ['without the token, 300 MiB long', '', 'Content-Length: 314572800\r\n', false, 401],
    ['without the token, chunked', '', 'Transfer-Encoding: chunked\r\n', true, 401],
    [
      'for a run the recorder does not know',
      `Authorization: Bearer ${TOKEN}\r\n`,
      'Content-Length: 314572800\r\n',
      false,
      404,
    ],
  ] as const)(
    'is not read on: %s, its connection is closed',
    async (_name, headers, length, chunked, status) => {
      const path = `/v1/runs/${uuid(2)}/stream?offset=0`
      const pushed = await push(head(path, headers, length), chunked)
      expect(pushed.closed).toBe(true)
      // What the kernel's buffers on both sides took before the recorder closed, and no more.
      expect(pushed.written).toBeLessThan(32 * MiB)
      if (pushed.answer !== '') expect(pushed.answer).toMatch(new RegExp(`^HTTP/1.1 ${status} `))
      expect(recorder.alive()).toBe(true)
    },
  )

  it('no longer than a batch is read to its end, so that its sender gets the answer', async () => {
    for (const size of [1000, 1024 * 1024]) {
      const pushed = await push(
        head(`/v1/runs/${uuid(3)}/stream?offset=0`, '', `Content-Length: ${size}\r\n`),
        false,
        size,
      )
      expect(pushed.answer).toMatch(/^HTTP\/1.1 401 [^]*\r\nconnection: close\r\n/i)
    }
  })
})

describe('twenty batches of 8 MiB at once', () => {
  const peakMiB = () =>
    Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${recorder.child.pid}/status`, 'utf8'))![1]) /
    1024

  it.each([
    ['as they are', false],
    ['gzipped', true],
  ])('are taken %s without holding them in memory', async (_name, gzipped) => {
    const first = gzipped ? 100 : 200
    const ids = Array.from({ length: 20 }, (_, i) => uuid(first + i))
    for (const id of ids) expect((await openRun(id)).status).toBe(200)
    const batch = Buffer.alloc(8 * MiB - 1024, 7)
    const body = gzipped ? gzipSync(batch) : batch
    const statuses = await Promise.all(
      ids.map(async (id) => {
        const res = await fetch(`${recorder.url}/v1/runs/${id}/stream?offset=0`, {
          method: 'POST',
          headers: { ...AUTHORIZED, ...(gzipped ? { 'content-encoding': 'gzip' } : {}) },
          body,
        })
        return [res.status, ((await res.json()) as { received: number }).received]
      }),
    )
    expect(new Set(statuses.map(String))).toEqual(new Set([`200,${batch.length}`]))
    // Held whole, the twenty batches took the recorder past 300 MiB (400 gzipped).
    expect(peakMiB()).toBeLessThan(200)
  })
})
