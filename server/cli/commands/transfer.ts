/** `smiley export` and `smiley import`: copy runs between database files. */

import { existsSync, realpathSync } from 'node:fs'
import type { Run } from '../../../shared/types/run.js'
import { openDatabase } from '../../db/database.js'
import { findRun, listRuns, markLostRuns, RunNotFound } from '../../db/runs.js'
import { copyRuns, type CopiedRun } from '../../db/transfer.js'
import { formatCount, shortId } from '../../console/format.js'
import { Output } from '../../console/output.js'
import type { ParsedArgs } from '../args.js'
import { databaseOption, text, type Command } from '../command.js'
import { CliError, UsageError } from '../errors.js'
import { exportFormat, exportPerfetto } from './perfetto-export.js'
import { isPostgresUrl } from '../../store/location.js'
import { openStore } from '../../store/open.js'
import { transferRuns } from '../../store/replica/transfer.js'

const COPIED = [
  'Each run is copied whole: its events, sources, files, functions, variable names, frames,',
  'threads, line counts and profile. Runs keep their ids, and a run the target already has',
  'is skipped, so copying twice changes nothing. A run still being recorded is refused.',
].join('\n')

export const exportCommand: Command = {
  spec: {
    name: 'export',
    summary: 'Copy runs into another database file, or write one as a Perfetto trace.',
    usage: [
      '[options] RUN… --output FILE.db',
      '[options] RUN --format perfetto --output TRACE.json',
    ],
    description: [
      'Copies runs from the database (--database) into FILE.db, which is created if it does',
      'not exist, or added to if it is a Smiley database. ' + COPIED,
      'Bring them back, on this machine or another, with: smiley import FILE.db',
      'Either side may be a PostgreSQL server: --database postgres://user@host:port/db copies',
      'its runs into FILE.db, and --output postgres://… copies runs into the server.',
      'With --format perfetto, writes one run as Chrome trace-event JSON, which Perfetto',
      '(ui.perfetto.dev) and chrome://tracing open: a track per thread, a slice per call with',
      'its file, line and arguments (its locals at the call, redacted as recorded).',
    ].join('\n'),
    options: [
      databaseOption,
      {
        name: 'output',
        short: 'o',
        kind: 'string',
        value: 'FILE.db',
        help: 'the file to write: the database to copy the runs into, or the trace (required)',
      },
      {
        name: 'format',
        kind: 'string',
        value: 'FORMAT',
        help: 'db (a Smiley database, the default) or perfetto (Chrome trace-event JSON)',
        default: 'db',
      },
    ],
    positionals: [
      {
        name: 'RUN',
        help: 'run ids, unique prefixes of them, or "latest"',
        required: true,
        variadic: true,
      },
    ],
    examples: [
      'smiley export latest -o bug-1234.db',
      'smiley export 3f2a b0d9 --output both.db',
      'smiley export latest --format perfetto -o trace.json',
      'smiley export --database postgres://smiley@db.example:5432/smiley 3f2a -o bug.db',
    ],
  },

  async run(args: ParsedArgs) {
    const output = args.options['output']
    if (typeof output !== 'string' || output === '')
      throw new UsageError(
        'missing --output FILE.db: where should the runs go? (see: smiley export --help)',
      )
    const database = text(args, 'database')
    if (exportFormat(args.options['format']) === 'perfetto') {
      await exportPerfetto(database, args.positionals, output)
      return 0
    }
    if (isPostgresUrl(database) || isPostgresUrl(output)) {
      await acrossStores(database, output, args.positionals, false, 'exported')
      return 0
    }
    const { runs, readFrom } = resolve(database, args.positionals, false)
    refuseSameFile(database, output)
    const target = openDatabase(output, { create: true })
    let copied: CopiedRun[]
    try {
      copied = copyRuns(
        target,
        readFrom,
        runs.map((r) => r.id),
      )
    } finally {
      target.close()
    }
    await report(new Output(), runs, copied, 'exported', `to ${output}`, `already in ${output}`)
    return 0
  },
}

export const importCommand: Command = {
  spec: {
    name: 'import',
    summary: 'Copy runs from another database file into this one.',
    usage: ['[options] FILE.db [RUN…]'],
    description: [
      'Copies runs from FILE.db (every run in it, unless RUNs are named) into the database',
      '(--database), which is created if it does not exist. ' + COPIED,
      'FILE.db is only read. Either side may be a PostgreSQL server: --database',
      'postgres://user@host:port/db imports into it, and FILE.db may be a postgres:// URL.',
    ].join('\n'),
    options: [databaseOption],
    positionals: [
      { name: 'FILE.db', help: 'a Smiley database, e.g. from smiley export', required: true },
      {
        name: 'RUN',
        help: 'runs of FILE.db to import: ids, unique prefixes, or "latest" (default: all)',
        variadic: true,
      },
    ],
    examples: [
      'smiley import bug-1234.db',
      'smiley import --database mine.db theirs.db 3f2a',
      'smiley import ci-failures.db --database postgres://smiley@db.example:5432/smiley',
    ],
  },

  async run(args: ParsedArgs) {
    const [file, ...references] = args.positionals
    const database = text(args, 'database')
    if (isPostgresUrl(database) || isPostgresUrl(file!)) {
      await acrossStores(file!, database, references, true, 'imported')
      return 0
    }
    if (!existsSync(file!)) throw new CliError(`no such file: ${file}`)
    let runs: Run[]
    let readFrom: string
    const out = new Output()
    if (references.length > 0) {
      ;({ runs, readFrom } = resolve(file!, references, true))
    } else {
      const everything = readRuns(file!)
      for (const run of everything.runs.filter((r) => r.status === 'running').reverse())
        await out.line(`skipped run ${label(run)}: still being recorded`)
      runs = everything.runs.filter((r) => r.status !== 'running').reverse()
      readFrom = everything.readFrom
    }
    refuseSameFile(file!, database)
    const target = openDatabase(database, { create: true })
    let copied: CopiedRun[]
    try {
      copied = copyRuns(
        target,
        readFrom,
        runs.map((r) => r.id),
      )
    } finally {
      target.close()
    }
    await report(out, runs, copied, 'imported', '', `already in ${database}`)
    return 0
  },
}

