/**
 * The MCP tools and resources over a Smiley database: each with a schema and a description
 * a model can act on, answering JSON (answers.ts) of bounded size. Nothing here writes.
 */

import { TEST_OUTCOMES, type TestOutcome } from '../../shared/types/test.js'
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import { RUN_STATUSES } from '../../shared/types/run.js'
import { MOVES } from '../../shared/types/moment.js'
import { databaseFailure } from '../db/database.js'
import { RunNotFound } from '../db/runs.js'
import { version } from '../paths.js'
import { type Answers, ToolError } from './answers.js'
import { StoreError } from '../store/errors.js'

const RUN = z
  .string()
  .describe(
    'The run: its id, a unique prefix of it (as list_runs shows), or "latest" (the newest run that is not a child process\'s).',
  )
const EVENT = z
  .number()
  .int()
  .min(1)
  .describe(
    'An event number (seq): events of a run are numbered 1, 2, 3… in the order they happened.',
  )

/** A tool's answer: its JSON as text, or one line saying what was wrong. */
async function answer(work: () => Promise<object> | object): Promise<CallToolResult> {
  try {
    const result = await work()
    return {
      content: [{ type: 'text', text: JSON.stringify(result) }],
      structuredContent: result as Record<string, unknown>,
    }
  } catch (error) {
    const failure =
      error instanceof ToolError || error instanceof RunNotFound || error instanceof StoreError
        ? error
        : databaseFailure(error)
    if (failure === null) throw error
    return { content: [{ type: 'text', text: failure.message }], isError: true }
  }
}

