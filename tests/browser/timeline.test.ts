/**
 * The Timeline tab in a real Chromium on a real threaded recording: the bars are drawn, a
 * zoom narrows the window the server is asked for, hovering names a call, clicking a call
 * opens it in the explorer, and the explorer's event is marked on the timeline.
 */

import type { Browser, Page } from 'playwright-core'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import type { TimelineWindow } from '../../shared/types/timeline.js'
import { barBox, placeLanes, TITLE_HEIGHT, xOf } from '../../client/src/lib/timeline-layout.js'
import { startServer, type RunningServer } from '../../server/web/server.js'
import { hasChromium, launchBrowser } from '../support/browser.js'
import { SMILEY, smiley, tempDir } from '../support/cli.js'
import { openPage, shownEvent } from '../support/dashboard-page.js'
import { writePrograms } from '../support/programs.js'
import { THREADED_PROGRAM } from '../support/threaded-program.js'

const describeWithBrowser = hasChromium() ? describe : describe.skip

let dir: { path: string; remove: () => void }
let server: RunningServer
let browser: Browser
let run: Run

beforeAll(async () => {
  dir = tempDir()
  const db = join(dir.path, 'runs.db')
  writePrograms(dir.path, {
    'threads.py': THREADED_PROGRAM,
    'deep.py': `
def down(n):
    if n == 0:
        return 0
    return down(n - 1) + 1


down(500)
`,
    // Calls tick() ten times a second until the file named by its argument appears, 30 s at most.
    'ticks.py': `
import os, sys, time


def tick(step):
    time.sleep(0.1)
    return step


print("ready", flush=True)
for step in range(300):
    tick(step)
    if os.path.exists(sys.argv[1]):
        break
`,
  })
  const recorded = await smiley(['run', '-d', db, 'threads.py'], { cwd: dir.path })
  expect(recorded.code, recorded.stderr).toBe(0)
  server = await startServer({ database: db, host: '127.0.0.1', port: 0, token: null, poll: false })
  run = ((await (await fetch(`${server.url}api/runs`)).json()) as Run[])[0]!
  if (hasChromium()) browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await server.close()
  dir.remove()
})

const canvasOf = (page: Page) => page.locator('canvas[data-testid="timeline-canvas"]')

/** Opens the Timeline tab (at `query`) and waits for its bars. */
async function openTimeline(query = ''): Promise<Page> {
  const page = await openPage(browser, `${server.url}#/runs/${run.id}/timeline${query}`)
  await page.locator('canvas[data-testid="timeline-canvas"]:not([data-bars="0"])').waitFor()
  return page
}

/** What the server answers for the page's canvas: the same window the page drew. */
async function windowOf(page: Page, query = '', id = run.id): Promise<TimelineWindow> {
  const width = await canvasOf(page).evaluate((canvas) => canvas.clientWidth)
  const url = `${server.url}api/runs/${id}/timeline?width=${width}${query}`
  return (await (await fetch(url)).json()) as TimelineWindow
}

/** The colour of the canvas's pixel at CSS point (x, y). */
function pixelAt(page: Page, x: number, y: number): Promise<number[]> {
  return canvasOf(page).evaluate(
    (element, [px, py]) => {
      const canvas = element as HTMLCanvasElement
      const ratio = canvas.width / canvas.clientWidth
      const data = canvas.getContext('2d')!.getImageData(px! * ratio, py! * ratio, 1, 1).data
      return [...data]
    },
    [x, y],
  )
}

