/** The receiving endpoint, over real HTTP on loopback, with a sink that keeps what it gets. */

import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import type { ProcessExit } from '../../server/record/outcome.js'
import type { RunSummary } from '../../server/remote/protocol.js'
import { Receiver, type RunSink } from '../../server/remote/receiver.js'

const UUID = '0b5e1f3a-1111-4222-8333-944455556666'

class KeptRun implements RunSink {
  bytes = ''
  exit: ProcessExit | null | undefined = undefined

  push(bytes: Uint8Array): void {
    this.bytes += Buffer.from(bytes).toString('latin1')
  }

  finish(exit: ProcessExit | null): RunSummary {
    this.exit = exit
    return {
      status: exit === null ? 'lost' : 'completed',
      events: this.bytes.length,
      lostEvents: 0,
    }
  }
}

let receiver: Receiver | null = null
afterEach(async () => {
  await receiver?.close()
  receiver = null
})

async function serve(token: string | null, senderTimeoutMs = 30_000) {
  const runs = new Map<string, KeptRun>()
  const ended: string[] = []
  receiver = new Receiver({
    token,
    senderTimeoutMs,
    sinks: {
      open: (uuid) => {
        const run = new KeptRun()
        runs.set(uuid, run)
        return run
      },
    },
    onRunEnd: (uuid) => ended.push(uuid),
  })
  const { port } = await receiver.listen('127.0.0.1', 0)
  const base = `http://127.0.0.1:${port}/v1/runs/${UUID}`
  const send = (method: string, path: string, body: string | Blob, headers = {}) =>
    fetch(base + path, {
      method,
      body,
      headers: token === null ? headers : { authorization: `Bearer ${token}`, ...headers },
    })
  const start = () =>
    send('PUT', '', JSON.stringify({ protocol: 1, description: 'd', argv: [], options: {} }))
  return { runs, ended, send, start, base }
}

describe('Receiver', () => {
  it('passes on only the new part of a batch sent again after a lost answer', async () => {
    const { runs, send, start } = await serve(null)
    expect((await start()).status).toBe(200)
    expect((await start()).status).toBe(200)
    await send('POST', '/stream?offset=0', 'abc')
    const again = await send('POST', '/stream?offset=0', 'abcdef')
    expect(await again.json()).toEqual({ received: 6 })
    await send('POST', '/stream?offset=6', new Blob([gzipSync('ghi')]), {
      'content-encoding': 'gzip',
    })
    expect(runs.get(UUID)!.bytes).toBe('abcdefghi')
    const gap = await send('POST', '/stream?offset=20', 'x')
    expect(gap.status).toBe(409)
  })

  it('ends a run with the exit it is told, and answers a repeated end the same way', async () => {
    const { runs, ended, send, start } = await serve(null)
    await start()
    await send('POST', '/stream?offset=0', 'abc')
    const end = JSON.stringify({ exit: { code: 3, signal: null }, bytes: 3 })
    const first = await (await send('POST', '/end', end)).json()
    const second = await (await send('POST', '/end', end)).json()
    expect(first).toEqual({ status: 'completed', events: 3, lostEvents: 0 })
    expect(second).toEqual(first)
    expect(runs.get(UUID)!.exit).toEqual({ code: 3, signal: null })
    expect(ended).toEqual([UUID])
    expect((await send('POST', '/stream?offset=3', 'd')).status).toBe(404)
  })

  it('ends a run without an exit when its sender stays silent', async () => {
    const { runs, ended, start } = await serve(null, 200)
    await start()
    for (let i = 0; i < 50 && ended.length === 0; i++) await new Promise((r) => setTimeout(r, 20))
    expect(ended).toEqual([UUID])
    expect(runs.get(UUID)!.exit).toBeNull()
  })

  it('answers 401 to requests without the right token, and opens no run for them', async () => {
    const { runs, base } = await serve('s3cret')
    const body = JSON.stringify({ protocol: 1, description: 'd', argv: [], options: {} })
    const none = await fetch(base, { method: 'PUT', body })
    const wrong = await fetch(base, {
      method: 'PUT',
      body,
      headers: { authorization: 'Bearer guess' },
    })
    expect([none.status, wrong.status]).toEqual([401, 401])
    expect(await wrong.json()).toEqual({ error: 'wrong token' })
    expect(runs.size).toBe(0)
  })

  it('refuses a sender that speaks another protocol version', async () => {
    const { send } = await serve(null)
    const response = await send(
      'PUT',
      '',
      JSON.stringify({ protocol: 2, description: 'd', argv: [], options: {} }),
    )
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      error: 'protocol 2 is not supported (this recorder speaks 1)',
    })
  })
})
