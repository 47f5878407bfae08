/** `smiley export RUN --format perfetto -o trace.json`: one run as a Chrome trace-event file. */

import { formatCount, shortId } from '../../console/format.js'
import { Progress } from '../../console/progress.js'
import { openRun } from '../open-run.js'
import { writeTrace } from '../../perfetto/write-trace.js'
import { CliError, UsageError } from '../errors.js'

export const FORMATS = ['db', 'perfetto'] as const
export type ExportFormat = (typeof FORMATS)[number]

/** The format `--format` names; a usage error for any other. */
export function exportFormat(value: unknown): ExportFormat {
  const format = String(value ?? 'db')
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not ${format}`)
  return format as ExportFormat
}

/** Writes the run `references` names (exactly one) in `database` to `output`. */
export async function exportPerfetto(
  database: string,
  references: string[],
  output: string,
): Promise<void> {
  if (references.length !== 1)
    throw new UsageError(
      `--format perfetto writes one run to one file, not ${references.length}: name one run`,
    )
  const opened = await openRun(database, references[0]!, { markLost: true })
  const { db } = opened
  const stored = { key: opened.key, run: opened.run }
  try {
    if (stored.run.status === 'running')
      throw new CliError(
        `run ${shortId(stored.run.id)} is still being recorded: export it once it has ended`,
      )
    const progress = new Progress()
    let written
    try {
      written = writeTrace(db, stored, output, (read, total) => progress.show(read, total))
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR')
        throw new CliError(`cannot write ${output}: ${(error as Error).message}`)
      throw error
    } finally {
      progress.done()
    }
    process.stdout.write(
      `exported run ${shortId(stored.run.id)} (${stored.run.description}, ${formatCount(written.calls)} calls) ` +
        `to ${output} (${(written.bytes / 1e6).toFixed(1)} MB): open it in https://ui.perfetto.dev or chrome://tracing\n`,
    )
  } finally {
    await opened.close()
  }
}
