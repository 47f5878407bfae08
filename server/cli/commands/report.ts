/** `smiley report`: a self-contained folder showing one run, that opens from file://. */

import { resolve } from 'node:path'
import { formatCount, shortId } from '../../../shared/format.js'
import { openRun } from '../open-run.js'
import { readProfile } from '../../db/profile.js'
import { callGraph, toDot } from '../../profile/callgraph.js'
import { renderSvg } from '../../profile/svg.js'
import { ReportError, writeReport } from '../../report/write-report.js'
import type { ParsedArgs } from '../args.js'
import { databaseOption, text, type Command } from '../command.js'
import { Progress } from '../../console/progress.js'
import { CliError } from '../errors.js'

export const reportCommand: Command = {
  spec: {
    name: 'report',
    summary: 'Write a self-contained report of a run that opens in any browser, offline.',
    usage: ['[options] RUN'],
    description: [
      'The folder holds the dashboard and the run: its trace (however long), files, sources as',
      'they ran, threads, profiler statistics and the call graph. Open its index.html from the',
      'file system; it needs no server and makes no network request. Attach it to a bug report.',
    ].join('\n'),
    options: [
      databaseOption,
      {
        name: 'output',
        short: 'o',
        kind: 'string',
        value: 'DIR',
        help: 'the folder to write (default: smiley-report-ID)',
      },
      {
        name: 'title',
        kind: 'string',
        value: 'TEXT',
        help: "the report's title (default: the run's description)",
      },
    ],
    positionals: [
      { name: 'RUN', help: 'a run id, a unique prefix of one, or "latest"', required: true },
    ],
    examples: [
      'smiley report latest',
      'smiley report 3f2a9c1e -o /tmp/flaky-test --title "Flaky test, 3rd try"',
    ],
  },

  async run(args: ParsedArgs) {
    const opened = await openRun(text(args, 'database'), args.positionals[0]!)
    const { db, run } = opened
    const stored = { key: opened.key, run }
    try {
      if (run.status === 'running')
        throw new CliError(
          `run ${shortId(run.id)} is still being recorded: report it once it has ended`,
        )
      const folder = resolve(
        typeof args.options['output'] === 'string'
          ? args.options['output']
          : `smiley-report-${shortId(run.id)}`,
      )
      const title =
        typeof args.options['title'] === 'string'
          ? args.options['title']
          : `Smiley: ${run.description}`
      const profile = readProfile(db, stored.key)
      const dot = profile === null ? null : toDot(callGraph(profile))
      const progress = new Progress()
      const summary = writeReport(db, stored, {
        folder,
        title,
        callGraph: dot === null ? null : { dot, svg: await renderSvg(dot) },
        onProgress: (written, total) => progress.show(written, total),
      })
      progress.done()
      process.stdout.write(
        `Report of run ${shortId(run.id)} (${counted(summary.events, 'event')}, ${counted(summary.files, 'file')}, ` +
          `${(summary.bytes / 1e6).toFixed(1)} MB): ${folder}/index.html\n`,
      )
      return 0
    } catch (error) {
      if (error instanceof ReportError) throw new CliError(error.message)
      throw error
    } finally {
      await opened.close()
    }
  },
}

/** `1 file`, `12,345 files`. */
function counted(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`
}
