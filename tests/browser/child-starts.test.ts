/**
 * Where the parent started each child process, in a real Chromium: the parent's trace has a
 * line after the event that started it, linking to the child's run; the explorer at that event
 * says it too; the child's run links back to that event; and the lines never push the trace's
 * last event off the screen.
 */

import type { Browser, Page } from 'playwright-core'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChildStart } from '../../shared/types/child-start.js'
import type { Run } from '../../shared/types/run.js'
import { startServer, type RunningServer } from '../../server/web/server.js'
import { hasChromium, launchBrowser } from '../support/browser.js'
import { SMILEY, smiley, tempDir } from '../support/cli.js'
import { openPage, shownEvent } from '../support/dashboard-page.js'
import { writePrograms } from '../support/programs.js'

const describeWithBrowser = hasChromium() ? describe : describe.skip

let dir: { path: string; remove: () => void }
let server: RunningServer
let browser: Browser
let runs: Run[]
let top: Run
let starts: ChildStart[]

beforeAll(async () => {
  dir = tempDir()
  const db = join(dir.path, 'runs.db')
  writePrograms(dir.path, {
    'family.py': `
import multiprocessing, os, subprocess, sys

def square(n):
    return n * n

def busy(count):
    total = 0
    for n in range(count):
        total += square(n)
    return total

busy(30)
subprocess.run([sys.executable, "kid.py"])
pid = os.fork()
if pid == 0:
    square(5)
    os._exit(0)
os.waitpid(pid, 0)
worker = multiprocessing.get_context("fork").Process(target=square, args=(2,))
worker.start()
worker.join()
subprocess.run(["true"])
`,
    'later.py': `
import os, subprocess, sys, time
print("ready", flush=True)
while not os.path.exists("go"):
    time.sleep(0.05)
subprocess.run([sys.executable, "kid.py"])
time.sleep(600)  # without events, so that the trace stays where it is
`,
    'kid.py': `
def hello():
    return "hello"

hello()
`,
  })
  const recorded = await smiley(['run', '-d', db, 'family.py'], {
    cwd: dir.path,
    timeoutMs: 200_000,
  })
  expect(recorded.code, recorded.stderr).toBe(0)
  server = await startServer({ database: db, host: '127.0.0.1', port: 0, token: null, poll: false })
  runs = (await (await fetch(`${server.url}api/runs`)).json()) as Run[]
  top = runs.find((run) => run.process === undefined)!
  starts = (await (
    await fetch(`${server.url}api/runs/${top.id}/child-starts`)
  ).json()) as ChildStart[]
  if (hasChromium()) browser = await launchBrowser()
}, 240_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
  dir.remove()
})

const startLines = (page: Page) => page.locator('#trace-rows .row.child-start')

