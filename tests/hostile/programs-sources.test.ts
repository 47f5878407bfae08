/**
 * Hostile sources: files that are not UTF-8 (declared, and not), files deleted or rewritten
 * while they run, modules imported from a zip file, code compiled from strings. Each recorded
 * event carries its source line as the interpreter read it when it ran.
 */

import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../support/cli.js'
import {
  defaultInterpreter,
  eventsOf,
  expectUntouched,
  recordProgram,
  valuesOf,
  label,
  variants,
  type Files,
} from '../support/hostile-programs.js'

/** The main script is Latin-1, declared; a module is cp1252; another sits in a zip file. */
const SOURCES: Files = {
  'main.py': Buffer.from(
    [
      '# -*- coding: latin-1 -*-',
      'import os, sys, zipfile',
      'greeting = "caf\xe9"',
      'import shop',
      'price = shop.label(3)',
      'with zipfile.ZipFile("lib.zip", "w") as archive:',
      '    archive.writestr("zipped.py", "def double(n):\\n    twice = n * 2\\n    return twice\\n")',
      'sys.path.insert(0, "lib.zip")',
      'import zipped',
      'code = "def tripled(n):\\n    thrice = n * 3\\n    return thrice\\n"',
      'namespace = {"zipped": zipped}',
      'exec(compile(code, "<generated>", "exec"), namespace)',
      'total = eval("zipped.double(4) + tripled(2)", namespace)',
      'import helper',
      'os.remove(helper.__file__)',
      'with open(__file__, "w") as rewritten:',
      '    rewritten.write("# another program\\n" * 30)',
      'summed = helper.add(2, total)',
      'print(greeting.encode("utf-8"), price.encode("utf-8"), total, summed)',
      '',
    ].join('\n'),
    'latin1',
  ),
  'shop.py': Buffer.concat([
    Buffer.from('# coding: cp1252\ndef label(amount):\n    text = "%d '),
    Buffer.from([0x80]), // the euro sign in cp1252
    Buffer.from('" % amount\n    return text\n'),
  ]),
  'helper.py': 'def add(a, b):\n    result = a + b\n    return result\n',
}

/**
 * Bytes that are not UTF-8, without a declaration: in a string (the import fails), in a comment
 * (the import works; run as the main script, it fails).
 */
const INVALID: Files = {
  'main.py': [
    'try:',
    '    import broken',
    'except SyntaxError as error:',
    '    problem = error.msg[:15]',
    'print("broken:", problem)',
    'import invalid',
    'print("invalid:", invalid.z)',
    '',
  ].join('\n'),
  'broken.py': Buffer.from([...Buffer.from('x = "'), 0xff, 0xfe, ...Buffer.from('"\n')]),
  'invalid.py': Buffer.from([
    ...Buffer.from('y = 2\n# not UTF-8: '),
    0xe9,
    0xff,
    ...Buffer.from('\nz = y\n'),
  ]),
}

/** A zip application, as python -m zipapp makes it: run with "python app.pyz". */
function zipApplication(): Buffer {
  const make = [
    'import io, sys, zipfile',
    'data = io.BytesIO()',
    'with zipfile.ZipFile(data, "w") as archive:',
    '    archive.writestr("__main__.py", "def main():\\n    total = sum(range(4))\\n    return total\\n\\nprint(main())\\n")',
    'sys.stdout.buffer.write(b"#!/usr/bin/env python3\\n" + data.getvalue())',
  ].join('\n')
  return execFileSync(defaultInterpreter().path, ['-c', make])
}

let dir: { path: string; remove: () => void }
beforeAll(() => {
  dir = tempDir()
})
afterAll(() => dir.remove())

const cases = variants([defaultInterpreter()]).map((variant) => [label(variant), variant] as const)

