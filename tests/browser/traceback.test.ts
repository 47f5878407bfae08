/**
 * A failed run's traceback in a real Chromium: each recorded frame links to its exception in
 * the trace, and the header offers the exception itself.
 */

import { beforeAll, describe, expect, it } from 'vitest'
import { describeWithBrowser, recordedDashboard } from '../support/dashboard.js'
import type { TraceEvent } from '../../shared/types/event.js'
import type { TracebackEvents } from '../../shared/types/moment.js'
import { cursorOf, shownEvent } from '../support/dashboard-page.js'

let events: TraceEvent[]

const dashboard = recordedDashboard({
  programs: {
    'fails.py': `import json


def inner(text):
    return json.loads(text)


def outer(text):
    return inner(text)["key"]


print(outer('{"key": 1}'))
print(outer("{oops"))
`,
  },
  record: [{ args: ['fails.py'], code: 1 }],
})

beforeAll(async () => {
  const page = await dashboard.api<{ events: TraceEvent[] }>(
    `runs/${dashboard.run.id}/events?limit=1000`,
  )
  events = page.events
})

/** The last exception event of `fn`. */
const exceptionIn = (fn: string) =>
  events.filter((event) => event.kind === 'exception' && event.function === fn).at(-1)!.seq

describe('the traceback of a failed run', () => {
  it('ties each recorded frame to its exception event, and names the last one', async () => {
    const found = await dashboard.api<TracebackEvents>(`runs/${dashboard.run.id}/traceback`)
    expect(found.exception).toBe(exceptionIn('<module>'))
    const recorded = found.frames.filter((frame) => frame.file.endsWith('fails.py'))
    expect(recorded.map((frame) => [frame.function, frame.line, frame.seq])).toEqual([
      ['<module>', 13, exceptionIn('<module>')],
      ['outer', 9, exceptionIn('outer')],
      ['inner', 5, exceptionIn('inner')],
    ])
    expect(found.frames.filter((frame) => !frame.file.endsWith('fails.py')).length).toBeGreaterThan(
      0,
    )
    expect(
      found.frames.every((frame) => frame.file.endsWith('fails.py') || frame.seq === null),
    ).toBe(true)
  })
})

describeWithBrowser('the traceback in the run header', () => {
  it('goes to the exception, and to each frame of the traceback', async () => {
    const page = await dashboard.open(`/runs/${dashboard.run.id}`)
    await page.getByRole('link', { name: 'go to the exception' }).click()
    await shownEvent(page, exceptionIn('<module>'))
    await page.locator('details.error summary .error-text').click()
    const frame = page.locator('details.error pre a', { hasText: 'in inner' })
    await frame.click()
    await shownEvent(page, exceptionIn('inner'))
    expect(cursorOf(page)).toBe(exceptionIn('inner'))
    expect(await page.locator('details.error pre a').count()).toBe(3)
    await page.close()
  })
})
