/**
 * A file's source in a real Chromium: counts of runs of any size fit their column, with
 * thousands separators, and a docstring is a string to its last line.
 */

import type { Page } from 'playwright-core'
import { beforeAll, expect, it } from 'vitest'
import { describeWithBrowser, recordedDashboard } from '../support/dashboard.js'
import type { RunFile } from '../../shared/types/file.js'

let file: RunFile

const dashboard = recordedDashboard({
  programs: {
    'spin.py': `def spin(count):
    """Spins for a while.

    It loops in place: for each number, if any, nothing is done
    and None is returned.
    """
    for i in range(count):
        pass


spin(1_000_000)
`,
  },
  record: [['spin.py']],
  timeoutMs: 120_000,
})

beforeAll(async () => {
  file = (await dashboard.api<RunFile[]>(`runs/${dashboard.run.id}/files`))[0]!
})

async function openSource(): Promise<Page> {
  const page = await dashboard.open(`/runs/${dashboard.run.id}/files/${file.id}`)
  await page.locator('.line').first().waitFor()
  return page
}

describeWithBrowser("a file's source", () => {
  it('shows counts of a million runs with separators, inside their column', async () => {
    const page = await openSource()
    const hits = page.locator('#L8 .hits')
    expect(await hits.textContent()).toBe('1,000,000×')
    expect(await hits.getAttribute('title')).toBe('ran 1,000,000 times')
    for (const line of await page.locator('.line.ran').all()) {
      const fits = await line
        .locator('.hits')
        .evaluate((element) => element.scrollWidth <= element.clientWidth)
      expect(fits).toBe(true)
      const count = (await line.locator('.hits').boundingBox())!
      const code = (await line.locator('code').boundingBox())!
      expect(count.x + count.width).toBeLessThanOrEqual(code.x)
    }
    await page.close()
  })

  it('colours a docstring as a string on every one of its lines', async () => {
    const page = await openSource()
    for (const number of [2, 3, 4, 5, 6]) {
      const line = page.locator(`#L${number} code`)
      expect(await line.locator('.tok-keyword').count(), `line ${number}`).toBe(0)
    }
    expect(await page.locator('#L4 code .tok-string').textContent()).toContain('for each number')
    expect(await page.locator('#L7 code .tok-keyword').allTextContents()).toEqual(['for', 'in'])
    await page.close()
  })
})
