/**
 * Every execution of a hot line in a real Chromium: the list opens on the cursor, reads a few
 * pages and stops, draws only the rows on screen, and reads on as it is scrolled.
 */

import type { Page } from 'playwright-core'
import { beforeAll, expect, it } from 'vitest'
import { describeWithBrowser, recordedDashboard } from '../support/dashboard.js'
import type { LinePage, Moment } from '../../shared/types/moment.js'
import { shownEvent } from '../support/dashboard-page.js'

const HOT_LINE = 5
const RUNS = 30_000

let file: number

const dashboard = recordedDashboard({
  programs: {
    'hot.py': `def work(count):
    label = "x" * 150
    total = 0
    for i in range(count):
        total = total + len(label) + i
    return total


print(work(${RUNS}))
`,
  },
  record: [['hot.py']],
})

beforeAll(async () => {
  file = ((await api<Moment>('moment?seq=1')) as Moment).fileId!
})

async function api<T>(path: string): Promise<T> {
  return await dashboard.api<T>(`runs/${dashboard.run.id}/${path}`)
}

/** The seq of the hot line's execution number `index` (from 0). */
async function execution(index: number): Promise<number> {
  const page = await api<LinePage>(`lines?file=${file}&line=${HOT_LINE}&limit=1000`)
  let seqs = page.executions.map((e) => e.seq)
  let next = page.next
  while (seqs.length <= index && next !== null) {
    const more = await api<LinePage>(`lines?file=${file}&line=${HOT_LINE}&limit=1000&from=${next}`)
    seqs = [...seqs, ...more.executions.map((e) => e.seq)]
    next = more.next
  }
  return seqs[index]!
}

/** Opens the trace on event `seq` and lists the hot line's executions, counting their reads. */
async function listExecutions(seq: number): Promise<{ page: Page; reads: () => number }> {
  const page = await dashboard.open(`/runs/${dashboard.run.id}?seq=${seq}`)
  await shownEvent(page, seq)
  let reads = 0
  page.on('request', (request) => {
    if (request.url().includes('/lines?')) reads += 1
  })
  await page.locator(`.pane .line[data-line="${HOT_LINE}"] .number`).click()
  await page.getByText(`ran ${RUNS.toLocaleString('en-US')} times`).waitFor()
  return { page, reads: () => reads }
}

const list = (page: Page) =>
  page.locator(`section[aria-label="Executions of line ${HOT_LINE}"] .executions`)

describeWithBrowser('the executions of a hot line', () => {
  it('open on the cursor, read a few pages and stop there, however long the list stays open', async () => {
    const middle = await execution(RUNS / 2)
    const { page, reads } = await listExecutions(middle)
    const here = list(page).locator('li.here')
    await here.waitFor()
    expect(await here.locator('.seq').textContent()).toBe(`#${middle.toLocaleString('en-US')}`)
    const box = (await list(page).boundingBox())!
    const row = (await here.boundingBox())!
    expect(row.y).toBeGreaterThan(box.y + box.height / 4)
    expect(row.y + row.height).toBeLessThan(box.y + (box.height * 3) / 4)
    expect(box.height / row.height).toBeGreaterThanOrEqual(10)
    await page.waitForTimeout(2000)
    expect(reads()).toBeLessThanOrEqual(3)
    expect(await list(page).locator('li').count()).toBeLessThan(80)
    await page.close()
  })

  it('reads on as it is scrolled, keeping a bounded number of rows', async () => {
    const { page, reads } = await listExecutions(await execution(100))
    const lastSeq = () => list(page).locator('li .seq').last().textContent()
    let seen = await lastSeq()
    for (let pass = 0; pass < 12; pass++) {
      await list(page).evaluate((element) => (element.scrollTop = element.scrollHeight))
      await expect.poll(lastSeq).not.toBe(seen)
      seen = await lastSeq()
    }
    const rows = await list(page).evaluate((element) => element.scrollHeight / 22)
    expect(rows).toBeLessThanOrEqual(600)
    expect(await list(page).locator('li').count()).toBeLessThan(80)
    expect(reads()).toBeLessThan(30)
    await page.close()
  })

  it('shows each value the line saw, a long one cut short rather than those after it', async () => {
    const { page } = await listExecutions(await execution(10))
    const here = list(page).locator('li.here')
    await here.waitFor()
    const values = here.locator('.values > span')
    expect(await values.allTextContents()).toEqual([
      expect.stringMatching(/^total=\d+$/),
      expect.stringMatching(/^label='x+'$/),
      'i=10',
    ])
    const row = (await here.boundingBox())!
    const last = (await values.last().boundingBox())!
    expect(last.x + last.width).toBeLessThanOrEqual(row.x + row.width)
    expect(last.width).toBeGreaterThan(20)
    await page.close()
  })
})
