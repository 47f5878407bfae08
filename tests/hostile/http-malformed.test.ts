/**
 * Malformed and oversized requests, written byte for byte on a socket: the dashboard
 * (`smiley server`) and the remote recorder (`smiley record`) answer each with a 4xx status
 * and a JSON error, never a 500, and go on serving.
 */

import { gzipSync } from 'node:zlib'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { rawRequest, type RawAnswer } from '../support/raw-http.js'
import { spawnRecorder, spawnServer, type ServerProcess } from '../support/server-process.js'

let dir: { path: string; remove: () => void }
let server: ServerProcess
let guarded: ServerProcess
let recorder: ServerProcess
let run: Run

const HOST = 'Host: 127.0.0.1\r\n'

/** A request with `Connection: close`, so that the answer ends with the connection. */
function request(head: string, body = ''): string {
  const length = body === '' ? '' : `Content-Length: ${Buffer.byteLength(body)}\r\n`
  return `${head}\r\n${HOST}Connection: close\r\n${length}\r\n${body}`
}

function expectJsonRefusal(answer: RawAnswer, status?: number): void {
  const said = JSON.stringify(answer)
  if (status !== undefined) expect(answer.status, said).toBe(status)
  expect(answer.status, said).toBeGreaterThanOrEqual(400)
  expect(answer.status, said).toBeLessThan(500)
  expect(answer.headers['content-type'], said).toMatch(/^application\/json/)
  expect(JSON.parse(answer.body), said).toEqual({ error: expect.any(String) })
}

beforeAll(async () => {
  dir = tempDir()
  writePrograms(dir.path, { 'quick.py': 'answer = 6 * 7\n' })
  const database = join(dir.path, 'runs.db')
  const recorded = await smiley(['run', '-d', database, 'quick.py'], { cwd: dir.path })
  expect(recorded.code, recorded.stderr).toBe(0)
  server = await spawnServer(database)
  guarded = await spawnServer(database, ['--token', 's3cret'])
  recorder = await spawnRecorder(join(dir.path, 'received.db'))
  run = ((await (await fetch(`${server.url}api/runs`)).json()) as Run[])[0]!
})
afterAll(async () => {
  expect(await server.stop()).toBe(0)
  expect(await guarded.stop()).toBe(0)
  expect(await recorder.stop()).toBe(0)
  dir.remove()
})

describe('the dashboard, sent malformed and oversized requests', () => {
  const cases: Array<[string, () => string | Buffer, number?]> = [
    ['an unknown method', () => request('FOO /api/runs HTTP/1.1'), 400],
    ['a method no route takes', () => request('PROPFIND / HTTP/1.1'), 404],
    ['PATCH on a run', () => request(`PATCH /api/runs/${run.id} HTTP/1.1`, '{}'), 404],
    ['a bad JSON body', () => request('POST /api/runs HTTP/1.1', '{"run": '), 404],
    ['a bad JSON body on a run', () => request(`PUT /api/runs/${run.id} HTTP/1.1`, '{bad'), 404],
    [
      'a huge query string',
      () => request(`GET /api/runs?limit=${'9'.repeat(12_000)} HTTP/1.1`),
      400,
    ],
    [
      'a huge cursor',
      () => request(`GET /api/runs/${run.id}/events?from=${'1'.repeat(10_000)} HTTP/1.1`),
      400,
    ],
    [
      'a URL beyond the header limit',
      () => request(`GET /api/runs?x=${'a'.repeat(40_000)} HTTP/1.1`),
      431,
    ],
    [
      'a huge header',
      () => `GET /api/runs HTTP/1.1\r\n${HOST}X-Big: ${'a'.repeat(40_000)}\r\n\r\n`,
      431,
    ],
    [
      'thousands of headers',
      () =>
        `GET /api/runs HTTP/1.1\r\n${HOST}${Array.from({ length: 3000 }, (_, i) => `X-${i}: 1\r\n`).join('')}\r\n`,
      431,
    ],
    ['invalid percent-encoding in a static path', () => request('GET /%E0%A4%A HTTP/1.1'), 400],
    ['a lone percent sign', () => request('GET /% HTTP/1.1'), 400],
    ['invalid percent-encoding in a run id', () => request('GET /api/runs/%E0%A4%A HTTP/1.1'), 404],
    [
      'invalid percent-encoding in a query',
      () => request(`GET /api/runs/${run.id}/events?from=%ZZ HTTP/1.1`),
      400,
    ],
    [
      'invalid percent-encoding in a file id',
      () => request(`GET /api/runs/${run.id}/files/%ZZ HTTP/1.1`),
      400,
    ],
    ['garbage instead of a request', () => Buffer.from([0, 1, 2, 255, 13, 10, 13, 10])],
    ['a request without Host', () => 'GET /api/runs HTTP/1.0\r\n\r\n', 403],
    [
      'a malformed Host',
      () => 'GET /api/runs HTTP/1.1\r\nHost: [::1\r\nConnection: close\r\n\r\n',
      400,
    ],
    ['an asterisk target', () => request('OPTIONS * HTTP/1.1'), 400],
    ['a backslash in the path', () => request('GET /..\\..\\package.json HTTP/1.1'), 400],
    ['a NUL in the path', () => request('GET /index.html\0 HTTP/1.1')],
    [
      'a DELETE from Origin null',
      () =>
        `DELETE /api/runs/${run.id} HTTP/1.1\r\n${HOST}Origin: null\r\nConnection: close\r\n\r\n`,
      403,
    ],
    [
      'a DELETE from a malformed Origin',
      () =>
        `DELETE /api/runs/${run.id} HTTP/1.1\r\n${HOST}Origin: ::::\r\nConnection: close\r\n\r\n`,
      403,
    ],
    [
      'a broken chunked body',
      () => `POST /api/runs HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\n\r\nZZZ\r\n`,
      400,
    ],
    [
      'a body shorter than its Content-Length',
      () =>
        `POST /api/runs/x HTTP/1.1\r\n${HOST}Connection: close\r\nContent-Length: 99999999999\r\n\r\nabc`,
      404,
    ],
  ]

  it.each(cases)('answers %s with a JSON 4xx', async (_name, make, status) => {
    expectJsonRefusal(await rawRequest(server.port, make()), status)
  })

  it('answers a malformed token cookie with 401, in JSON', async () => {
    const answer = await rawRequest(
      guarded.port,
      `GET /api/runs HTTP/1.1\r\n${HOST}Cookie: smiley_token=%E0%A4%A\r\nConnection: close\r\n\r\n`,
    )
    expectJsonRefusal(answer, 401)
  })

  it('is still up and unharmed afterwards', async () => {
    expect(server.alive()).toBe(true)
    const res = await fetch(`${server.url}api/runs/${run.id}`)
    expect(res.status).toBe(200)
    expect(((await res.json()) as Run).id).toBe(run.id)
    expect(server.stderr()).toBe('')
    expect(guarded.stderr()).toBe('')
  })
})

