import { defineConfig } from 'vitest/config'
import base from './vitest.config.js'

/**
 * The PostgreSQL pass (`npm run test:pg`, run by `npm test` after the SQLite one): the test files
 * that take their databases from tests/support/store-under-test.ts, run again with
 * SMILEY_TEST_STORE=postgres. Files that check what only SQLite has stay out of it.
 */
export default defineConfig({
  test: {
    ...base.test,
    // Each command connects to the server and fills its read cache: slower than a file, and
    // far slower on a machine loaded by other work.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    include: [
      'tests/cli/tail.test.ts',
      'tests/cli/stats.test.ts',
      'tests/cli/queries.test.ts',
      'tests/cli/report.test.ts',
      'tests/cli/diff.test.ts',
      'tests/cli/unittest.test.ts',
      'tests/dap/dap.test.ts',
      'tests/mcp/mcp.test.ts',
      'tests/web/live.test.ts',
      'tests/cli/ci.test.ts',
      'tests/cli/remote-run.test.ts',
      'tests/cli/remote-record.test.ts',
      'tests/cli/remote-children.test.ts',
      'tests/cli/run.test.ts',
      'tests/cli/pytest.test.ts',
      'tests/cli/run-ending.test.ts',
      'tests/cli/children-endings.test.ts',
      'tests/cli/child-starts.test.ts',
      'tests/cli/held-start.test.ts',
      'tests/cli/server.test.ts',
    ],
  },
})
