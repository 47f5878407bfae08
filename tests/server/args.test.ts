import { describe, expect, it } from 'vitest'
import { formatHelp, parseArgs } from '../../server/cli/args.js'
import type { CommandSpec } from '../../server/cli/args.js'
import { UsageError } from '../../server/cli/errors.js'

/** A command shaped like `smiley run`: options, then a script whose arguments are its own. */
const RUN: CommandSpec = {
  name: 'run',
  summary: 'Run a program.',
  usage: ['[options] [--] SCRIPT [ARGS…]', '[options] -m MODULE [ARGS…]'],
  description: 'Runs it.\nAnd records it.',
  options: [
    {
      name: 'database',
      short: 'd',
      kind: 'string',
      value: 'PATH',
      help: 'the database file',
      default: 'smiley.db',
      env: 'SMILEY_DB',
    },
    {
      name: 'module',
      short: 'm',
      kind: 'string',
      value: 'MODULE',
      help: 'run a library module',
      endsOptions: true,
    },
    { name: 'max-repr', kind: 'integer', value: 'N', help: 'longest value', default: 200 },
    { name: 'no-redact', kind: 'flag', help: 'record secrets too', env: 'SMILEY_NO_REDACT' },
    { name: 'include-package', kind: 'list', value: 'NAME', help: 'record this package too' },
    { name: 'settrace', kind: 'flag', help: 'use sys.settrace', hidden: true },
  ],
  positionals: [
    { name: 'SCRIPT', help: 'the Python file to run' },
    { name: 'ARGS', help: "the program's own arguments", variadic: true },
  ],
  optionsEndAtPositional: true,
  examples: ['smiley run prog.py --verbose'],
}

/** A command shaped like `smiley replay`: one required positional, options anywhere. */
const REPLAY: CommandSpec = {
  name: 'replay',
  summary: 'Replay a run.',
  usage: ['[options] RUN'],
  options: [
    {
      name: 'limit',
      short: 'n',
      kind: 'integer',
      value: 'N',
      help: 'how many events',
      env: 'SMILEY_LIMIT',
    },
    { name: 'grep', kind: 'list', value: 'TEXT', help: 'only matching lines', default: ['x'] },
    { name: 'csv', kind: 'flag', help: 'write CSV' },
  ],
  positionals: [{ name: 'RUN', help: 'the run id', required: true }],
}

const NO_ENV = {}

