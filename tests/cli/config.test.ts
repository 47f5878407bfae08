/**
 * Settings from pyproject.toml's [tool.smiley], overridden by SMILEY_* variables, overridden by
 * options; `smiley config` shows them; --include and --exclude scope what is recorded.
 */

import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Run } from '../../shared/types/run.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'

let dir: { path: string; remove: () => void }

beforeEach(() => {
  dir = tempDir()
})
afterEach(() => dir.remove())

interface Shown {
  pyproject: string | null
  settings: Array<{ key: string; value: unknown; source: string; from: string | null }>
}

async function config(args: string[], env: NodeJS.ProcessEnv = {}, cwd = dir.path) {
  const result = await smiley(['config', '--json', ...args], {
    cwd,
    env: { SMILEY_DB: '', ...env },
  })
  expect(result.code, result.stderr).toBe(0)
  return JSON.parse(result.stdout) as Shown
}

const setting = (shown: Shown, key: string) => shown.settings.find((s) => s.key === key)!

async function events(db: string, cwd: string): Promise<TraceEvent[]> {
  const replay = await smiley(['replay', '--json', '-d', db, 'latest'], { cwd })
  expect(replay.code, replay.stderr).toBe(0)
  const text = replay.stdout.trim()
  return text === '' ? [] : text.split('\n').map((line) => JSON.parse(line) as TraceEvent)
}

