/** `smiley report` on the command line: what it says it wrote. */

import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { storeUnderTest } from '../support/store-under-test.js'

const store = await storeUnderTest()

let dir: { path: string; remove: () => void }
let db: string

beforeAll(async () => {
  dir = tempDir()
  db = store.database(dir.path)
  writePrograms(dir.path, { 'one.py': 'value = 6 * 7\n' })
  const recorded = await smiley(['run', '-d', db, 'one.py'], { cwd: dir.path })
  expect(recorded.code, recorded.stderr).toBe(0)
})

afterAll(() => dir.remove())

describe('smiley report', () => {
  it('counts a run of one file in the singular', async () => {
    const folder = join(dir.path, 'report')
    const written = await smiley(['report', '-d', db, 'latest', '-o', folder])
    expect(written.code, written.stderr).toBe(0)
    expect(written.stdout).toMatch(/^Report of run \w{8} \(\d+ events, 1 file, [\d.]+ MB\): /)
  })
})