describe('parseArgs', () => {
  it('reads long and short options with separate values', () => {
    const parsed = parseArgs(RUN, ['--database', 'a.db', '--max-repr', '50', 'prog.py'], NO_ENV)
    expect(parsed.options['database']).toBe('a.db')
    expect(parsed.options['maxRepr']).toBe(50)
    expect(parseArgs(RUN, ['-d', 'b.db', 'prog.py'], NO_ENV).options['database']).toBe('b.db')
  })

  it('reads --option=value, keeping any further equals signs in the value', () => {
    const parsed = parseArgs(RUN, ['--database=a=b.db', '--max-repr=7', 'prog.py'], NO_ENV)
    expect(parsed.options['database']).toBe('a=b.db')
    expect(parsed.options['maxRepr']).toBe(7)
    expect(parseArgs(RUN, ['--database=', 'prog.py'], NO_ENV).options['database']).toBe('')
  })

  it('gives option values by camelCase name', () => {
    const parsed = parseArgs(
      RUN,
      ['--no-redact', '--include-package', 'requests', 'prog.py'],
      NO_ENV,
    )
    expect(parsed.options).toMatchObject({ noRedact: true, includePackage: ['requests'] })
  })

  it('sets a flag to true and leaves an absent flag missing', () => {
    expect(parseArgs(REPLAY, ['--csv', 'abc'], NO_ENV).options['csv']).toBe(true)
    expect(parseArgs(REPLAY, ['abc'], NO_ENV).options['csv']).toBeUndefined()
  })

  it('refuses a value given to a flag', () => {
    expect(() => parseArgs(REPLAY, ['--csv=yes', 'abc'], NO_ENV)).toThrow(UsageError)
    expect(() => parseArgs(REPLAY, ['--csv=yes', 'abc'], NO_ENV)).toThrow(/--csv takes no value/)
  })

  it('collects a repeatable list option in order', () => {
    const parsed = parseArgs(
      RUN,
      ['--include-package', 'a', '--include-package=b', '--include-package', 'c', 'prog.py'],
      NO_ENV,
    )
    expect(parsed.options['includePackage']).toEqual(['a', 'b', 'c'])
  })

  it('replaces the default of a list option with the values given', () => {
    expect(parseArgs(REPLAY, ['abc'], NO_ENV).options['grep']).toEqual(['x'])
    expect(
      parseArgs(REPLAY, ['--grep', 'y', 'abc', '--grep', 'z'], NO_ENV).options['grep'],
    ).toEqual(['y', 'z'])
  })

  it('takes a string value that starts with a dash', () => {
    expect(parseArgs(RUN, ['--database', '-weird.db', 'prog.py'], NO_ENV).options['database']).toBe(
      '-weird.db',
    )
  })

  it('converts integer options and accepts zero', () => {
    expect(parseArgs(REPLAY, ['-n', '0', 'abc'], NO_ENV).options['limit']).toBe(0)
    expect(parseArgs(REPLAY, ['--limit=12', 'abc'], NO_ENV).options['limit']).toBe(12)
  })

  it.each(['abc', '1.5', '-1', 'NaN', 'Infinity', '', ' '])(
    'refuses %j as a whole number',
    (value) => {
      const attempt = () => parseArgs(REPLAY, [`--limit=${value}`, 'abc'], NO_ENV)
      expect(attempt).toThrow(UsageError)
      expect(attempt).toThrow(`option --limit needs a whole number, not "${value}"`)
    },
  )

  it('says which value an option is missing', () => {
    expect(() => parseArgs(REPLAY, ['abc', '--limit'], NO_ENV)).toThrow(UsageError)
    expect(() => parseArgs(REPLAY, ['abc', '--limit'], NO_ENV)).toThrow(
      'option --limit needs a value (N)',
    )
  })

  it('fills in defaults for options not given', () => {
    const parsed = parseArgs(RUN, ['prog.py'], NO_ENV)
    expect(parsed.options['database']).toBe('smiley.db')
    expect(parsed.options['maxRepr']).toBe(200)
    expect(parsed.options['module']).toBeUndefined()
  })

  it('falls back to the environment, before the default, when an option is not given', () => {
    expect(parseArgs(RUN, ['prog.py'], { SMILEY_DB: 'env.db' }).options['database']).toBe('env.db')
    expect(
      parseArgs(RUN, ['-d', 'cli.db', 'prog.py'], { SMILEY_DB: 'env.db' }).options['database'],
    ).toBe('cli.db')
    expect(parseArgs(RUN, ['prog.py'], { SMILEY_DB: '' }).options['database']).toBe('smiley.db')
  })

  it('converts and checks values from the environment', () => {
    expect(parseArgs(REPLAY, ['abc'], { SMILEY_LIMIT: '5' }).options['limit']).toBe(5)
    expect(() => parseArgs(REPLAY, ['abc'], { SMILEY_LIMIT: 'many' })).toThrow(UsageError)
    expect(parseArgs(RUN, ['prog.py'], { SMILEY_NO_REDACT: '1' }).options['noRedact']).toBe(true)
    expect(parseArgs(RUN, ['prog.py'], { SMILEY_NO_REDACT: 'false' }).options['noRedact']).toBe(
      false,
    )
    expect(parseArgs(RUN, ['prog.py'], { SMILEY_NO_REDACT: 'No' }).options['noRedact']).toBe(false)
  })

  it('reads process.env when no environment is given', () => {
    const key = 'SMILEY_TEST_ARGS_LIMIT'
    const spec: CommandSpec = {
      ...REPLAY,
      options: [{ name: 'limit', kind: 'integer', help: 'n', env: key }],
    }
    process.env[key] = '9'
    try {
      expect(parseArgs(spec, ['abc']).options['limit']).toBe(9)
    } finally {
      delete process.env[key]
    }
  })

  it('gives a UsageError mentioning --help for an unknown long or short option', () => {
    expect(() => parseArgs(REPLAY, ['--bogus', 'abc'], NO_ENV)).toThrow(UsageError)
    expect(() => parseArgs(REPLAY, ['--bogus', 'abc'], NO_ENV)).toThrow(
      /unknown option --bogus.*smiley replay --help/,
    )
    expect(() => parseArgs(REPLAY, ['-x', 'abc'], NO_ENV)).toThrow(
      /unknown option -x.*smiley replay --help/,
    )
  })

  it('suggests the option a misspelt one probably meant', () => {
    expect(() => parseArgs(REPLAY, ['--limt', '3', 'abc'], NO_ENV)).toThrow(
      /did you mean --limit\?/,
    )
  })

  it('suggests nothing for an unknown option unlike any other', () => {
    expect(() => parseArgs(REPLAY, ['--verbose', 'abc'], NO_ENV)).toThrow(UsageError)
    expect(() => parseArgs(REPLAY, ['--verbose', 'abc'], NO_ENV)).not.toThrow(/did you mean/)
  })

  it('gives usage errors exit code 2', () => {
    try {
      parseArgs(REPLAY, ['--bogus'], NO_ENV)
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError)
      expect((error as UsageError).exitCode).toBe(2)
    }
  })

  it('leaves everything after the script to the program, including things that look like options', () => {
    const parsed = parseArgs(
      RUN,
      ['--max-repr', '9', 'prog.py', '--verbose', '-d', 'x', '--', '--max-repr=1'],
      NO_ENV,
    )
    expect(parsed.positionals).toEqual(['prog.py', '--verbose', '-d', 'x', '--', '--max-repr=1'])
    expect(parsed.options['maxRepr']).toBe(9)
    expect(parsed.options['database']).toBe('smiley.db')
  })

  it('leaves --help after the script to the program', () => {
    const parsed = parseArgs(RUN, ['prog.py', '--help', '-h'], NO_ENV)
    expect(parsed.help).toBe(false)
    expect(parsed.positionals).toEqual(['prog.py', '--help', '-h'])
  })

  it('treats a lone dash as the script', () => {
    expect(parseArgs(RUN, ['-', '--x'], NO_ENV).positionals).toEqual(['-', '--x'])
  })

  it('leaves everything after -m MODULE to the program', () => {
    const parsed = parseArgs(
      RUN,
      ['--max-repr', '5', '-m', 'http.server', '8000', '--bind', '-d', 'x'],
      NO_ENV,
    )
    expect(parsed.options['module']).toBe('http.server')
    expect(parsed.positionals).toEqual(['8000', '--bind', '-d', 'x'])
    expect(parsed.options['maxRepr']).toBe(5)
    expect(parsed.options['database']).toBe('smiley.db')
  })

  it('ends options after --module=MODULE too', () => {
    const parsed = parseArgs(RUN, ['--module=pkg.tool', '--', '-v'], NO_ENV)
    expect(parsed.options['module']).toBe('pkg.tool')
    expect(parsed.positionals).toEqual(['--', '-v'])
  })

  it('takes everything after -- as positionals, and -- itself as none', () => {
    const parsed = parseArgs(RUN, ['-d', 'a.db', '--', '--weird-name.py', '-m', 'x'], NO_ENV)
    expect(parsed.positionals).toEqual(['--weird-name.py', '-m', 'x'])
    expect(parsed.options['module']).toBeUndefined()
    expect(parsed.options['database']).toBe('a.db')
  })

  it('accepts options after a positional when the command does not end options there', () => {
    const parsed = parseArgs(REPLAY, ['abc', '--limit', '3', '--csv'], NO_ENV)
    expect(parsed.positionals).toEqual(['abc'])
    expect(parsed.options).toMatchObject({ limit: 3, csv: true })
  })

  it('takes an option-like word after -- as a positional', () => {
    expect(parseArgs(REPLAY, ['--', '--csv'], NO_ENV)).toMatchObject({
      positionals: ['--csv'],
      options: {},
    })
  })

  it('says which required positional is missing', () => {
    expect(() => parseArgs(REPLAY, ['--csv'], NO_ENV)).toThrow(UsageError)
    expect(() => parseArgs(REPLAY, ['--csv'], NO_ENV)).toThrow(
      'missing RUN (see: smiley replay --help)',
    )
  })

  it('names the first positional too many', () => {
    expect(() => parseArgs(REPLAY, ['abc', 'def', 'ghi'], NO_ENV)).toThrow(UsageError)
    expect(() => parseArgs(REPLAY, ['abc', 'def', 'ghi'], NO_ENV)).toThrow(
      'unexpected argument def (see: smiley replay --help)',
    )
  })

  it('accepts any number of positionals for a variadic command', () => {
    expect(parseArgs(RUN, ['a', 'b', 'c', 'd'], NO_ENV).positionals).toEqual(['a', 'b', 'c', 'd'])
    expect(parseArgs(RUN, [], NO_ENV).positionals).toEqual([])
  })

  it('asks for help with --help or -h, without checking positionals', () => {
    expect(parseArgs(REPLAY, ['--help'], NO_ENV).help).toBe(true)
    expect(parseArgs(REPLAY, ['-h', 'a', 'b', 'c'], NO_ENV).help).toBe(true)
    expect(parseArgs(REPLAY, ['abc'], NO_ENV).help).toBe(false)
  })

  it('accepts a hidden option', () => {
    expect(parseArgs(RUN, ['--settrace', 'prog.py'], NO_ENV).options['settrace']).toBe(true)
  })
})

