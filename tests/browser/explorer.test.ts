/**
 * The time-travel explorer in a real Chromium over real recordings: a cursor on the trace
 * with source, variables and stack in sync; moves both ways by keys and buttons; every
 * execution of a line; a variable's history; search; the call tree; deep links and the
 * browser's back button; and all of it on a run still being recorded.
 */

import type { Page } from 'playwright-core'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { beforeAll, expect, it } from 'vitest'
import { describeWithBrowser, recordedDashboard } from '../support/dashboard.js'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Run } from '../../shared/types/run.js'
import { SMILEY } from '../support/cli.js'

let events: TraceEvent[]

const PROGRAM = `import json


def square(n):
    result = n * n
    return result


def total(limit):
    acc = 0
    for i in range(limit):
        acc = acc + square(i)
    return acc


def parse(text):
    try:
        return json.loads(text)
    except ValueError as error:
        return {"error": str(error)}


answer = total(6)
good = parse('{"a": 1}')
bad = parse("{oops")
print(answer, good, bad)
`

const dashboard = recordedDashboard({
  programs: {
    'explore.py': PROGRAM,
    'ticker.py': `
import time

def tick(step):
    return step * step

print("ready", flush=True)
for step in range(300):  # 30 s at most: the test stops it once it has explored it
    current = tick(step)
    time.sleep(0.1)
`,
  },
  record: [['explore.py']],
})

beforeAll(async () => {
  const page = await dashboard.api<{ events: TraceEvent[] }>(
    `runs/${dashboard.run.id}/events?limit=1000`,
  )
  events = page.events
})

/** Events at `line` of explore.py of one kind, in order. */
const at = (line: number, kind: TraceEvent['kind'] = 'line') =>
  events.filter(
    (event) => event.line === line && event.kind === kind && event.file.endsWith('explore.py'),
  )

async function open(seq?: number, runId = dashboard.run.id): Promise<Page> {
  const page = await dashboard.browser.newPage({ viewport: { width: 1400, height: 900 } })
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('close', () => expect(errors, errors.join('\n')).toEqual([]))
  await page.goto(`${dashboard.url}#/runs/${runId}${seq === undefined ? '' : `?seq=${seq}`}`)
  if (seq !== undefined) await shown(page, seq)
  return page
}

/** Waits until the panel shows event `seq` with its state loaded. */
async function shown(page: Page, seq: number): Promise<void> {
  await page
    .locator(`aside[aria-label="Event ${seq}"]:not(.stale) .stack li`)
    .first()
    .waitFor({ timeout: 10_000 })
}

const cursor = (page: Page) => Number(new URL(page.url()).hash.match(/seq=(\d+)/)?.[1])

async function variables(page: Page): Promise<Record<string, string>> {
  const rows = page.locator('section[aria-label="Variables"] tr')
  const entries: Array<[string, string]> = []
  for (const row of await rows.all()) {
    const name = (await row.locator('th').textContent())!.trim()
    entries.push([name, (await row.locator('td').first().textContent())!.trim()])
  }
  return Object.fromEntries(entries)
}

async function stack(page: Page): Promise<string[]> {
  return (await page.locator('section[aria-label="Call stack"] li').allTextContents()).map((text) =>
    text.replace(/\s+/g, ' ').trim(),
  )
}

async function press(page: Page, key: string, expected: number): Promise<void> {
  await page.keyboard.press(key)
  await shown(page, expected)
  expect(cursor(page)).toBe(expected)
}

