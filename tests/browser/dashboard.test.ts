/**
 * The live dashboard in a real Chromium against a real server and real recordings: runs
 * appear without reload, a running program's trace grows, sources show what ran, delete
 * removes a run everywhere.
 */

import type { Browser, Page } from 'playwright-core'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import { startServer, type RunningServer } from '../../server/web/server.js'
import { hasChromium, launchBrowser } from '../support/browser.js'
import { SMILEY, smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'

const describeWithBrowser = hasChromium() ? describe : describe.skip
if (!hasChromium())
  console.warn('browser tests skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)')

let dir: { path: string; remove: () => void }
let db: string
let server: RunningServer
let browser: Browser

beforeAll(async () => {
  dir = tempDir()
  db = join(dir.path, 'runs.db')
  writePrograms(dir.path, {
    'quick.py': 'def double(n):\n    return n * 2\n\nvalue = double(21)\n',
    // Runs until the file named by its argument appears (the test has seen enough), 30 s at most.
    'slow.py': `
import os, sys, time

print("ready", flush=True)
for step in range(200):
    current = step * step
    if os.path.exists(sys.argv[1]):
        break
    time.sleep(0.15)
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

async function open(hash = '#/'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 800 } })
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(server.url + hash)
  page.on('close', () => expect(errors, errors.join('\n')).toEqual([]))
  return page
}

async function runs(): Promise<Run[]> {
  return (await (await fetch(`${server.url}api/runs`)).json()) as Run[]
}

/**
 * Records slow.py until the file `until` appears: resolves once its run is stored (it prints
 * before that), with `stop`, which makes it end and waits until it has.
 */
async function startSlow(until: string): Promise<{ running: Run; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [SMILEY, 'run', '-d', db, 'slow.py', until], {
    cwd: dir.path,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise((done) => child.on('exit', done))
  await new Promise((ready) => createInterface({ input: child.stdout! }).once('line', ready))
  let running: Run | undefined
  await expect
    .poll(async () => (running = (await runs()).find((r) => r.description === `slow.py ${until}`)))
    .toBeDefined()
  const stop = async () => {
    writeFileSync(join(dir.path, until), '')
    await exited
  }
  return { running: running!, stop }
}

describeWithBrowser('the dashboard', () => {
  it('shows a run recorded while the runs page is open, without reload', async () => {
    const page = await open()
    await page.getByText('No runs recorded yet').waitFor()
    await smiley(['run', '-d', db, 'quick.py'], { cwd: dir.path })
    const row = page.locator('tr[data-run]')
    await row.waitFor()
    await page.locator('tr[data-run] .badge.completed').waitFor()
    expect(await row.locator('.description').textContent()).toBe('quick.py')
    await page.close()
  })

  it("grows a running program's trace while it runs, then shows how it ended", async () => {
    const { running, stop } = await startSlow('grown')
    expect(running.status).toBe('running')
    const page = await open(`#/runs/${running.id}`)
    await page.locator('.badge.running').waitFor()
    const total = async () =>
      Number((await page.locator('.position').textContent())!.replace(/.* of |,/g, ''))
    await page.waitForFunction(() =>
      /of \d/.test(document.querySelector('.position')?.textContent ?? ''),
    )
    const before = await total()
    await page.waitForFunction(
      (seen) =>
        Number(document.querySelector('.position')!.textContent!.replace(/.* of |,/g, '')) > seen,
      before,
      { timeout: 10_000 },
    )
    // The view follows the end: the last row on screen becomes the newest event.
    await page.waitForFunction(
      (seen) =>
        Number([...document.querySelectorAll('.row[data-seq]')].at(-1)?.getAttribute('data-seq')) >
        seen,
      before,
      { timeout: 10_000 },
    )
    await stop()
    await page.locator('.title .badge.completed').waitFor({ timeout: 10_000 })
    const final = (await runs()).find((r) => r.id === running.id)!
    await page.waitForFunction(
      (count) =>
        document
          .querySelector('.position')!
          .textContent!.endsWith(`of ${count.toLocaleString('en-US')}`),
      final.eventCount,
    )
    expect(Number(await page.locator('.row').last().getAttribute('data-seq'))).toBe(
      final.eventCount,
    )
    await page.close()
  })

  it('stays at the start when Start is pressed before the end of a running trace arrived', async () => {
    const { running, stop } = await startSlow('explored')
    try {
      const page = await browser.newPage({ viewport: { width: 1300, height: 800 } })
      // The last page of the trace (what a running trace opens on) answers late.
      await page.route(
        (url) =>
          url.pathname.endsWith('/events') && url.searchParams.get('direction') === 'backward',
        async (route) => {
          await new Promise((later) => setTimeout(later, 1500))
          await route.continue()
        },
      )
      await page.goto(`${server.url}#/runs/${running.id}`)
      await page.locator('.badge.running').first().waitFor()
      await page.getByRole('button', { name: '⇤ Start' }).click()
      await page.locator('.row[data-seq="1"]').waitFor()
      const total = () =>
        page.evaluate(() =>
          Number(document.querySelector('.position')!.textContent!.replace(/.* of |,/g, '')),
        )
      const seen = await total()
      // The rows came after the late page; the pushes since may not carry the screen away.
      await expect.poll(total, { timeout: 10_000 }).toBeGreaterThan(seen + 50)
      expect(await page.locator('.row[data-seq]').first().getAttribute('data-seq')).toBe('1')
      expect(await page.getByRole('button', { name: 'Follow ⇥' }).count()).toBe(1)
      await page.close()
    } finally {
      await stop()
    }
  })

  it('opens the source as it was when the run executed it, at the linked line', async () => {
    writePrograms(dir.path, { 'quick.py': '# rewritten after the run\n' })
    const quick = (await runs()).find((r) => r.description === 'quick.py')!
    const page = await open(`#/runs/${quick.id}`)
    await page.locator('.row[data-seq="4"]').waitFor()
    const link = page.locator('.row .where a', { hasText: 'quick.py:2' }).first()
    await link.click()
    await page.waitForURL(/#\/runs\/.*\/files\/1\?line=2$/)
    const target = page.locator('.line.target')
    await target.waitFor()
    expect(await target.locator('code').textContent()).toBe('    return n * 2')
    expect(await target.locator('.hits').textContent()).toBe('1×')
    expect(await page.locator('.source').textContent()).not.toContain('rewritten')
    await page.close()
  })

  it('deletes a run after confirmation, from every open page and from the database', async () => {
    const quick = (await runs()).find((r) => r.description === 'quick.py')!
    const watcher = await open()
    const page = await open()
    const row = page.locator(`tr[data-run="${quick.id}"]`)
    await row.waitFor()
    await watcher.locator(`tr[data-run="${quick.id}"]`).waitFor()
    await row.getByRole('button', { name: /Delete run/ }).click()
    const dialog = page.getByRole('dialog')
    await dialog.waitFor()
    expect(await dialog.textContent()).toContain('quick.py')
    await dialog.getByRole('button', { name: 'Delete' }).click()
    await row.waitFor({ state: 'detached' })
    await watcher
      .locator(`tr[data-run="${quick.id}"]`)
      .waitFor({ state: 'detached', timeout: 5000 })
    expect((await fetch(`${server.url}api/runs/${quick.id}`)).status).toBe(404)
    await watcher.close()
    await page.close()
  })

  it('shows when it is reconnecting, and catches up once the server is back', async () => {
    const alone = join(dir.path, 'alone.db')
    let second = await startServer({
      database: alone,
      host: '127.0.0.1',
      port: 0,
      token: null,
      poll: false,
    })
    const port = second.port
    const page = await browser.newPage()
    await page.goto(second.url)
    await page.getByText('No runs recorded yet').waitFor()
    await page.getByRole('status').getByText('live').waitFor()
    await second.close()
    await page.getByRole('status').getByText('reconnecting…').waitFor()
    await smiley(['run', '-d', alone, 'quick.py'], { cwd: dir.path })
    second = await startServer({
      database: alone,
      host: '127.0.0.1',
      port,
      token: null,
      poll: false,
    })
    try {
      await page.getByRole('status').getByText('live').waitFor({ timeout: 10_000 })
      await page.locator('tr[data-run]').waitFor()
    } finally {
      await page.close()
      await second.close()
    }
  })
})
