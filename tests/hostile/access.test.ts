/**
 * Who may do what: a cross-origin DELETE is refused (by the server, and by a real browser on
 * another origin); neither the dashboard nor the recorder listens beyond loopback without a
 * token; and the recorder stores nothing sent without its token, or with a wrong one.
 */

import type { Browser } from 'playwright-core'
import { createServer, get, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import { hasChromium, launchBrowser } from '../support/browser.js'
import { ROOT, smiley } from '../support/cli.js'
import { rawRequest } from '../support/raw-http.js'
import { spawnRecorder, type ServerProcess } from '../support/server-process.js'
import { openDatabase } from '../../server/db/database.js'
import { createApp } from '../../server/web/app.js'
import { AppContext } from '../../server/web/context.js'
import { startServer } from '../../server/web/server.js'
import { listRuns, serveRecordedRun, stopServedRun, type ServedRun } from './recordings.js'
import WebSocket from 'ws'

let served: ServedRun
let dir: ServedRun['dir']
let database: string
let server: ServerProcess
let run: Run

beforeAll(async () => {
  served = await serveRecordedRun('answer = 6 * 7\nprint(answer)\n')
  ;({ dir, database, server, run } = served)
})
afterAll(() => stopServedRun(served))

async function stillThere(): Promise<void> {
  expect((await fetch(`${server.url}api/runs/${run.id}`)).status).toBe(200)
}

describe('a cross-origin DELETE', () => {
  it.each([
    ['another origin', { origin: 'http://evil.example' }],
    ['another port of this host', { origin: 'http://127.0.0.1:1' }],
    ['the null origin of a sandboxed page', { origin: 'null' }],
    ['a malformed origin', { origin: 'http://[' }],
    ['a cross-site fetch without Origin', { 'sec-fetch-site': 'cross-site' }],
  ])('is refused from %s, with a JSON 403', async (_name, headers) => {
    const res = await fetch(`${server.url}api/runs/${run.id}`, { method: 'DELETE', headers })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({
      error: 'cross-origin requests may not change anything',
    })
    await stillThere()
  })

  describe.skipIf(!hasChromium())('from a page of another origin in Chromium', () => {
    let browser: Browser
    let evil: Server
    beforeAll(async () => {
      browser = await launchBrowser()
      evil = createServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html' })
        response.end('<!doctype html><title>evil</title>')
      })
      await new Promise<void>((listening) => evil.listen(0, '127.0.0.1', listening))
    })
    afterAll(async () => {
      await browser.close()
      await new Promise((closed) => evil.close(closed))
    })

    it('cannot delete a run, whatever it tries', async () => {
      const page = await browser.newPage()
      await page.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`)
      const target = `${server.url}api/runs/${run.id}`
      const outcomes = await page.evaluate(async (url) => {
        const attempts: Array<() => Promise<unknown>> = [
          () => fetch(url, { method: 'DELETE' }),
          () => fetch(url, { method: 'DELETE', mode: 'no-cors' }),
          () => fetch(url, { method: 'POST', mode: 'no-cors', body: 'x' }),
          () => fetch(`${url}?force=1`, { method: 'DELETE', credentials: 'include' }),
          () => fetch(url).then((res) => res.text()),
        ]
        const results: string[] = []
        for (const attempt of attempts) {
          try {
            const result = await attempt()
            results.push(typeof result === 'string' ? `read: ${result.slice(0, 20)}` : 'sent')
          } catch (error) {
            results.push(`refused: ${(error as Error).name}`)
          }
        }
        return results
      }, target)
      // DELETE needs a preflight this server never grants; the rest cannot read an answer.
      expect(outcomes[0]).toBe('refused: TypeError')
      expect(outcomes[1]).toBe('refused: TypeError')
      expect(outcomes[3]).toBe('refused: TypeError')
      expect(outcomes[4]).toBe('refused: TypeError')
      await stillThere()
      await page.close()
    })

    it('cannot listen to the dashboard’s WebSocket', async () => {
      const page = await browser.newPage()
      await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`)
      const heard = await page.evaluate(
        (url) =>
          new Promise<string>((done) => {
            const socket = new window.WebSocket(url)
            socket.onmessage = (event) => done(`heard: ${String(event.data).slice(0, 40)}`)
            socket.onclose = () => done('closed')
          }),
        `ws://127.0.0.1:${server.port}/ws`,
      )
      expect(heard).toBe('closed')
      await page.close()
    })
  })

  it('is refused from the same host and port under another scheme, with a JSON 403', async () => {
    const origin = server.url.replace(/^http:/, 'https:').replace(/\/$/, '')
    const res = await fetch(`${server.url}api/runs/${run.id}`, {
      method: 'DELETE',
      headers: { origin },
    })
    expect(res.status).toBe(403)
    await stillThere()
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers: { origin } })
    await expect(
      new Promise((open, fail) => (socket.once('open', open), socket.once('error', fail))),
    ).rejects.toThrow(/403/)
  })

  it.each(['http://evil.example', 'http://127.0.0.1:1', 'null', 'http://['])(
    'refuses a WebSocket from the origin %s',
    async (origin) => {
      const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers: { origin } })
      await expect(
        new Promise((open, fail) => (socket.once('open', open), socket.once('error', fail))),
      ).rejects.toThrow(/403/)
    },
  )

  it('refuses a WebSocket with the headers of a page', async () => {
    const answer = await rawRequest(
      server.port,
      `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nOrigin: http://evil.example\r\n` +
        'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    )
    expect(answer.status).toBe(403)
    const page = await fetch(server.url)
    for (const name of ['content-security-policy', 'x-content-type-options', 'x-frame-options'])
      expect(answer.headers[name], name).toBe(page.headers.get(name))
  })

  it('is taken from the dashboard’s own origin', async () => {
    const res = await fetch(`${server.url}api/runs/${run.id}`, {
      method: 'DELETE',
      headers: { origin: server.url.replace(/\/$/, '') },
    })
    expect(res.status).toBe(204)
    expect((await fetch(`${server.url}api/runs/${run.id}`)).status).toBe(404)
  })
})

