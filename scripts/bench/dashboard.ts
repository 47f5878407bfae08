/**
 * The dashboard on a huge run: writes a synthetic run of N events (default ten million),
 * then measures, against a real `smiley server`, the API's page reads at the start, middle
 * and end, a thread-filtered page, and in Chromium the time to open the run's details page
 * and to jump to the middle. Then the time-travel explorer: the state at events spread over
 * the run (the variables of a frame millions of events long, and the stack), moves, line
 * executions, a variable's history, a search stretch, the call tree, and in Chromium a deep
 * link to a moment and a step. Memory of the server is reported too.
 *
 *   npx tsx scripts/bench/dashboard.ts [--events N] [--database PATH] [--keep]
 */

import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openDatabase } from '../../server/db/database.js'
import { startServer } from '../../server/web/server.js'
import { launchBrowser } from '../../tests/support/browser.js'
import { writeSyntheticRun } from './synthetic.js'

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' },
    database: { type: 'string' },
    keep: { type: 'boolean' },
  },
})
const events = Number(values.events)
const folder = mkdtempSync(join(tmpdir(), 'smiley-dashboard-'))
const path = values.database ?? join(folder, 'big.db')

let uuid: string
const db = openDatabase(path, { create: true })
const existing = db.prepare('SELECT uuid, event_count FROM runs ORDER BY id DESC LIMIT 1').get() as
  { uuid: string; event_count: number } | undefined
if (existing && existing.event_count >= events) {
  uuid = existing.uuid
  process.stderr.write(
    `using the run already in ${path} (${existing.event_count.toLocaleString('en-US')} events)\n`,
  )
} else {
  process.stderr.write(`writing ${events.toLocaleString('en-US')} events into ${path}…\n`)
  const started = performance.now()
  uuid = writeSyntheticRun(db, events)
  const seconds = (performance.now() - started) / 1000
  process.stderr.write(
    `  ${seconds.toFixed(1)} s, ${Math.round(events / seconds).toLocaleString('en-US')} events/s through RunWriter\n`,
  )
}
db.close()
const size = statSync(path).size + (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0)

const server = await startServer({
  database: path,
  host: '127.0.0.1',
  port: 0,
  token: null,
  poll: false,
})
const base = server.url
async function timed(url: string): Promise<number> {
  const started = performance.now()
  const response = await fetch(url)
  await response.json()
  if (!response.ok) throw new Error(`${url}: ${response.status}`)
  return performance.now() - started
}
const total = ((await (await fetch(`${base}api/runs/${uuid}`)).json()) as { eventCount: number })
  .eventCount
await timed(`${base}api/runs/${uuid}/events?from=1&limit=200`) // warm the statement cache
const api = {
  'first page (200 events)': await timed(`${base}api/runs/${uuid}/events?from=1&limit=200`),
  'middle page': await timed(
    `${base}api/runs/${uuid}/events?from=${Math.floor(total / 2)}&limit=200`,
  ),
  'last page (backward)': await timed(
    `${base}api/runs/${uuid}/events?direction=backward&from=${total}&limit=200`,
  ),
  'middle page, one thread': await timed(
    `${base}api/runs/${uuid}/events?from=${Math.floor(total / 2)}&limit=200&thread=2`,
  ),
  'run list': await timed(`${base}api/runs`),
  files: await timed(`${base}api/runs/${uuid}/files`),
  threads: await timed(`${base}api/runs/${uuid}/threads`),
}

/** Milliseconds per request for each URL, sorted. */
async function timings(urls: string[]): Promise<number[]> {
  const times: number[] = []
  for (const url of urls) times.push(await timed(url))
  return times.sort((a, b) => a - b)
}
const run = `${base}api/runs/${uuid}`
const spread = Array.from({ length: 40 }, (_, k) =>
  Math.max(1, Math.floor(((k + 0.5) / 40) * total)),
)
await timed(`${run}/moment?seq=1`)
const moments = await timings(spread.map((seq) => `${run}/moment?seq=${seq}`))
const middleSeq = Math.floor(total / 2)
const explorer = {
  'move over, from the middle': await timed(`${run}/move?seq=${middleSeq}&move=over`),
  'move out, from the middle': await timed(`${run}/move?seq=${middleSeq}&move=out`),
  'move back out': await timed(`${run}/move?seq=${middleSeq}&move=out-back`),
  'line executions (100)': await timed(`${run}/lines?file=1&line=3&after=${middleSeq}`),
  'variable history (100)': await timed(`${run}/history?frame=1&name=i&from=${middleSeq}`),
  'search stretch, no match': await timed(`${run}/search?q=kind:exception&from=${middleSeq}`),
  'search, next match': await timed(
    `${run}/search?q=${encodeURIComponent('var:label "step 4"')}&from=${middleSeq}`,
  ),
  'call tree roots': await timed(`${run}/calls`),
  'call tree, calls under main': await timed(`${run}/calls?parent=1`),
  'call tree, a page of calls': await timed(
    `${run}/calls/group?parent=1&function=1&from=${middleSeq >> 3}`,
  ),
}

