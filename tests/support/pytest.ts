/**
 * The interpreter the test-session tests run pytest with: the default python3 when it has
 * pytest, else Debian's (python3-pytest, which .ci/run installs); null, with the reason, when
 * none has it.
 */

import { execFileSync } from 'node:child_process'

export interface PytestPython {
  path: string
  version: string
}

function pytestOf(python: string): string | null {
  try {
    return execFileSync(python, ['-c', 'import pytest; print(pytest.__version__)'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  } catch {
    return null
  }
}

/** An interpreter with pytest, found once. */
export const pytestPython: PytestPython | null = (() => {
  for (const path of ['python3', '/usr/bin/python3']) {
    const version = pytestOf(path)
    if (version !== null) return { path, version }
  }
  return null
})()

if (pytestPython === null)
  console.warn(
    'pytest is missing (apt-get install python3-pytest): the test-session tests are skipped',
  )