describe('a dashboard on another loopback address without a token', () => {
  it('answers to its own address and still refuses other hosts', async () => {
    const other = await startServer({
      database,
      host: '127.0.0.2',
      port: 0,
      token: null,
      poll: true,
    })
    try {
      const status = (host: string) =>
        new Promise<number>((done, failed) =>
          get(
            { host: '127.0.0.2', port: other.port, path: '/api/runs', headers: { host } },
            (res) => {
              res.resume()
              done(res.statusCode ?? 0)
            },
          ).on('error', failed),
        )
      expect(await status(`127.0.0.2:${other.port}`)).toBe(200)
      expect(await status(`evil.example:${other.port}`)).toBe(403)
    } finally {
      await other.close()
    }
  })
})

describe('a refusal', () => {
  const SECURITY_HEADERS = [
    'content-security-policy',
    'x-content-type-options',
    'x-frame-options',
    'referrer-policy',
  ]
  const securityHeaders = (res: Response) =>
    Object.fromEntries(SECURITY_HEADERS.map((name) => [name, res.headers.get(name)]))

  it.each([
    ['401 without the token', 401, '/api/runs', {}],
    ['403 for another host', 403, '/api/runs', { host: 'evil.example' }],
    ['404 for an unknown API route', 404, '/api/nothing', {}],
    ['404 for an unknown page', 404, '/nothing.html', {}],
    ['404 for an unknown run', 404, '/api/runs/abcdef12', {}],
    ['403 for a cross-origin DELETE', 403, '/api/runs/abcdef12', {}],
  ] as const)('carries the headers of a page: %s', async (_name, status, path, headers) => {
    const db = openDatabase(database, { readonly: true })
    try {
      const app = createApp(new AppContext(db), {
        token: 'a-token-long-enough',
        hosts: new Set(['127.0.0.1']),
        clientDir: join(ROOT, 'dist', 'client'),
      })
      const authorized = { host: '127.0.0.1:8080', authorization: 'Bearer a-token-long-enough' }
      const page = await app.request('/', { headers: authorized })
      expect(page.status).toBe(200)
      expect(Object.values(securityHeaders(page))).not.toContain(null)
      const crossOrigin = status === 403 && path.startsWith('/api/runs/')
      const res = await app.request(path, {
        method: crossOrigin ? 'DELETE' : 'GET',
        headers: {
          ...(status === 401 ? { host: '127.0.0.1:8080' } : authorized),
          ...(crossOrigin ? { origin: 'http://evil.example' } : {}),
          ...headers,
        },
      })
      expect(res.status).toBe(status)
      expect(securityHeaders(res)).toEqual(securityHeaders(page))
    } finally {
      db.close()
    }
  })
})

