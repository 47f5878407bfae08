/**
 * The dashboard a browser test file looks at: its programs written into a fresh folder, each
 * recording made with a real `smiley run`, the database served on a free loopback port, and a
 * headless Chromium. Set up before the file's tests, torn down after them.
 */

import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import { startServer, type RunningServer } from '../../server/web/server.js'
import { hasChromium, launchBrowser } from './browser.js'
import { openPage } from './dashboard-page.js'
import { smiley, tempDir } from './cli.js'
import { writePrograms } from './programs.js'

/** One `smiley run` made before the tests: its arguments after `run -d DB`, and its exit code. */
export interface Recording {
  args: string[]
  code?: number
  /** Where it runs: the test's folder unless said. */
  cwd?: string
}

export interface DashboardSetup {
  programs?: Record<string, string>
  record?: Array<string[] | Recording>
  /** For set-ups that record long programs. */
  timeoutMs?: number
}

export interface Dashboard {
  /** The test's folder, holding its programs and runs.db. */
  readonly dir: string
  readonly db: string
  readonly server: RunningServer
  /** Only where Chromium is installed: see `describeWithBrowser`. */
  readonly browser: Browser
  /** The recorded runs as the API lists them, newest first. */
  readonly runs: Run[]
  /** The newest run. */
  readonly run: Run
  /** The server's address, ending in a slash. */
  readonly url: string
  /** A new page on the dashboard at `route` (what follows the #, such as `/runs/ID`). */
  open(route: string, viewport?: { width: number; height: number }): Promise<Page>
  /** A JSON answer of the server's API, `path` relative to /api/. */
  api<T>(path: string): Promise<T>
}

/** `describe` where Chromium is installed, `describe.skip` elsewhere. */
export function describeWithBrowser(name: string, tests: () => void): void {
  const describeHere = hasChromium() ? describe : describe.skip
  describeHere(name, tests)
}

export function recordedDashboard(setup: DashboardSetup): Dashboard {
  let folder: { path: string; remove: () => void } | null = null
  let server: RunningServer | null = null
  let browser: Browser | null = null
  let runs: Run[] = []
  const ready = <T>(value: T | null, what: string): T => {
    if (value === null) throw new Error(`the dashboard's ${what} is not set up yet`)
    return value
  }
  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${ready(server, 'server').url}api/${path}`)
    expect(response.status, `GET /api/${path}`).toBe(200)
    return (await response.json()) as T
  }

  beforeAll(async () => {
    folder = tempDir()
    const db = join(folder.path, 'runs.db')
    writePrograms(folder.path, setup.programs ?? {})
    for (const entry of setup.record ?? []) {
      const { args, code = 0, cwd = folder.path } = Array.isArray(entry) ? { args: entry } : entry
      const recorded = await smiley(['run', '-d', db, ...args], { cwd })
      expect(recorded.code, recorded.stderr).toBe(code)
    }
    server = await startServer({
      database: db,
      host: '127.0.0.1',
      port: 0,
      token: null,
      poll: false,
    })
    if ((setup.record ?? []).length > 0) runs = await api<Run[]>('runs')
    if (hasChromium()) browser = await launchBrowser()
  }, setup.timeoutMs)

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    folder?.remove()
  })

  return {
    get dir() {
      return ready(folder, 'folder').path
    },
    get db() {
      return join(ready(folder, 'folder').path, 'runs.db')
    },
    get server() {
      return ready(server, 'server')
    },
    get browser() {
      return ready(browser, 'browser')
    },
    get runs() {
      return runs
    },
    get run() {
      return ready(runs[0] ?? null, 'run')
    },
    get url() {
      return ready(server, 'server').url
    },
    open: (route, viewport) =>
      openPage(ready(browser, 'browser'), `${ready(server, 'server').url}#${route}`, viewport),
    api,
  }
}
