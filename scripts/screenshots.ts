/**
 * Regenerates the README's screenshots (docs/screenshots/): records the demo program into a
 * temporary database (and a changed copy of it, for the compare page), serves the dashboard
 * and photographs each page in headless Chromium.
 *
 *   npm run build && npx tsx scripts/screenshots.ts [NAME…]    (only these, e.g. session)
 */

import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { TraceEvent } from '../shared/types/event.js'
import type { Run } from '../shared/types/run.js'
import type { TaskSummary } from '../shared/types/task.js'
import type { TimelineWindow } from '../shared/types/timeline.js'
import { barBox, placeLanes } from '../client/src/lib/timeline-layout.js'
import { startServer } from '../server/web/server.js'
import { launchBrowser } from '../tests/support/browser.js'

const root = resolve(import.meta.dirname, '..')
const out = join(root, 'docs', 'screenshots')
const folder = mkdtempSync(join(tmpdir(), 'smiley-shots-'))
const database = join(folder, 'smiley.db')
mkdirSync(out, { recursive: true })

const wanted = new Set(process.argv.slice(2))

const recorded = spawnSync(
  process.execPath,
  [join(root, 'bin', 'smiley.js'), 'run', '-d', database, join('demo', 'main.py')],
  {
    cwd: root,
    stdio: 'ignore',
  },
)
if (recorded.status !== 0) throw new Error('recording the demo failed')
// The demo's tests, one of which fails: a test session.
const tested = spawnSync(
  process.execPath,
  [join(root, 'bin', 'smiley.js'), 'pytest', '-d', database, join('demo', 'test_shop.py')],
  { cwd: root, stdio: 'ignore' },
)
if (tested.status !== 1) throw new Error('recording the demo tests did not find their failure')

const server = await startServer({ database, host: '127.0.0.1', port: 0, token: null, poll: false })
const all = (await (await fetch(`${server.url}api/runs`)).json()) as Run[]
const run = all.find((found) => found.description === join('demo', 'main.py'))
const session = all.find((found) => found.options['perTest'] === true && !found.test)!
const browser = await launchBrowser()
const page = await browser.newPage({ viewport: { width: 1360, height: 760 }, colorScheme: 'light' })

async function shoot(hash: string, name: string, ready: string, then?: () => Promise<void>) {
  if (wanted.size > 0 && !wanted.has(name)) return
  await page.goto(`${server.url}${hash}`)
  await page.locator(ready).first().waitFor()
  if (then) await then()
  await page.waitForTimeout(300)
  await page.screenshot({ path: join(out, `${name}.png`) })
  process.stdout.write(`docs/screenshots/${name}.png\n`)
}

await shoot('#/', 'runs', 'tr[data-run]')
await shoot(`#/runs/${run!.id}?seq=60`, 'trace', '.row.selected')
await shoot(`#/runs/${run!.id}/files/1?line=25`, 'source', '.line.target')
await shoot(`#/runs/${run!.id}/threads`, 'threads', 'tbody tr')

// The explorer on the third order filled, with the executions of the line that takes stock.
const { events } = (await (
  await fetch(`${server.url}api/runs/${run!.id}/events?limit=1000`)
).json()) as { events: TraceEvent[] }
const fill = events.filter((e) => e.function === 'fill' && e.source?.includes('filled.append'))
const moment = fill[1] ?? events[60]!
await shoot(`#/runs/${run!.id}?seq=${moment.seq}`, 'explorer', 'aside .stack li', async () => {
  const take = page.locator('.pane .line', { hasText: 'inventory.take(item, quantity)' })
  await take.locator('.number').click()
  await page.locator('section.question li').first().waitFor()
})
const taken = events.find((e) => e.kind === 'call' && e.function === 'Inventory.take')!
await shoot(`#/runs/${run!.id}/calls?frame=${taken.frame}`, 'calls', '[aria-selected="true"]')
await shoot(`#/runs/${run!.id}/stats`, 'stats', '.stats .body .row')
await shoot(`#/runs/${run!.id}/graph`, 'graph', 'svg .node')
await shoot(`#/runs/${session.id}/tests`, 'session', 'tr[data-test]')

// A program with child processes: a multiprocessing pool and a Python subprocess that fails.
if (wanted.size === 0 || wanted.has('processes') || wanted.has('child-starts')) {
  const family = join(folder, 'family')
  mkdirSync(family)
  writeFileSync(
    join(family, 'pool.py'),
    [
      'import multiprocessing, subprocess, sys',
      '',
      'def square(n):',
      '    return n * n',
      '',
      'if __name__ == "__main__":',
      '    pool = multiprocessing.get_context("spawn").Pool(2)',
      '    print(pool.map(square, range(8)))',
      '    pool.close()',
      '    pool.join()',
      '    subprocess.run([sys.executable, "check.py", "7"])',
      '',
    ].join('\n'),
  )
  writeFileSync(
    join(family, 'check.py'),
    [
      'import sys',
      '',
      'def check(n):',
      '    assert n % 2 == 0, n',
      '',
      'check(int(sys.argv[1]))',
      '',
    ].join('\n'),
  )
  const pooled = spawnSync(
    process.execPath,
    [join(root, 'bin', 'smiley.js'), 'run', '-d', database, 'pool.py'],
    { cwd: family, stdio: 'ignore' },
  )
  if (pooled.status !== 0) throw new Error('recording the pool program failed')
  const listed = (await (await fetch(`${server.url}api/runs`)).json()) as Run[]
  const failing = listed.find((found) => found.description === 'check.py 7')!
  await shoot(`#/runs/${failing.id}/processes`, 'processes', 'table.processes tr.current')
  // The parent's trace where it started the failing check, the line linking to its run.
  const { parent, parentSeq } = failing.process!
  await shoot(`#/runs/${parent}?seq=${parentSeq}`, 'child-starts', '.row.child-start a')
}

