/**
 * The dashboard on PostgreSQL in a real Chromium: two `smiley server` processes on one
 * database, each page open on one of them, while a separate `smiley run --database
 * postgres://…` records a program. The run appears on both pages without reload, its event
 * count grows while it runs (and its trace, on its own page), it ends, and a delete on one page
 * removes it from the other.
 */

import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import { hasChromium, launchBrowser } from '../support/browser.js'
import { SMILEY, tempDir } from '../support/cli.js'
import { describeWithBrowser } from '../support/dashboard.js'
import { openPage } from '../support/dashboard-page.js'
import { startPostgres } from '../support/postgres.js'
import { writePrograms } from '../support/programs.js'
import { spawnServer, type ServerProcess } from '../support/server-process.js'

const postgres = await startPostgres()
const dir = tempDir()
const servers: ServerProcess[] = []
let browser: Browser | null = null
let url = ''

writePrograms(dir.path, {
  // Counts until the file named by its argument appears (the test has seen enough).
  'counting.py': `
import os, sys, time

total = 0
while not os.path.exists(sys.argv[1]):
    total += 1
    time.sleep(0.02)
print("done", total)
`,
})

beforeAll(async () => {
  if (postgres === null || !hasChromium()) return
  postgres.createDatabase('dashboard')
  url = postgres.url('dashboard')
  servers.push(...(await Promise.all([spawnServer(url), spawnServer(url)])))
  browser = await launchBrowser()
}, 30_000)

afterAll(async () => {
  await browser?.close()
  await Promise.all(servers.map((server) => server.stop()))
  postgres?.stop()
  dir.remove()
})

/** The event count a runs page shows in run `id`'s row. */
async function shownEvents(page: Page, id: string): Promise<number> {
  const text = await page.locator(`tr[data-run="${id}"] td.num`).last().textContent()
  return Number((text ?? '').replace(/[^\d]/g, ''))
}

const describeHere = postgres === null ? describe.skip : describeWithBrowser

describeHere('the dashboard on PostgreSQL', () => {
  it("shows a run recorded by a separate smiley run appear, grow and finish live on two servers' runs pages and in its own trace, and a delete on one removes it from the other", async () => {
    const pages: Page[] = await Promise.all(servers.map((server) => openPage(browser!, server.url)))
    for (const page of pages) await page.getByText('No runs recorded yet').waitFor()

    const gate = join(dir.path, 'gate')
    const child = spawn(process.execPath, [SMILEY, 'run', '--database', url, 'counting.py', gate], {
      cwd: dir.path,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const output = createInterface({ input: child.stdout! })
    const exited = new Promise<number | null>((done) => child.on('exit', done))
    try {
      const row = pages.map((page) => page.locator('tr[data-run]'))
      for (const [i, page] of pages.entries()) {
        await row[i]!.locator('.badge.running').waitFor({ timeout: 15_000 })
        expect(await row[i]!.locator('.description').textContent()).toBe(`counting.py ${gate}`)
        expect(await page.locator('tr[data-run]').count()).toBe(1)
      }
      const id = (await row[0]!.getAttribute('data-run'))!
      const first = await shownEvents(pages[0]!, id)
      // The count grows on both pages while the program runs, pushed as it is recorded.
      for (const page of pages)
        await expect.poll(() => shownEvents(page, id), { timeout: 10_000 }).toBeGreaterThan(first)
      // The run's own page, on the other server: its trace grows while it runs.
      const runPage = await openPage(browser!, `${servers[1]!.url}#/runs/${id}`)
      pages.push(runPage)
      const total = async () =>
        Number(((await runPage.locator('.position').textContent()) ?? '').replace(/.* of |,/g, ''))
      await runPage.waitForFunction(() =>
        /of \d/.test(document.querySelector('.position')?.textContent ?? ''),
      )
      const shown = await total()
      await expect.poll(total, { timeout: 10_000 }).toBeGreaterThan(shown)
      writeFileSync(gate, '')
      const printed = new Promise<string>((done) => output.once('line', done))
      expect(await exited).toBe(0)
      expect(await printed).toMatch(/^done \d+$/)
      const ended = (await (await fetch(`${servers[1]!.url}api/runs/${id}`)).json()) as Run
      expect(ended.status).toBe('completed')
      for (const [i, page] of pages.slice(0, 2).entries()) {
        await row[i]!.locator('.badge.completed').waitFor({ timeout: 10_000 })
        await expect.poll(() => shownEvents(page, id), { timeout: 10_000 }).toBe(ended.eventCount)
      }
      await runPage.locator('.title .badge.completed').waitFor({ timeout: 10_000 })
      await expect.poll(total, { timeout: 10_000 }).toBe(ended.eventCount)
      await expect
        .poll(
          async () =>
            Number(await runPage.locator('.row[data-seq]').last().getAttribute('data-seq')),
          { timeout: 10_000 },
        )
        .toBe(ended.eventCount)
      await runPage.close()
      pages.pop()

      await row[0]!.getByRole('button', { name: /Delete run/ }).click()
      const dialog = pages[0]!.getByRole('dialog')
      await dialog.getByRole('button', { name: 'Delete' }).click()
      for (const r of row) await r.waitFor({ state: 'detached', timeout: 10_000 })
      expect((await fetch(`${servers[1]!.url}api/runs/${id}`)).status).toBe(404)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
      for (const page of pages) await page.close()
    }
  }, 90_000)
})
