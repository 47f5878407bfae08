/**
 * A deep recursion in a real Chromium: the trace's indentation stops growing and says the
 * depth, and the call stack folds the repeated frames into one row.
 */

import type { Browser, Page } from 'playwright-core'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SearchPage } from '../../shared/types/moment.js'
import type { Run } from '../../shared/types/run.js'
import { startServer, type RunningServer } from '../../server/web/server.js'
import { hasChromium, launchBrowser } from '../support/browser.js'
import { smiley, tempDir } from '../support/cli.js'
import { openPage, shownEvent } from '../support/dashboard-page.js'
import { writePrograms } from '../support/programs.js'

const describeWithBrowser = hasChromium() ? describe : describe.skip

const DEPTH = 3000

let dir: { path: string; remove: () => void }
let server: RunningServer
let browser: Browser
let run: Run
/** The event at the bottom of the recursion. */
let deepest: number

beforeAll(async () => {
  dir = tempDir()
  const db = join(dir.path, 'runs.db')
  writePrograms(dir.path, {
    'deep.py': `import sys


def down(n):
    if n == 0:
        return 0
    return down(n - 1) + 1


sys.setrecursionlimit(${DEPTH + 100})
print(down(${DEPTH}))
`,
  })
  const recorded = await smiley(['run', '-d', db, 'deep.py'], { cwd: dir.path })
  expect(recorded.code, recorded.stderr).toBe(0)
  server = await startServer({ database: db, host: '127.0.0.1', port: 0, token: null, poll: false })
  run = ((await (await fetch(`${server.url}api/runs`)).json()) as Run[])[0]!
  const found = (await (
    await fetch(`${server.url}api/runs/${run.id}/search?q=${encodeURIComponent('"0" kind:return')}`)
  ).json()) as SearchPage
  deepest = found.matches[0]!.seq
  if (hasChromium()) browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await server.close()
  dir.remove()
})

async function openDeepest(): Promise<Page> {
  const page = await openPage(browser, `${server.url}#/runs/${run.id}?seq=${deepest}`)
  await shownEvent(page, deepest)
  return page
}

describeWithBrowser('a deep recursion', () => {
  it('indents the source so far and no further, and says how deep it is', async () => {
    const page = await openDeepest()
    const source = page.locator(`.row[data-seq="${deepest}"] .source`)
    expect(await source.locator('.depth').textContent()).toBe(
      `depth ${(DEPTH + 1).toLocaleString('en-US')}`,
    )
    expect(await source.textContent()).toContain('return 0')
    const whole = await source.evaluate((element) => element.scrollWidth <= element.clientWidth)
    expect(whole).toBe(true)
    await page.close()
  })

  it('folds the repeated frames of the call stack into one row', async () => {
    const page = await openDeepest()
    const rows = (await page.locator('section[aria-label="Call stack"] li').allTextContents()).map(
      (text) => text.replace(/\s+/g, ' ').trim(),
    )
    expect(rows.length).toBeLessThanOrEqual(4)
    expect(rows[0]).toBe('down deep.py:6')
    expect(rows[1]).toMatch(/^down deep\.py:7 recurse ×[\d,]+$/)
    await page.close()
  })
})
