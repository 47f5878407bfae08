/**
 * A `smiley pytest` session in a real Chromium: its tests appear while they run, the session's
 * page lists them, the runs page filters them by outcome and folds them into their session.
 */

import type { Browser, Page } from 'playwright-core'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../../server/web/server.js'
import { hasChromium, launchBrowser } from '../support/browser.js'
import { SMILEY, tempDir } from '../support/cli.js'
import { openPage } from '../support/dashboard-page.js'
import { writePrograms } from '../support/programs.js'
import { pytestPython } from '../support/pytest.js'

const describeWithBrowser = hasChromium() && pytestPython !== null ? describe : describe.skip

let dir: { path: string; remove: () => void }
let db: string
let server: RunningServer
let browser: Browser

beforeAll(async () => {
  dir = tempDir()
  db = join(dir.path, 'runs.db')
  writePrograms(dir.path, {
    'test_live.py': `
import os, time

def test_first():
    assert 1 + 1 == 2

def test_waits():
    deadline = time.time() + 30
    while not os.path.exists("go") and time.time() < deadline:
        time.sleep(0.05)
    found = os.path.exists("go")
    assert not found, "the page saw this test running"

def test_after():
    pass
`,
  })
  server = await startServer({ database: db, host: '127.0.0.1', port: 0, token: null, poll: false })
  if (hasChromium()) browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await server.close()
  dir.remove()
})

const rows = (page: Page) => page.locator('tr[data-run]')

describeWithBrowser('a test session in the dashboard', () => {
  it('shows tests as they run, lists them on the session page, filters and folds them', async () => {
    const page = await openPage(browser, `${server.url}#/`)
    const recording = spawn(
      process.execPath,
      [SMILEY, 'pytest', '-d', db, '--python', pytestPython!.path, '-q', '-p', 'no:cacheprovider'],
      { cwd: dir.path, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } },
    )
    const ended = new Promise<number | null>((done) => recording.once('exit', done))

    // Live: the test that waits is listed, running, while it runs.
    const waiting = rows(page).filter({ hasText: 'test_live.py::test_waits' })
    await waiting.locator('.outcome.running').waitFor({ timeout: 30_000 })
    writeFileSync(join(dir.path, 'go'), '')
    expect(await ended).toBe(1)
    await waiting.locator('.outcome.failed').waitFor()
    // The runs of the tests that passed were deleted as they ended.
    await expect
      .poll(() => rows(page).locator('.description').allTextContents())
      .toEqual([
        expect.stringContaining('test_live.py::test_waits'),
        expect.stringContaining('-m pytest -q -p no:cacheprovider'),
      ])

    // The session's page lists every test, with its outcome and its run when it was kept.
    await rows(page).filter({ hasText: '-m pytest' }).getByRole('link', { name: 'tests' }).click()
    const tests = page.locator('tr[data-test]')
    await expect
      .poll(() => tests.locator('.outcome').allTextContents())
      .toEqual(['passed', 'failed', 'passed'])
    expect(await tests.locator('.name').allTextContents()).toEqual([
      'test_live.py::test_first',
      'test_live.py::test_waits',
      'test_live.py::test_after',
    ])
    expect(await tests.first().getByText('not kept').count()).toBe(1)
    await tests.nth(1).getByRole('link').click()
    await page.getByRole('heading', { name: 'test_live.py::test_waits' }).waitFor()
    await page
      .locator('.head .error-text', { hasText: 'AssertionError: the page saw this test running' })
      .waitFor()
    await page
      .getByRole('link', { name: /^[0-9a-f]{8}$/ })
      .first()
      .waitFor()
    await page.locator('dd .outcome', { hasText: 'failed' }).waitFor()

    // The runs page: by a test's outcome, and the tests folded into their session.
    await page.goto(`${server.url}#/`)
    const filters = page.getByRole('search', { name: 'Filter the runs' })
    await filters.getByLabel('Test outcome').selectOption('failed')
    await expect.poll(() => rows(page).count()).toBe(1)
    await filters.getByLabel('Test outcome').selectOption('passed')
    await page.getByText('No run matches these filters.').waitFor()
    await filters.getByLabel('Test outcome').selectOption('')
    await filters.getByLabel('Fold tests into their sessions').check()
    await expect
      .poll(() => rows(page).locator('.description').allTextContents())
      .toEqual([expect.stringMatching(/-m pytest -q -p no:cacheprovider\s*tests \(1 runs\)/)])
    await page.close()
  })
})
