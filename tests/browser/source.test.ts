/**
 * A file's source in a real Chromium: counts of runs of any size fit their column, with
 * thousands separators, and a docstring is a string to its last line.
 */

import type { Browser, Page } from 'playwright-core'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunFile } from '../../shared/types/file.js'
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
let run: Run
let file: RunFile

beforeAll(async () => {
  dir = tempDir()
  const db = join(dir.path, 'runs.db')
  writePrograms(dir.path, {
    'spin.py': `def spin(count):
    """Spins for a while.

    It loops in place: for each number, if any, nothing is done
    and None is returned.
    """
    for i in range(count):
        pass


spin(1_000_000)
`,
  })
  const recorded = await smiley(['run', '-d', db, 'spin.py'], { cwd: dir.path })
  expect(recorded.code, recorded.stderr).toBe(0)
  server = await startServer({ database: db, host: '127.0.0.1', port: 0, token: null, poll: false })
  run = ((await (await fetch(`${server.url}api/runs`)).json()) as Run[])[0]!
  file = ((await (await fetch(`${server.url}api/runs/${run.id}/files`)).json()) as RunFile[])[0]!
  if (hasChromium()) browser = await launchBrowser()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server.close()
  dir.remove()
})

async function openSource(): Promise<Page> {
  const page = await openPage(browser, `${server.url}#/runs/${run.id}/files/${file.id}`)
  await page.locator('.line').first().waitFor()
  return page
}

describeWithBrowser("a file's source", () => {
  it('shows counts of a million runs with separators, inside their column', async () => {
    const page = await openSource()
    const hits = page.locator('#L8 .hits')
    expect(await hits.textContent()).toBe('1,000,000×')
    expect(await hits.getAttribute('title')).toBe('ran 1,000,000 times')
    for (const line of await page.locator('.line.ran').all()) {
      const fits = await line
        .locator('.hits')
        .evaluate((element) => element.scrollWidth <= element.clientWidth)
      expect(fits).toBe(true)
      const count = (await line.locator('.hits').boundingBox())!
      const code = (await line.locator('code').boundingBox())!
      expect(count.x + count.width).toBeLessThanOrEqual(code.x)
    }
    await page.close()
  })

  it('colours a docstring as a string on every one of its lines', async () => {
    const page = await openSource()
    for (const number of [2, 3, 4, 5, 6]) {
      const line = page.locator(`#L${number} code`)
      expect(await line.locator('.tok-keyword').count(), `line ${number}`).toBe(0)
    }
    expect(await page.locator('#L4 code .tok-string').textContent()).toContain('for each number')
    expect(await page.locator('#L7 code .tok-keyword').allTextContents()).toEqual(['for', 'in'])
    await page.close()
  })
})
