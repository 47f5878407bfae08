/**
 * Moving through a trace of two threads in a real Chromium: steps stay in the thread the
 * trace is filtered to, End shows the very last event whatever the width, and the heading
 * never shows one event's number with another's kind.
 */

import type { Page } from 'playwright-core'
import { beforeAll, expect, it } from 'vitest'
import { describeWithBrowser, recordedDashboard } from '../support/dashboard.js'
import type { TraceEvent } from '../../shared/types/event.js'
import { cursorOf, shownEvent } from '../support/dashboard-page.js'

let events: TraceEvent[]

// The two threads take turns, one item at a time: their events alternate.
const dashboard = recordedDashboard({
  programs: {
    'turns.py': `import queue
import threading


def produce(items, acks, count):
    for n in range(count):
        items.put(n)
        acks.get()
    items.put(None)


def consume(items, acks, seen):
    while True:
        item = items.get()
        if item is None:
            break
        seen.append(item * 2)
        acks.put(True)


items = queue.Queue()
acks = queue.Queue()
seen = []
consumer = threading.Thread(target=consume, args=(items, acks, seen), name="consumer-1")
producer = threading.Thread(target=produce, args=(items, acks, 60), name="producer")
consumer.start()
producer.start()
producer.join()
consumer.join()
print(len(seen))
`,
  },
  record: [['turns.py']],
})

beforeAll(async () => {
  const page = await dashboard.api<{ events: TraceEvent[] }>(
    `runs/${dashboard.run.id}/events?limit=1000`,
  )
  events = page.events
})

const threadOf = (seq: number) => events[seq - 1]!.threadName

/** The trace filtered to thread `name`, its first row selected. */
async function filtered(name: string): Promise<Page> {
  const page = await dashboard.open(`/runs/${dashboard.run.id}`)
  await page.locator('.row[data-seq]').first().waitFor()
  await page.locator('.toolbar select').first().selectOption({ label: name })
  const first = page.locator('.row[data-seq]').first()
  await expect.poll(() => first.locator('.thread').textContent()).toBe(name)
  const seq = Number(await first.getAttribute('data-seq'))
  await first.click()
  await shownEvent(page, seq)
  return page
}

describeWithBrowser('moves through a trace of two threads', () => {
  it('steps forward and back within the thread the trace is filtered to', async () => {
    const interleaved = events.some(
      (event, index) => index > 0 && event.threadName !== events[index - 1]!.threadName,
    )
    expect(interleaved).toBe(true)
    const page = await filtered('consumer-1')
    const visited: number[] = []
    for (let step = 0; step < 8; step++) {
      const before = cursorOf(page)
      await page.keyboard.press('j')
      await expect.poll(() => cursorOf(page)).not.toBe(before)
      await shownEvent(page, cursorOf(page))
      visited.push(cursorOf(page))
    }
    for (let step = 0; step < 3; step++) {
      const before = cursorOf(page)
      await page.keyboard.press('k')
      await expect.poll(() => cursorOf(page)).not.toBe(before)
      visited.push(cursorOf(page))
    }
    expect(visited.map(threadOf)).toEqual(visited.map(() => 'consumer-1'))
    const selected = page.locator('.row.selected .thread')
    expect(await selected.textContent()).toBe('consumer-1')
    await page.close()
  })
})

describeWithBrowser('the end of the trace', () => {
  /** The last event's row is on screen, whole, and the position says so. */
  async function lastShown(page: Page): Promise<void> {
    const total = events.length
    const row = page.locator(`.row[data-seq="${total}"]`)
    await row.waitFor()
    await expect
      .poll(async () => {
        const screen = (await page.locator('#trace-rows').boundingBox())!
        const box = (await row.boundingBox())!
        return box.y + box.height <= screen.y + screen.height + 0.5
      })
      .toBe(true)
    expect(await page.locator('.position').textContent()).toMatch(
      new RegExp(`–${total.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`),
    )
  }

  it('stays on screen after End, however the window is narrowed and the toolbar wraps', async () => {
    const page = await dashboard.open(`/runs/${dashboard.run.id}`)
    await page.locator('.row[data-seq]').first().waitFor()
    await page.getByRole('button', { name: /End/ }).click()
    await lastShown(page)
    for (const [width, height] of [
      [1000, 900],
      [800, 900],
      [640, 700],
      [1400, 900],
    ] as const) {
      await page.setViewportSize({ width, height })
      await lastShown(page)
    }
    await page.close()
  })
})

describeWithBrowser('the state panel while stepping', () => {
  it("never heads one event's number with another's kind, however slowly the state arrives", async () => {
    const call = events.find(
      (event, index) => event.kind === 'call' && events[index + 1]?.kind === 'line',
    )!
    const page = await dashboard.open(`/runs/${dashboard.run.id}?seq=${call.seq}`)
    await shownEvent(page, call.seq)
    await page.route('**/moment?*', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 800))
      await route.continue()
    })
    const heading = page.locator('aside h2')
    const seen = new Set<string>()
    await page.keyboard.press('j')
    for (let sample = 0; sample < 20; sample++) {
      seen.add((await heading.textContent())!.replace(/\s+/g, ' ').trim())
      await page.waitForTimeout(60)
    }
    await shownEvent(page, call.seq + 1)
    seen.add((await heading.textContent())!.replace(/\s+/g, ' ').trim())
    expect([...seen].sort()).toEqual(
      [`Event ${call.seq} call`, `Event ${call.seq + 1} line`].sort(),
    )
    await page.close()
  })
})
