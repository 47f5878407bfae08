/**
 * Asyncio tasks in a real Chromium: the trace filtered to a task shows only its events and
 * steps within it, the state panel names the task and its awaiter, and the call tree shows
 * each task's calls under its coroutine.
 */

import type { Browser, Page } from 'playwright-core'
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Run } from '../../shared/types/run.js'
import type { TaskSummary } from '../../shared/types/task.js'
import { startServer, type RunningServer } from '../../server/web/server.js'
import { hasChromium, launchBrowser } from '../support/browser.js'
import { ROOT, smiley, tempDir } from '../support/cli.js'
import { cursorOf, openPage, shownEvent } from '../support/dashboard-page.js'

const describeWithBrowser = hasChromium() ? describe : describe.skip

let dir: { path: string; remove: () => void }
let server: RunningServer
let browser: Browser
let run: Run
let events: TraceEvent[]
let tasks: TaskSummary[]

async function get<T>(path: string): Promise<T> {
  return (await (await fetch(`${server.url}api/runs/${run.id}/${path}`)).json()) as T
}

beforeAll(async () => {
  dir = tempDir()
  copyFileSync(
    join(ROOT, 'tests', 'tracer', 'cases', 'asyncio_tasks.py'),
    join(dir.path, 'prog.py'),
  )
  const db = join(dir.path, 'runs.db')
  const recorded = await smiley(['run', '-d', db, 'prog.py'], { cwd: dir.path })
  expect(recorded.code, recorded.stderr).toBe(0)
  server = await startServer({ database: db, host: '127.0.0.1', port: 0, token: null, poll: false })
  run = ((await (await fetch(`${server.url}api/runs`)).json()) as Run[])[0]!
  events = (await get<{ events: TraceEvent[] }>('events?limit=1000')).events
  tasks = await get<TaskSummary[]>('tasks')
  if (hasChromium()) browser = await launchBrowser()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server.close()
  dir.remove()
})

const taskOf = (seq: number) => events[seq - 1]!.taskName

/** The trace filtered to task `name`, its first row selected. */
async function filtered(name: string): Promise<Page> {
  const page = await openPage(browser, `${server.url}#/runs/${run.id}`)
  await page.locator('.row[data-seq]').first().waitFor()
  await page.getByLabel('Task').selectOption({ label: name })
  const first = page.locator('.row[data-seq]').first()
  await expect.poll(() => first.locator('.thread').textContent()).toBe(name)
  const seq = Number(await first.getAttribute('data-seq'))
  await first.click()
  await shownEvent(page, seq)
  return page
}

describeWithBrowser('a trace filtered to an asyncio task', () => {
  it('lists only the events of that task', async () => {
    const page = await filtered('beta')
    const own = events.filter((event) => event.taskName === 'beta').map((event) => event.seq)
    const shown = await page
      .locator('.row[data-seq]')
      .evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-seq'))))
    expect(shown).toEqual(own)
    await page.close()
  })

  it('steps forward and back within the task, and names it and its awaiter', async () => {
    const page = await filtered('beta')
    const visited: number[] = []
    for (const key of ['j', 'j', 'j', 'j', 'j', 'k', 'k']) {
      const before = cursorOf(page)
      await page.keyboard.press(key)
      await expect.poll(() => cursorOf(page)).not.toBe(before)
      visited.push(cursorOf(page))
    }
    expect(visited.map(taskOf)).toEqual(visited.map(() => 'beta'))
    const awaiter = tasks.find((task) => task.id === tasks.find((t) => t.name === 'beta')!.awaiter)!
    await shownEvent(page, cursorOf(page))
    await expect
      .poll(() => page.getByTestId('moment-task').textContent())
      .toMatch(new RegExp(`In task beta, awaited by\\s+${awaiter.name}`))
    await page.close()
  })
})

describeWithBrowser('the call tree by task', () => {
  it("shows each task with its coroutine's calls", async () => {
    const page = await openPage(browser, `${server.url}#/runs/${run.id}/calls`)
    await page.getByLabel('By asyncio task').check()
    const alpha = page.getByRole('region', { name: 'Task alpha' })
    await expect.poll(() => alpha.locator('h3').textContent()).toMatch(/alpha\s*work/)
    await expect.poll(() => alpha.getByText('helper').count()).toBeGreaterThan(0)
    expect(await page.locator('section.task').count()).toBe(tasks.length)
    await page.close()
  })
})