// An asyncio program, its trace filtered to one task and stopped where that task awaits.
const crawled = spawnSync(
  process.execPath,
  [join(root, 'bin', 'smiley.js'), 'run', '-d', database, join('demo', 'crawl.py')],
  { cwd: root, stdio: 'ignore' },
)
if (crawled.status !== 0) throw new Error('recording the asyncio demo failed')
const [crawl] = (await (await fetch(`${server.url}api/runs`)).json()) as Run[]
const { events: crawlEvents } = (await (
  await fetch(`${server.url}api/runs/${crawl!.id}/events?limit=1000`)
).json()) as { events: TraceEvent[] }
const awaiting = crawlEvents.find((e) => e.taskName === 'crawl-site' && e.function === 'fetch')!
await shoot(`#/runs/${crawl!.id}?seq=${awaiting.seq}`, 'tasks', 'aside .stack li', async () => {
  await page.getByLabel('Task').selectOption({ label: 'crawl-site' })
  await page.locator('[data-testid="moment-task"]').waitFor()
})
// Its timeline: a lane per task under the event loop's thread, coloured by function, zoomed
// in on the tasks (the start-up before them is most of the run), the explorer's moment (a fetch of crawl-site)
// outlined, the pointer on a call of that task.
await shoot(
  `#/runs/${crawl!.id}/timeline?seq=${awaiting.seq}`,
  'timeline',
  'canvas[data-testid="timeline-canvas"]:not([data-bars="0"])',
  async () => {
    const canvas = page.locator('canvas')
    const box = (await canvas.boundingBox())!
    await page.getByLabel('Colour by').selectOption('function')
    const tasks = (await (
      await fetch(`${server.url}api/runs/${crawl!.id}/tasks`)
    ).json()) as TaskSummary[]
    const first = Math.min(...tasks.map((task) => task.startedAt!)) * 1e6
    const whole = await canvas.getAttribute('data-to')
    // Zoomed about the end of the run, from a little before the first task.
    const anchor = box.width - 2
    await page.mouse.move(box.x + anchor, box.y + 40)
    const span = Number(whole) - first
    await page.mouse.wheel(0, Math.log((span * 1.15) / Number(whole)) / 0.002)
    await page.waitForFunction(
      (to) => document.querySelector('canvas')!.getAttribute('data-from') !== to,
      '0',
    )
    await page.waitForTimeout(500)
    const [from, to] = await Promise.all([
      canvas.getAttribute('data-from'),
      canvas.getAttribute('data-to'),
    ])
    const width = await canvas.evaluate((element) => element.clientWidth)
    const query = `width=${width}&from=${Math.round(Number(from))}&to=${Math.round(Number(to))}&seq=${awaiting.seq}`
    const window = (await (
      await fetch(`${server.url}api/runs/${crawl!.id}/timeline?${query}`)
    ).json()) as TimelineWindow
    const placed = placeLanes(window).find((p) => p.lane.name.endsWith('task crawl-site'))!
    const fetched = placed.lane.bars.filter((bar) => bar.depth === 1).at(2)!
    const at = barBox(fetched, placed, Number(from), Number(to), width)
    await page.mouse.move(box.x + at.x + at.w / 2, box.y + at.y + at.h / 2)
  },
)

// The demo again, with one more pear in stock: the two runs part where the pear order is taken.
const changed = join(folder, 'changed')
cpSync(join(root, 'demo'), join(changed, 'demo'), { recursive: true })
const main = join(changed, 'demo', 'main.py')
writeFileSync(main, readFileSync(main, 'utf8').replace('"pear": 2', '"pear": 3'))
const again = spawnSync(
  process.execPath,
  [join(root, 'bin', 'smiley.js'), 'run', '-d', database, join('demo', 'main.py')],
  { cwd: changed, stdio: 'ignore' },
)
if (again.status !== 0) throw new Error('recording the changed demo failed')
const [other] = (await (await fetch(`${server.url}api/runs`)).json()) as Run[]
await shoot(`#/compare/${run!.id}/${other!.id}`, 'compare', 'section[data-side="B"] li.current')

await browser.close()
await server.close()
rmSync(folder, { recursive: true, force: true })