describeWithBrowser('the Timeline tab', () => {
  it('draws a lane per thread with its calls, and names the call under the pointer', async () => {
    const page = await openTimeline()
    const window = await windowOf(page)
    expect(window.lanes.map((lane) => lane.name)).toEqual(['MainThread', 'worker-0', 'worker-1'])
    const width = await canvasOf(page).evaluate((canvas) => canvas.clientWidth)
    const placed = placeLanes(window)
    const worker = placed[1]!
    const leaf = worker.lane.bars.find(
      (bar) => window.functions.find((f) => f.id === bar.function)?.name === 'leaf',
    )!
    const box = barBox(leaf, worker, window.from, window.to, width)
    // The bar is painted, in a colour, where the layout puts it; empty canvas is transparent.
    const [, , , alpha] = await pixelAt(page, box.x + box.w / 2, box.y + box.h / 2)
    expect(alpha).toBe(255)
    expect((await pixelAt(page, width - 2, worker.bottom + 2))[3]).toBe(0)
    const at = await canvasOf(page).boundingBox()
    await page.mouse.move(at!.x + box.x + box.w / 2, at!.y + box.y + box.h / 2)
    const tip = page.getByRole('tooltip')
    await expect.poll(() => tip.textContent()).toContain('leaf')
    expect(await tip.textContent()).toContain('threads.py:5')
    await page.close()
  })

  it('asks the server for a narrower window on a zoom, and for the whole run again on 0', async () => {
    const page = await openTimeline()
    const canvas = canvasOf(page)
    const span = async () => {
      const [from, to] = await Promise.all([
        canvas.getAttribute('data-from'),
        canvas.getAttribute('data-to'),
      ])
      return Number(to) - Number(from)
    }
    const whole = await span()
    const asked: string[] = []
    page.on('request', (request) => {
      if (request.url().includes('/timeline?')) asked.push(request.url())
    })
    const at = await canvas.boundingBox()
    await page.mouse.move(at!.x + at!.width / 2, at!.y + 60)
    await page.mouse.wheel(0, -600)
    await expect.poll(span).toBeLessThan(whole / 2)
    await expect.poll(() => asked.some((url) => /[?&]from=\d+&to=\d+/.test(url))).toBe(true)
    const zoomed = await span()
    await page.locator('.lanes').focus()
    await page.keyboard.press('+')
    await expect.poll(span).toBeLessThan(zoomed)
    await page.keyboard.press('0')
    await expect.poll(span).toBe(whole)
    await page.close()
  })

  it('opens a clicked call in the explorer, at its call', async () => {
    const page = await openTimeline()
    const window = await windowOf(page)
    const width = await canvasOf(page).evaluate((canvas) => canvas.clientWidth)
    const placed = placeLanes(window)
    const worker = placed[2]!
    const work = worker.lane.bars.find((bar) => bar.depth === 0 && bar.calls === 1)!
    const box = barBox(work, worker, window.from, window.to, width)
    const at = await canvasOf(page).boundingBox()
    await page.mouse.click(at!.x + box.x + 4, at!.y + box.y + box.h / 2)
    await page.waitForURL(`**/#/runs/${run.id}?seq=${work.callSeq}`)
    await shownEvent(page, work.callSeq)
    const aside = page.locator(`aside[aria-label="Event ${work.callSeq}"]`)
    expect(await aside.locator('.stack li').first().textContent()).toContain('work')
    await page.close()
  })

  it("marks the explorer's event on the timeline, and keeps it going back and forth", async () => {
    const trace = await openPage(browser, `${server.url}#/runs/${run.id}?seq=40`)
    await shownEvent(trace, 40)
    await trace.getByRole('link', { name: 'Timeline', exact: true }).click()
    await trace.waitForURL(`**/#/runs/${run.id}/timeline?seq=40`)
    await trace.locator('canvas[data-testid="timeline-canvas"]:not([data-bars="0"])').waitFor()
    const window = await windowOf(trace, '&seq=40')
    const width = await canvasOf(trace).evaluate((canvas) => canvas.clientWidth)
    const x = Math.round(xOf(window.position!.us, window.from, window.to, width)) + 0.5
    // The marker crosses the lanes' title rows, which are otherwise empty there.
    const lane = placeLanes(window).at(-1)!
    await expect
      .poll(async () => {
        const [r, g, b, a] = await pixelAt(trace, x, lane.top + TITLE_HEIGHT - 3)
        return a === 255 && b! > 150 && b! > r! + 60 && b! > g!
      })
      .toBe(true)
    await trace.getByRole('link', { name: 'Trace', exact: true }).click()
    await trace.waitForURL(`**/#/runs/${run.id}?seq=40`)
    await trace.close()
  })

  it('grows while the program is recorded, and shows every call once it has ended', async () => {
    const db = join(dir.path, 'runs.db')
    const child = spawn(process.execPath, [SMILEY, 'run', '-d', db, 'ticks.py', 'stop-ticks'], {
      cwd: dir.path,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const exited = new Promise((done) => child.on('exit', done))
    await new Promise((ready) => createInterface({ input: child.stdout! }).once('line', ready))
    let live: Run | undefined
    await expect
      .poll(async () => {
        const all = (await (await fetch(`${server.url}api/runs`)).json()) as Run[]
        return (live = all.find((r) => r.description === 'ticks.py stop-ticks'))
      })
      .toBeDefined()
    const page = await openPage(browser, `${server.url}#/runs/${live!.id}/timeline`)
    const bars = async () => Number(await canvasOf(page).getAttribute('data-bars'))
    await expect.poll(bars, { timeout: 10_000 }).toBeGreaterThan(3)
    const before = await bars()
    await expect.poll(bars, { timeout: 10_000 }).toBeGreaterThan(before + 3)
    writeFileSync(join(dir.path, 'stop-ticks'), '')
    await exited
    await page.locator('.title .badge.completed').waitFor({ timeout: 10_000 })
    const events = (await (
      await fetch(`${server.url}api/runs/${live!.id}/events?from=1&limit=1000`)
    ).json()) as { events: Array<{ kind: string }> }
    const calls = events.events.filter((e) => e.kind === 'call').length
    // Every call of the ended run is a bar of its own: each lasts a tenth of a second.
    await expect.poll(bars, { timeout: 10_000 }).toBe(calls)
    await page.close()
  })

  it('stays a screen high on a deep recursion, drawing the deeper calls as the lanes scroll', async () => {
    const db = join(dir.path, 'runs.db')
    const recorded = await smiley(['run', '-d', db, 'deep.py'], { cwd: dir.path })
    expect(recorded.code, recorded.stderr).toBe(0)
    const all = (await (await fetch(`${server.url}api/runs`)).json()) as Run[]
    const deep = all.find((r) => r.description === 'deep.py')!
    const page = await openPage(browser, `${server.url}#/runs/${deep.id}/timeline`)
    await page.locator('canvas[data-testid="timeline-canvas"]:not([data-bars="0"])').waitFor()
    const window = await windowOf(page, '', deep.id)
    const lane = placeLanes(window)[0]!
    const deepest = lane.lane.bars.reduce((a, b) => (b.depth > a.depth ? b : a))
    expect(deepest.depth).toBeGreaterThan(400)
    const lanes = page.locator('.lanes')
    const [shown, whole] = await lanes.evaluate((el) => [el.clientHeight, el.scrollHeight])
    expect(whole).toBeGreaterThan(shown * 5)
    expect(await canvasOf(page).evaluate((canvas) => canvas.clientHeight)).toBeLessThanOrEqual(
      shown,
    )
    const scrolled = await lanes.evaluate(
      (el) => (el.scrollTop = el.scrollHeight - el.clientHeight),
    )
    const at = (await canvasOf(page).boundingBox())!
    const box = barBox(deepest, lane, window.from, window.to, at.width)
    await page.mouse.move(at.x + box.x + box.w / 2, at.y + box.y + box.h / 2 - scrolled)
    const tip = page.getByRole('tooltip')
    await expect
      .poll(() => tip.textContent())
      .toContain(`event ${deepest.callSeq.toLocaleString('en-US')}`)
    await page.close()
  })
})
