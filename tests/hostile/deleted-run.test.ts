/**
 * A run deleted (by `smiley delete`, from another terminal) while its page is open in the
 * browser: whichever view is showing, the page says the run is gone instead of breaking.
 * And addresses naming no run, or something else than a run, say so.
 */

import type { Browser, Page } from 'playwright-core'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import { startServer, type RunningServer } from '../../server/web/server.js'
import { hasChromium, launchBrowser } from '../support/browser.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'

const describeWithBrowser = hasChromium() ? describe : describe.skip
if (!hasChromium())
  console.warn(
    'deleted-run tests skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)',
  )

let dir: { path: string; remove: () => void }
let database: string
let server: RunningServer
let browser: Browser

beforeAll(async () => {
  dir = tempDir()
  database = join(dir.path, 'runs.db')
  writePrograms(dir.path, {
    'prog.py': 'def double(n):\n    return n * 2\n\nfor i in range(300):\n    double(i)\n',
  })
  server = await startServer({ database, host: '127.0.0.1', port: 0, token: null, poll: false })
  if (hasChromium()) browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await server.close()
  dir.remove()
})

async function record(): Promise<Run> {
  const recorded = await smiley(['run', '-d', database, 'prog.py'], { cwd: dir.path })
  expect(recorded.code, recorded.stderr).toBe(0)
  return ((await (await fetch(`${server.url}api/runs`)).json()) as Run[])[0]!
}

async function open(hash: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 800 } })
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(server.url + hash)
  return { page, errors }
}

describeWithBrowser('a run deleted while its page is open', () => {
  const views: Array<[string, string, string]> = [
    ['the trace', '', '.row[data-seq="1"]'],
    ['an event of the trace', '?seq=5', 'aside'],
    ['the files', '/files', 'td.code a'],
    ['a source file', '/files/1?line=2', '.line.target'],
    ['the threads', '/threads', 'td'],
    ['the profile', '/stats', '.stats .body .row'],
    ['the call graph', '/graph', '.graph-area g.node'],
  ]

  it.each(views)('says so on %s', async (_name, path, shown) => {
    const run = await record()
    const { page, errors } = await open(`#/runs/${run.id}${path}`)
    await page.locator(shown).first().waitFor()
    const deleted = await smiley(['delete', '-d', database, run.id])
    expect(deleted.code, deleted.stderr).toBe(0)
    await page.getByText('This run has been deleted.').waitFor({ timeout: 20_000 })
    expect(await page.locator('a', { hasText: 'See all runs' }).getAttribute('href')).toBe('#/')
    // Moving about afterwards breaks nothing either.
    await page.keyboard.press('End')
    await page.getByRole('link', { name: 'See all runs' }).click()
    await page.waitForURL(/#\/$/)
    expect(errors).toEqual([])
    await page.close()
  })

  it('says that a run no longer exists when its address is opened afterwards', async () => {
    const run = await record()
    const deleted = await smiley(['delete', '-d', database, run.id])
    expect(deleted.code, deleted.stderr).toBe(0)
    const { page, errors } = await open(`#/runs/${run.id}/threads`)
    await page.getByText(`no run with id ${run.id}`).waitFor()
    expect(errors).toEqual([])
    await page.close()
  })

  it.each([
    '#/runs/%E0%A4%A',
    '#/runs/..%2F..%2Fapi%2Fruns',
    '#/runs/..%5C..%5Cpackage.json/files',
    '#/runs/%00/files/1',
    '#/runs/javascript:alert(1)',
    '#/runs/x/files/..%2F..%2Fetc%2Fpasswd',
  ])('shows "no page" for the address %s, asking the API nothing for it', async (hash) => {
    const requests: string[] = []
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    page.on('request', (request) => requests.push(new URL(request.url()).pathname))
    await page.goto(server.url + hash)
    await page.getByText('There is no page at').waitFor()
    expect(requests.filter((path) => path.startsWith('/api/') && path !== '/api/runs')).toEqual([])
    expect(errors).toEqual([])
    await page.close()
  })
})
