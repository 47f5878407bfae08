/** `smiley run`: the program runs as it would without Smiley, and everything lands in the database. */

import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Profile } from '../../shared/types/profile.js'
import type { Run } from '../../shared/types/run.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { itOnSqlite, queryRun, storeUnderTest } from '../support/store-under-test.js'

const store = await storeUnderTest()

let dir: { path: string; remove: () => void }
let db: string

beforeEach(() => {
  dir = tempDir()
  db = store.database(dir.path)
})
afterEach(() => dir.remove())

async function runs(): Promise<Run[]> {
  const listed = await smiley(['list', '--json', '-d', db])
  expect(listed.code, listed.stderr).toBe(0)
  return JSON.parse(listed.stdout) as Run[]
}

async function events(run = 'latest'): Promise<TraceEvent[]> {
  const replay = await smiley(['replay', '--json', '-d', db, run])
  expect(replay.code, replay.stderr).toBe(0)
  return replay.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as TraceEvent)
}

describe('smiley run', () => {
  it('leaves the program its stdout, stdin, arguments and exit status', async () => {
    writePrograms(dir.path, {
      'echo.py': `
import sys
name = input()
print("hello", name, sys.argv[1:])
sys.exit(4)
`,
    })
    const result = await smiley(['run', '-d', db, 'echo.py', '--flag', 'x'], {
      cwd: dir.path,
      input: 'ada\n',
    })
    expect(result.stdout).toBe("hello ada ['--flag', 'x']\n")
    expect(result.code).toBe(4)
    const [run] = await runs()
    expect(run!.argv).toEqual(['echo.py', '--flag', 'x'])
    expect(run!.description).toBe('echo.py --flag x')
    expect(run!.status).toBe('error')
    expect(run!.exitCode).toBe(4)
    expect(run!.errorMessage).toBe('exited with status 4')
  })

  it('records lines, changed locals, return values and the run metadata', async () => {
    writePrograms(dir.path, {
      'calc.py': `
def add(a, b):
    total = a + b
    return total

result = add(2, 3)
`,
    })
    const result = await smiley(['run', '-d', db, '--description', 'adding', 'calc.py'], {
      cwd: dir.path,
    })
    expect(result.code, result.stderr).toBe(0)
    const [run] = await runs()
    expect(run).toMatchObject({
      description: 'adding',
      status: 'completed',
      exitCode: 0,
      cwd: dir.path,
    })
    expect(run!.pythonVersion).toMatch(/^3\.\d+\.\d+$/)
    expect(run!.eventCount).toBeGreaterThan(5)
    const trace = await events()
    const file = join(dir.path, 'calc.py')
    expect(trace.every((e) => e.file === file)).toBe(true)
    const call = trace.find((e) => e.kind === 'call' && e.function === 'add')!
    expect(call.locals).toEqual({ a: '2', b: '3' })
    expect(call.localTypes).toEqual({ a: 'int', b: 'int' })
    expect(call.depth).toBe(1)
    // Locals are shown as they are when a line is about to run: total is set by line 2.
    expect(trace.find((e) => e.kind === 'line' && e.line === 3)!.locals).toEqual({ total: '5' })
    const ret = trace.find((e) => e.kind === 'return' && e.function === 'add')!
    expect(ret).toMatchObject({ line: 3, value: '5', valueType: 'int', locals: {}, yielded: false })
    expect(ret.source).toBe('    return total')
    expect(trace.map((e) => e.seq)).toEqual(trace.map((_, i) => i + 1))
    expect(trace.at(-1)).toMatchObject({
      kind: 'return',
      function: '<module>',
      locals: { result: '5' },
    })
  })

  it('runs a module with -m and hands it the rest of the arguments', async () => {
    writePrograms(dir.path, {
      'pkg/__init__.py': '',
      'pkg/tool.py': 'import sys\nprint(sys.argv[1:])\n',
    })
    const result = await smiley(['run', '-d', db, '-m', 'pkg.tool', '-d', 'kept'], {
      cwd: dir.path,
    })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe("['-d', 'kept']\n")
    const [run] = await runs()
    expect(run!.argv).toEqual(['-m', 'pkg.tool', '-d', 'kept'])
    expect((await events()).some((e) => e.file === join(dir.path, 'pkg', 'tool.py'))).toBe(true)
  })

  it('says in one line why a standard library module run with -m records nothing', async () => {
    const result = await smiley(['run', '-d', db, '-m', 'calendar', '2024', '2'], {
      cwd: dir.path,
    })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('February 2024')
    expect(result.stderr).toBe(
      'smiley: nothing was recorded: calendar is in the standard library, which is not recorded' +
        ' by default (--include-stdlib records it)\n',
    )
    const [run] = await runs()
    expect(run!.eventCount).toBe(0)
    const included = await smiley(['run', '-d', db, '--include-stdlib', '-m', 'calendar'], {
      cwd: dir.path,
    })
    expect(included.stderr).toBe('')
    expect((await runs())[0]!.eventCount).toBeGreaterThan(0)
  })

  it("records an uncaught exception with its traceback and keeps Python's own report", async () => {
    writePrograms(dir.path, { 'boom.py': 'def f():\n    raise KeyError("missing")\n\nf()\n' })
    const result = await smiley(['run', '-d', db, 'boom.py'], { cwd: dir.path })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('Traceback (most recent call last):')
    expect(result.stderr).toContain("KeyError: 'missing'")
    expect(result.stderr).not.toContain('smiley_tracer')
    const [run] = await runs()
    expect(run).toMatchObject({ status: 'error', errorType: 'KeyError', errorMessage: "'missing'" })
    expect(run!.traceback).toContain('line 2, in f')
    const raised = (await events()).filter((e) => e.kind === 'exception')
    expect(raised.map((e) => e.function)).toEqual(['f', '<module>'])
  })

  it('says in one line that a script does not exist', async () => {
    const result = await smiley(['run', '-d', db, 'nowhere.py'], { cwd: dir.path })
    expect(result.code).toBe(2)
    expect(result.stderr).toBe('smiley: no such file: nowhere.py\n')
  })

  it('says in one line that a script has a syntax error, and records the failed run', async () => {
    writePrograms(dir.path, { 'bad.py': 'x = (1,\n' })
    const result = await smiley(['run', '-d', db, 'bad.py'], { cwd: dir.path })
    expect(result.code).toBe(1)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/^smiley: .*bad\.py:1: SyntaxError: /)
    const [run] = await runs()
    expect(run).toMatchObject({ status: 'error', errorType: 'SyntaxError' })
  })

  it('says in one line that the interpreter does not exist', async () => {
    writePrograms(dir.path, { 'ok.py': 'pass\n' })
    const result = await smiley(['run', '-d', db, '--python', '/no/such/python', 'ok.py'], {
      cwd: dir.path,
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(
      'smiley: cannot run /no/such/python: no such interpreter (choose one with --python)\n',
    )
  })

  // A file that is not a database is SQLite's own case.
  itOnSqlite('refuses a file that is not a database in one line, without touching it', async () => {
    writePrograms(dir.path, { 'ok.py': 'pass\n', 'notes.db': 'my notes, not a database\n' })
    const result = await smiley(['run', '-d', join(dir.path, 'notes.db'), 'ok.py'], {
      cwd: dir.path,
    })
    expect(result.code).toBe(1)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain('not a SQLite database')
  })

  it('records values of secret-looking names as <redacted> unless --no-redact', async () => {
    writePrograms(dir.path, {
      'login.py': 'def login(user, password):\n    return user\n\nlogin("ada", "s3cret")\n',
    })
    await smiley(['run', '-d', db, 'login.py'], { cwd: dir.path })
    const call = (await events()).find((e) => e.function === 'login' && e.kind === 'call')!
    expect(call.locals).toEqual({ user: "'ada'", password: '<redacted>' })
    await smiley(['run', '-d', db, '--no-redact', 'login.py'], { cwd: dir.path })
    const open = (await events()).find((e) => e.function === 'login' && e.kind === 'call')!
    expect(open.locals['password']).toBe("'s3cret'")
  })

  it('hides secret arguments in the run, and what --redact names, and keeps the token from the program', async () => {
    writePrograms(dir.path, {
      'login.py': `
import os, sys
print(sys.argv[1:], "SMILEY_TOKEN" in os.environ)
account = "acct-%d-%04d" % (2024, 1)
note = "for " + account
`,
    })
    const argv = ['--password', 'hunter22', '--api-key=k3y', 'postgres://u:pw1234@db/x']
    const result = await smiley(
      ['run', '-d', db, '--redact', 'account', '--redact', '/acct-[0-9-]+/', 'login.py', ...argv],
      { cwd: dir.path, env: { SMILEY_TOKEN: 'a-token-of-24-characters' } },
    )
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe(
      "['--password', 'hunter22', '--api-key=k3y', 'postgres://u:pw1234@db/x'] False\n",
    )
    const [run] = await runs()
    const shown = [
      '--password',
      '<redacted>',
      '--api-key=<redacted>',
      'postgres://u:<redacted>@db/x',
    ]
    expect(run!.argv).toEqual(['login.py', ...shown])
    expect(run!.description).toBe(['login.py', ...shown].join(' '))
    const texts = JSON.stringify(await events())
    expect(texts).not.toMatch(/hunter22|k3y'|pw1234|2024-0001/)
    expect(texts).toContain("'for <redacted>'")
  })

  it('refuses a --redact pattern that is not a regular expression', async () => {
    writePrograms(dir.path, { 'p.py': 'x = 1\n' })
    const result = await smiley(['run', '-d', db, '--redact', '/(unclosed/', 'p.py'], {
      cwd: dir.path,
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--redact: not a regular expression/)
  })

  it("shows the program's objects from their attributes unless --call-repr", async () => {
    writePrograms(dir.path, {
      'shapes.py': `
import threading
lock = threading.Lock()
class Account:
    def __init__(self, owner):
        self.owner = owner
    def __repr__(self):
        with lock:
            return "<Account of %s>" % self.owner
account = Account("ada")
`,
    })
    await smiley(['run', '-d', db, 'shapes.py'], { cwd: dir.path })
    expect(JSON.stringify(await events())).toContain("Account(owner='ada')")
    await smiley(['run', '-d', db, '--call-repr', 'shapes.py'], { cwd: dir.path })
    expect(JSON.stringify(await events())).toContain('<Account of ada>')
  })

  it('bounds recorded values by --max-repr', async () => {
    writePrograms(dir.path, { 'long.py': 'text = "y" * 5000\n' })
    await smiley(['run', '-d', db, '--max-repr', '50', 'long.py'], { cwd: dir.path })
    const values = (await events()).flatMap((e) => Object.values(e.locals))
    expect(values.some((v) => v?.startsWith("'yyy"))).toBe(true)
    expect(values.every((v) => v === null || v.length <= 50)).toBe(true)
  })

  it('stores the profile of the run', async () => {
    writePrograms(dir.path, {
      'prof.py': 'def f(n):\n    return n + 1\n\nfor i in range(5):\n    f(i)\n',
    })
    await smiley(['run', '-d', db, 'prof.py'], { cwd: dir.path })
    const shown = await smiley(['stats', 'show', '--json', '-d', db, 'latest'])
    expect(shown.code, shown.stderr).toBe(0)
    const { functions } = JSON.parse(shown.stdout) as { functions: Profile['functions'] }
    expect(functions.find((f) => f.name === 'f')).toMatchObject({ calls: 5, line: 1 })
    const stored = await queryRun(db, 'latest', 'SELECT functions FROM profiles')
    expect(stored).toEqual([{ functions: functions.length }])
  })

  it('records which tracer path was used, and refuses an unknown --accelerator', async () => {
    writePrograms(dir.path, { 'small.py': 'x = 1\n' })
    const forced = await smiley(['run', '-d', db, '--accelerator', 'python', 'small.py'], {
      cwd: dir.path,
    })
    expect(forced.code, forced.stderr).toBe(0)
    expect((await runs())[0]!.options).toMatchObject({ accelerator: 'python' })
    expect((await runs())[0]!.options).not.toHaveProperty('nativeProblem')

    const wrong = await smiley(['run', '-d', db, '--accelerator', 'fast', 'small.py'], {
      cwd: dir.path,
    })
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toMatch(/--accelerator must be one of auto, native, python, not fast/)
    expect(await runs()).toHaveLength(1)
  })
})

describe('smiley run, given the program as python is given it', () => {
  it('runs -c CODE with its arguments, recorded with the code as its source', async () => {
    const code =
      'import sys\ndef double(x):\n    y = x * 2\n    return y\nprint(double(21), sys.argv)\n'
    const result = await smiley(['run', '-d', db, '-c', code, 'a', '-b'], { cwd: dir.path })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe("42 ['-c', 'a', '-b']\n")
    const [run] = await runs()
    expect(run!.argv).toEqual(['-c', code, 'a', '-b'])
    const trace = await events()
    expect(
      trace.find((e) => e.kind === 'line' && e.function === 'double' && e.line === 4),
    ).toMatchObject({
      file: join(dir.path, '<string>'),
      source: '    return y',
      locals: { y: '42' },
    })
  })

  it('runs a script read from stdin with -, which leaves the program stdin at its end', async () => {
    const script =
      'import sys\ntotal = 0\nfor n in range(3):\n    total += n\nprint(total, sys.argv, repr(sys.stdin.read()))\n'
    const result = await smiley(['run', '-d', db, '-', 'x'], { cwd: dir.path, input: script })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe("3 ['-', 'x'] ''\n")
    const trace = await events()
    expect(trace.at(-1)).toMatchObject({ file: join(dir.path, '<stdin>'), function: '<module>' })
    expect(trace.find((e) => e.line === 5 && e.kind === 'line')!.source).toBe(
      'print(total, sys.argv, repr(sys.stdin.read()))',
    )
  })

  it("leaves the program's bytecode settings as the interpreter would have them", async () => {
    const show = 'import sys; print(sys.dont_write_bytecode, sys.pycache_prefix)'
    for (const env of [{ PYTHONDONTWRITEBYTECODE: '1' }, { PYTHONDONTWRITEBYTECODE: '' }]) {
      for (const pythonArgs of [[], ['-X', 'pycache_prefix=' + join(dir.path, 'cache')]]) {
        const bare = spawnSync('python3', [...pythonArgs, '-c', show], {
          cwd: dir.path,
          env: { ...process.env, ...env },
          encoding: 'utf8',
        })
        const recorded = await smiley(
          ['run', '-d', db, ...pythonArgs.flatMap((arg) => ['--python-arg', arg]), '-c', show],
          { cwd: dir.path, env },
        )
        expect(recorded.code, recorded.stderr).toBe(0)
        expect(recorded.stdout).toBe(bare.stdout)
      }
    }
  })

  it('passes --python-arg to the interpreter, and refuses one that would keep the tracer out', async () => {
    const result = await smiley(
      [
        'run',
        '-d',
        db,
        '--python-arg',
        '-X',
        '--python-arg',
        'dev',
        '-c',
        'import sys; print(sys.flags.dev_mode)',
      ],
      { cwd: dir.path },
    )
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe('True\n')
    expect((await runs())[0]!.argv.slice(0, 3)).toEqual(['-X', 'dev', '-c'])
    const refused = await smiley(['run', '-d', db, '--python-arg', '-I', '-c', 'pass'], {
      cwd: dir.path,
    })
    expect(refused).toMatchObject({ code: 2, stdout: '' })
    expect(refused.stderr).toBe(
      "smiley: --python-arg -I would keep Smiley's tracer from loading (-I, -E and -S ignore PYTHONPATH or site)\n",
    )
  })
})
