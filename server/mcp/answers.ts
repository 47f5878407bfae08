/**
 * What the MCP tools answer, as plain JSON: each a bounded read of the explorer's own
 * queries (server/db), never a write. The tools (tools.ts) only describe and validate.
 */

import { parseTraceQuery, QueryError } from '../../shared/trace-query.js'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Move } from '../../shared/types/moment.js'
import type { Run, RunStatus } from '../../shared/types/run.js'
import type { TestOutcome } from '../../shared/types/test.js'
import { programProfile } from '../../shared/profile-scope.js'
import { badPattern, compareRuns } from '../diff/index.js'
import { openDatabase, type Db } from '../db/database.js'
import { EventStore } from '../db/event-store.js'
import { RunNames } from '../db/events.js'
import { displayPath, listFiles, readSource } from '../db/files.js'
import { FrameStore } from '../db/frame-store.js'
import { momentAt, moveFrom } from '../db/moments.js'
import { readProfile } from '../db/profile.js'
import { lineExecutions, variableHistory } from '../db/questions.js'
import { findRun, type StoredRun } from '../db/runs.js'
import type { Store } from '../store/store.js'
import { searchEvents } from '../db/search.js'
import { listThreads } from '../db/threads.js'
import { tracebackEvents } from '../db/traceback.js'

/** A question that cannot be answered as asked: its message goes back to the model. */
export class ToolError extends Error {}

/** Functions listed at most in a comparison's call counts. */
const MOST_CALL_COUNTS = 30

/** How long one search may read before it answers with where to go on. */
const SEARCH_BUDGET_MS = 800

/** A run found, with the database the query layer reads it in, and its names. */
interface Reading extends StoredRun {
  db: Db
  names: RunNames
}

export class Answers {
  private readonly names = new Map<number, RunNames>()

  constructor(readonly store: Store) {}

  /** The run `reference` names, ready to query (PostgreSQL's through its read cache). */
  private async run(reference: string): Promise<Reading> {
    const found = await this.store.findRun(reference)
    const db = await this.store.reader(found)
    let names = this.names.get(found.key)
    if (names === undefined) this.names.set(found.key, (names = new RunNames(db, found.key)))
    return { ...found, db, names }
  }

  private event(run: StoredRun, seq: number) {
    if (seq < 1 || seq > run.run.eventCount)
      throw new ToolError(
        `run ${short(run.run)} has no event ${seq} (its events are 1 to ${run.run.eventCount})`,
      )
  }

  async listRuns(filter: {
    status?: RunStatus
    outcome?: TestOutcome
    text?: string
    limit: number
  }) {
    const text = filter.text?.toLowerCase()
    const runs = (await this.store.listRuns()).filter(
      (run) =>
        (filter.status === undefined || run.status === filter.status) &&
        (filter.outcome === undefined || run.test?.outcome === filter.outcome) &&
        (text === undefined ||
          `${run.description}\n${run.errorType ?? ''}: ${run.errorMessage ?? ''}`
            .toLowerCase()
            .includes(text)),
    )
    return { total: runs.length, runs: runs.slice(0, filter.limit).map(runLine) }
  }

  /** smiley diff's comparison of two runs: the first divergence of each kind, and the summary. */
  async diffRuns(a: string, b: string, ignore: string[], ignoreNames: string[]) {
    const problem = badPattern(ignore)
    if (problem !== null) throw new ToolError(problem)
    const first = await this.run(a)
    const other = await this.run(b)
    const second = openDatabase(other.db.name, { readonly: true }) // each run is read while the other is
    try {
      const report = compareRuns(
        { db: first.db, stored: { key: first.key, run: first.run } },
        { db: second, stored: findRun(second, other.run.id) },
        { ignore, ignoreNames, all: false },
      )
      const calls = report.summary.calls
      return {
        ...report,
        summary: { ...report.summary, calls: calls.slice(0, MOST_CALL_COUNTS) },
        ...(calls.length > MOST_CALL_COUNTS
          ? { callsLeftOut: calls.length - MOST_CALL_COUNTS }
          : {}),
      }
    } finally {
      second.close()
    }
  }

