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

function versionOf(python: string, module: string): string | null {
  try {
    return execFileSync(python, ['-c', `import ${module}; print(${module}.__version__)`], {
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
    const version = versionOf(path, 'pytest')
    if (version !== null) return { path, version }
  }
  return null
})()

if (pytestPython === null)
  console.warn(
    'pytest is missing (apt-get install python3-pytest): the test-session tests are skipped',
  )

/** An interpreter with pytest and pytest-xdist (Debian's python3-pytest-xdist), found once. */
export const xdistPython: PytestPython | null = (() => {
  for (const path of ['python3', '/usr/bin/python3']) {
    const version = versionOf(path, 'pytest')
    if (version !== null && versionOf(path, 'xdist') !== null) return { path, version }
  }
  return null
})()

if (xdistPython === null)
  console.warn(
    'pytest-xdist is missing (apt-get install python3-pytest-xdist): the test of its workers is skipped',
  )
