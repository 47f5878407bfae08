/**
 * The dashboard on a huge run: writes a synthetic run of N events (default ten million),
 * then measures, against a real `smiley server` in a process of its own, the API's page
 * reads at the start, middle and end, a thread-filtered page, and in Chromium the time to open
 * the run's details page, to jump to the middle and to eight more places, and to the end. Then the time-travel explorer: the state at events spread over
 * the run (the variables of a frame millions of events long, and the stack), moves, line
 * executions, a variable's history, a search stretch, the call tree, and in Chromium a deep
 * link to a moment and a step. Memory of the server is reported too.
 *
 *   npx tsx scripts/bench/dashboard.ts [--events N] [--database PATH] [--keep]
 */

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { openDatabase } from '../../server/db/database.js'
import { launchBrowser } from '../../tests/support/browser.js'
import { spawnServer } from '../../tests/support/server-process.js'
import { writeSyntheticRun } from './synthetic.js'
import { hugeRunOptions } from './standalone.js'

export interface DashboardOptions {
  /** The run's length; a run at least this long already in `database` is used as it is. */
  events: number
  /** Where the run is (or is written); a temporary folder when absent. */
  database?: string | undefined
  /** Keep the temporary database rather than deleting it. */
  keep?: boolean | undefined
}

/** Every time in milliseconds. */
export interface DashboardFigures {
  database: string
  events: number
  databaseBytes: number
  bytesPerEvent: number
  /** Writing the synthetic run through RunWriter, when it was written by this measurement. */
  written: { seconds: number; eventsPerSecond: number } | null
  /** One request each, after one warm-up read. */
  api: Record<string, number>
  /** Navigation start → the first row of the details page on screen. */
  openDetails: number
  /** The event the jump went to: the middle of the run. */
  jumpedTo: number
  /** Click on Go → the middle event's row drawn: the first jump. */
  jump: number
  /** That jump and as many more, each to a part of the run not loaded before. */
  jumps: { count: number; median: number; max: number }
  /** Click on End → the last event's row on screen. */
  jumpToEnd: number
  /** The state at an event, for 40 events spread over the run. */
  moments: { median: number; p95: number; max: number }
  explorer: Record<string, number>
  /** The event a deep link opened. */
  linkedTo: number
  /** Navigation start → the linked event's state shown. */
  deepLink: number
  /** Key press (j) → the next event's state shown. */
  step: number
  /** Resident size of the server process at the end, in bytes. */
  serverRss: number
}

interface RunFound {
  uuid: string
  written: DashboardFigures['written']
}

/** The newest run in `path` when it is long enough, else a synthetic one written there. */
function findOrWriteRun(path: string, events: number): RunFound {
  const db = openDatabase(path, { create: true })
  try {
    const existing = db
      .prepare('SELECT uuid, event_count FROM runs ORDER BY id DESC LIMIT 1')
      .get() as { uuid: string; event_count: number } | undefined
    if (existing && existing.event_count >= events) {
      process.stderr.write(
        `  using the run already in ${path} (${existing.event_count.toLocaleString('en-US')} events)\n`,
      )
      return { uuid: existing.uuid, written: null }
    }
    process.stderr.write(`  writing ${events.toLocaleString('en-US')} events into ${path}…\n`)
    const started = performance.now()
    const uuid = writeSyntheticRun(db, events)
    const seconds = (performance.now() - started) / 1000
    process.stderr.write(
      `  ${seconds.toFixed(1)} s, ${Math.round(events / seconds).toLocaleString('en-US')} events/s through RunWriter\n`,
    )
    return { uuid, written: { seconds, eventsPerSecond: events / seconds } }
  } finally {
    db.close()
  }
}

const sizeOf = (path: string) => (existsSync(path) ? statSync(path).size : 0)

/** The resident size of process `pid`, in bytes (Linux). */
function residentBytes(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return line ? Number(line[1]) * 1024 : NaN
}

/** Milliseconds for one GET of `url` and the reading of its JSON. */
async function timed(url: string): Promise<number> {
  const started = performance.now()
  const response = await fetch(url)
  await response.json()
  if (!response.ok) throw new Error(`${url}: ${response.status}`)
  return performance.now() - started
}