  async runSummary(reference: string) {
    const { key, run, db, names } = await this.run(reference)
    const files = listFiles(db, key, run.cwd)
    const profile = readProfile(db, key)
    const paths = new Set(files.map((file) => file.path))
    const hot =
      profile === null
        ? []
        : [...programProfile(profile, (file) => paths.has(file)).functions]
            .sort((a, b) => b.cumulativeTime - a.cumulativeTime)
            .slice(0, 10)
            .map((fn) => ({
              function: fn.name,
              file: displayPath(fn.file, run.cwd),
              line: fn.line,
              calls: fn.calls,
              ownSeconds: round(fn.totalTime),
              cumulativeSeconds: round(fn.cumulativeTime),
            }))
    const failure =
      run.traceback === null && run.errorType === null
        ? null
        : {
            type: run.errorType,
            message: run.errorMessage,
            traceback: run.traceback,
            frames: tracebackEvents(db, key, names, run.traceback, run.eventCount).frames.map(
              ({ seq, ...frame }) => ({
                ...frame,
                file: displayPath(frame.file, run.cwd),
                event: seq,
              }),
            ),
          }
    return {
      ...runLine(run),
      argv: run.argv,
      cwd: run.cwd,
      python: run.pythonVersion,
      exitCode: run.exitCode,
      notice: run.notice,
      exception: failure,
      threads: listThreads(db, key).map((thread) => ({
        name: thread.name,
        events: thread.events,
        firstEvent: thread.firstSeq,
        lastEvent: thread.lastSeq,
      })),
      files: files.slice(0, 50).map((file) => ({
        path: file.displayPath,
        executedLines: file.executedLines,
        lineRuns: file.hits,
      })),
      hotFunctions: hot,
    }
  }

  async search(reference: string, text: string, from: number, limit: number) {
    const { key, run, db, names } = await this.run(reference)
    let query
    try {
      query = parseTraceQuery(text)
    } catch (error) {
      if (error instanceof QueryError) throw new ToolError(error.message)
      throw error
    }
    const matches: TraceEvent[] = []
    const started = Date.now()
    let at: number | null = from
    while (at !== null && matches.length < limit && Date.now() - started < SEARCH_BUDGET_MS) {
      const page = searchEvents(db, key, names, {
        query,
        from: at,
        direction: 'forward',
        limit: limit - matches.length,
        total: run.eventCount,
      })
      matches.push(...page.matches)
      at = page.next
    }
    return { matches, next: at }
  }

  async stateAt(reference: string, seq: number, context: number) {
    const stored = await this.run(reference)
    this.event(stored, seq)
    const { key, run, db, names } = stored
    const moment = momentAt(db, key, names, seq)!
    const fileId = moment.fileId
    const source: Array<{ line: number; text: string; current: boolean }> = []
    if (fileId !== null) {
      const line = moment.event.line
      for (let number = Math.max(1, line - context); number <= line + context; number++) {
        const text = names.sourceLine(fileId, number)
        if (text !== null) source.push({ line: number, text, current: number === line })
      }
    }
    return {
      event: moment.event,
      source,
      variables: moment.variables.map((v) => ({
        name: v.name,
        value: v.value,
        type: v.type,
        changedHere: v.changed,
      })),
      stack: moment.stack.map((entry) => ({
        function: entry.function,
        file: displayPath(entry.file, run.cwd),
        line: entry.line,
        event: entry.seq,
      })),
    }
  }