describe.concurrent('hostile sources', () => {
  it.for(cases)(
    'are recorded as the interpreter read them, whatever happens to the files (%s)',
    async ([name, variant]) => {
      const recording = await recordProgram(dir.path, `sources ${name}`, variant, SOURCES, [
        'main.py',
      ])
      expectUntouched(recording)
      expect(recording.untraced.stdout).toBe("b'caf\\xc3\\xa9' b'3 \\xe2\\x82\\xac' 14 16\n")
      expect(recording.run).toMatchObject({ status: 'completed', notice: null })
      const { events, tracedDir } = recording
      const main = join(tracedDir, 'main.py')
      const lineOf = (file: string, line: number) =>
        events.find((event) => event.file === file && event.line === line)?.source
      // Declared encodings, decoded; the file rewritten since keeps its text as it ran.
      expect(lineOf(main, 3)).toBe('greeting = "café"')
      expect(valuesOf(events, 'greeting')).toEqual(["'café'"])
      expect(lineOf(join(tracedDir, 'shop.py'), 3)).toBe('    text = "%d €" % amount')
      expect(valuesOf(eventsOf(events, 'label'), 'text')).toEqual(["'3 €'"])
      expect(lineOf(main, 18)).toBe('summed = helper.add(2, total)')
      // A module deleted before its function ran.
      expect(lineOf(join(tracedDir, 'helper.py'), 2)).toBe('    result = a + b')
      expect(eventsOf(events, 'add').at(-1)).toMatchObject({ kind: 'return', value: '16' })
      // A module from a zip file, with its source from the archive.
      const zipped = eventsOf(events, 'double')
      expect(zipped[0]!.file).toBe(join(tracedDir, 'lib.zip', 'zipped.py'))
      expect(zipped.map((event) => event.source)).toContain('    twice = n * 2')
      expect(zipped.at(-1)).toMatchObject({ kind: 'return', value: '8' })
      // Code compiled from strings is not recorded, but what it calls is.
      expect(eventsOf(events, 'tripled')).toEqual([])
      expect(events.every((event) => !event.file.includes('<'))).toBe(true)
      expect(valuesOf(events, 'total')).toEqual(['14'])
    },
  )

  it.for(cases)(
    'that are not UTF-8 and say nothing are recorded as far as the interpreter reads them (%s)',
    async ([name, variant]) => {
      const recording = await recordProgram(dir.path, `invalid ${name}`, variant, INVALID, [
        'main.py',
      ])
      expectUntouched(recording)
      expect(recording.untraced.stdout).toBe('broken: (unicode error)\ninvalid: 2\n')
      expect(recording.run).toMatchObject({ status: 'completed', exitCode: 0, notice: null })
      const { events, tracedDir } = recording
      expect(valuesOf(events, 'problem')).toEqual(["'(unicode error)'"])
      const invalid = events.filter((event) => event.file === join(tracedDir, 'invalid.py'))
      expect(valuesOf(invalid, 'z')).toEqual(['2'])
      // Its lines around the bytes that cannot be decoded.
      expect(invalid.find((event) => event.line === 3)!.source).toBe('z = y')
      expect(invalid.find((event) => event.line === 1)!.source).toBe('y = 2')
    },
  )

  it.for(cases)(
    'a zip application runs, and is recorded with its source from the archive (%s)',
    async ([name, variant]) => {
      const recording = await recordProgram(
        dir.path,
        `zipapp ${name}`,
        variant,
        { 'app.pyz': zipApplication() },
        ['app.pyz'],
      )
      expectUntouched(recording)
      expect(recording.untraced.stdout).toBe('6\n')
      expect(recording.run).toMatchObject({ status: 'completed', exitCode: 0, notice: null })
      const main = eventsOf(recording.events, 'main')
      expect(main[0]!.file).toBe(join(recording.tracedDir, 'app.pyz', '__main__.py'))
      expect(main.map((event) => event.source)).toContain('    total = sum(range(4))')
      expect(main.at(-1)).toMatchObject({ kind: 'return', value: '6' })
    },
  )

  it.for(cases)(
    'a main script that is not UTF-8 is refused by the interpreter, as without Smiley (%s)',
    async ([name, variant]) => {
      const recording = await recordProgram(dir.path, `invalid main ${name}`, variant, INVALID, [
        'invalid.py',
      ])
      expectUntouched(recording)
      expect(recording.untraced.code).toBe(1)
      expect(recording.run).toMatchObject({
        status: 'error',
        exitCode: 1,
        errorType: 'SyntaxError',
      })
      expect(recording.events).toEqual([])
    },
  )
})