const browser = await launchBrowser()
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
/** Milliseconds, measured in the page, from `since` (a performance.now() there) until `selector` shows. */
async function shown(selector: string, since: number): Promise<number> {
  await page.waitForFunction((s) => document.querySelector(s) !== null, selector, {
    polling: 'raf',
    timeout: 60_000,
  })
  return (await page.evaluate(() => performance.now())) - since
}
async function clickAndWait(button: string, selector: string): Promise<number> {
  await page.evaluate((name) => {
    const target = [...document.querySelectorAll('button')].find(
      (b) => b.textContent?.trim() === name,
    )!
    target.addEventListener(
      'click',
      () => ((window as unknown as { clicked: number }).clicked = performance.now()),
      { once: true },
    )
  }, button)
  await page.getByRole('button', { name: button }).click()
  const clicked = await page.evaluate(() => (window as unknown as { clicked: number }).clicked)
  return shown(selector, clicked)
}
await page.goto(`${base}#/runs/${uuid}`)
const open = await shown('.row[data-seq="1"]', 0) // from navigation start
const middle = Math.floor(total / 2)
await page.getByLabel('Event number').fill(String(middle))
const jump = await clickAndWait('Go', `.row[data-seq="${middle}"]`)
const end = await clickAndWait('End ⇥', `.row[data-seq="${total}"]`)
const moment = Math.floor(total * 0.61)
const momentPanel = (seq: number) => `aside[aria-label="Event ${seq}"]:not(.stale) .stack li`
const deepLink = await browser.newPage({ viewport: { width: 1400, height: 900 } })
await deepLink.goto(`${base}#/runs/${uuid}?seq=${moment}`)
await deepLink.waitForSelector(momentPanel(moment), { timeout: 60_000 })
const linkShown = await deepLink.evaluate(() => performance.now())
await deepLink.evaluate(() => {
  addEventListener(
    'keydown',
    () => ((window as unknown as { pressed: number }).pressed = performance.now()),
    { once: true, capture: true },
  )
})
await deepLink.keyboard.press('j')
await deepLink.waitForSelector(momentPanel(moment + 1), { timeout: 60_000 })
const stepped =
  (await deepLink.evaluate(() => performance.now())) -
  (await deepLink.evaluate(() => (window as unknown as { pressed: number }).pressed))
await browser.close()
const memory = process.memoryUsage().rss
await server.close()

const say = (...lines: string[]) => process.stdout.write(lines.join(' ') + '\n')
const ms = (value: number) => `${value.toFixed(0)} ms`
say(
  `run of ${total.toLocaleString('en-US')} events, database ${(size / 1e6).toFixed(0)} MB (${(size / total).toFixed(1)} bytes/event)`,
)
for (const [name, value] of Object.entries(api)) say(`  API ${name.padEnd(26)} ${ms(value)}`)
say(
  `  browser: details page shown ${ms(open)} after navigation start; jump to event ${middle.toLocaleString('en-US')} ${ms(jump)}, to the end ${ms(end)} (click to rows on screen)`,
)
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
say(
  `  API state at an event (40 events spread over the run): median ${ms(percentile(moments, 0.5))}, p95 ${ms(percentile(moments, 0.95))}, max ${ms(moments.at(-1)!)}`,
)
for (const [name, value] of Object.entries(explorer)) say(`  API ${name.padEnd(26)} ${ms(value)}`)
say(
  `  browser: a link to event ${moment.toLocaleString('en-US')} shows its state ${ms(linkShown)} after navigation start; a step (j) ${ms(stepped)} from key to state`,
)
say(`  server process memory (RSS) after: ${(memory / 1e6).toFixed(0)} MB`)
if (!values.keep && !values.database) rmSync(folder, { recursive: true, force: true })
