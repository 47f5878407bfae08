/** The runs page narrowed down in a real Chromium: by status, by text, by the day a run started. */

import type { Browser, Page } from 'playwright-core'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../../server/web/server.js'
import { hasChromium, launchBrowser } from '../support/browser.js'
import { smiley, tempDir } from '../support/cli.js'
import { openPage } from '../support/dashboard-page.js'
import { writePrograms } from '../support/programs.js'

const describeWithBrowser = hasChromium() ? describe : describe.skip

let dir: { path: string; remove: () => void }
let server: RunningServer
let browser: Browser

beforeAll(async () => {
  dir = tempDir()
  const db = join(dir.path, 'runs.db')
  writePrograms(dir.path, {
    'tidy.py': 'print(sum(range(10)))\n',
    'fails.py': 'raise ValueError("the flux capacitor is empty")\n',
  })
  for (const program of ['tidy.py', 'fails.py']) {
    const recorded = await smiley(['run', '-d', db, program], { cwd: dir.path })
    expect(recorded.code).toBe(program === 'tidy.py' ? 0 : 1)
  }
  server = await startServer({ database: db, host: '127.0.0.1', port: 0, token: null, poll: false })
  if (hasChromium()) browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await server.close()
  dir.remove()
})

const descriptions = (page: Page) => page.locator('tr[data-run] .description').allTextContents()

/** `YYYY-MM-DD` of the local day `offset` days from today. */
function day(offset: number): string {
  const date = new Date(Date.now() + offset * 86_400_000)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}

describeWithBrowser('the runs page filtered', () => {
  it('by status, by text in the description or error, and by the day a run started', async () => {
    const page = await openPage(browser, `${server.url}#/`)
    await expect.poll(() => descriptions(page)).toEqual(['fails.py', 'tidy.py'])
    const filters = page.getByRole('search', { name: 'Filter the runs' })
    await filters.getByLabel('Status').selectOption('error')
    await expect.poll(() => descriptions(page)).toEqual(['fails.py'])
    expect(await filters.getByRole('status').textContent()).toBe('1 of 2 runs')
    await filters.getByLabel('Status').selectOption('')
    await filters.getByLabel('Text in the description or error').fill('FLUX capacitor')
    await expect.poll(() => descriptions(page)).toEqual(['fails.py'])
    await filters.getByLabel('Text in the description or error').fill('tidy')
    await expect.poll(() => descriptions(page)).toEqual(['tidy.py'])
    await filters.getByRole('button', { name: 'Clear' }).click()
    await filters.getByLabel('Started from').fill(day(1))
    await page.getByText('No run matches these filters.').waitFor()
    await filters.getByLabel('Started from').fill(day(0))
    await filters.getByLabel('to', { exact: true }).fill(day(0))
    await expect.poll(() => descriptions(page)).toEqual(['fails.py', 'tidy.py'])
    await page.close()
  })
})
