/**
 * Recorded strings holding HTML and script — in variable values, file names, function and
 * type names, thread names, the description, arguments and exception messages — render as
 * inert text on every page of the dashboard, and of a report opened from file:// (whose
 * Content-Security-Policy is no excuse to rely on): no dialog opens, no element is injected,
 * and the text is there to read.
 */

import type { Browser, Page } from 'playwright-core'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Run } from '../../shared/types/run.js'
import { startServer, type RunningServer } from '../../server/web/server.js'
import { hasChromium, launchBrowser } from '../support/browser.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'

const describeWithBrowser = hasChromium() ? describe : describe.skip
if (!hasChromium())
  console.warn(
    'injection tests skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)',
  )

const SCRIPT_FILE = 'evil_<img src=x onerror=alert(1)>.py'
const DESCRIPTION = '<script>alert(13)</script><img src=x onerror=alert(14)>'
const FUNCTION = '<script>alert(7)</script>'
const THREAD = '<script>alert(10)</script>'
const ERROR = 'ValueError: <script>alert(11)</script> <img src=x onerror=alert(12)>'

let dir: { path: string; remove: () => void }
let server: RunningServer
let browser: Browser
let run: Run
/** An event whose changed variables hold HTML, and one called in a function named by HTML. */
let valueEvent: TraceEvent
let functionEvent: TraceEvent
let report: string

beforeAll(async () => {
  dir = tempDir()
  writePrograms(dir.path, {
    [SCRIPT_FILE]: `
# <script>alert("source")</script> <img src=x onerror=alert("source")>
import threading

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
LINK = "javascript:alert(3)"


def make(name):
    def inner(value):
        shown = value
        return shown
    inner.__code__ = inner.__code__.replace(co_name=name, co_qualname=name)
    return inner


Evil = type("<img src=x onerror=alert(4)>", (), {"__repr__": lambda self: "<b onmouseover=alert(5)>bold</b>"})


class EvilError(Exception):
    pass


EvilError.__name__ = "<svg onload=alert(6)>"
EvilError.__qualname__ = EvilError.__name__


def main():
    data = {SCRIPT: IMG, "url": LINK}
    thing = Evil()
    for fn in (make("${FUNCTION}"), make("<img src=x onerror=alert(8)>")):
        fn(data)
    try:
        raise EvilError("<img src=x onerror=alert(9)> " + LINK)
    except EvilError as problem:
        caught = problem
    worker = threading.Thread(target=lambda: make(LINK)(thing), name="${THREAD}")
    worker.start()
    worker.join()


main()
raise ValueError("<script>alert(11)</script> <img src=x onerror=alert(12)>")
`,
  })
  const database = join(dir.path, 'runs.db')
  const recorded = await smiley(
    ['run', '-d', database, '--description', DESCRIPTION, SCRIPT_FILE, LINK_ARG],
    { cwd: dir.path },
  )
  expect(recorded.code).toBe(1)
  server = await startServer({ database, host: '127.0.0.1', port: 0, token: null, poll: false })
  run = ((await (await fetch(`${server.url}api/runs`)).json()) as Run[])[0]!
  const { events } = (await (
    await fetch(`${server.url}api/runs/${run.id}/events?limit=1000`)
  ).json()) as { events: TraceEvent[] }
  valueEvent = events.find((e) => e.locals['data'] !== undefined)!
  functionEvent = events.find((e) => e.function === FUNCTION && e.kind === 'call')!
  report = join(dir.path, 'report')
  const written = await smiley([
    'report',
    '-d',
    database,
    'latest',
    '-o',
    report,
    '--title',
    DESCRIPTION,
  ])
  expect(written.code, written.stderr).toBe(0)
  if (hasChromium()) browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
  dir.remove()
})

const LINK_ARG = '<img src=x onerror=alert(15)>'

interface Watched {
  page: Page
  dialogs: string[]
  errors: string[]
}

async function watched(): Promise<Watched> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  const dialogs: string[] = []
  const errors: string[] = []
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  page.on('pageerror', (error) => errors.push(error.message))
  return { page, dialogs, errors }
}

