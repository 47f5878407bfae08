/**
 * `smiley server` assembled: the Hono app on @hono/node-server, the WebSocket hub on the
 * same port, and the watcher whose notifications become pushes.
 */

import { getRequestListener, RequestError } from '@hono/node-server'
import { createServer } from 'node:http'
import { isIP, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { answerClientError, malformedRequest } from '../bad-requests.js'
import { databaseFailure, openDatabase } from '../db/database.js'
import { markLostRuns } from '../db/runs.js'
import { ChangeFeed } from '../live/feed.js'
import { Hub } from '../live/hub.js'
import { DatabaseWatcher } from '../live/watcher.js'
import { packageRoot, version } from '../paths.js'
import { createApp } from './app.js'
import { AppContext } from './context.js'
import { SECURITY_HEADERS, upgradeAllowed, type SecurityOptions } from './security.js'

export interface ServerOptions {
  database: string
  host: string
  port: number
  /** Required on a non-loopback host. */
  token: string | null
  /** Poll the database file instead of relying on file system notifications. */
  poll: boolean
  clientDir?: string
}

export interface RunningServer {
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
 * `work`, for timers and file notifications: a database that fails meanwhile (locked for
 * long, corrupt, disk full) is said once on stderr, and the server keeps serving.
 */
function whileDatabaseWorks(work: () => void): () => void {
  let said: string | null = null
  return () => {
    try {
      work()
      said = null
    } catch (error) {
      const failure = databaseFailure(error)
      if (failure === null) throw error
      if (failure.locked) return // another process is writing: nothing to say, try again later
      if (failure.message !== said) console.error(`smiley server: ${failure.message}`)
      said = failure.message
    }
  }
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const db = openDatabase(options.database, {
    create: true,
    lasting: true,
    readsWhereUnwritable: true,
  })
  const ctx = new AppContext(db)
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
  const hub = new Hub(version, (id) => {
    try {
      const { run } = ctx.run(id)
      return { lastSeq: run.eventCount, status: run.status }
    } catch {
      return null
    }
  })
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
  const feed = new ChangeFeed(db)
  const publish = whileDatabaseWorks(() => {
    const { changed, deleted } = feed.changes()
    hub.publish(changed, deleted)
  })
  // Never waiting for another process's lock: the server would answer nothing meanwhile.
  // A locked database is looked at again at the next check.
  const markLost = whileDatabaseWorks(() => {
    if (markLostRuns(db) > 0) publish()
  })
  const lostCheck = setInterval(markLost, LOST_CHECK_MS).unref()
  markLost()
  const watcher = new DatabaseWatcher(options.database, publish, { poll: options.poll })
  await watcher.ready()

  try {
    await new Promise<void>((listening, failed) => {
      server.once('error', failed)
      server.listen(options.port, options.host, () => {
        server.off('error', failed)
        listening()
      })
    })
  } catch (error) {
    await watcher.close()
    clearInterval(lostCheck)
    db.close()
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new PortInUse(`port ${options.port} is in use: choose another with --port`)
    }
    throw error
  }
  const port = (server.address() as AddressInfo).port
  const shown = options.host.includes(':') ? `[${options.host}]` : options.host
  const url = `http://${shown}:${port}/${options.token ? `?token=${encodeURIComponent(options.token)}` : ''}`
  return {
    url,
    port,
    async close() {
      clearInterval(lostCheck)
      await watcher.close()
      hub.close()
      await new Promise<void>((done) => {
        server.close(() => done())
        if ('closeAllConnections' in server) server.closeAllConnections()
      })
      ctx.close()
      db.close()
    },
  }
}
