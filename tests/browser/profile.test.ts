/** The stats page and the call graph in Chromium, on a real recording of the demo. */

import type { Browser, Page } from 'playwright-core'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '../../shared/types/run.js'
import { startServer, type RunningServer } from '../../server/web/server.js'
import { hasChromium, launchBrowser } from '../support/browser.js'
import { ROOT, smiley, tempDir } from '../support/cli.js'

const describeWithBrowser = hasChromium() ? describe : describe.skip

let dir: { path: string; remove: () => void }
let server: RunningServer
let browser: Browser
let run: Run

beforeAll(async () => {
  dir = tempDir()
  const db = join(dir.path, 'runs.db')
  const recorded = await smiley(['run', '-d', db, join('demo', 'main.py')], { cwd: ROOT })
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

async function open(hash: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 800 } })
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('close', () => expect(errors, errors.join('\n')).toEqual([]))
  await page.goto(server.url + hash)
  return page
}

/** The function names in the stats table, top to bottom. */
async function names(page: Page): Promise<string[]> {
  return page.locator('.stats .body .row .name').allTextContents()
}

describeWithBrowser('the stats page', () => {
  it('lists every function, most cumulative time first', async () => {
    const page = await open(`#/runs/${run.id}/stats`)
    await page.locator('.stats .body .row').first().waitFor()
    expect(await page.locator('.summary').textContent()).toMatch(
      /function calls .* in \d+\.\d{3} seconds/,
    )
    const cumulative = (
      await page.locator('.stats .body .row span:nth-child(4)').allTextContents()
    ).map(Number)
    expect(cumulative).toEqual([...cumulative].sort((a, b) => b - a))
    await page.close()
  })

  it('sorts by any column, both ways', async () => {
    const page = await open(`#/runs/${run.id}/stats`)
    await page.locator('.stats .body .row').first().waitFor()
    await page.getByRole('radio', { name: 'Whole interpreter' }).click()
    await page.getByRole('columnheader', { name: 'function' }).click()
    const ascending = await names(page)
    expect(ascending).toEqual([...ascending].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
    await page.getByRole('columnheader', { name: /function/ }).click()
    const descending = await names(page)
    expect(descending).toEqual([...descending].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)))
    const profile = (await (await fetch(`${server.url}api/runs/${run.id}/profile`)).json()) as {
      functions: Array<{ name: string }>
    }
    expect(descending[0]).toBe(
      profile.functions
        .map((f) => f.name)
        .sort()
        .at(-1),
    )
    await page.getByRole('columnheader', { name: 'ncalls' }).click()
    const calls = (await page.locator('.stats .body .row span:nth-child(1)').allTextContents()).map(
      (t) => Number(t.split('/')[0]),
    )
    expect(calls).toEqual([...calls].sort((a, b) => b - a))
    await page.close()
  })

  it('filters by function or file, and links a function to its source', async () => {
    const page = await open(`#/runs/${run.id}/stats`)
    await page.getByLabel('Filter functions').fill('running_totals')
    await page.waitForFunction(() => document.querySelectorAll('.stats .body .row').length === 1)
    expect(await names(page)).toEqual(['running_totals'])
    await page.locator('.stats .body .row a').click()
    await page.waitForURL(/\/files\/\d+\?line=4$/)
    expect(await page.locator('.line.target code').textContent()).toBe(
      'def running_totals(amounts):',
    )
    await page.close()
  })
})

describeWithBrowser('the call graph', () => {
  it("draws the demo's hot functions, zooms on the wheel, and shows a function's figures on click", async () => {
    const page = await open(`#/runs/${run.id}/graph`)
    const nodes = page.locator('.graph-area g.node')
    await nodes.first().waitFor({ timeout: 20_000 })
    // Every function of the program: whether a small one clears the 0.5 % threshold depends on
    // how long each took while the run was recorded.
    await page.getByLabel('Node threshold (percent)').fill('0')
    await page.getByLabel('Node threshold (percent)').press('Enter')
    await page
      .locator('.graph-area g.node', { hasText: 'shop:15:take' })
      .waitFor({ timeout: 20_000 })
    const text = (await page.locator('.graph-area').textContent()) ?? ''
    for (const hot of ['main:33:main', 'main:20:fill', 'shop:15:take']) expect(text).toContain(hot)

    // d3-graphviz keeps nodes moving while it fades the graph in: the click need not wait for rest.
    await page.locator('.graph-area g.node', { hasText: 'main:20:fill' }).click({ force: true })
    const panel = page.getByRole('complementary', { name: 'Function fill' })
    await panel.waitFor()
    expect(await panel.locator('.figures').textContent()).toMatch(/ncalls\s*1\b/)
    await panel.getByRole('link', { name: 'demo/main.py:20' }).click()
    await page.waitForURL(/\/files\/\d+\?line=20$/)
    await page.goBack()
    await page.locator('.graph-area g.node').first().waitFor()
    const layer = page.locator('.graph-area svg > g').first()
    const before = await layer.getAttribute('transform')
    const box = (await page.locator('.graph-area').boundingBox())!
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await page.mouse.wheel(0, -400)
    await page.waitForFunction(
      (old) => document.querySelector('.graph-area svg > g')!.getAttribute('transform') !== old,
      before,
    )
    await page.close()
  })

  it('redraws with other thresholds', async () => {
    const page = await open(`#/runs/${run.id}/graph`)
    const nodes = page.locator('.graph-area g.node')
    await nodes.first().waitFor({ timeout: 20_000 })
    const many = await nodes.count()
    await page.getByLabel('Node threshold (percent)').fill('20')
    await page.getByLabel('Node threshold (percent)').press('Enter')
    await page.waitForFunction(
      (count) => document.querySelectorAll('.graph-area g.node').length < count,
      many,
    )
    await page.close()
  })
})