describeWithBrowser(
  "the parent's trace, where each child was started",
  { timeout: 120_000 },
  () => {
    it('links from the line after the starting event to the child, and from the child back', async () => {
      expect(starts.map((start) => start.run?.startedBy ?? null)).toEqual([
        'subprocess',
        'fork',
        'multiprocessing-fork',
        null,
      ])
      const kid = starts[0]!
      const page = await openPage(browser, `${server.url}#/runs/${top.id}?seq=${kid.seq}`)
      await shownEvent(page, kid.seq)
      // The line right after the event that started the subprocess.
      const line = page.locator(`#trace-rows .row[data-seq="${kid.seq}"] + .row.child-start`)
      expect(await line.locator('.started').textContent()).toBe(
        `↳ started child process pid ${kid.run!.pid} (subprocess) → run ${kid.run!.id.slice(0, 8)} kid.py · completed`,
      )
      // The explorer at that event says the same.
      const here = page.getByRole('list', { name: 'Processes started here' })
      expect(await here.textContent()).toMatch(
        new RegExp(
          `Started child process pid ${kid.run!.pid} \\(subprocess\\) → run ${kid.run!.id.slice(0, 8)}`,
        ),
      )

      // Through to the child's run…
      await line.getByRole('link', { name: `run ${kid.run!.id.slice(0, 8)}` }).click()
      await page.getByRole('heading', { name: 'kid.py' }).waitFor()
      expect(page.url()).toContain(`#/runs/${kid.run!.id}`)
      await page.locator('#trace-rows .row[data-seq]').first().waitFor()
      expect(await startLines(page).count()).toBe(0)
      // …and back to the event of the parent's trace that started it, selected.
      await page.getByRole('link', { name: `at event ${kid.seq}` }).click()
      await shownEvent(page, kid.seq)
      expect(page.url()).toContain(`#/runs/${top.id}?seq=${kid.seq}`)
      expect(await page.locator('#trace-rows .row.selected').getAttribute('data-seq')).toBe(
        String(kid.seq),
      )
      await line.waitFor()

      // The fork and the multiprocessing worker the same way, from their lines.
      for (const start of starts.slice(1, 3)) {
        await page.goto(`${server.url}#/runs/${top.id}?seq=${start.seq}`)
        await shownEvent(page, start.seq)
        const link = page
          .locator(`#trace-rows .row[data-seq="${start.seq}"] ~ .row.child-start`)
          .getByRole('link', { name: `run ${start.run!.id.slice(0, 8)}` })
        await link.click()
        await page.getByRole('link', { name: `at event ${start.seq}` }).waitFor()
        expect(page.url()).toContain(`#/runs/${start.run!.id}`)
        expect(await page.locator('.run .head dl').textContent()).toContain(start.run!.startedBy)
      }
      await page.close()
    })

    it('shows the line of a child started while the page follows the run, linked once its run is there', async () => {
      const db = join(dir.path, 'live.db')
      const first = await smiley(['run', '-d', db, 'kid.py'], { cwd: dir.path, timeoutMs: 200_000 })
      expect(first.code, first.stderr).toBe(0)
      const live = await startServer({
        database: db,
        host: '127.0.0.1',
        port: 0,
        token: null,
        poll: true,
      })
      const recording = spawn(process.execPath, [SMILEY, 'run', '-d', db, 'later.py'], {
        cwd: dir.path,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      const exited = new Promise((done) => recording.on('exit', done))
      try {
        await new Promise((ready) =>
          createInterface({ input: recording.stdout }).once('line', ready),
        )
        let later: Run | undefined
        await expect
          .poll(async () => {
            const found = (await (await fetch(`${live.url}api/runs`)).json()) as Run[]
            later = found.find((run) => run.description === 'later.py')
            return later?.status
          })
          .toBe('running')
        const page = await openPage(browser, `${live.url}#/runs/${later!.id}`)
        await page.locator('#trace-rows .row[data-seq]').first().waitFor()
        expect(await startLines(page).count()).toBe(0)
        writeFileSync(join(dir.path, 'go'), '')
        const line = startLines(page).locator('.started')
        await expect
          .poll(() => line.textContent(), { timeout: 60_000 })
          .toMatch(
            /^↳ started child process pid \d+ \(subprocess\) → run [0-9a-f]{8} kid\.py · completed$/,
          )
        await line.getByRole('link').click()
        await page.getByRole('heading', { name: 'kid.py' }).waitFor()
        await page.close()
      } finally {
        recording.kill('SIGTERM')
        await exited
        await live.close()
      }
    })

    it('says so of a process that is not recorded, and keeps the last event on screen at the end', async () => {
      const page = await openPage(browser, `${server.url}#/runs/${top.id}`, {
        width: 1200,
        height: 520,
      })
      await page.locator('#trace-rows .row[data-seq]').first().waitFor()
      await page.getByRole('button', { name: /End/ }).click()
      const last = page.locator(`#trace-rows .row[data-seq="${top.eventCount}"]`)
      await last.waitFor()
      const screen = (await page.locator('#trace-rows').boundingBox())!
      const box = (await last.boundingBox())!
      expect(box.y + box.height).toBeLessThanOrEqual(screen.y + screen.height + 0.5)
      const unrecorded = starts[3]!
      expect(unrecorded.run).toBeNull()
      expect(await startLines(page).last().locator('.started').textContent()).toMatch(
        new RegExp(`^↳ started process pid ${unrecorded.pid}, not recorded`),
      )
      // Scrolling back a page and forth again never loses a line or an event.
      await page.locator('#trace-rows').hover()
      await page.mouse.wheel(0, -24 * 200)
      await page.locator('#trace-rows .row[data-seq="1"]').waitFor()
      await page.mouse.wheel(0, 24 * 200)
      await last.waitFor()
      expect(await startLines(page).count()).toBeGreaterThan(0)
      await page.close()
    })
  },
)