describe('formatHelp', () => {
  const help = formatHelp(RUN)

  it('lists every option that is not hidden, and --help', () => {
    for (const option of RUN.options.filter((o) => !o.hidden))
      expect(help).toContain(`--${option.name}`)
    expect(help).toContain('-h, --help')
    expect(help).not.toContain('--settrace')
    expect(help).not.toContain('use sys.settrace')
  })

  it('shows short names, value placeholders, defaults, environment variables and repeatability', () => {
    expect(help).toMatch(
      /^ {2}-d, --database PATH +the database file \(default: smiley\.db; env: SMILEY_DB\)$/m,
    )
    expect(help).toMatch(/^ {2}-m, --module MODULE +run a library module$/m)
    expect(help).toMatch(/^ {6}--max-repr N +longest value \(default: 200\)$/m)
    expect(help).toMatch(/^ {6}--no-redact +record secrets too \(env: SMILEY_NO_REDACT\)$/m)
    expect(help).toMatch(/^ {6}--include-package NAME +record this package too \(repeatable\)$/m)
  })

  it('aligns the option descriptions in one column', () => {
    const lines = help.split('\n')
    const start = lines.indexOf('Options:') + 1
    const end = lines.indexOf('', start)
    const options = lines.slice(start, end)
    const helps = [
      ...RUN.options.filter((o) => !o.hidden).map((o) => o.help),
      'show this help and exit',
    ]
    expect(options).toHaveLength(helps.length)
    const columns = options.map((line, index) => line.indexOf(helps[index]!))
    expect(columns[0]).toBeGreaterThan(0)
    expect(new Set(columns).size).toBe(1)
  })

  it('shows the summary, usage lines, description, arguments and examples', () => {
    expect(help.startsWith('Run a program.\n\nUsage:\n')).toBe(true)
    expect(help).toContain('  smiley run [options] [--] SCRIPT [ARGS…]\n')
    expect(help).toContain('  smiley run [options] -m MODULE [ARGS…]\n')
    expect(help).toContain('\nRuns it.\nAnd records it.\n')
    expect(help).toMatch(
      /^Arguments:\n {2}SCRIPT {2}the Python file to run\n {2}ARGS {4}the program's own arguments$/m,
    )
    expect(help).toContain('Examples:\n  smiley run prog.py --verbose\n')
    expect(help.endsWith('\n')).toBe(true)
  })

  it('works for a command without positionals or examples', () => {
    const text = formatHelp({
      name: 'list',
      summary: 'List runs.',
      usage: [''],
      options: [],
      positionals: [],
    })
    expect(text).toBe(
      'List runs.\n\nUsage:\n  smiley list\n\nOptions:\n  -h, --help  show this help and exit\n',
    )
  })
})
