/**
 * The Timeline's task lanes in a real Chromium, on a real recording of an asyncio program of
 * several named tasks: a lane per task under the event loop's thread, its calls painted in
 * it; a call in a task's lane opens in the explorer, which names the task; and the
 * explorer's event is outlined in its task's lane, not in the others.
 */

import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { describeWithBrowser, recordedDashboard } from '../support/dashboard.js'
import type { TimelineBar, TimelineWindow } from '../../shared/types/timeline.js'
import { barBox, placeLanes, type PlacedLane } from '../../client/src/lib/timeline-layout.js'
import { ASYNCIO_PROGRAM, ASYNCIO_TASKS } from '../support/asyncio-program.js'
import { shownEvent } from '../support/dashboard-page.js'

const dashboard = recordedDashboard({
  programs: { 'tasks.py': ASYNCIO_PROGRAM },
  record: [['tasks.py']],
  timeoutMs: 60_000,
})

const canvasOf = (page: Page) => page.locator('canvas[data-testid="timeline-canvas"]')

async function openTimeline(query = ''): Promise<Page> {
  const page = await dashboard.open(`/runs/${dashboard.run.id}/timeline${query}`)
  await page.locator('canvas[data-testid="timeline-canvas"]:not([data-bars="0"])').waitFor()
  return page
}

/** The window the page drew, as the server answers it, and the canvas's width. */
async function windowOf(
  page: Page,
  query = '',
): Promise<{ window: TimelineWindow; width: number }> {
  const width = await canvasOf(page).evaluate((canvas) => canvas.clientWidth)
  const url = `${dashboard.url}api/runs/${dashboard.run.id}/timeline?width=${width}${query}`
  return { window: (await (await fetch(url)).json()) as TimelineWindow, width }
}

function pixelAt(page: Page, x: number, y: number): Promise<number[]> {
  return canvasOf(page).evaluate(
    (element, [px, py]) => {
      const canvas = element as HTMLCanvasElement
      const ratio = canvas.width / canvas.clientWidth
      return [...canvas.getContext('2d')!.getImageData(px! * ratio, py! * ratio, 1, 1).data]
    },
    [x, y],
  )
}

/** The lane of task `name`, and its bar of crunch(). */
function crunchOf(window: TimelineWindow, name: string): { lane: PlacedLane; bar: TimelineBar } {
  const lane = placeLanes(window).find((p) => p.lane.name === `MainThread › task ${name}`)!
  const bar = lane.lane.bars.find(
    (b) => window.functions.find((f) => f.id === b.function)?.name === 'crunch',
  )!
  return { lane, bar }
}

describeWithBrowser('the Timeline of an asyncio program', () => {
  it('draws a lane per task under the thread, with its calls, and names the call under the pointer', async () => {
    const page = await openTimeline()
    const { window, width } = await windowOf(page)
    const names = window.lanes.map((lane) => lane.name)
    expect(names[0]).toBe('MainThread')
    for (const task of ASYNCIO_TASKS) expect(names).toContain(`MainThread › task ${task}`)
    const at = await canvasOf(page).boundingBox()
    for (const task of ASYNCIO_TASKS) {
      const { lane, bar } = crunchOf(window, task)
      expect(bar.depth, task).toBe(1)
      const box = barBox(bar, lane, window.from, window.to, width)
      expect((await pixelAt(page, box.x + box.w / 2, box.y + box.h / 2))[3], task).toBe(255)
      await page.mouse.move(at!.x + box.x + box.w / 2, at!.y + box.y + box.h / 2)
      await expect.poll(() => page.getByRole('tooltip').textContent()).toContain('crunch')
    }
    // The tasks took turns: each one's crunch() ran while the others waited, not at once.
    const spans = ASYNCIO_TASKS.map((task) => crunchOf(window, task).bar).sort(
      (a, b) => a.start - b.start,
    )
    for (let i = 1; i < spans.length; i++)
      expect(spans[i]!.start).toBeGreaterThanOrEqual(spans[i - 1]!.end)
    await page.close()
  })

  it("opens a call of a task's lane in the explorer, in that task", async () => {
    const page = await openTimeline()
    const { window, width } = await windowOf(page)
    const { lane, bar } = crunchOf(window, 'parse')
    const box = barBox(bar, lane, window.from, window.to, width)
    const at = await canvasOf(page).boundingBox()
    await page.mouse.click(at!.x + box.x + box.w / 2, at!.y + box.y + box.h / 2)
    await page.waitForURL(`**/#/runs/${dashboard.run.id}?seq=${bar.callSeq}`)
    await shownEvent(page, bar.callSeq)
    await expect.poll(() => page.getByTestId('moment-task').textContent()).toMatch(/In task parse/)
    await page.close()
  })

  it("outlines the explorer's event in its task's lane, and in no other", async () => {
    const first = await openTimeline()
    const { window } = await windowOf(first)
    await first.close()
    const upload = crunchOf(window, 'upload').bar
    // The explorer at crunch()'s first line in the upload task.
    const seq = upload.callSeq + 1
    const page = await openTimeline(`?seq=${seq}`)
    const { window: placed, width } = await windowOf(page, `&seq=${seq}`)
    const uploadLane = placed.lanes.find((l) => l.name === 'MainThread › task upload')!
    expect(placed.position!.lane).toEqual(uploadLane.key)
    const edge = async (task: string) => {
      const { lane, bar } = crunchOf(placed, task)
      const box = barBox(bar, lane, placed.from, placed.to, width)
      // Right of the call's name (drawn from its left end), left of the outline's right side.
      const x = box.x + box.w - 2.5
      const [top, inside] = await Promise.all([
        pixelAt(page, x, box.y),
        pixelAt(page, x, box.y + box.h / 2),
      ])
      return top.join() !== inside.join()
    }
    await expect.poll(() => edge('upload')).toBe(true)
    expect(await edge('parse')).toBe(false)
    expect(await edge('download')).toBe(false)
    await page.close()
  })
})
