/**
 * `npm run test:pg`: the store-agnostic test files (vitest.postgres.config.ts) run again with
 * SMILEY_TEST_STORE=postgres, against one real PostgreSQL server started here for the whole pass
 * and stopped after it. Where no server can start, the pass is skipped with a printed notice and
 * succeeds: the machine cannot test PostgreSQL, which says nothing about the code.
 * Arguments go to vitest (a file to run alone, `--reporter`, …).
 */

import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startPostgres } from './postgres.js'

const server = await startPostgres()
if (server === null) {
  process.stdout.write('PostgreSQL pass skipped: no PostgreSQL server could start (see above)\n')
  process.exit(0)
}

// The commands' read caches, for this pass only.
const cache = mkdtempSync(join(tmpdir(), 'smiley-test-cache-'))
const vitest = spawn(
  'npx',
  ['vitest', 'run', '--config', 'vitest.postgres.config.ts', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      SMILEY_TEST_STORE: 'postgres',
      SMILEY_TEST_PG_URL: server.url('postgres'),
    },
  },
)
const stop = (signal: NodeJS.Signals) => vitest.kill(signal)
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
vitest.on('close', (code, signal) => {
  server.stop()
  rmSync(cache, { recursive: true, force: true })
  process.exit(code ?? (signal ? 1 : 0))
})