/**
 * The runs `references` name in the database at `path`, each once. A run still being
 * recorded is refused: its copy would stay unfinished. Our own database is opened to write,
 * so that runs whose recorder died are marked lost first; another file (`foreign`) is only
 * read, and named in errors. `readFrom` is the file to copy them from: `path`, or the copy read
 * when `path` is in a place where SQLite cannot read it (see read-only-place.ts).
 */
function resolve(
  path: string,
  references: string[],
  foreign: boolean,
): { runs: Run[]; readFrom: string } {
  const db = openDatabase(path, { readonly: foreign, readsWhereUnwritable: true })
  try {
    if (!foreign) markLostRuns(db)
    const runs = new Map<string, Run>()
    for (const reference of references) {
      try {
        const { run } = findRun(db, reference)
        runs.set(run.id, run)
      } catch (error) {
        if (foreign && error instanceof RunNotFound)
          throw new RunNotFound(
            `in ${path}: ${error.message.replace('smiley list', () => `smiley list -d ${path}`)}`,
          )
        throw error
      }
    }
    const running = [...runs.values()].find((r) => r.status === 'running')
    if (running !== undefined)
      throw new CliError(
        `run ${shortId(running.id)} is still being recorded; nothing copied (try again when it has ended)`,
      )
    return { runs: [...runs.values()], readFrom: db.name }
  } finally {
    db.close()
  }
}

/**
 * Copies runs between stores of which one at least is PostgreSQL: the runs `references` name
 * in `from` (every finished run of it when none are named and `foreign`), as resolve() and
 * readRuns() find them in a file.
 */
async function acrossStores(
  from: string,
  to: string,
  references: string[],
  foreign: boolean,
  verb: 'exported' | 'imported',
): Promise<void> {
  if (from === to) throw new UsageError(`${to} is the database the runs come from: choose another`)
  if (!isPostgresUrl(from) && !existsSync(from)) throw new CliError(`no such file: ${from}`)
  const out = new Output()
  const source = await openStore(from, { readonly: foreign, readsWhereUnwritable: true })
  try {
    if (!foreign) await source.markLostRuns()
    let runs: Run[]
    if (references.length === 0) {
      const everything = await source.listRuns()
      for (const run of everything.filter((r) => r.status === 'running').reverse())
        await out.line(`skipped run ${label(run)}: still being recorded`)
      runs = everything.filter((r) => r.status !== 'running').reverse()
    } else {
      const found = new Map<string, Run>()
      for (const reference of references) {
        try {
          const { run } = await source.findRun(reference)
          found.set(run.id, run)
        } catch (error) {
          if (foreign && error instanceof RunNotFound)
            throw new RunNotFound(`in ${source.location}: ${error.message}`)
          throw error
        }
      }
      runs = [...found.values()]
      const running = runs.find((r) => r.status === 'running')
      if (running !== undefined)
        throw new CliError(
          `run ${shortId(running.id)} is still being recorded; nothing copied (try again when it has ended)`,
        )
    }
    const target = await openStore(to, { create: true })
    try {
      const copied = await transferRuns(
        source,
        target,
        runs.map((r) => r.id),
      )
      const where = verb === 'exported' ? `to ${target.location}` : ''
      await report(out, runs, copied, verb, where, `already in ${target.location}`)
    } finally {
      await target.close()
    }
  } finally {
    await source.close()
  }
}

function readRuns(path: string): { runs: Run[]; readFrom: string } {
  const db = openDatabase(path, { readonly: true })
  try {
    return { runs: listRuns(db), readFrom: db.name }
  } finally {
    db.close()
  }
}

function refuseSameFile(source: string, target: string): void {
  if (existsSync(target) && realpathSync(source) === realpathSync(target))
    throw new UsageError(`${target} is the database the runs come from: choose another file`)
}

/** One line per run: what was copied, and what the target already had. */
async function report(
  out: Output,
  runs: Run[],
  copied: ReadonlyArray<Pick<CopiedRun, 'copied' | 'events'>>,
  verb: string,
  where: string,
  present: string,
): Promise<void> {
  for (const [index, result] of copied.entries()) {
    const run = runs[index]!
    const line = result.copied
      ? `${verb} run ${label(run, result.events)}${where ? ` ${where}` : ''}`
      : `skipped run ${label(run)}: ${present}`
    await out.line(line)
  }
}

/** `3f2a9c1e (prog.py)`, or `3f2a9c1e (prog.py, 12 events)`. */
function label(run: Run, events?: number): string {
  const count =
    events === undefined ? '' : `, ${formatCount(events)} event${events === 1 ? '' : 's'}`
  return `${shortId(run.id)} (${run.description}${count})`
}
