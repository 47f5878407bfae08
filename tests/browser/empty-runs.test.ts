/** Runs without a single event in a real Chromium: the trace says why instead of staying blank. */

import { beforeAll, expect, it } from 'vitest'
import { describeWithBrowser, recordedDashboard } from '../support/dashboard.js'

const dashboard = recordedDashboard({
  programs: { 'broken.py': 'def broken(:\n    pass\n' },
  record: [{ args: ['-m', 'this'] }, { args: ['broken.py'], code: 1 }],
})

beforeAll(() => {
  expect(dashboard.runs.map((run) => run.eventCount)).toEqual([0, 0])
})

async function explanation(description: string): Promise<string> {
  const run = dashboard.runs.find((found) => found.description === description)!
  const page = await dashboard.open(`/runs/${run.id}`)
  const text = (await page.locator('.no-events').textContent())!
  await page.close()
  return text
}

describeWithBrowser('a run without events', () => {
  it('says a standard-library module was left out, and the option that records it', async () => {
    expect(await explanation('-m this')).toBe(
      'No event was recorded: the module this (run with -m) is in a file left out of recording — ' +
        'the standard library is recorded only with --include-stdlib, installed packages only ' +
        'with --include-site-packages or --include-package NAME.',
    )
  })

  it('says the program ended before its first line, and how', async () => {
    expect(await explanation('broken.py')).toBe(
      'The program ended before its first recorded line ran ' +
        '(SyntaxError: invalid syntax (broken.py, line 1)).',
    )
  })
})
