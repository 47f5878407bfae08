/**
 * Child processes in a real Chromium: the runs page nests each child's run under its parent's,
 * and a run's Processes tab shows its whole tree, with status, duration and events.
 */

import type { Browser, Page } from 'playwright-core'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import { startServer, type RunningServer } from '../../server/web/server.js'
import { hasChromium, launchBrowser } from '../support/browser.js'
import { SMILEY, tempDir } from '../support/cli.js'
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
  writePrograms(dir.path, {
    'pool.py': `
import multiprocessing, subprocess, sys

def square(n):
    return n * n

if __name__ == "__main__":
    pool = multiprocessing.get_context("fork").Pool(2)
    print(pool.map(square, range(4)))
    pool.close()
    pool.join()
    subprocess.run([sys.executable, "failing.py"])
`,
    'failing.py': `
def divide(a, b):
    return a / b

divide(1, 0)
`,
  })
  const recorded = spawnSync(process.execPath, [SMILEY, 'run', '-d', db, 'pool.py'], {
    cwd: dir.path,
    encoding: 'utf8',
  })
  expect(recorded.status, recorded.stderr).toBe(0)
  server = await startServer({ database: db, host: '127.0.0.1', port: 0, token: null, poll: false })
  runs = (await (await fetch(`${server.url}api/runs`)).json()) as Run[]
  if (hasChromium()) browser = await launchBrowser()
}, 240_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
  dir.remove()
})

const rows = (page: Page) => page.locator('tr[data-run]')

describeWithBrowser('child processes in the dashboard', { timeout: 120_000 }, () => {
  it('nests the children under their parent on the runs page, and shows the tree on the Processes tab', async () => {
    const top = runs.find((run) => run.process === undefined)!
    const failing = runs.find((run) => run.process?.startedBy === 'subprocess')!
    expect(runs).toHaveLength(4)

    const page = await openPage(browser, `${server.url}#/`)
    await expect.poll(() => rows(page).count()).toBe(4)
    // The parent first, then its three children, oldest first, one level down.
    expect(await rows(page).first().getAttribute('data-run')).toBe(top.id)
    expect(
      await rows(page).evaluateAll((found) => found.map((row) => row.getAttribute('data-depth'))),
    ).toEqual(['0', '1', '1', '1'])
    const children = rows(page).locator('.process')
    expect((await children.allTextContents()).sort()).toEqual([
      'multiprocessing-fork',
      'multiprocessing-fork',
      'subprocess',
    ])

    // The failing child's Processes tab: the whole tree, this run marked, its parent linked.
    await rows(page).filter({ hasText: 'failing.py' }).locator('.process').click()
    await page.getByRole('heading', { name: 'failing.py' }).waitFor()
    const tree = page.locator('table.processes tr[data-run]')
    await expect.poll(() => tree.count()).toBe(4)
    expect(await tree.first().getAttribute('data-run')).toBe(top.id)
    const current = page.locator('table.processes tr.current')
    expect(await current.getAttribute('data-run')).toBe(failing.id)
    expect(await current.locator('.badge').textContent()).toBe('error')
    expect(await current.locator('td').nth(1).textContent()).toBe('subprocess')
    expect(await current.locator('td').nth(6).textContent()).toBe(String(failing.eventCount))
    // Where the parent started it: a link to that event of the parent's trace.
    const startedAt = current.locator('a.started-at')
    expect(await startedAt.textContent()).toBe(
      `event ${failing.process!.parentSeq} of ${top.id.slice(0, 8)}`,
    )
    expect(await startedAt.getAttribute('href')).toBe(
      `#/runs/${top.id}?seq=${failing.process!.parentSeq}`,
    )
    await page
      .getByRole('link', { name: top.id.slice(0, 8) })
      .first()
      .click()
    await expect
      .poll(() => page.locator('table.processes tr.current').getAttribute('data-run'))
      .toBe(top.id)
    await page.close()
  })
})
