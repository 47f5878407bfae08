/**
 * The CPython interpreters on this machine that Smiley supports (3.8 to 3.13), found on
 * PATH as python3.X or under pyenv. Tests and benchmarks run on each one found.
 */

import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

export const SUPPORTED = ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13'] as const

export interface Interpreter {
  version: string
  path: string
}

function pyenvCandidates(version: string): string[] {
  const root = process.env['PYENV_ROOT'] ?? join(homedir(), '.pyenv')
  const versions = join(root, 'versions')
  if (!existsSync(versions)) return []
  return readdirSync(versions)
    .filter((name) => name === version || name.startsWith(`${version}.`))
    .sort()
    .reverse()
    .map((name) => join(versions, name, 'bin', `python${version}`))
}

function reportsVersion(path: string, version: string): boolean {
  try {
    const out = execFileSync(path, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    })
    return out.trim() === version
  } catch {
    return false
  }
}

/** Every supported interpreter found, oldest first; `missing` lists the versions not found. */
export function findPythons(): { found: Interpreter[]; missing: string[] } {
  const found: Interpreter[] = []
  const missing: string[] = []
  for (const version of SUPPORTED) {
    const candidates = [...pyenvCandidates(version), `python${version}`]
    const path = candidates.find((candidate) => reportsVersion(candidate, version))
    if (path) found.push({ version, path })
    else missing.push(version)
  }
  return { found, missing }
}
