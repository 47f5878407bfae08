/**
 * Hostile programs (tests/hostile/programs-*.test.ts): each program runs twice, without Smiley
 * and recorded by `smiley run`, each time in a fresh folder of its own, and what the two runs
 * did is compared: a recorded program must behave exactly as it does alone.
 */

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { expect } from 'vitest'
import { findPythons, type Interpreter } from '../../scripts/lib/pythons.js'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Run } from '../../shared/types/run.js'
import { ROOT, SMILEY, smiley, type Result } from './cli.js'

export type Accelerator = 'python' | 'native'

/** The notice of a run whose main thread lost the tracer's trace function (Python < 3.12). */
export const LOST_MAIN_THREAD =
  'the main thread was not recorded to its end: its trace function was replaced or removed (by sys.settrace or a debugger, or by the interpreter at the recursion limit or after a KeyboardInterrupt inside it)'

/** The notice of a run recorded by the pure-Python tracer whose program reached its recursion limit. */
export const AT_RECURSION_LIMIT =
  "the program reached its recursion limit, where the Python tracer's hook has no room to run: its deepest calls may not be recorded (the native accelerator records them)"

/** The notice of a run whose program exited normally without sending the end of its run. */
export const TRACER_STOPPED_EARLY =
  'the tracer stopped before the program ended: the program closed its descriptor, replaced itself (exec), or exited without running its exit handlers'

/** How a program is recorded: under which interpreter, by which path of the tracer. */
export interface Variant {
  python: Interpreter
  accelerator: Accelerator
}

/** Source files by path; a Buffer is written as it is (for sources that are not UTF-8). */
export type Files = Record<string, string | Buffer>

let interpreters: Interpreter[] | null = null

/**
 * The interpreters hostile programs run under: the default `python3`, and the oldest and the
 * newest supported ones found (the hook is sys.settrace before 3.12, sys.monitoring from 3.12).
 */
export function someInterpreters(): Interpreter[] {
  if (interpreters !== null) return interpreters
  const { found, missing } = findPythons()
  if (missing.length > 0)
    console.warn(`hostile programs skip Python ${missing.join(', ')}: not installed here`)
  const version = execFileSync('python3', [
    '-c',
    'import sys; print("%d.%d" % sys.version_info[:2])',
  ])
    .toString()
    .trim()
  const edges = [found[0], found.at(-1)].filter(
    (python): python is Interpreter => python !== undefined && python.version !== version,
  )
  const minor = (python: Interpreter) => Number(python.version.split('.')[1])
  interpreters = [
    ...new Map([...edges, { version, path: 'python3' }].map((p) => [p.version, p])).values(),
  ]
  interpreters.sort((a, b) => minor(a) - minor(b))
  return interpreters
}

/** The default python3. */
export function defaultInterpreter(): Interpreter {
  return someInterpreters().find((python) => python.path === 'python3')!
}

/** The newest interpreter found. */
export function newestInterpreter(): Interpreter {
  return someInterpreters().at(-1)!
}

const nativeBuilt = new Map<string, boolean>()

/**
 * Whether the native accelerator builds for `python`: built now (once per interpreter and C
 * source, then cached), so that no test pays for it. Where it does not, its cases are skipped.
 * The answer is kept beside the system's temporary files while the C sources stay the same.
 */
export function nativeBuilds(python: Interpreter): boolean {
  const sources = join(ROOT, 'tracer', 'smiley_tracer', '_speedups')
  const stamp = Math.max(
    ...readdirSync(sources).map((name) => statSync(join(sources, name)).mtimeMs),
  )
  const marker = join(
    tmpdir(),
    `smiley-native-${createHash('sha1').update(`${python.path} ${stamp}`).digest('hex')}`,
  )
  let built = nativeBuilt.get(python.path) ?? (existsSync(marker) || undefined)
  if (built === undefined) {
    const folder = mkdtempSync(join(tmpdir(), 'smiley-native-'))
    writeFileSync(join(folder, 'warm.py'), 'x = 1\n')
    const run = spawnSync(
      process.execPath,
      [
        SMILEY,
        'run',
        '-d',
        join(folder, 'warm.db'),
        '--python',
        python.path,
        '--accelerator',
        'native',
        'warm.py',
      ],
      { cwd: folder, encoding: 'utf8', timeout: 300_000 },
    )
    rmSync(folder, { recursive: true, force: true })
    built = run.status === 0 && run.stderr === ''
    if (built) writeFileSync(marker, '')
    else
      console.warn(`hostile programs skip the native accelerator on ${python.path}: ${run.stderr}`)
    nativeBuilt.set(python.path, built)
  }
  return built
}

/** The ways to record under `python`: the Python tracer, and the native one where it builds. */
export function accelerators(python: Interpreter): Accelerator[] {
  return nativeBuilds(python) ? ['python', 'native'] : ['python']
}

/** Every interpreter of `pythons` (one per version) with each path of the tracer. */
export function variants(pythons: Interpreter[]): Variant[] {
  const unique = pythons.filter(
    (python, index) => pythons.findIndex((other) => other.version === python.version) === index,
  )
  return unique.flatMap((python) =>
    accelerators(python).map((accelerator) => ({ python, accelerator })),
  )
}

/** `3.8 native`, for test names. */
export function label(variant: Variant): string {
  return `${variant.python.version} ${variant.accelerator}`
}

