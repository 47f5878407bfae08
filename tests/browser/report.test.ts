/** `smiley report`: a folder that shows a run from file://, every page, with no network at all. */

import type { Browser, Page } from 'playwright-core'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasChromium, launchBrowser } from '../support/browser.js'
import { ROOT, smiley, tempDir } from '../support/cli.js'

const describeWithBrowser = hasChromium() ? describe : describe.skip

let dir: { path: string; remove: () => void }
let db: string
let folder: string
let browser: Browser
/** Replacement patterns of String.replace, and a word the report's page is edited for. */
const TITLE = "Demo <report> $& $` $' $$ crossorigin"

beforeAll(async () => {
  dir = tempDir()
  db = join(dir.path, 'runs.db')
  folder = join(dir.path, 'report')
  const recorded = await smiley(['run', '-d', db, join('demo', 'main.py')], { cwd: ROOT })
  expect(recorded.code, recorded.stderr).toBe(0)
  const written = await smiley(['report', '-d', db, 'latest', '-o', folder, '--title', TITLE])
  expect(written.code, written.stderr).toBe(0)
  expect(written.stdout).toMatch(
    /^Report of run \w{8} \(\d+ events, 3 files, [\d.]+ MB\): .*index\.html\n$/,
  )
  if (hasChromium()) browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  dir.remove()
})

describeWithBrowser('a report opened from file://', () => {
  it('shows every page of the run and asks nothing of the network', async () => {
    const page: Page = await browser.newPage({ viewport: { width: 1300, height: 800 } })
    const requests: string[] = []
    const errors: string[] = []
    page.on('request', (request) => requests.push(request.url()))
    page.on('pageerror', (error) => errors.push(error.message))
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text())
    })
    const index = pathToFileURL(join(folder, 'index.html')).href
    await page.goto(index)
    // The run and the view first, then the report's title, inserted as it was given.
    expect(await page.title()).toMatch(/ — (.*)$/)
    expect((await page.title()).split(' — ').at(-1)).toBe(TITLE)

    await page.locator('.row[data-seq="1"]').waitFor()
    expect(await page.locator('.position').textContent()).toMatch(/of \d+/)
    await page.getByRole('button', { name: 'End ⇥' }).click()
    await page.locator('.row .details', { hasText: 'return None' }).last().waitFor()

    await page.getByRole('link', { name: 'Files' }).click()
    await page.getByRole('link', { name: 'demo/shop.py' }).click()
    await page
      .locator('.line code', { hasText: 'raise OutOfStock(item, quantity, left)' })
      .waitFor()

    await page.getByRole('link', { name: 'Threads' }).click()
    await page.getByRole('cell', { name: /auditor/ }).waitFor()

    await page.getByRole('link', { name: 'Stats' }).click()
    await page.getByLabel('Filter functions').fill('take')
    await page.locator('.stats .body .row .name', { hasText: 'take' }).waitFor()

    await page.getByRole('link', { name: 'Call graph' }).click()
    await page.locator('.graph-area g.node').first().waitFor()
    expect(await page.locator('.graph-area').textContent()).toContain('main:33:main')

    await page.locator('header nav a', { hasText: 'Runs' }).click()
    await page.locator('tr[data-run]').waitFor()
    expect(await page.locator('tr[data-run] button').count()).toBe(0) // nothing to delete in a report

    expect(errors).toEqual([])
    expect(requests.filter((url) => !url.startsWith('file:') && !url.startsWith('data:'))).toEqual(
      [],
    )
    // The policy holds from file://: a script written into the page does not run.
    const violated = await page.evaluate(
      () =>
        new Promise<string>((done) => {
          document.addEventListener('securitypolicyviolation', (e) => done(e.effectiveDirective))
          const script = document.createElement('script')
          script.textContent = 'document.title = "ran"'
          document.head.append(script)
          setTimeout(() => done(`not refused, title ${document.title}`), 2000)
        }),
    )
    expect(violated).toBe('script-src-elem')
    await page.close()
  })
})

describe('smiley report', () => {
  it('writes a page whose head holds its title as given and a Content-Security-Policy', () => {
    const html = readFileSync(join(folder, 'index.html'), 'utf8')
    const head = html.slice(0, html.indexOf('</head>'))
    expect(head.match(/<script /g)).toHaveLength(2)
    expect(head).toContain('<title>Demo &#60;report&#62; $&#38; $` $&#39; $$ crossorigin</title>')
    const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(head)
    expect(policy?.[1]).toContain("default-src 'none'")
    expect(head.indexOf('Content-Security-Policy')).toBeLessThan(head.indexOf('<script '))
  })

  it('puts a description with replacement patterns in the title as it is', async () => {
    const described = join(dir.path, 'described.db')
    const description = "price $& of $` and $' $1"
    const recorded = await smiley(
      ['run', '-d', described, '--description', description, join('demo', 'main.py')],
      { cwd: ROOT },
    )
    expect(recorded.code, recorded.stderr).toBe(0)
    const output = join(dir.path, 'described')
    const written = await smiley(['report', '-d', described, 'latest', '-o', output])
    expect(written.code, written.stderr).toBe(0)
    const html = readFileSync(join(output, 'index.html'), 'utf8')
    expect(html).toContain('<title>Smiley: price $&#38; of $` and $&#39; $1</title>')
    expect(html.match(/<script /g)).toHaveLength(2)
  })

  it('refuses a folder that holds something else, in one line', async () => {
    const busy = join(dir.path, 'busy')
    mkdirSync(busy)
    writeFileSync(join(busy, 'notes.txt'), 'mine')
    const result = await smiley(['report', '-d', db, 'latest', '-o', busy])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(
      `smiley: ${busy} is not empty and holds no earlier report: choose another folder with -o\n`,
    )
    expect(existsSync(join(busy, 'index.html'))).toBe(false)
  })

  it('replaces an earlier report in the same folder', async () => {
    const result = await smiley(['report', '-d', db, 'latest', '-o', folder])
    expect(result.code, result.stderr).toBe(0)
  })

  it('says in one line that a folder cannot be written', async () => {
    const result = await smiley(['report', '-d', db, 'latest', '-o', '/proc/smiley-report'])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^smiley: cannot create \/proc\/smiley-report: E\w+\n$/)
  })

  it('says in one line that a run does not exist', async () => {
    const result = await smiley(['report', '-d', db, 'abcdef12'])
    expect(result).toMatchObject({
      code: 1,
      stderr: 'smiley: no run with id abcdef12 (see: smiley list)\n',
    })
  })
})