/** Milliseconds per request for each URL, sorted. */
async function timings(urls: string[]): Promise<number[]> {
  const times: number[] = []
  for (const url of urls) times.push(await timed(url))
  return times.sort((a, b) => a - b)
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!

async function measureApi(base: string, uuid: string, total: number) {
  const run = `${base}api/runs/${uuid}`
  const middle = Math.floor(total / 2)
  await timed(`${run}/events?from=1&limit=200`) // warm the statement cache
  const api = {
    'first page (200 events)': await timed(`${run}/events?from=1&limit=200`),
    'middle page': await timed(`${run}/events?from=${middle}&limit=200`),
    'last page (backward)': await timed(`${run}/events?direction=backward&from=${total}&limit=200`),
    'middle page, one thread': await timed(`${run}/events?from=${middle}&limit=200&thread=2`),
    'run list': await timed(`${base}api/runs`),
    files: await timed(`${run}/files`),
    threads: await timed(`${run}/threads`),
  }
  const spread = Array.from({ length: 40 }, (_, k) =>
    Math.max(1, Math.floor(((k + 0.5) / 40) * total)),
  )
  await timed(`${run}/moment?seq=1`)
  const sorted = await timings(spread.map((seq) => `${run}/moment?seq=${seq}`))
  const moments = {
    median: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    max: sorted.at(-1)!,
  }
  const explorer = {
    'move over, from the middle': await timed(`${run}/move?seq=${middle}&move=over`),
    'move out, from the middle': await timed(`${run}/move?seq=${middle}&move=out`),
    'move back out': await timed(`${run}/move?seq=${middle}&move=out-back`),
    'line executions (100)': await timed(`${run}/lines?file=1&line=3&from=${middle}`),
    'variable history (100)': await timed(`${run}/history?frame=1&name=i&from=${middle}`),
    'search stretch, no match': await timed(`${run}/search?q=kind:exception&from=${middle}`),
    'search, next match': await timed(
      `${run}/search?q=${encodeURIComponent('var:label "step 4"')}&from=${middle}`,
    ),
    'call tree roots': await timed(`${run}/calls`),
    'call tree, calls under main': await timed(`${run}/calls?parent=1`),
    'call tree, a page of calls': await timed(
      `${run}/calls/group?parent=1&function=1&from=${middle >> 3}`,
    ),
  }
  return { api, moments, explorer }
}

/**
 * Installed in a page before its own scripts: `benchWatch(name, selector)` notes in
 * `benchMarks[name]` when `selector` first matches and the frame that shows it has been
 * drawn (an animation frame, then a task after it), on the page's clock, whose zero is the
 * navigation's start; `benchAfter(name, type)` notes the next `type` event (a click, a key).
 * Nothing of Playwright runs in the page while it is measured: it is polled from here.
 */
function installMarks(first: { name: string; selector: string }) {
  const page = window as unknown as {
    benchMarks: Record<string, number>
    benchWatch(name: string, selector: string): void
    benchAfter(name: string, type: string): void
  }
  page.benchMarks = {}
  page.benchWatch = (name, selector) => {
    // No named functions in here: tsx would wrap them in a helper the page does not have.
    const observer = new MutationObserver(() => {
      if (document.querySelector(selector) === null) return
      observer.disconnect()
      requestAnimationFrame(() => setTimeout(() => (page.benchMarks[name] = performance.now())))
    })
    observer.observe(document, { childList: true, subtree: true, attributes: true })
  }
  page.benchAfter = (name, type) =>
    addEventListener(type, () => (page.benchMarks[name] = performance.now()), {
      once: true,
      capture: true,
    })
  page.benchWatch(first.name, first.selector)
}

/** A page that notes when `selector` first shows, as `open`. */
async function openPage(browser: Browser, url: string, selector: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  await page.addInitScript(installMarks, { name: 'open', selector })
  await page.goto(url)
  return page
}

/** The mark `name` once the page has noted it. */
async function mark(page: Page, name: string): Promise<number> {
  const deadline = Date.now() + 60_000
  for (;;) {
    const value = await page.evaluate(
      (n) => (window as unknown as { benchMarks: Record<string, number> }).benchMarks[n],
      name,
    )
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`the page never showed ${name}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Milliseconds from `act` (which sends a `type` event) until `selector` is drawn. */
async function timedUntil(page: Page, type: string, selector: string, act: () => Promise<void>) {
  const name = `${type} ${selector}`
  await page.evaluate(
    ({ n, t, s }) => {
      const marks = window as unknown as {
        benchWatch(name: string, selector: string): void
        benchAfter(name: string, type: string): void
      }
      marks.benchAfter(`${n} from`, t)
      marks.benchWatch(n, s)
    },
    { n: name, t: type, s: selector },
  )
  await act()
  return (await mark(page, name)) - (await mark(page, `${name} from`))
}

/** Events to jump to after the middle: spread over the run, none of them loaded before. */
const JUMPS = 8

async function measureBrowser(base: string, uuid: string, total: number) {
  const browser = await launchBrowser()
  try {
    const page = await openPage(browser, `${base}#/runs/${uuid}`, '.row[data-seq="1"]')
    const openDetails = await mark(page, 'open') // from navigation start
    // The time a person takes to type a number: the page has finished loading meanwhile.
    await page.waitForTimeout(1000)
    const jumpTo = (seq: number) =>
      timedUntil(page, 'click', `.row[data-seq="${seq}"]`, async () => {
        await page.getByLabel('Event number').fill(String(seq))
        await page.getByRole('button', { name: 'Go' }).click()
      })
    const jumpedTo = Math.floor(total / 2)
    const jump = await jumpTo(jumpedTo)
    const jumps = [jump]
    for (let k = 0; k < JUMPS; k++)
      jumps.push(await jumpTo(Math.floor(((k + 0.3) / JUMPS) * total)))
    jumps.sort((a, b) => a - b)
    const jumpToEnd = await timedUntil(page, 'click', `.row[data-seq="${total}"]`, () =>
      page.getByRole('button', { name: 'End ⇥' }).click(),
    )

    const linkedTo = Math.floor(total * 0.61)
    const momentPanel = (seq: number) => `aside[aria-label="Event ${seq}"]:not(.stale) .stack li`
    const deepLink = await openPage(
      browser,
      `${base}#/runs/${uuid}?seq=${linkedTo}`,
      momentPanel(linkedTo),
    )
    const linkShown = await mark(deepLink, 'open')
    const step = await timedUntil(deepLink, 'keydown', momentPanel(linkedTo + 1), () =>
      deepLink.keyboard.press('j'),
    )
    return {
      openDetails,
      jumpedTo,
      jump,
      jumps: { count: jumps.length, median: percentile(jumps, 0.5), max: jumps.at(-1)! },
      jumpToEnd,
      linkedTo,
      deepLink: linkShown,
      step,
    }
  } finally {
    await browser.close()
  }
}

export async function measureDashboard(options: DashboardOptions): Promise<DashboardFigures> {
  const folder = options.database ? null : mkdtempSync(join(tmpdir(), 'smiley-dashboard-'))
  const path = options.database ?? join(folder!, 'big.db')
  try {
    const { uuid, written } = findOrWriteRun(path, options.events)
    const databaseBytes = sizeOf(path) + sizeOf(`${path}-wal`)
    // A process of its own, as `smiley server` runs for a user: not sharing an event loop
    // with Playwright's driver, nor a heap with this measurement.
    const server = await spawnServer(path)
    try {
      const run = await fetch(`${server.url}api/runs/${uuid}`)
      const total = ((await run.json()) as { eventCount: number }).eventCount
      process.stderr.write(`  API reads on ${total.toLocaleString('en-US')} events…\n`)
      const api = await measureApi(server.url, uuid, total)
      process.stderr.write('  the details page and the explorer in Chromium…\n')
      const browser = await measureBrowser(server.url, uuid, total)
      return {
        database: path,
        events: total,
        databaseBytes,
        bytesPerEvent: databaseBytes / total,
        written,
        ...api,
        ...browser,
        serverRss: residentBytes(server.child.pid!),
      }
    } finally {
      await server.stop()
    }
  } finally {
    if (folder !== null && !options.keep) rmSync(folder, { recursive: true, force: true })
  }
}

export function formatDashboard(figures: DashboardFigures): string {
  const ms = (value: number) => `${value.toFixed(0)} ms`
  const count = (value: number) => value.toLocaleString('en-US')
  const { moments } = figures
  return [
    `dashboard on a run of ${count(figures.events)} events, database ${(figures.databaseBytes / 1e6).toFixed(0)} MB (${figures.bytesPerEvent.toFixed(1)} bytes/event)`,
    ...Object.entries(figures.api).map(([name, value]) => `  API ${name.padEnd(26)} ${ms(value)}`),
    `  browser: details page shown ${ms(figures.openDetails)} after navigation start; jump to event ${count(figures.jumpedTo)} ${ms(figures.jump)}, ${figures.jumps.count} jumps over the run: median ${ms(figures.jumps.median)}, max ${ms(figures.jumps.max)}; to the end ${ms(figures.jumpToEnd)} (click to rows drawn)`,
    `  API state at an event (40 events spread over the run): median ${ms(moments.median)}, p95 ${ms(moments.p95)}, max ${ms(moments.max)}`,
    ...Object.entries(figures.explorer).map(
      ([name, value]) => `  API ${name.padEnd(26)} ${ms(value)}`,
    ),
    `  browser: a link to event ${count(figures.linkedTo)} shows its state ${ms(figures.deepLink)} after navigation start; a step (j) ${ms(figures.step)} from key to state`,
    `  server process memory (RSS) after: ${(figures.serverRss / 1e6).toFixed(0)} MB`,
  ].join('\n')
}

if (import.meta.filename === process.argv[1]) {
  const figures = await measureDashboard(hugeRunOptions())
  process.stdout.write(formatDashboard(figures) + '\n')
}
