/**
 * The fidelity corpus: real code nobody here wrote (standard library modules copied into a
 * project as its own code, from the interpreter under test), driven by small programs in
 * corpus/, laid out in a fresh folder per interpreter.
 */

import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../support/cli.js'

export interface CorpusProgram {
  /** What the test is called. */
  name: string
  /** The interpreter's arguments: a script and its arguments, or -m MODULE…. */
  argv: string[]
  /** Deterministic: locals, return values and exceptions are compared too. */
  values: boolean
  /** Locals whose values differ from process to process (an object's id, say). */
  ignore?: string[]
  /** Thread interleavings differ from run to run: recorded this many times. */
  repeat?: number
}

export const PROGRAMS: CorpusProgram[] = [
  { name: 'textwrap beside its copy', argv: ['wrap_text.py'], values: true },
  { name: 'difflib', argv: ['diff_lines.py'], values: true },
  {
    name: 'json (a package)',
    argv: ['json_roundtrip.py'],
    values: true,
    ignore: ['markerid', 'markers'], // id(o), to find cycles
  },
  { name: 'shlex', argv: ['shell_words.py'], values: true },
  { name: 'fractions', argv: ['fractions_math.py'], values: true },
  { name: 'ipaddress', argv: ['ip_networks.py'], values: true },
  { name: 'calendar', argv: ['calendar_month.py'], values: true },
  { name: 'argparse', argv: ['parse_args.py'], values: true },
  { name: 'values near --max-repr', argv: ['containers.py'], values: true },
  { name: 'objects changed in place', argv: ['objects.py'], values: true },
  { name: 'tuples holding objects changed in place', argv: ['held_in_tuples.py'], values: true },
  { name: 'a module run with -m', argv: ['-m', 'user_calendar', '2024', '2'], values: true },
  {
    name: 'a unittest suite with two identical test files',
    argv: ['-m', 'unittest', 'discover', '-s', 'suite'],
    values: false,
  },
  {
    name: 'asyncio tasks',
    argv: ['asyncio_tasks.py'],
    values: true,
    // A task's or task group's repr changes (pending → finished) while the frame holding it is
    // suspended: the reference sees that at the resumption, Smiley at the frame's next line.
    ignore: ['named', 'spinner', 'broken', 'first', 'second', 'group'],
  },
  {
    name: 'threads each resuming a generator of one function',
    argv: ['threads_generators.py'],
    values: false,
    repeat: 5,
  },
]

/** Standard library modules copied in as the project's own (user_NAME). */
const MODULES = ['textwrap', 'difflib', 'shlex', 'fractions', 'ipaddress', 'calendar', 'argparse']
const PACKAGES = ['json']

/** A folder holding the corpus and this interpreter's copies of the modules it drives. */
export function layCorpus(python: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'smiley-fidelity-'))
  cpSync(join(ROOT, 'tests', 'fidelity', 'corpus'), folder, { recursive: true })
  const stdlib = execFileSync(
    python,
    ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])'],
    { encoding: 'utf8' },
  ).trim()
  for (const name of MODULES) cpSync(join(stdlib, `${name}.py`), join(folder, `user_${name}.py`))
  for (const name of PACKAGES)
    cpSync(join(stdlib, name), join(folder, `user_${name}`), {
      recursive: true,
      filter: (source) => !source.includes('__pycache__'),
    })
  return folder
}