/** The native accelerator under `python` when it builds, else the Python tracer. */
export function preferNative(python: Interpreter): Variant {
  return { python, accelerator: accelerators(python).at(-1)! }
}

export function writeFiles(folder: string, files: Files): void {
  for (const [path, source] of Object.entries(files)) {
    const target = join(folder, path)
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, typeof source === 'string' ? source.replace(/^\n/, '') : source)
  }
}

/** Runs `python args…` without Smiley, to completion. */
export function runUntraced(python: string, args: string[], cwd: string): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(python, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', fail)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      done({ code, signal, stdout, stderr })
    })
    child.stdin.end()
  })
}

/** A program run with and without Smiley, and what was recorded. */
export interface Recording {
  traced: Result
  untraced: Result
  /** Where each ran. */
  tracedDir: string
  untracedDir: string
  database: string
  run: Run
  events: TraceEvent[]
}

/**
 * Writes `files` into two fresh folders under `folder`/`name`, runs `args` (the script and its
 * arguments) in one without Smiley and in the other with `smiley run`, both at once, and reads
 * the run back.
 */
export async function recordProgram(
  folder: string,
  name: string,
  variant: Variant,
  files: Files,
  args: string[],
  /** More options for `smiley run`, before the script. */
  options: string[] = [],
): Promise<Recording> {
  const base = join(folder, name)
  const tracedDir = join(base, 'traced')
  const untracedDir = join(base, 'untraced')
  writeFiles(tracedDir, files)
  writeFiles(untracedDir, files)
  const database = join(base, 'runs.db')
  const [traced, untraced] = await Promise.all([
    smiley(
      [
        'run',
        '-d',
        database,
        '--python',
        variant.python.path,
        '--accelerator',
        variant.accelerator,
        ...options,
        ...args,
      ],
      { cwd: tracedDir, timeoutMs: 120_000 },
    ),
    runUntraced(variant.python.path, args, untracedDir),
  ])
  const { run, events } = await readRun(database)
  expect(run.options).toMatchObject({ accelerator: variant.accelerator })
  return { traced, untraced, tracedDir, untracedDir, database, run, events }
}

/** The only run of `database` (its child processes' runs aside), and its events. */
export async function readRun(database: string): Promise<{ run: Run; events: TraceEvent[] }> {
  const listed = await smiley(['list', '--json', '-d', database])
  expect(listed.code, listed.stderr).toBe(0)
  const runs = (JSON.parse(listed.stdout) as Run[]).filter((run) => run.process === undefined)
  expect(runs).toHaveLength(1)
  const replayed = await smiley(['replay', '--json', '-d', database, runs[0]!.id], {
    timeoutMs: 120_000,
  })
  expect(replayed.code, replayed.stderr).toBe(0)
  const events = replayed.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TraceEvent)
  expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1))
  expect(events).toHaveLength(runs[0]!.eventCount)
  return { run: runs[0]!, events }
}

/**
 * Output with what differs between any two runs of one program masked: the folder it ran in,
 * addresses, process ids, and how many times a traceback line repeats (the tracer's own calls
 * count towards the recursion limit, so a runaway recursion stops a frame or two earlier).
 */
export function masked(text: string, folder: string): string {
  return text
    .split(folder)
    .join('<dir>')
    .replace(/0x[0-9a-f]+/g, '0x…')
    .replace(/pid=\d+/g, 'pid=…')
    .replace(/\[Previous line repeated \d+ more times\]/g, '[Previous line repeated … more times]')
}

/**
 * The recorded program exited as it does alone, printed the same on stdout and stderr, and
 * Smiley added nothing to stderr but, when `warning` is given, one line that matches it.
 */
export function expectUntouched(recording: Recording, warning?: RegExp): void {
  const { traced, untraced } = recording
  expect({ code: traced.code, signal: traced.signal }).toEqual({
    code: untraced.code,
    signal: untraced.signal,
  })
  expect(masked(traced.stdout, recording.tracedDir)).toBe(
    masked(untraced.stdout, recording.untracedDir),
  )
  const lines = traced.stderr.split('\n')
  const ours = lines.filter((line) => line.startsWith('smiley: '))
  if (warning === undefined) expect(ours).toEqual([])
  else {
    expect(ours).toHaveLength(1)
    expect(ours[0]).toMatch(warning)
  }
  const theirs = lines.filter((line) => !line.startsWith('smiley: ')).join('\n')
  expect(masked(theirs, recording.tracedDir)).toBe(masked(untraced.stderr, recording.untracedDir))
}

/** Events of one function, in order. */
export function eventsOf(events: TraceEvent[], name: string): TraceEvent[] {
  return events.filter((event) => event.function === name)
}

/** Every value a variable was given, in order. */
export function valuesOf(events: TraceEvent[], name: string): Array<string | null> {
  return events.filter((event) => name in event.locals).map((event) => event.locals[name]!)
}

/** A recording in the background, as a terminal user starts one. */
export interface Started {
  child: ChildProcess
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  output: () => { stdout: string; stderr: string }
}

/** Starts `smiley args…` and resolves once the program has printed a line `ready`. */
export function startRecording(args: string[], cwd: string): Promise<Started> {
  const child = spawn(process.execPath, [SMILEY, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  )
  const output = () => ({ stdout, stderr })
  return new Promise((done, fail) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      stdout += `${line}\n`
      if (line === 'ready') done({ child, exited, output })
    })
    void exited.then(() => fail(new Error(`exited before it was ready: ${stderr}`)))
  })
}