describe('the remote recorder, sent malformed and oversized requests', () => {
  const uuid = '0123abcd-0000-4000-8000-000000000001'
  const start = JSON.stringify({ protocol: 1, description: 'x', argv: [], options: {} })
  const cases: Array<[string, () => string | Buffer, number?]> = [
    ['an unknown method', () => request(`FOO /v1/runs/${uuid} HTTP/1.1`), 400],
    ['a malformed target', () => request('GET //[ HTTP/1.1'), 400],
    ['an unknown address', () => request('GET /etc/passwd HTTP/1.1'), 404],
    ['invalid percent-encoding', () => request('PUT /v1/runs/%E0%A4%A HTTP/1.1', start), 404],
    ['a bad JSON start', () => request(`PUT /v1/runs/${uuid} HTTP/1.1`, '{"protocol": 1,'), 400],
    [
      'a start of the wrong shape',
      () => request(`PUT /v1/runs/${uuid} HTTP/1.1`, '[1, 2, 3]'),
      400,
    ],
    ['a bad JSON end', () => request(`POST /v1/runs/${uuid}/end HTTP/1.1`, 'nope'), 404],
    [
      'a start too large',
      () => request(`PUT /v1/runs/${uuid} HTTP/1.1`, 'x'.repeat(2_000_000)),
      413,
    ],
    ['a huge header', () => `GET / HTTP/1.1\r\n${HOST}X-Big: ${'a'.repeat(40_000)}\r\n\r\n`, 431],
    ['garbage instead of a request', () => Buffer.from([0, 1, 2, 255, 13, 10, 13, 10])],
  ]

  it.each(cases)('answers %s with a JSON 4xx', async (_name, make, status) => {
    expectJsonRefusal(await rawRequest(recorder.port, make()), status)
  })

  it('answers broken batches of an open run with a JSON 4xx', async () => {
    const opened = await rawRequest(recorder.port, request(`PUT /v1/runs/${uuid} HTTP/1.1`, start))
    expect(opened.status).toBe(200)
    const batch = (query: string, body: Buffer, encoding = '') =>
      rawRequest(
        recorder.port,
        Buffer.concat([
          Buffer.from(
            `POST /v1/runs/${uuid}/stream${query} HTTP/1.1\r\n${HOST}Connection: close\r\n` +
              `${encoding}Content-Length: ${body.length}\r\n\r\n`,
          ),
          body,
        ]),
      )
    expectJsonRefusal(await batch('', Buffer.from('abc')), 400)
    expectJsonRefusal(await batch('?offset=-1', Buffer.from('abc')), 400)
    expectJsonRefusal(await batch('?offset=99', Buffer.from('abc')), 409)
    expectJsonRefusal(
      await batch('?offset=0', Buffer.from('not gzip'), 'Content-Encoding: gzip\r\n'),
      400,
    )
    expectJsonRefusal(await batch('?offset=0', Buffer.from('abc'), 'Content-Encoding: br\r\n'), 415)
    // A gzip bomb: small on the wire, far beyond the batch limit once inflated.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024))
    expectJsonRefusal(await batch('?offset=0', bomb, 'Content-Encoding: gzip\r\n'), 413)
    const ended = await fetch(`${recorder.url}/v1/runs/${uuid}/end`, {
      method: 'POST',
      body: JSON.stringify({ exit: { code: 0, signal: null }, bytes: 0 }),
    })
    expect(ended.status).toBe(200)
  })

  it('is still up afterwards, and has stored nothing of it', async () => {
    expect(recorder.alive()).toBe(true)
    const opened = await fetch(`${recorder.url}/v1/runs/0123abcd-0000-4000-8000-000000000002`, {
      method: 'PUT',
      body: start,
    })
    expect(opened.status).toBe(200)
    expect(recorder.stderr()).not.toContain('a request failed')
  })
})
