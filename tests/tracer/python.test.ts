/**
 * The tracer's own test suite (Python unittest: golden recordings, the reference line-event
 * check, endings and safety) on every supported interpreter found on this machine.
 */

import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { findPythons } from '../../scripts/lib/pythons.js'
import { ROOT } from '../support/cli.js'

const run = promisify(execFile)
const { found, missing } = findPythons()
if (missing.length > 0)
  console.warn(`tracer tests skipped for Python ${missing.join(', ')}: not installed here`)

describe.concurrent('the tracer', () => {
  it.each(found)(
    'passes its unittest suite on Python $version',
    async ({ path }) => {
      const result = await run(path, ['-m', 'unittest', 'discover', '-s', '.', '-p', 'test_*.py'], {
        cwd: join(ROOT, 'tests', 'tracer'),
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
        timeout: 600_000,
        maxBuffer: 64 * 1024 * 1024,
      }).catch((error: { stderr?: string; code?: number }) => ({
        stderr: error.stderr ?? String(error),
        failed: true,
      }))
      expect('failed' in result ? result.stderr : '').toBe('')
    },
    600_000,
  )
})
