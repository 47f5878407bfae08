/** Pages of the dashboard in a real Chromium, for the browser tests. */

import type { Browser, Page } from 'playwright-core'
import { expect } from 'vitest'

/**
 * Opens `url` in a new page of `width` × `height`; closing the page fails the test if the
 * page threw meanwhile.
 */
export async function openPage(
  browser: Browser,
  url: string,
  { width = 1400, height = 900 } = {},
): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height } })
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('close', () => expect(errors, errors.join('\n')).toEqual([]))
  await page.goto(url)
  return page
}

/** Waits until the state panel shows event `seq` with its state loaded. */
export async function shownEvent(page: Page, seq: number): Promise<void> {
  await page
    .locator(`aside[aria-label="Event ${seq}"]:not(.stale) .stack li`)
    .first()
    .waitFor({ timeout: 10_000 })
}

/** The event the address names (the cursor). */
export function cursorOf(page: Page): number {
  return Number(new URL(page.url()).hash.match(/seq=(\d+)/)?.[1])
}
