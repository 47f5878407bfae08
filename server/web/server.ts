/**
 * `smiley server` assembled: the Hono app on @hono/node-server, the WebSocket hub on the
 * same port, and the watcher whose notifications become pushes.
 */

import { getRequestListener, RequestError } from '@hono/node-server'
import { createServer } from 'node:http'
import { isIP, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { answerClientError, malformedRequest } from '../bad-requests.js'
import { FeedDriver } from '../live/feed-driver.js'
import { Hub } from '../live/hub.js'
import { describeUrl } from '../store/location.js'
import { openStore } from '../store/open.js'
import type { Store } from '../store/store.js'
import { packageRoot, version } from '../paths.js'
import { createApp } from './app.js'
import { AppContext } from './context.js'
import { SECURITY_HEADERS, upgradeAllowed, type SecurityOptions } from './security.js'

export interface ServerOptions {
  /** A SQLite file, or a PostgreSQL server by URL. */
  database: string
  host: string
  port: number
  /** Required on a non-loopback host. */
  token: string | null
  /** Poll the SQLite file instead of relying on file system notifications. */
  poll: boolean
  clientDir?: string
}

export interface RunningServer {
  /** The store it serves, as the user gave it (a URL without its password). */
  location: string
  /** The address to open, with the token when there is one. */
  url: string
  port: number
  close(): Promise<void>
}

export class PortInUse extends Error {
  override name = 'PortInUse'
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])
/** How often runs whose recorder died are looked for. */
const LOST_CHECK_MS = 5000

export function isLoopback(host: string): boolean {
  // An address, not a name: `127.example.com` may well resolve to a public one.
  return LOOPBACK.has(host) || (isIP(host) === 4 && host.startsWith('127.'))
}

/** The Host names a tokenless server answers to: the usual loopback ones and its own address. */
function loopbackNames(bound: string): Set<string> {
  return new Set(['127.0.0.1', 'localhost', '[::1]', isIP(bound) === 6 ? `[${bound}]` : bound])
}

/**
 * Says a failure of the store (locked for long, corrupt, unreachable) once on stderr, for the
 * work done on timers and signals, and again after the store worked in between; the server
 * keeps serving. Anything else is a bug: thrown.
 */
function failureSayer(store: Store): { fail: (error: unknown) => void; worked: () => void } {
  let said: string | null = null
  return {
    worked: () => (said = null),
    fail: (error) => {
      const failure = store.failure(error)
      if (failure === null) throw error
      if (failure.locked) return // another process is writing: nothing to say, try again later
      if (failure.message !== said) console.error(`smiley server: ${failure.message}`)
      said = failure.message
    },
  }
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const store = await openStore(options.database, {
    create: true,
    lasting: true,
    readsWhereUnwritable: true,
  })
  const { fail, worked } = failureSayer(store)
  const ctx = new AppContext(store)
  const hub = new Hub(version, (id) =>
    ctx.find(id).then(
      ({ run }) => ({ lastSeq: run.eventCount, status: run.status }),
      () => null,
    ),
  )
  let feed: FeedDriver
  try {
    feed = await FeedDriver.start(store, {
      poll: options.poll,
      publish: ({ changed, deleted }) => {
        worked()
        hub.publish(changed, deleted)
      },
      failed: fail,
      lost: (message) => console.error(`smiley server: ${message}`),
      found: () =>
        console.error(
          `smiley server: the connection to PostgreSQL at ${describeUrl(options.database)} is back; live updates go on`,
        ),
    })
  } catch (error) {
    await store.close()
    throw error
  }
  const security: SecurityOptions = {
    token: options.token,
    hosts: options.token === null ? loopbackNames(options.host) : null,
  }
  const app = createApp(ctx, {
    ...security,
    clientDir: options.clientDir ?? join(packageRoot, 'dist', 'client'),
  })
  // Without a Host header a request reaches `security`, which refuses it in JSON like others.
  const server = createServer(
    { requireHostHeader: false },
    getRequestListener(app.fetch, {
      hostname: options.host,
      errorHandler: (error) =>
        error instanceof RequestError
          ? malformedRequest()
          : Response.json({ error: 'internal error' }, { status: 500 }),
    }),
  )
  server.on('clientError', answerClientError)
  server.on('upgrade', (request, socket, head) => {
    socket.on('error', () => socket.destroy())
    if (!URL.canParse(request.url ?? '', 'http://localhost')) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
      return
    }
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    if (path !== '/ws' || !upgradeAllowed(request.headers, security)) {
      const headers = Object.entries(SECURITY_HEADERS).map(
        ([name, value]) => `${name}: ${value}\r\n`,
      )
      socket.end(`HTTP/1.1 403 Forbidden\r\n${headers.join('')}Connection: close\r\n\r\n`)
      return
    }
    hub.upgrade(request, socket, head)
  })
  // A locked SQLite database is not waited for (the server would answer nothing meanwhile):
  // it is looked at again at the next check.
  const markLost = () =>
    store.markLostRuns().then((lost) => {
      worked()
      if (lost > 0) feed.hear(0)
    }, fail)
  const lostCheck = setInterval(() => void markLost(), LOST_CHECK_MS).unref()
  await markLost()

  try {
    await new Promise<void>((listening, failed) => {
      server.once('error', failed)
      server.listen(options.port, options.host, () => {
        server.off('error', failed)
        listening()
      })
    })
  } catch (error) {
    await feed.stop()
    clearInterval(lostCheck)
    await store.close()
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new PortInUse(`port ${options.port} is in use: choose another with --port`)
    }
    throw error
  }
  const port = (server.address() as AddressInfo).port
  const shown = options.host.includes(':') ? `[${options.host}]` : options.host
  const url = `http://${shown}:${port}/${options.token ? `?token=${encodeURIComponent(options.token)}` : ''}`
  return {
    location: store.location,
    url,
    port,
    async close() {
      clearInterval(lostCheck)
      await feed.stop()
      hub.close()
      await new Promise<void>((done) => {
        server.close(() => done())
        if ('closeAllConnections' in server) server.closeAllConnections()
      })
      ctx.close()
      await store.close()
    },
  }
}