  async variableHistory(reference: string, seq: number, name: string, limit: number) {
    const stored = await this.run(reference)
    this.event(stored, seq)
    const { key, db, names } = stored
    const here = EventStore.of(db).event(key, seq)!
    const call = FrameStore.of(db).frame(key, here.frame)?.callSeq ?? seq
    const page = variableHistory(db, key, names, here.frame, name, call, limit)
    return {
      function: names.function(here.function)?.qualifiedName ?? '?',
      callEvent: call,
      changes: page.changes.map(({ seq: event, ...change }) => ({ event, ...change })),
      next: page.next,
    }
  }

  async lineExecutions(reference: string, file: string, line: number, from: number, limit: number) {
    const { key, run, db, names } = await this.run(reference)
    const files = listFiles(db, key, run.cwd)
    const wanted = file.toLowerCase()
    const exact = files.filter((f) => f.path === file || f.displayPath === file)
    const found =
      exact.length > 0 ? exact : files.filter((f) => f.path.toLowerCase().includes(wanted))
    if (found.length === 0)
      throw new ToolError(`run ${short(run)} ran no file whose path holds "${file}"`)
    if (found.length > 1)
      throw new ToolError(
        `"${file}" names ${found.length} files: ${found
          .slice(0, 5)
          .map((f) => f.displayPath)
          .join(', ')}`,
      )
    const page = lineExecutions(db, key, names, found[0]!.id, line, {
      from,
      direction: 'forward',
      limit,
    })
    return {
      file: found[0]!.displayPath,
      line,
      timesRun: page.hits,
      executions: page.executions.map((execution) => ({
        event: execution.seq,
        thread: execution.threadName,
        function: execution.function,
        values: execution.values,
      })),
      next: page.next,
    }
  }

  async step(reference: string, seq: number, move: Move, thread: string | undefined) {
    const stored = await this.run(reference)
    this.event(stored, seq)
    const { key, run, db, names } = stored
    let within: number | undefined
    if (thread !== undefined) {
      within = listThreads(db, key).find((t) => t.name === thread)?.id
      if (within === undefined)
        throw new ToolError(`run ${short(run)} has no thread named ${thread}`)
    }
    const target = moveFrom(db, key, seq, move, run.eventCount, { thread: within })
    if (target === null)
      return { event: null, reason: 'nowhere to go: the start or end of the run, or of the call' }
    const moment = momentAt(db, key, names, target)!
    return { event: moment.event }
  }

  async source(reference: string, file: string, from: number, to: number) {
    const { key, run, db } = await this.run(reference)
    const files = listFiles(db, key, run.cwd)
    const found = files.filter((f) => f.path === file || f.displayPath === file)
    const candidates = found.length > 0 ? found : files.filter((f) => f.path.includes(file))
    if (candidates.length !== 1)
      throw new ToolError(
        candidates.length === 0
          ? `run ${short(run)} ran no file whose path holds "${file}"`
          : `"${file}" names ${candidates.length} files: ${candidates
              .slice(0, 5)
              .map((f) => f.displayPath)
              .join(', ')}`,
      )
    const source = readSource(db, key, candidates[0]!.id, run.cwd)!
    if (source.text === null)
      throw new ToolError(`the source of ${candidates[0]!.displayPath} was not recorded`)
    const lines = source.text.split(/\r\n|\r|\n/)
    const last = Math.min(to, lines.length)
    return {
      file: candidates[0]!.displayPath,
      lineCount: lines.length,
      lines: lines.slice(from - 1, last).map((text, index) => ({
        line: from + index,
        text,
        timesRun: source.hits[from + index] ?? 0,
      })),
    }
  }
}

function short(run: Run): string {
  return run.id.slice(0, 8)
}

function round(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6
}

function runLine(run: Run) {
  return {
    id: run.id,
    description: run.description,
    status: run.status,
    startedAt: new Date(run.startedAt * 1000).toISOString(),
    seconds: run.endedAt === null ? null : round(run.endedAt - run.startedAt),
    events: run.eventCount,
    error: run.errorType === null ? null : `${run.errorType}: ${run.errorMessage ?? ''}`,
    ...(run.test === undefined ? {} : { test: run.test }),
  }
}
