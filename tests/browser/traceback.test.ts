/**
 * A failed run's traceback in a real Chromium: each recorded frame links to its exception in
 * the trace, and the header offers the exception itself.
 */

import type { Browser } from 'playwright-core'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type { TracebackEvents } from '../../shared/types/moment.js'
import type { Run } from '../../shared/types/run.js'
import { startServer, type RunningServer } from '../../server/web/server.js'
import { hasChromium, launchBrowser } from '../support/browser.js'
import { smiley, tempDir } from '../support/cli.js'
import { cursorOf, openPage, shownEvent } from '../support/dashboard-page.js'
import { writePrograms } from '../support/programs.js'

const describeWithBrowser = hasChromium() ? describe : describe.skip

let dir: { path: string; remove: () => void }
let server: RunningServer
let browser: Browser
let run: Run
let events: TraceEvent[]

beforeAll(async () => {
  dir = tempDir()
  const db = join(dir.path, 'runs.db')
  writePrograms(dir.path, {
    'fails.py': `import json


def inner(text):
    return json.loads(text)


def outer(text):
    return inner(text)["key"]


print(outer('{"key": 1}'))
print(outer("{oops"))
`,
  })
  const recorded = await smiley(['run', '-d', db, 'fails.py'], { cwd: dir.path })
  expect(recorded.code).toBe(1)
  server = await startServer({ database: db, host: '127.0.0.1', port: 0, token: null, poll: false })
  run = ((await (await fetch(`${server.url}api/runs`)).json()) as Run[])[0]!
  events = (
    (await (await fetch(`${server.url}api/runs/${run.id}/events?limit=1000`)).json()) as {
      events: TraceEvent[]
    }
  ).events
  if (hasChromium()) browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await server.close()
  dir.remove()
})

/** The last exception event of `fn`. */
const exceptionIn = (fn: string) =>
  events.filter((event) => event.kind === 'exception' && event.function === fn).at(-1)!.seq

describe('the traceback of a failed run', () => {
  it('ties each recorded frame to its exception event, and names the last one', async () => {
    const found = (await (
      await fetch(`${server.url}api/runs/${run.id}/traceback`)
    ).json()) as TracebackEvents
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
    const page = await openPage(browser, `${server.url}#/runs/${run.id}`)
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
