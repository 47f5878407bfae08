/** The runs page narrowed down in a real Chromium: by status, by text, by the day a run started. */

import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { describeWithBrowser, recordedDashboard } from '../support/dashboard.js'

const dashboard = recordedDashboard({
  programs: {
    'tidy.py': 'print(sum(range(10)))\n',
    'fails.py': 'raise ValueError("the flux capacitor is empty")\n',
  },
  record: [['tidy.py'], { args: ['fails.py'], code: 1 }],
})

const descriptions = (page: Page) => page.locator('tr[data-run] .description').allTextContents()

/** `YYYY-MM-DD` of the local day `offset` days from today. */
function day(offset: number): string {
  const date = new Date(Date.now() + offset * 86_400_000)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}

describeWithBrowser('the runs page filtered', () => {
  it('by status, by text in the description or error, and by the day a run started', async () => {
    const page = await dashboard.open(`/`)
    await expect.poll(() => descriptions(page)).toEqual(['fails.py', 'tidy.py'])
    const filters = page.getByRole('search', { name: 'Filter the runs' })
    await filters.getByLabel('Status').selectOption('error')
    await expect.poll(() => descriptions(page)).toEqual(['fails.py'])
    expect(await filters.getByRole('status').textContent()).toBe('1 of 2 runs')
    await filters.getByLabel('Status').selectOption('')
    await filters.getByLabel('Text in the description or error').fill('FLUX capacitor')
    await expect.poll(() => descriptions(page)).toEqual(['fails.py'])
    await filters.getByLabel('Text in the description or error').fill('tidy')
    await expect.poll(() => descriptions(page)).toEqual(['tidy.py'])
    await filters.getByRole('button', { name: 'Clear' }).click()
    await filters.getByLabel('Started from').fill(day(1))
    await page.getByText('No run matches these filters.').waitFor()
    await filters.getByLabel('Started from').fill(day(0))
    await filters.getByLabel('to', { exact: true }).fill(day(0))
    await expect.poll(() => descriptions(page)).toEqual(['fails.py', 'tidy.py'])
    await page.close()
  })
})