describe('listening beyond loopback', () => {
  const refusal = (host: string) =>
    `smiley: listening on ${host} makes your recordings readable from the network: add --token auto (or --token SECRET)\n`

  it.each(['0.0.0.0', '::', '0', '', '192.0.2.1', '127.0.0.1.example', 'localhost.'])(
    'is refused to the dashboard on "%s" without a token, in one line',
    async (host) => {
      const result = await smiley(['server', '-d', database, '--port', '0', '--host', host])
      expect(result).toMatchObject({ code: 2, stdout: '', stderr: refusal(host) })
    },
  )

  it('is refused to the dashboard with SMILEY_TOKEN set empty, which is no token', async () => {
    const result = await smiley(['server', '-d', database, '--port', '0', '--host', '0.0.0.0'], {
      env: { SMILEY_TOKEN: '' },
    })
    expect(result).toMatchObject({ code: 2, stdout: '', stderr: refusal('0.0.0.0') })
  })
  it.each(['0.0.0.0:0', '[::]:0', '192.0.2.1:0', '127.0.0.1.example:0'])(
    'is refused to the recorder on %s without a token, in one line',
    async (listen) => {
      for (const env of [{}, { SMILEY_TOKEN: '' }]) {
        const result = await smiley(['record', '-d', database, '--listen', listen], { env })
        expect(result.code).toBe(2)
        expect(result.stderr).toMatch(
          /^smiley: listening on \S+ lets other machines send runs: give a --token \(or SMILEY_TOKEN\)\n$/,
        )
      }
    },
  )
})

describe('a token', () => {
  const empty = 'smiley: the token is empty: give one, or leave --token out\n'
  const blank = 'smiley: the token holds a space or a control character: give one without\n'
  const short = (host: string, howToMake: string) =>
    `smiley: a token of 15 characters is too easy to guess for listening on ${host}: give one of at least 16 (${howToMake})\n`
  const dashboard = (host: string, token: string[], env = {}) =>
    smiley(['server', '-d', database, '--port', '0', '--host', host, ...token], { env })
  const recorder = (listen: string, token: string[], env = {}) =>
    smiley(['record', '-d', database, '--listen', listen, ...token], { env })
  const monitor = (listen: string, token: string[], env = {}) =>
    smiley(['monitor', '--listen', listen, ...token], { env })

  it.each([
    ['empty, on loopback', ['--token', ''], {}, empty],
    ['empty, beyond loopback', ['--token', ''], {}, empty],
    ['only spaces', ['--token', '   '], {}, blank],
    ['only spaces, from SMILEY_TOKEN', [], { SMILEY_TOKEN: ' \t ' }, blank],
    ['with a space inside', ['--token', 'sixteen chars and more'], {}, blank],
    ['with a newline', ['--token', 'sixteen-chars-and\nmore'], {}, blank],
  ])(
    'is refused %s, by the dashboard, the recorder and the monitor',
    async (name, token, env, line) => {
      const beyond = name.includes('beyond')
      for (const result of [
        await dashboard(beyond ? '0.0.0.0' : '127.0.0.1', token, env),
        await recorder(beyond ? '0.0.0.0:0' : '127.0.0.1:0', token, env),
        await monitor(beyond ? '0.0.0.0:0' : '127.0.0.1:0', token, env),
      ])
        expect(result).toMatchObject({ code: 2, stdout: '', stderr: line })
    },
  )

  it('of 15 characters is refused beyond loopback, in one line', async () => {
    const token = ['--token', 'fifteen-chars-x']
    expect(await dashboard('0.0.0.0', token)).toMatchObject({
      code: 2,
      stdout: '',
      stderr: short('0.0.0.0', '--token auto makes one'),
    })
    for (const listen of ['0.0.0.0:0', '[::]:0']) {
      const host = listen.replace(/^\[?([^\]]*)\]?:0$/, '$1')
      expect(await recorder(listen, token)).toMatchObject({
        code: 2,
        stderr: short(host, 'openssl rand -hex 16 makes one'),
      })
      expect(await monitor(listen, [], { SMILEY_TOKEN: 'fifteen-chars-x' })).toMatchObject({
        code: 2,
        stderr: short(host, 'openssl rand -hex 16 makes one'),
      })
    }
  })

  it('of any length guards a recorder on loopback', async () => {
    const recorder = await spawnRecorder(join(dir.path, 'short-token.db'), ['--token', 'short'])
    try {
      const url = `${recorder.url}/v1/runs/0123abcd-0000-4000-8000-00000000000b`
      expect((await fetch(url, { method: 'PUT', body: '{}' })).status).toBe(401)
    } finally {
      expect(await recorder.stop()).toBe(0)
    }
  })

  it('empty or blank is refused to a sender before the program runs', async () => {
    for (const token of ['', '  ']) {
      const result = await smiley(
        ['run', '--remote', 'http://127.0.0.1:9', '--token', token, 'quick.py'],
        { cwd: dir.path },
      )
      expect(result).toMatchObject({ code: 2, stdout: '', stderr: token ? blank : empty })
    }
  })
})

