/** Runs without a single event in a real Chromium: the trace says why instead of staying blank. */

import type { Browser } from 'playwright-core'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import { startServer, type RunningServer } from '../../server/web/server.js'
import { hasChromium, launchBrowser } from '../support/browser.js'
import { smiley, tempDir } from '../support/cli.js'
import { openPage } from '../support/dashboard-page.js'
import { writePrograms } from '../support/programs.js'

const describeWithBrowser = hasChromium() ? describe : describe.skip

let dir: { path: string; remove: () => void }
let server: RunningServer
let browser: Browser
let runs: Run[]

beforeAll(async () => {
  dir = tempDir()
  const db = join(dir.path, 'runs.db')
  writePrograms(dir.path, { 'broken.py': 'def broken(:\n    pass\n' })
  for (const args of [['-m', 'this'], ['broken.py']]) {
    const recorded = await smiley(['run', '-d', db, ...args], { cwd: dir.path })
    expect(recorded.code, recorded.stderr).toBe(args[0] === '-m' ? 0 : 1)
  }
  server = await startServer({ database: db, host: '127.0.0.1', port: 0, token: null, poll: false })
  runs = (await (await fetch(`${server.url}api/runs`)).json()) as Run[]
  expect(runs.map((run) => run.eventCount)).toEqual([0, 0])
  if (hasChromium()) browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await server.close()
  dir.remove()
})

async function explanation(description: string): Promise<string> {
  const run = runs.find((found) => found.description === description)!
  const page = await openPage(browser, `${server.url}#/runs/${run.id}`)
  const text = (await page.locator('.no-events').textContent())!
  await page.close()
  return text
}

describeWithBrowser('a run without events', () => {
  it('says a standard-library module was left out, and the option that records it', async () => {
    expect(await explanation('-m this')).toBe(
      'No event was recorded: the module this (run with -m) is in a file left out of recording — ' +
        'the standard library is recorded only with --include-stdlib, installed packages only ' +
        'with --include-site-packages or --include-package NAME.',
    )
  })

  it('says the program ended before its first line, and how', async () => {
    expect(await explanation('broken.py')).toBe(
      'The program ended before its first recorded line ran ' +
        '(SyntaxError: invalid syntax (broken.py, line 1)).',
    )
  })
})