/** Nothing recorded became markup: no handlers, no injected image, script or link. */
async function expectInert({ page, dialogs, errors }: Watched, where: string): Promise<void> {
  const found = await page.evaluate(() => {
    const all = [...document.querySelectorAll('*')]
    return {
      handlers: all
        .filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name)))
        .map((el) => el.outerHTML.slice(0, 100)),
      images: [...document.querySelectorAll('img')].map((el) => el.outerHTML.slice(0, 100)),
      inlineScripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
      scriptLinks: all
        .filter((el) =>
          ['href', 'src', 'xlink:href', 'action'].some((name) =>
            /^\s*javascript:/i.test(el.getAttribute(name) ?? ''),
          ),
        )
        .map((el) => el.outerHTML.slice(0, 100)),
    }
  })
  expect(found, where).toEqual({ handlers: [], images: [], inlineScripts: 0, scriptLinks: [] })
  expect(dialogs, where).toEqual([])
  expect(errors, where).toEqual([])
}

/** `text` is on the page, as text. */
async function expectText(page: Page, text: string, where: string): Promise<void> {
  await page.getByText(text).filter({ visible: true }).first().waitFor({ timeout: 20_000 })
  const shown = await page.locator('body').innerText()
  expect(shown.includes(text), `${where}: ${text}`).toBe(true)
}

/** Visits every page of the run at `base` (the server, or the report's index.html). */
async function visitEveryPage(base: string, origin: string): Promise<void> {
  const w = await watched()
  const { page } = w
  const go = async (hash: string) => {
    await page.goto(`${base}${hash}`)
  }

  await go('#/')
  await expectText(page, DESCRIPTION, `${origin} runs page`)
  await expectInert(w, `${origin} runs page`)

  await go(`#/runs/${run.id}`)
  await page.locator(`.row[data-seq="${valueEvent.seq}"]`).waitFor()
  await expectText(page, DESCRIPTION, `${origin} run header`)
  await expectText(page, ERROR, `${origin} run header`)
  await expectText(page, `${SCRIPT_FILE}:`, `${origin} trace`)
  await expectText(
    page,
    `'<script>alert(1)</script>': '<img src=x onerror=alert(2)>'`,
    `${origin} trace`,
  )
  await expectInert(w, `${origin} trace`)

  // The detail panel of an event with HTML in its values, then of one in a function so named.
  await page.locator(`.row[data-seq="${valueEvent.seq}"]`).click()
  const panel = page.getByRole('complementary', { name: `Event ${valueEvent.seq}` })
  await panel.waitFor()
  expect(await panel.innerText()).toContain("'url': 'javascript:alert(3)'")
  await expectInert(w, `${origin} detail panel`)
  await go(`#/runs/${run.id}?seq=${functionEvent.seq}`)
  const second = page.getByRole('complementary', { name: `Event ${functionEvent.seq}` })
  await second.waitFor()
  expect(await second.innerText()).toContain(FUNCTION)
  await expectInert(w, `${origin} detail panel`)

  await go(`#/runs/${run.id}/files`)
  await expectText(page, SCRIPT_FILE, `${origin} files`)
  await expectInert(w, `${origin} files`)

  await go(`#/runs/${run.id}/files/1?line=1`)
  await expectText(
    page,
    '# <script>alert("source")</script> <img src=x onerror=alert("source")>',
    `${origin} source`,
  )
  await expectInert(w, `${origin} source`)

  await go(`#/runs/${run.id}/threads`)
  await expectText(page, THREAD, `${origin} threads`)
  await expectInert(w, `${origin} threads`)

  await go(`#/runs/${run.id}/stats`)
  await page.getByLabel('Filter functions').fill('alert(7)')
  await expectText(page, FUNCTION, `${origin} stats`)
  await expectInert(w, `${origin} stats`)

  await go(`#/runs/${run.id}/graph`)
  await page.locator('.graph-area g.node').first().waitFor({ timeout: 30_000 })
  const threshold = page.getByLabel('Node threshold (percent)')
  // A report's graph is drawn beforehand, with fixed thresholds; the dashboard's can show all.
  if ((await threshold.count()) > 0 && (await threshold.isEnabled())) {
    await threshold.fill('0')
    await threshold.press('Enter')
  }
  await page.waitForFunction(
    () => document.querySelector('.graph-area')?.textContent?.includes('onerror=alert(1)>'),
    undefined,
    { timeout: 30_000 },
  )
  await expectInert(w, `${origin} call graph`)
  await page.close()
}

describeWithBrowser('recorded HTML and script', () => {
  it('are shown as inert text on every page of the dashboard', async () => {
    await visitEveryPage(server.url, 'dashboard')
  })

  it('are shown as inert text on every page of a report opened from file://', async () => {
    await visitEveryPage(pathToFileURL(join(report, 'index.html')).href, 'report')
  })
})