describe('remote ingest with a token', () => {
  let recorder: ServerProcess
  let received: string
  const uuid = '0123abcd-0000-4000-8000-00000000000a'
  const start = JSON.stringify({ protocol: 1, description: 'sneaky', argv: [], options: {} })

  beforeAll(async () => {
    received = join(dir.path, 'received.db')
    recorder = await spawnRecorder(received, ['--token', 'right-token'])
  })
  afterAll(async () => {
    expect(await recorder.stop()).toBe(0)
  })

  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: 'Bearer wrong-token' }],
    ['an empty token', { authorization: 'Bearer ' }],
    ['a longer token', { authorization: 'Bearer right-token-and-more' }],
    ['the token in another scheme', { authorization: 'Basic right-token' }],
    ['the token twice', { authorization: 'Bearer right-token right-token' }],
  ])('refuses requests with %s: 401, and nothing stored', async (_name, headers) => {
    for (const [method, path, body] of [
      ['PUT', '', start],
      ['POST', '/stream?offset=0', 'abc'],
      ['POST', '/end', JSON.stringify({ exit: { code: 0, signal: null }, bytes: 3 })],
    ] as const) {
      const res = await fetch(`${recorder.url}/v1/runs/${uuid}${path}`, { method, headers, body })
      expect(res.status, `${method} ${path}`).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Bearer')
      expect(await res.json()).toEqual({ error: expect.any(String) })
    }
  })

  it('refuses a program sent with a wrong token, which runs unrecorded', async () => {
    const result = await smiley(
      ['run', '--remote', recorder.url, '--token', 'wrong-token', 'quick.py'],
      { cwd: dir.path },
    )
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('42\n')
    expect(result.stderr).toBe(
      `smiley: the recorder at ${recorder.url} refused the token; the program runs, but this run is not recorded\n`,
    )
    expect(await listRuns(received)).toEqual([])
  })

  it('takes a program sent with the right token', async () => {
    const result = await smiley(['run', '--remote', recorder.url, 'quick.py'], {
      cwd: dir.path,
      env: { SMILEY_TOKEN: 'right-token' },
    })
    expect(result.code, result.stderr).toBe(0)
    const runs = await listRuns(received)
    expect(runs.map((r) => [r.description, r.status])).toEqual([['quick.py', 'completed']])
  })
})
