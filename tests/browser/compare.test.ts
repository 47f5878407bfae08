/**
 * The compare page in a real Chromium over real recordings: two runs picked on the runs page
 * (or "compare with…" on a run), side by side at the divergence, the differing values
 * highlighted, both sides stepping together while aligned, and deep links.
 */

import type { Page } from 'playwright-core'
import { beforeAll, expect, it } from 'vitest'
import { describeWithBrowser, recordedDashboard } from '../support/dashboard.js'
import type { Run } from '../../shared/types/run.js'

/** The run with argument 2 (A, recorded first), then the one with 5 (B). */
let small: Run
let big: Run

const dashboard = recordedDashboard({
  programs: {
    'branch.py': `
import sys

def classify(n):
    if n > 3:
        label = "big"
    else:
        label = "small"
    return label

def main(argv):
    n = int(argv[1])
    result = classify(n)
    return result

main(sys.argv)
`,
  },
  record: [
    ['branch.py', '2'],
    ['branch.py', '5'],
  ],
})

beforeAll(() => {
  big = dashboard.runs[0]!
  small = dashboard.runs[1]!
})

const side = (page: Page, label: 'A' | 'B') => page.locator(`section[data-side="${label}"]`)

/** The event each side shows, from the address. */
function seqs(page: Page): [number, number] {
  const query = new URLSearchParams(new URL(page.url()).hash.split('?')[1])
  return [Number(query.get('seq')), Number(query.get('b'))]
}

/** Waits until side `label` shows event `seq` as its current row. */
async function showing(page: Page, label: 'A' | 'B', seq: number): Promise<void> {
  await side(page, label).locator(`li.current[data-seq="${seq}"]`).waitFor({ timeout: 10_000 })
}

/** The source line of the current row of a side. */
async function currentSource(page: Page, label: 'A' | 'B'): Promise<string> {
  return (await side(page, label).locator('li.current .source').textContent())!.trim()
}

describeWithBrowser('the compare page', () => {
  it('compares two runs picked on the runs page, opening where their paths part', async () => {
    const page = await dashboard.open('/')
    await page.getByLabel(`Compare run ${small.id.slice(0, 8)}`).check()
    await page.getByLabel(`Compare run ${big.id.slice(0, 8)}`).check()
    await page.getByRole('link', { name: /^Compare / }).click()
    await page.waitForURL(/#\/compare\/.*\?seq=\d+&b=\d+$/)
    expect(page.url()).toContain(`#/compare/${small.id}/${big.id}`)
    const [a, b] = seqs(page)
    await showing(page, 'A', a)
    await showing(page, 'B', b)
    // The last line both ran: the test that parts them.
    expect(await currentSource(page, 'A')).toBe('if n > 3:')
    expect(await currentSource(page, 'B')).toBe('if n > 3:')
    // Where each went next is marked.
    expect(await side(page, 'A').locator('li.parts .source').textContent()).toBe('label = "small"')
    expect(await side(page, 'B').locator('li.parts .source').textContent()).toBe('label = "big"')
    // n differs: highlighted on both sides.
    await expect.poll(() => side(page, 'A').locator('tr.differs').count()).toBe(1)
    expect(await side(page, 'A').locator('tr.differs th').textContent()).toBe('n')
    expect(await side(page, 'B').locator('tr.differs td').textContent()).toBe('5')
    await expect
      .poll(() =>
        page
          .getByRole('status')
          .filter({ hasText: /^Aligned:/ })
          .count(),
      )
      .toBe(1)
    await page.close()
  })

  it('steps both sides together while aligned, and each on its own once apart', async () => {
    const page = await dashboard.open(`/compare/${small.id}/${big.id}?seq=9&b=9`)
    await showing(page, 'A', 9)
    await showing(page, 'B', 9)
    // Aligned: a step on B steps A too.
    await side(page, 'B').getByRole('button', { name: 'Step ▷' }).click()
    await showing(page, 'A', 10)
    await showing(page, 'B', 10)
    await side(page, 'A').getByRole('button', { name: 'Step ▷' }).click()
    await showing(page, 'A', 11)
    await showing(page, 'B', 11)
    expect(await currentSource(page, 'A')).toBe('label = "small"')
    expect(await currentSource(page, 'B')).toBe('label = "big"')
    await page
      .getByRole('status')
      .filter({ hasText: /^Apart:/ })
      .waitFor()
    // Apart: B steps alone, to the line where the paths meet again; then both step again.
    await side(page, 'B').getByRole('button', { name: 'Step ▷' }).click()
    await showing(page, 'B', 12)
    expect(seqs(page)).toEqual([11, 12])
    await side(page, 'A').getByRole('button', { name: 'Step ▷' }).click()
    await showing(page, 'A', 12)
    await page
      .getByRole('status')
      .filter({ hasText: /^Aligned:/ })
      .waitFor()
    await side(page, 'A').getByRole('button', { name: 'Step ▷' }).click()
    await showing(page, 'A', 13)
    await showing(page, 'B', 13)
    await page.close()
  })

  it('opens a deep link on the moments it names and jumps to the divergences it lists', async () => {
    const page = await dashboard.open(`/compare/${small.id}/${big.id}?seq=6&b=6`)
    await showing(page, 'A', 6)
    // The call of main: its argument differs.
    await expect
      .poll(() => side(page, 'B').locator('tr.differs th').allTextContents())
      .toEqual(['argv'])
    await page.getByRole('button', { name: 'back together' }).click()
    await showing(page, 'A', 12)
    await showing(page, 'B', 12)
    expect(await currentSource(page, 'A')).toBe('return label')
    await page.getByRole('button', { name: 'First value divergence' }).click()
    await showing(page, 'A', 6)
    await page.goBack()
    await showing(page, 'A', 12)
    await page.close()
  })

  it('says the first value that differs once the paths are back together, and jumps to it', async () => {
    const page = await dashboard.open(`/compare/${small.id}/${big.id}?seq=6&b=6`)
    await showing(page, 'A', 6)
    const parted = page.getByRole('list', { name: 'Divergences' }).locator('li').last()
    await expect
      .poll(() => parted.textContent())
      .toMatch(
        /back together after 1 \/ 1 events; then a value differs\s+branch\.py:8 in classify: label\s+'small'\s+→\s+'big'/,
      )
    await parted.getByRole('button', { name: 'a value differs' }).click()
    await showing(page, 'A', 12)
    await showing(page, 'B', 12)
    expect(await currentSource(page, 'B')).toBe('return label')
    await page.close()
  })

  it('compares a run with another chosen on its page', async () => {
    const page = await dashboard.open(`/runs/${big.id}`)
    await page.getByLabel('Compare with another run').selectOption(small.id)
    await page.waitForURL(/#\/compare\/.*\?seq=\d+&b=\d+$/)
    expect(page.url()).toContain(`#/compare/${small.id}/${big.id}`)
    await side(page, 'A').locator('li.current').waitFor()
    await page.close()
  })
})
