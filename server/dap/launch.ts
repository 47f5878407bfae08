/**
 * What `launch` opens: a recorded run of a database (`run`, `database`), or a program
 * recorded first (`program`, `args`, `python`, `cwd`) by `smiley run`, whose output goes to
 * the debugger as it runs.
 */

import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { RunNames } from '../db/events.js'
import { StoreError } from '../store/errors.js'
import { isPostgresUrl } from '../store/location.js'
import { openStore } from '../store/open.js'
import { packageRoot } from '../paths.js'
import { Replay } from './replay.js'

/** The `launch` request's arguments, as a launch configuration of the `smiley` type gives them. */
export interface LaunchArguments {
  /** A run id, a unique prefix of one, or `latest` (the default). */
  run?: string
  /** The database (default: `smiley.db` in `cwd`, or SMILEY_DB). */
  database?: string
  /** A Python program to record first; its run is then opened. */
  program?: string
  args?: string[]
  /** The interpreter that runs `program` (default: python3, or SMILEY_PYTHON). */
  python?: string
  /** Where `program` runs, and relative paths start (default: the adapter's folder). */
  cwd?: string
  /** Stop at the first event (the default), or go on to the first breakpoint. */
  stopOnEntry?: boolean
}

export class LaunchError extends Error {}

/** Checks the arguments' types; throws LaunchError naming the first wrong one. */
export function launchArguments(raw: unknown): LaunchArguments {
  const args = (raw ?? {}) as Record<string, unknown>
  for (const name of ['run', 'database', 'program', 'python', 'cwd'])
    if (args[name] !== undefined && typeof args[name] !== 'string')
      throw new LaunchError(`launch: "${name}" must be a string`)
  if (
    args['args'] !== undefined &&
    !(Array.isArray(args['args']) && args['args'].every((a) => typeof a === 'string'))
  )
    throw new LaunchError('launch: "args" must be a list of strings')
  if (args['stopOnEntry'] !== undefined && typeof args['stopOnEntry'] !== 'boolean')
    throw new LaunchError('launch: "stopOnEntry" must be true or false')
  if (args['run'] !== undefined && args['program'] !== undefined)
    throw new LaunchError('launch: give "run" or "program", not both')
  return args as LaunchArguments
}

/** The run the arguments name, recorded first when they name a program. */
export async function openReplay(
  args: LaunchArguments,
  output: (category: 'stdout' | 'stderr' | 'console', text: string) => void,
): Promise<{ replay: Replay; close: () => Promise<void> }> {
  const cwd = resolve(args.cwd ?? process.cwd())
  const given = args.database ?? process.env['SMILEY_DB'] ?? 'smiley.db'
  const database = isPostgresUrl(given) ? given : resolve(cwd, given)
  let reference = args.run ?? 'latest'
  if (args.program !== undefined) {
    const program = resolve(cwd, args.program)
    if (!existsSync(program)) throw new LaunchError(`launch: no program ${program}`)
    reference = await record(database, program, args, cwd, output)
  } else if (!isPostgresUrl(database) && !existsSync(database)) {
    throw new LaunchError(`launch: no database ${database} (record a run with: smiley run prog.py)`)
  }
  // The run in its store: a SQLite file read directly, PostgreSQL through its read cache.
  const store = await openStore(database, { readonly: true }).catch((error: unknown) => {
    throw error instanceof StoreError ? new LaunchError(`launch: ${error.message}`) : error
  })
  try {
    const found = await store.findRun(reference)
    const { key, run } = found
    if (run.eventCount === 0) {
      const why = run.errorType === null ? '' : ` (${run.errorType}: ${run.errorMessage ?? ''})`
      throw new LaunchError(`launch: run ${run.id.slice(0, 8)} has no events${why}`)
    }
    const db = await store.reader(found)
    return { replay: new Replay(db, key, run, new RunNames(db, key)), close: () => store.close() }
  } catch (error) {
    await store.close()
    throw error instanceof StoreError ? new LaunchError(`launch: ${error.message}`) : error
  }
}

/** The ids of the runs in `database`, newest first; none when it does not exist yet. */
async function runIds(database: string): Promise<string[]> {
  if (!isPostgresUrl(database) && !existsSync(database)) return []
  const store = await openStore(database, { readonly: true })
  try {
    return (await store.listRuns()).map((run) => run.id)
  } finally {
    await store.close()
  }
}

/** Records `program` with `smiley run`; resolves with the id of its run. */
async function record(
  database: string,
  program: string,
  args: LaunchArguments,
  cwd: string,
  output: (category: 'stdout' | 'stderr' | 'console', text: string) => void,
): Promise<string> {
  const before = new Set(await runIds(database))
  const python = args.python === undefined ? [] : ['--python', args.python]
  const command = [join(packageRoot, 'bin', 'smiley.js'), 'run', '-d', database, ...python]
  output('console', `smiley: recording ${[program, ...(args.args ?? [])].join(' ')}\n`)
  const child = spawn(process.execPath, [...command, '--', program, ...(args.args ?? [])], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  })
  let said = ''
  child.stdout.setEncoding('utf8').on('data', (text: string) => output('stdout', text))
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    said += text
    output('stderr', text)
  })
  await new Promise<void>((done, fail) => {
    child.on('error', (error) => fail(new LaunchError(`launch: cannot record: ${error.message}`)))
    child.on('close', () => done())
  })
  const recorded = (await runIds(database)).find((id) => !before.has(id))
  if (recorded !== undefined) return recorded
  const problem = /^smiley: (.*)$/m.exec(said)?.[1]
  throw new LaunchError(`launch: the program was not recorded${problem ? ` (${problem})` : ''}`)
}