describe('settings', () => {
  it('come from pyproject.toml, then SMILEY_* variables, then options, each said where', async () => {
    writePrograms(dir.path, {
      'pyproject.toml': `
[project]
name = "shop"

[tool.smiley]
database = "traces/runs.db"   # kept with the project
max-repr = 40
include = [
  "src/*",
  'lib/*.py',
]
redact = false

[tool.other]
database = "not ours"
`,
      'src/deep/prog.py': 'print(1)\n',
    })
    const fromFile = await config([], {}, join(dir.path, 'src', 'deep'))
    expect(fromFile.pyproject).toBe(join(dir.path, 'pyproject.toml'))
    const where = (line: number) => `${join(dir.path, 'pyproject.toml')}:${line}`
    expect(fromFile.settings).toEqual([
      { key: 'database', value: 'traces/runs.db', source: 'pyproject.toml', from: where(5) },
      { key: 'python', value: 'python3', source: 'default', from: null },
      { key: 'include', value: ['src/*', 'lib/*.py'], source: 'pyproject.toml', from: where(7) },
      { key: 'exclude', value: [], source: 'default', from: null },
      { key: 'function', value: [], source: 'default', from: null },
      { key: 'redact', value: false, source: 'pyproject.toml', from: where(11) },
      { key: 'redact-also', value: [], source: 'default', from: null },
      { key: 'call-repr', value: false, source: 'default', from: null },
      { key: 'max-repr', value: 40, source: 'pyproject.toml', from: where(6) },
      { key: 'keep', value: 'failed', source: 'default', from: null },
    ])
    const fromEnv = await config([], { SMILEY_DB: '/tmp/env.db', SMILEY_MAX_REPR: '80' })
    expect(setting(fromEnv, 'database')).toEqual({
      key: 'database',
      value: '/tmp/env.db',
      source: 'env',
      from: 'SMILEY_DB',
    })
    expect(setting(fromEnv, 'max-repr')).toMatchObject({ value: 80, source: 'env' })
    const fromOption = await config(['--max-repr', '120', '-d', 'x.db'], { SMILEY_MAX_REPR: '80' })
    expect(setting(fromOption, 'max-repr')).toMatchObject({ value: 120, source: 'option' })
    expect(setting(fromOption, 'database')).toMatchObject({ value: 'x.db', source: 'option' })

    const text = await smiley(['config'], { cwd: dir.path, env: { SMILEY_DB: '' } })
    expect(text.stdout).toMatch(/^max-repr +40 +pyproject\.toml \(.*pyproject\.toml:6\)$/m)
  })

  it('recorded as pyproject.toml says, into the database it names', async () => {
    writePrograms(dir.path, {
      'pyproject.toml': '[tool.smiley]\ndatabase = "runs.db"\nmax-repr = 12\n',
      'prog.py': 'word = "abcdefghijklmnopqrstuvwxyz"\n',
    })
    const result = await smiley(['run', 'prog.py'], { cwd: dir.path, env: { SMILEY_DB: '' } })
    expect(result.code, result.stderr).toBe(0)
    const listed = await smiley(['list', '--json'], { cwd: dir.path, env: { SMILEY_DB: '' } })
    const [run] = JSON.parse(listed.stdout) as Run[]
    expect(run!.options['maxRepr']).toBe(12)
    const values = (await events(join(dir.path, 'runs.db'), dir.path)).flatMap((e) =>
      Object.values(e.locals),
    )
    expect(values).toContain("'abcdefghij…")
  })

  it('refuses a pyproject.toml it cannot read in one line naming the place', async () => {
    writePrograms(dir.path, { 'pyproject.toml': '[tool.smiley]\nmax-repr = "long"\n' })
    const wrong = await smiley(['config'], { cwd: dir.path })
    expect(wrong).toMatchObject({ code: 2, stdout: '' })
    expect(wrong.stderr).toBe(
      `smiley: ${join(dir.path, 'pyproject.toml')}:2: max-repr must be a whole number, not "long"\n`,
    )
    writePrograms(dir.path, { 'pyproject.toml': '[tool.smiley]\ndatabse = "x.db"\n' })
    const unknown = await smiley(['list'], { cwd: dir.path })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(
      /\[tool\.smiley\] has no setting "databse" \(there are: database,/,
    )
    writePrograms(dir.path, { 'pyproject.toml': '[tool.smiley]\ninclude = [1, 2]\n' })
    const array = await smiley(['config'], { cwd: dir.path })
    expect(array.stderr).toMatch(/pyproject\.toml:2: cannot read \[1, 2\]/)
  })
})

describe('--include and --exclude', () => {
  it('record only the files the globs choose, the standard library too', async () => {
    writePrograms(dir.path, {
      'main.py':
        'import textwrap\nfrom pkg import a, b\nprint(a.one() + b.two(), textwrap.shorten("a b c d e f g h", 8))\n',
      'pkg/__init__.py': '',
      'pkg/a.py': 'def one():\n    return 1\n',
      'pkg/b.py': 'def two():\n    return 2\n',
    })
    const db = join(dir.path, 'runs.db')
    const scoped = await smiley(
      ['run', '-d', db, '--include', 'pkg/*', '--exclude', '*/b.py', 'main.py'],
      { cwd: dir.path },
    )
    expect(scoped.code, scoped.stderr).toBe(0)
    expect(scoped.stdout).toBe('3 a [...]\n')
    const files = new Set((await events(db, dir.path)).map((e) => e.file))
    expect([...files].sort()).toEqual([
      join(dir.path, 'pkg', '__init__.py'),
      join(dir.path, 'pkg', 'a.py'),
    ])

    const stdlib = await smiley(['run', '-d', db, '--include', '*/textwrap.py', 'main.py'], {
      cwd: dir.path,
    })
    expect(stdlib.code, stdlib.stderr).toBe(0)
    const functions = new Set((await events(db, dir.path)).map((e) => e.function))
    expect(functions).toContain('shorten')
    expect([...functions].filter((name) => ['one', 'two'].includes(name))).toEqual([])

    const excluded = await smiley(['run', '-d', db, 'main.py'], {
      cwd: dir.path,
      env: { SMILEY_EXCLUDE: 'main.py, pkg/a.py' },
    })
    expect(excluded.code, excluded.stderr).toBe(0)
    const left = new Set((await events(db, dir.path)).map((e) => e.file))
    expect([...left].sort()).toEqual([
      join(dir.path, 'pkg', '__init__.py'),
      join(dir.path, 'pkg', 'b.py'),
    ])
  })
})

describe('--function', () => {
  const program = {
    'main.py': `
from pkg.parser import Parser

def helper(n):
    return n + 1

def main():
    helper(0)
    print(Parser().parse("a b"))
    helper(2)

main()
`,
    'pkg/__init__.py': '',
    'pkg/parser.py': `
import textwrap

def split(text):
    return text.split()

class Parser:
    def parse(self, text):
        words = textwrap.wrap(text, width=1)
        return list(map(str.upper, words)) + split(text)
`,
  }

  it('records only inside calls of the named function, named by option, pyproject.toml or SMILEY_FUNCTION', async () => {
    writePrograms(dir.path, program)
    const db = join(dir.path, 'runs.db')
    const recorded = async () =>
      [...new Set((await events(db, dir.path)).map((e) => e.function))].sort()
    const byOption = await smiley(['run', '-d', db, '--function', 'Parser.parse', 'main.py'], {
      cwd: dir.path,
    })
    expect(byOption.code, byOption.stderr).toBe(0)
    expect(byOption.stdout).toBe("['A', 'B', 'a', 'b']\n")
    expect(byOption.stderr).toBe('')
    expect(await recorded()).toEqual(['Parser.parse', 'split'])

    const byEnv = await smiley(['run', '-d', db, 'main.py'], {
      cwd: dir.path,
      env: { SMILEY_FUNCTION: 'pkg.parser.split,helper' },
    })
    expect(byEnv.code, byEnv.stderr).toBe(0)
    expect(await recorded()).toEqual(['helper', 'split'])

    writePrograms(dir.path, { 'pyproject.toml': '[tool.smiley]\nfunction = ["main"]\n' })
    const shown = await config([])
    expect(setting(shown, 'function')).toMatchObject({ value: ['main'], source: 'pyproject.toml' })
    const byFile = await smiley(['run', '-d', db, 'main.py'], { cwd: dir.path })
    expect(byFile.code, byFile.stderr).toBe(0)
    expect(await recorded()).toEqual(['Parser.parse', 'helper', 'main', 'split'])
  })

  it('says at the end of the run which names matched no function, and keeps the exit code', async () => {
    writePrograms(dir.path, {
      ...program,
      'fails.py': 'import sys\ndef f():\n    pass\nf()\nsys.exit(3)\n',
    })
    const db = join(dir.path, 'runs.db')
    const result = await smiley(
      ['run', '-d', db, '--function', 'f', '--function', 'Parser.prase', 'fails.py'],
      {
        cwd: dir.path,
      },
    )
    expect(result.code).toBe(3)
    expect(result.stderr).toBe(
      'smiley: --function Parser.prase: no function of that name ran, so nothing of it was recorded\n',
    )
    const refused = await smiley(['run', '-d', db, '--function', 'pkg/parser.py', 'main.py'], {
      cwd: dir.path,
    })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toBe('smiley: --function: not a function name: "pkg/parser.py"\n')
  })
})
