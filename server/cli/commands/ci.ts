/**
 * `smiley ci`: runs any command and records every Python process it starts, keeping the
 * recordings when the command fails, with a summary for the CI job's artifacts.
 */

import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { shortId } from '../../../shared/format.js'
import type { CiSummary } from '../../../shared/types/ci.js'
import { isFailingRun, readRecorded } from '../../ci/ci-summary.js'
import { CommandNotStarted, recordCommand } from '../../ci/record-command.js'
import { writeFailingReports } from '../../ci/ci-reports.js'
import { ReportError } from '../../report/write-report.js'
import { isPostgresUrl } from '../../store/location.js'
import { openStore } from '../../store/open.js'
import type { Store } from '../../store/store.js'
import { KEEPS, type Keep } from '../../record/test-runs.js'
import type { ParsedArgs } from '../args.js'
import { databaseOption, text, type Command, type Exit } from '../command.js'
import { CliError, UsageError } from '../errors.js'

export const ciCommand: Command = {
  spec: {
    name: 'ci',
    summary: 'Run any command and record every Python process it starts (for CI jobs).',
    usage: ['[options] -- COMMAND [ARGS…]'],
    description: [
      'The command (a shell script, make test, tox…) runs as it would alone, with its own output',
      'and exit status, which smiley ci exits with. Every Python process it starts is recorded as',
      'a run (pytest and unittest processes one run per test too). With --keep failed (the',
      'default) the recordings stay only if the command fails. smiley-ci.json lists the runs,',
      'the tests, their outcomes and the database, for the job to keep as an artifact.',
    ].join('\n'),
    options: [
      databaseOption,
      {
        name: 'keep',
        kind: 'string',
        value: 'failed|all',
        help: 'keep the recordings only if the command fails, or always',
        default: 'failed',
      },
      {
        name: 'report',
        kind: 'string',
        value: 'DIR',
        help: 'write a static report of each failing run into DIR (one folder per run)',
      },
      {
        name: 'summary',
        kind: 'string',
        value: 'FILE',
        help: 'where to write the summary',
        default: 'smiley-ci.json',
      },
    ],
    positionals: [
      { name: 'COMMAND', help: 'the command to run', required: true },
      { name: 'ARGS', help: "the command's own arguments", variadic: true },
    ],
    optionsEndAtPositional: true,
    examples: [
      'smiley ci -- make test',
      'smiley ci --report smiley-reports -- bash -c "python3 a.py && python3 -m pytest"',
      'smiley ci --keep all --database ci.db -- tox -e py312',
    ],
  },

  async run(args: ParsedArgs): Promise<Exit> {
    const keep = keepOption(args)
    const command = args.positionals
    const location = text(args, 'database')
    const store = await openStore(isPostgresUrl(location) ? location : resolve(location), {
      create: true,
      lasting: true,
    })
    try {
      await store.markLostRuns()
      return await ci(store, command, keep, args)
    } finally {
      await store.close()
    }
  },
}

async function ci(store: Store, command: string[], keep: Keep, args: ParsedArgs): Promise<Exit> {
  const options = { maxRepr: 200, redact: true, profile: true, perTest: true }
  let recorded
  try {
    recorded = await recordCommand(store, command, options, { ...options, keep })
  } catch (error) {
    if (error instanceof CommandNotStarted) throw new CliError(error.message, 127)
    throw error
  }
  const { exit } = recorded
  const failed = exit.code !== 0
  const kept = failed || keep === 'all'
  const { runs, tests } = await readRecorded(store, recorded.runs)
  const folder = args.options['report']
  let reports: Record<string, string> = {}
  if (kept && typeof folder === 'string') {
    try {
      reports = await writeFailingReports(store, runs.filter(isFailingRun), resolve(folder))
    } catch (error) {
      // The command's status and the summary matter more than the report: said, not fatal.
      if (!(error instanceof ReportError)) throw error
      process.stderr.write(`smiley: no report written: ${error.message}\n`)
    }
  }
  if (!kept) for (const uuid of recorded.runs) await forget(store, uuid)
  const summary: CiSummary = {
    command,
    exitCode: exit.code,
    signal: exit.signal,
    failed,
    kept,
    database: kept ? store.location : null,
    runs,
    tests: kept ? tests : tests.map((test) => ({ ...test, run: null })),
    reports,
  }
  const summaryPath = resolve(text(args, 'summary'))
  writeFileSync(summaryPath, JSON.stringify(summary, null, 2) + '\n')
  const failing = runs.filter(isFailingRun)
  process.stderr.write(
    `smiley: ${runs.length} Python process(es) recorded, ${failing.length} failing; ` +
      (kept ? `kept in ${store.location}` : 'not kept (the command passed)') +
      `; summary in ${summaryPath}\n`,
  )
  for (const run of kept ? failing : [])
    process.stderr.write(`smiley: ${shortId(run.id)} ${run.status}: ${run.description}\n`)
  if (exit.signal !== null) return { signal: exit.signal as NodeJS.Signals }
  return exit.code ?? 1
}

/** A run of the command's and its tests' runs, gone from the database. */
async function forget(store: Store, uuid: string): Promise<void> {
  const { key } = await store.findRun(uuid)
  for (const test of await store.sessionTests(key))
    if (test.kept) await store.deleteRun((await store.findRun(test.run)).key)
  await store.deleteRun(key)
}

function keepOption(args: ParsedArgs): Keep {
  const choice = text(args, 'keep')
  const known = KEEPS.find((name) => name === choice)
  if (known === undefined)
    throw new UsageError(`--keep must be one of ${KEEPS.join(', ')}, not ${choice}`)
  return known
}
