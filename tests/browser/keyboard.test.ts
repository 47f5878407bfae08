/**
 * The dashboard from the keyboard and for assistive technology, in a real Chromium: trace
 * rows take the focus and open with Enter, a runs row reaches its run before its ✕, the tab's
 * title names the run and the view, and the state panel can be resized.
 */

import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { describeWithBrowser, recordedDashboard } from '../support/dashboard.js'
import { cursorOf, shownEvent } from '../support/dashboard-page.js'

const dashboard = recordedDashboard({
  programs: { 'count.py': 'total = 0\nfor n in range(100):\n    total += n\nprint(total)\n' },
  record: [['count.py']],
})

/** Presses Tab until the focus is on an element `test` accepts (40 presses at most). */
async function tabTo(page: Page, test: string): Promise<void> {
  for (let press = 0; press < 40; press++) {
    await page.keyboard.press('Tab')
    if (await page.evaluate((selector) => document.activeElement?.matches(selector), test)) return
  }
  throw new Error(`Tab never reached ${test}`)
}

const focusedSeq = (page: Page) =>
  page.evaluate(() => Number(document.activeElement?.getAttribute('data-seq')))

describeWithBrowser('the dashboard from the keyboard', () => {
  it('takes the focus on a trace row, moves it with the arrows and opens its event with Enter', async () => {
    const page = await dashboard.open(`/runs/${dashboard.run.id}`)
    await page.locator('.row[data-seq="1"]').waitFor()
    await tabTo(page, '.row[data-seq]')
    expect(await focusedSeq(page)).toBe(1)
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowDown')
    expect(await focusedSeq(page)).toBe(3)
    await page.keyboard.press('Enter')
    await shownEvent(page, 3)
    const onScreen = await page.locator('#trace-rows .row[data-seq]').count()
    for (let press = 0; press < onScreen + 5; press++) await page.keyboard.press('ArrowDown')
    await expect.poll(() => focusedSeq(page)).toBe(3 + onScreen + 5)
    await page.close()
  })

  it("reaches a run's page before its delete button in each runs row", async () => {
    const page = await dashboard.open(`/`)
    await page.locator('tr[data-run]').waitFor()
    await tabTo(page, 'tr[data-run] *')
    // First the box that picks the run for a comparison, then its page.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('checkbox')
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(
      dashboard.run.id.slice(0, 8),
    )
    await page.close()
  })

  it('titles the tab with the run and the view', async () => {
    const page = await dashboard.open(`/`)
    await expect.poll(() => page.title()).toBe('Runs — Smiley')
    await page.goto(`${dashboard.url}#/runs/${dashboard.run.id}/stats`)
    await expect.poll(() => page.title()).toBe('count.py · Stats — Smiley')
    await page.goto(`${dashboard.url}#/runs/${dashboard.run.id}?seq=4`)
    await expect.poll(() => page.title()).toBe('count.py · Trace · event 4 — Smiley')
    await page.close()
  })

  it('resizes the state panel by dragging its edge or with the arrow keys, and keeps the width', async () => {
    const page = await dashboard.open(`/runs/${dashboard.run.id}?seq=2`)
    await shownEvent(page, 2)
    const panel = page.locator('aside[aria-label^="Event"]')
    const before = (await panel.boundingBox())!.width
    const edge = (await page.getByRole('separator', { name: /Resize the panel/ }).boundingBox())!
    await page.mouse.move(edge.x + edge.width / 2, edge.y + 100)
    await page.mouse.down()
    await page.mouse.move(edge.x + edge.width / 2 - 200, edge.y + 100, { steps: 5 })
    await page.mouse.up()
    expect((await panel.boundingBox())!.width).toBeCloseTo(before + 200, -1)
    await page.getByRole('separator', { name: /Resize the panel/ }).focus()
    await page.keyboard.press('ArrowRight')
    expect((await panel.boundingBox())!.width).toBeCloseTo(before + 160, -1)
    await page.keyboard.press('Escape')
    await page.locator('.row[data-seq="5"]').click()
    await shownEvent(page, 5)
    expect(cursorOf(page)).toBe(5)
    expect((await panel.boundingBox())!.width).toBeCloseTo(before + 160, -1)
    await page.close()
  })
})
