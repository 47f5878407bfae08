/**
 * The Stats tab and the call graph in a real Chromium open on the program's own functions,
 * library time folded into them, with the whole interpreter one click away.
 */

import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { describeWithBrowser, recordedDashboard } from '../support/dashboard.js'

const dashboard = recordedDashboard({
  programs: {
    'encode.py': `import json


def work(count):
    total = 0
    for n in range(count):
        total += len(json.dumps({"n": n, "items": list(range(50))}))
    return total


print(work(2000))
`,
  },
  record: [['encode.py']],
})

const graph = async (scope: string) =>
  (await fetch(`${dashboard.url}api/runs/${dashboard.run.id}/callgraph?scope=${scope}`)).text()

describe('the call graph of the program alone', () => {
  it("draws the program's functions and leaves the rest out", async () => {
    const program = await graph('program')
    expect(program).toContain('work')
    expect(program).not.toContain('dumps')
    expect(await graph('all')).toContain('dumps')
  })
})

/** The Stats tab's rows as name → own time (tottime). */
async function ownTimes(page: Page): Promise<Record<string, number>> {
  const rows = await page.locator('[aria-label="Profile"] .row[data-function]').all()
  const entries: Array<[string, number]> = []
  for (const row of rows)
    entries.push([
      (await row.locator('.name').textContent())!,
      Number(await row.locator('.num').nth(1).textContent()),
    ])
  return Object.fromEntries(entries)
}

describeWithBrowser('the profile views', () => {
  it('open the Stats tab on the program, its library time folded in, the whole interpreter a click away', async () => {
    const page = await dashboard.open(`/runs/${dashboard.run.id}/stats`)
    const program = page.getByRole('radio', { name: 'Program only' })
    await expect.poll(() => program.getAttribute('aria-checked')).toBe('true')
    await expect
      .poll(async () => Object.keys(await ownTimes(page)).sort())
      .toEqual(['<module>', 'work'])
    const folded = (await ownTimes(page))['work']!
    await page.getByRole('radio', { name: 'Whole interpreter' }).click()
    await expect.poll(async () => Object.keys(await ownTimes(page))).toContain('dumps')
    const own = (await ownTimes(page))['work']!
    expect(folded).toBeGreaterThan(own)
    await page.close()
  })

  it('open the call graph on the program, and switch to the whole interpreter', async () => {
    const page = await dashboard.open(`/runs/${dashboard.run.id}/graph`)
    const drawn = page.locator('.graph-area svg')
    await expect.poll(() => drawn.textContent(), { timeout: 20_000 }).toContain('work')
    expect(await drawn.textContent()).not.toContain('dumps')
    await page.getByRole('radio', { name: 'Whole interpreter' }).click()
    await expect.poll(() => drawn.textContent(), { timeout: 20_000 }).toContain('dumps')
    await page.close()
  })
})
