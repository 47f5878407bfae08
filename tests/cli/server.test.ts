/** `smiley server` from the command line: it serves, and refuses what it must. */

import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SMILEY, smiley, tempDir } from '../support/cli.js'
import { storeUnderTest } from '../support/store-under-test.js'

const store = await storeUnderTest()

let dir: { path: string; remove: () => void }
beforeAll(() => {
  dir = tempDir()
})
afterAll(() => dir.remove())

describe('smiley server', () => {
  it('prints the address to open and serves the dashboard there until stopped', async () => {
    const child = spawn(
      process.execPath,
      [SMILEY, 'server', '--port', '0', '-d', store.database(dir.path)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    const line = await new Promise<string>((found) =>
      createInterface({ input: child.stdout! }).once('line', found),
    )
    const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(line)![1]!
    const page = await fetch(url)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<div id="app">')
    expect(await (await fetch(`${url}api/runs`)).json()).toEqual([])
    const exited = new Promise<number | null>((done) => child.on('exit', done))
    child.kill('SIGINT')
    expect(await exited).toBe(0)
  })

  it('says in one line that the port is taken', async () => {
    const blocker = createServer().listen(0, '127.0.0.1')
    await new Promise((listening) => blocker.once('listening', listening))
    const port = (blocker.address() as { port: number }).port
    try {
      const result = await smiley([
        'server',
        '--port',
        String(port),
        '-d',
        store.database(dir.path),
      ])
      expect(result.code).toBe(1)
      expect(result.stderr).toBe(`smiley: port ${port} is in use: choose another with --port\n`)
    } finally {
      blocker.close()
    }
  })

  it.each([
    ['70000', 'must be from 0 to 65535, not 70000'],
    ['99999999999999999999', 'must be from 0 to 65535, not 99999999999999999999'],
    ['-1', 'needs a whole number, not "-1"'],
    ['http', 'needs a whole number, not "http"'],
  ])('refuses the port %s in one line, as a usage error', async (port, problem) => {
    const result = await smiley(['server', '--port', port, '-d', store.database(dir.path)])
    expect(result).toMatchObject({
      code: 2,
      stdout: '',
      stderr: `smiley: option --port ${problem}\n`,
    })
  })

  it('refuses to listen beyond loopback without a token', async () => {
    const result = await smiley(['server', '--host', '0.0.0.0', '-d', store.database(dir.path)])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      'smiley: listening on 0.0.0.0 makes your recordings readable from the network: add --token auto (or --token SECRET)\n',
    )
  })
})
