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
    include: ['tests/cli/tail.test.ts'],
  },
})
