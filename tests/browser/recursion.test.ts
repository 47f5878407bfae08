/**
 * A deep recursion in a real Chromium: the trace's indentation stops growing and says the
 * depth, and the call stack folds the repeated frames into one row.
 */

import type { Page } from 'playwright-core'
import { beforeAll, expect, it } from 'vitest'
import { describeWithBrowser, recordedDashboard } from '../support/dashboard.js'
import type { SearchPage } from '../../shared/types/moment.js'
import { shownEvent } from '../support/dashboard-page.js'

const DEPTH = 3000

/** The event at the bottom of the recursion. */
let deepest: number

const dashboard = recordedDashboard({
  programs: {
    'deep.py': `import sys


def down(n):
    if n == 0:
        return 0
    return down(n - 1) + 1


sys.setrecursionlimit(${DEPTH + 100})
print(down(${DEPTH}))
`,
  },
  record: [['deep.py']],
})

beforeAll(async () => {
  const found = await dashboard.api<SearchPage>(
    `runs/${dashboard.run.id}/search?q=${encodeURIComponent('"0" kind:return')}`,
  )
  deepest = found.matches[0]!.seq
})

async function openDeepest(): Promise<Page> {
  const page = await dashboard.open(`/runs/${dashboard.run.id}?seq=${deepest}`)
  await shownEvent(page, deepest)
  return page
}

describeWithBrowser('a deep recursion', () => {
  it('indents the source so far and no further, and says how deep it is', async () => {
    const page = await openDeepest()
    const source = page.locator(`.row[data-seq="${deepest}"] .source`)
    expect(await source.locator('.depth').textContent()).toBe(
      `depth ${(DEPTH + 1).toLocaleString('en-US')}`,
    )
    expect(await source.textContent()).toContain('return 0')
    const whole = await source.evaluate((element) => element.scrollWidth <= element.clientWidth)
    expect(whole).toBe(true)
    await page.close()
  })

  it('folds the repeated frames of the call stack into one row', async () => {
    const page = await openDeepest()
    const rows = (await page.locator('section[aria-label="Call stack"] li').allTextContents()).map(
      (text) => text.replace(/\s+/g, ' ').trim(),
    )
    expect(rows.length).toBeLessThanOrEqual(4)
    expect(rows[0]).toBe('down deep.py:6')
    expect(rows[1]).toMatch(/^down deep\.py:7 recurse ×[\d,]+$/)
    await page.close()
  })
})