export function smileyServer(answers: Answers): McpServer {
  const server = new McpServer(
    { name: 'smiley', version },
    {
      instructions: [
        'Smiley recorded Python programs line by line: every line run, the local variables as',
        'they changed, return values, exceptions and threads. Start with list_runs, then',
        'run_summary for how a run ended (the exception, with the event of each traceback',
        'frame). state_at shows the program at any event; step moves from there (back too);',
        'variable_history shows how a variable got its value; search and line_executions find',
        'events. Values are Python reprs as recorded. Nothing you do changes the recording.',
      ].join(' '),
    },
  )

  server.registerTool(
    'list_runs',
    {
      title: 'List recorded runs',
      description:
        'Recorded runs of Python programs, newest first: id, description (the command line), status (completed, error, interrupted, lost, running), start time, duration, event count and the uncaught exception if any. Filter by status, or by text found in the description or the error.',
      inputSchema: {
        status: z
          .enum(RUN_STATUSES as [string, ...string[]])
          .optional()
          .describe('Only runs that ended this way.'),
        outcome: z
          .enum(TEST_OUTCOMES as [TestOutcome, ...TestOutcome[]])
          .optional()
          .describe(
            'Only the runs of tests (recorded by smiley pytest, one run per test) that ended this way; a test run has test: {id, outcome, session}.',
          ),
        text: z
          .string()
          .optional()
          .describe('Only runs whose description or error holds this text (ignoring case).'),
        limit: z.number().int().min(1).max(200).default(20).describe('At most this many runs.'),
      },
    },
    ({ status, outcome, text, limit }) =>
      answer(() =>
        answers.listRuns({
          ...(status === undefined ? {} : { status: status as (typeof RUN_STATUSES)[number] }),
          ...(outcome === undefined ? {} : { outcome }),
          ...(text === undefined ? {} : { text }),
          limit,
        }),
      ),
  )

  server.registerTool(
    'diff_runs',
    {
      title: 'Compare two runs',
      description:
        'Where two runs of the same program first went different ways, as `smiley diff` finds it: threads are paired by name, and events lined up with files matched across machines and Python versions. controlFlow: the last event both shared (lastCommon, an event number in each run) and where each went next (file, line, function, source, call stack); value: the first event before that where a local, a return value or an exception differs (name, the value in each run); summary: events shared, value differences, how many differences were ignored (addresses, ids, timestamps, durations) and the functions called a different number of times. identical is true when nothing differs. Use it for "it passed before and fails now": give the good run as a and the bad one as b, then look at the divergence with state_at in each run.',
      inputSchema: {
        a: RUN.describe('The first run (the good one): an id, a prefix of it, latest or latest~N.'),
        b: RUN.describe('The second run (the bad one), as a.'),
        ignore: z
          .array(z.string())
          .default([])
          .describe('Regular expressions for text in values that is not a difference.'),
        ignoreNames: z
          .array(z.string())
          .default([])
          .describe('Variables whose values are never compared.'),
      },
    },
    ({ a, b, ignore, ignoreNames }) => answer(() => answers.diffRuns(a, b, ignore, ignoreNames)),
  )

  server.registerTool(
    'run_summary',
    {
      title: 'Summarise a run',
      description:
        'How a run went: its command line, folder, Python version, status and exit code; the uncaught exception with its traceback, each frame with the event number where the exception passed through it (give that to state_at); its threads with their first and last events; the files it ran (how many lines of each); and its hottest functions from the profile (seconds in each, with what they called). Start here for a failed run.',
      inputSchema: { run: RUN },
    },
    ({ run }) => answer(() => answers.runSummary(run)),
  )

  server.registerTool(
    'search',
    {
      title: "Search a run's events",
      description:
        'Events of a run that match a query, in order, from event `from` on. The query language: plain words are looked for in values of variables, return values and exception messages (ignoring case; quote a phrase: "not found"); fn:NAME keeps events in functions whose name holds NAME; file:PART in files whose path holds PART; var:NAME events where variable NAME changed; kind:call|line|return|exception one kind of event. Terms combine: `fn:parse kind:exception`, `var:total "-1"`. Each match is an event (seq, kind, thread, file, line, function, source line, the locals that changed, value). `next` is where to continue, null at the end.',
      inputSchema: {
        run: RUN,
        query: z.string().describe('The query, e.g. "kind:exception" or "fn:parse var:total".'),
        from: z.number().int().min(1).default(1).describe('Look from this event number on.'),
        limit: z.number().int().min(1).max(100).default(20).describe('At most this many matches.'),
      },
    },
    ({ run, query, from, limit }) => answer(() => answers.search(run, query, from, limit)),
  )

  server.registerTool(
    'state_at',
    {
      title: 'The program at one event',
      description:
        "The program at one event, as a debugger would show it stopped there: the event (its kind: call, line about to run, return with its value, exception), the source lines around it as they were when the run executed them, the current call's local variables at that moment (changedHere: set by this very event), the call stack innermost first, each caller at the line it was calling from with the event to look at it, and (children) the processes the program started right after this event, each with its pid and the run it was recorded as (null when it was not recorded).",
      inputSchema: {
        run: RUN,
        event: EVENT,
        context: z
          .number()
          .int()
          .min(0)
          .max(50)
          .default(3)
          .describe('Source lines shown before and after.'),
      },
    },
    ({ run, event, context }) => answer(() => answers.stateAt(run, event, context)),
  )

  server.registerTool(
    'variable_history',
    {
      title: "A variable's history in one call",
      description:
        'Every value a local variable took in the function call that an event belongs to, from the call on: the event that set it, the line, the value (null: deleted) and its type. Use it to find where a wrong value came from, then state_at that event.',
      inputSchema: {
        run: RUN,
        event: EVENT.describe('Any event of the call.'),
        name: z.string().describe("The variable's name."),
        limit: z.number().int().min(1).max(500).default(100).describe('At most this many changes.'),
      },
    },
    ({ run, event, name, limit }) => answer(() => answers.variableHistory(run, event, name, limit)),
  )

  server.registerTool(
    'line_executions',
    {
      title: 'Every execution of a line',
      description:
        'Each time a source line ran, in order from event `from` on: the event, thread, function, and the values of the names the line uses at that moment. timesRun is how often it ran in all. The file is its path, or a unique part of it (e.g. "shop.py").',
      inputSchema: {
        run: RUN,
        file: z
          .string()
          .describe('The file: its path as run_summary lists it, or a unique part of it.'),
        line: z.number().int().min(1).describe('The line number.'),
        from: z.number().int().min(1).default(1).describe('Look from this event number on.'),
        limit: z
          .number()
          .int()
          .min(1)
          .max(200)
          .default(50)
          .describe('At most this many executions.'),
      },
    },
    ({ run, file, line, from, limit }) =>
      answer(() => answers.lineExecutions(run, file, line, from, limit)),
  )

  server.registerTool(
    'step',
    {
      title: 'Move from an event',
      description:
        "Where a debugger's step goes from an event, forwards or backwards in time: next / previous (the next or previous event, stepping into calls), over / over-back (the next or previous event of the same call, over the calls it makes), out (the caller's next event after this call returns) / out-back (the caller's line that made this call), call / return (this call's start or its return). With thread, next and previous stay in that thread. Answers the event it lands on, or null.",
      inputSchema: {
        run: RUN,
        event: EVENT,
        move: z.enum(MOVES as [string, ...string[]]).describe('The move.'),
        thread: z.string().optional().describe("A thread's name to stay in."),
      },
    },
    ({ run, event, move, thread }) =>
      answer(() => answers.step(run, event, move as (typeof MOVES)[number], thread)),
  )

  server.registerTool(
    'source',
    {
      title: 'A source file as it ran',
      description:
        'Lines of a source file as it was when the run executed it (not as it is on disk now), each with how many times it ran. At most 500 lines per call.',
      inputSchema: {
        run: RUN,
        file: z
          .string()
          .describe('The file: its path as run_summary lists it, or a unique part of it.'),
        from: z.number().int().min(1).default(1).describe('The first line.'),
        to: z
          .number()
          .int()
          .min(1)
          .optional()
          .describe('The last line (default: 199 lines after from, at most 499).'),
      },
    },
    ({ run, file, from, to }) =>
      answer(() => answers.source(run, file, from, Math.min(to ?? from + 199, from + 499))),
  )

  server.registerResource(
    'run',
    new ResourceTemplate('smiley://runs/{id}', {
      list: async () => ({
        resources: (await answers.listRuns({ limit: 50 })).runs.map((run) => ({
          uri: `smiley://runs/${run.id}`,
          name: `${run.id.slice(0, 8)} ${run.description}`,
          description: `${run.status}, ${run.events} events${run.error ? `: ${run.error}` : ''}`,
          mimeType: 'application/json',
        })),
      }),
    }),
    {
      title: 'A recorded run',
      description: 'A run summary, as run_summary gives it.',
      mimeType: 'application/json',
    },
    async (uri, { id }) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'application/json',
          text: JSON.stringify(await answers.runSummary(String(id))),
        },
      ],
    }),
  )
  return server
}
