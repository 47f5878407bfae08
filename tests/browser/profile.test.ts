/** The stats page and the call graph in Chromium, on a real recording of the demo. */

import type { Page } from 'playwright-core'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { describeWithBrowser, recordedDashboard } from '../support/dashboard.js'
import { ROOT } from '../support/cli.js'

const dashboard = recordedDashboard({
  record: [{ args: [join('demo', 'main.py')], cwd: ROOT }],
})

/** The function names in the stats table, top to bottom. */
async function names(page: Page): Promise<string[]> {
  return page.locator('.stats .body .row .name').allTextContents()
}

describeWithBrowser('the stats page', () => {
  it('lists every function, most cumulative time first', async () => {
    const page = await dashboard.open(`/runs/${dashboard.run.id}/stats`, {
      width: 1300,
      height: 800,
    })
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
    const page = await dashboard.open(`/runs/${dashboard.run.id}/stats`, {
      width: 1300,
      height: 800,
    })
    await page.locator('.stats .body .row').first().waitFor()
    await page.getByRole('radio', { name: 'Whole interpreter' }).click()
    await page.getByRole('columnheader', { name: 'function' }).click()
    const ascending = await names(page)
    expect(ascending).toEqual([...ascending].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
    await page.getByRole('columnheader', { name: /function/ }).click()
    const descending = await names(page)
    expect(descending).toEqual([...descending].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)))
    const profile = await dashboard.api<{ functions: Array<{ name: string }> }>(
      `runs/${dashboard.run.id}/profile`,
    )
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
    const page = await dashboard.open(`/runs/${dashboard.run.id}/stats`, {
      width: 1300,
      height: 800,
    })
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
    const page = await dashboard.open(`/runs/${dashboard.run.id}/graph`, {
      width: 1300,
      height: 800,
    })
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
    const page = await dashboard.open(`/runs/${dashboard.run.id}/graph`, {
      width: 1300,
      height: 800,
    })
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