describeWithBrowser('the time-travel explorer', () => {
  it('opens a deep link on the moment it names: source line, variables and stack', async () => {
    const returnAcc = at(13)[0]!
    const page = await open(returnAcc.seq)
    expect(await variables(page)).toEqual({ limit: '6', acc: '55', i: '5' })
    expect(await stack(page)).toEqual(['total explore.py:13', '<module> explore.py:23'])
    expect(await page.locator('.pane .line.current').getAttribute('data-line')).toBe('13')
    expect(await page.locator(`.row.selected`).getAttribute('data-seq')).toBe(String(returnAcc.seq))
    await page.close()
  })

  it('jumps to an event typed by its number: its row selected on screen, its state in the panel', async () => {
    const target = at(5)[4]! // result = n * n, fifth call
    const page = await open()
    await page.getByLabel('Event number').fill(String(target.seq))
    await page.getByRole('button', { name: 'Go' }).click()
    await shown(page, target.seq)
    expect(await page.locator('.row.selected').getAttribute('data-seq')).toBe(String(target.seq))
    expect(await variables(page)).toEqual({ n: '4' })
    expect(await stack(page)).toEqual([
      'square explore.py:5',
      'total explore.py:12',
      '<module> explore.py:23',
    ])
    expect(cursor(page)).toBe(target.seq)
    await page.close()
  })

  it('steps forward and back by key and by button, and the back button retraces the steps', async () => {
    const start = at(5)[2]!.seq // result = n * n, third call
    const page = await open(start)
    const runFetches: string[] = []
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === `/api/runs/${dashboard.run.id}`)
        runFetches.push(request.url())
    })
    await press(page, 'j', start + 1)
    expect(await variables(page)).toEqual({ n: '2', result: '4' })
    await press(page, 'k', start)
    // Keys faster than the server answers (a held key): each step starts where the last went.
    for (let k = 0; k < 3; k++) await page.keyboard.press('j')
    await shown(page, start + 3)
    expect(cursor(page)).toBe(start + 3)
    await press(page, 'k', start + 2)
    await press(page, 'k', start + 1)
    await press(page, 'k', start)
    await page.getByRole('button', { name: 'Step ▷' }).click()
    await shown(page, start + 1)
    await page.goBack()
    await shown(page, start)
    await page.goBack()
    await shown(page, start + 1)
    await page.goForward()
    await shown(page, start)
    expect(await variables(page)).toEqual({ n: '2' })
    expect(runFetches, 'moving the cursor fetches the run again').toEqual([])
    await page.close()
  })

  it('steps over a call and out of one, both ways', async () => {
    const callLine = at(12)[1]! // acc = acc + square(i), i = 1
    const page = await open(callLine.seq)
    const nextInTotal = at(11)[2]!.seq
    await press(page, 'n', nextInTotal)
    expect(await variables(page)).toMatchObject({ acc: '1' })
    await press(page, 'N', callLine.seq)
    const inside = at(5)[1]!.seq
    await page.goto(`${dashboard.url}#/runs/${dashboard.run.id}?seq=${inside}`)
    await shown(page, inside)
    expect(await stack(page)).toEqual([
      'square explore.py:5',
      'total explore.py:12',
      '<module> explore.py:23',
    ])
    await press(page, 'u', nextInTotal)
    await page.goto(`${dashboard.url}#/runs/${dashboard.run.id}?seq=${inside}`)
    await shown(page, inside)
    await press(page, 'U', callLine.seq)
    await page.close()
  })

  it('jumps to the call and the return of the current frame', async () => {
    const inside = at(5)[3]!
    const page = await open(inside.seq)
    const call = events.find((e) => e.frame === inside.frame && e.kind === 'call')!
    const ret = events.find((e) => e.frame === inside.frame && e.kind === 'return')!
    await press(page, 'r', ret.seq)
    await expect(page.locator('.value.return').textContent()).resolves.toBe('returned 9')
    await press(page, 'c', call.seq)
    await page.close()
  })

  it('lists every execution of a source line with the values it saw, and goes to one', async () => {
    const page = await open(at(13)[0]!.seq)
    await page.locator('.pane .line[data-line="12"] .number').click()
    const list = page.locator('section[aria-label="Executions of line 12"]')
    await list.getByText('ran 6 times').waitFor()
    const rows = list.locator('li button')
    await expect.poll(() => rows.count()).toBe(6)
    expect(await rows.nth(2).locator('.values span').allTextContents()).toEqual(['acc=1', 'i=2'])
    await rows.nth(2).click()
    await shown(page, at(12)[2]!.seq)
    expect(await variables(page)).toMatchObject({ acc: '1', i: '2' })
    await page.close()
  })

  it("shows a variable's history and goes to a change", async () => {
    const page = await open(at(13)[0]!.seq)
    await page.locator('section[aria-label="Variables"] button', { hasText: 'acc' }).click()
    const history = page.locator('section[aria-label="History of acc"] li button')
    await expect.poll(() => history.count()).toBe(6)
    const values = (await history.locator('.values').allTextContents()).map((t) => t.trim())
    expect(values).toEqual(['0', '1', '5', '14', '30', '55'])
    await history.nth(3).click()
    await page.waitForFunction(() =>
      /Event \d/.test(document.querySelector('aside h2')!.textContent!),
    )
    const target = cursor(page)
    await shown(page, target)
    expect(events[target - 1]!.locals).toEqual({ acc: '14' })
    await page.close()
  })

  it('searches the trace: next and previous match, and only the matches', async () => {
    const page = await open(1)
    await page.keyboard.press('/')
    await page.keyboard.type('fn:parse kind:exception')
    await page.keyboard.press('Enter')
    const exception = events.find((e) => e.kind === 'exception' && e.function === 'parse')!
    await shown(page, exception.seq)
    await page.locator('.pane').click() // leave the field: ] and [ are shortcuts
    await page.keyboard.press(']')
    await page.getByRole('status').getByText('No later match.').waitFor()
    expect(cursor(page)).toBe(exception.seq)
    await page.getByRole('searchbox', { name: 'Find in the trace' }).fill('var:acc')
    await page.getByRole('searchbox', { name: 'Find in the trace' }).press('Shift+Enter')
    const lastAcc = events.filter((e) => 'acc' in e.locals).at(-1)!
    await shown(page, lastAcc.seq)
    await page.getByLabel('Only matches').check()
    const matches = page.locator('.matches .row')
    await expect.poll(() => matches.count()).toBe(events.filter((e) => 'acc' in e.locals).length)
    await matches.first().click()
    await shown(page, events.find((e) => 'acc' in e.locals)!.seq)
    await page.close()
  })

  it('says under the field what is wrong with a query, and lists nothing for it', async () => {
    const page = await open(1)
    const field = page.getByRole('searchbox', { name: 'Find in the trace' })
    await field.fill('var:acc')
    await page.getByLabel('Only matches').check()
    await page.locator('.matches .row').first().waitFor()
    await field.fill('colour:red')
    const problem = page.getByRole('alert')
    expect(await problem.textContent()).toBe(
      'unknown search key colour: (use fn, function, file, var, variable, kind)',
    )
    const under = (await problem.boundingBox())!
    const box = (await field.boundingBox())!
    expect(under.y).toBeGreaterThanOrEqual(box.y + box.height)
    await field.press('Enter')
    await page.locator('.matches').getByText('Nothing listed:').waitFor()
    expect(await page.locator('.matches .row').count()).toBe(0)
    expect(await page.locator('.matches').textContent()).not.toMatch(/0\+ matches/)
    expect(await page.locator('.matches .more').count()).toBe(0)
    await field.fill('kind:exception')
    expect(await problem.count()).toBe(0)
    await field.press('Enter')
    await expect
      .poll(() => page.locator('.matches .row').count())
      .toBe(events.filter((e) => e.kind === 'exception').length)
    await page.close()
  })

  it('shows the call tree, linked both ways with the trace', async () => {
    const inside = at(5)[4]!
    const page = await open(inside.seq)
    await page.getByRole('link', { name: 'call tree' }).click()
    const target = page.locator('[role="treeitem"][aria-selected="true"]')
    await target.waitFor()
    expect(await target.textContent()).toContain(
      `call at #${events.find((e) => e.frame === inside.frame && e.kind === 'call')!.seq}`,
    )
    const tree = page.getByRole('tree')
    expect(await tree.locator('[role="treeitem"] .name').allTextContents()).toEqual(
      expect.arrayContaining(['<module>', 'total', 'square']),
    )
    await expect(
      tree.locator('[role="treeitem"]', { hasText: 'square' }).first().textContent(),
    ).resolves.toContain('×6')
    await tree.locator('[role="treeitem"]', { hasText: 'parse' }).locator('.toggle').click()
    const parseCalls = tree.locator('[role="treeitem"].call', { hasText: 'call at' })
    await expect.poll(() => parseCalls.count()).toBeGreaterThanOrEqual(2)
    await target.locator('a.name').click()
    const call = events.find((e) => e.frame === inside.frame && e.kind === 'call')!
    await shown(page, call.seq)
    expect(await page.locator('.row.selected').getAttribute('data-seq')).toBe(String(call.seq))
    await page.close()
  })

  it('explores a run while it is being recorded', async () => {
    const child = spawn(process.execPath, [SMILEY, 'run', '-d', dashboard.db, 'ticker.py'], {
      cwd: dashboard.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const exited = new Promise((done) => child.on('exit', done))
    await new Promise((ready) => createInterface({ input: child.stdout! }).once('line', ready))
    let live: Run | undefined
    await expect
      .poll(async () => {
        const runs = await dashboard.api<Run[]>(`runs`)
        live = runs.find((r) => r.description === 'ticker.py')
        return live?.status
      })
      .toBe('running')
    const page = await open(undefined, live!.id)
    await page.locator('.badge.running').first().waitFor()
    await page.getByRole('button', { name: '⇤ Start' }).click()
    const firstTick = page.locator('.row.call', { hasText: 'def tick' }).first()
    await firstTick.waitFor({ timeout: 10_000 })
    const seq = Number(await firstTick.getAttribute('data-seq'))
    await page.locator(`.row[data-seq="${seq}"]`).click()
    await shown(page, seq)
    expect(await variables(page)).toEqual({ step: '0' })
    await press(page, 'u', seq + 3)
    expect(await variables(page)).toMatchObject({ current: '0' })
    expect(await page.locator('.badge.running').count()).toBeGreaterThan(0)
    await page.getByRole('link', { name: 'Calls', exact: true }).click()
    await page.locator('[role="treeitem"]', { hasText: '<module>' }).locator('.toggle').click()
    const ticks = page.locator('[role="treeitem"]', { hasText: 'tick' }).first()
    await ticks.waitFor()
    expect(await ticks.textContent()).toMatch(/×\d+/)
    await page.close()
    child.kill('SIGINT')
    await exited
  })
})
