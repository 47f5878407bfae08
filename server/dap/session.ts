/**
 * One debugging session over the Debug Adapter Protocol: requests in, responses and events
 * out. A thin layer over Replay (replay.ts), which holds the recording and the cursor; every
 * failure of a request is one error response with a message, never the end of the session.
 */

import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import type { DebugProtocol } from '@vscode/debugprotocol'
import type { Move, StackEntry } from '../../shared/types/moment.js'
import { lineExecutions } from '../db/questions.js'
import { compileRule, type FunctionBreakpoint, type LineBreakpoint } from './breakpoints.js'
import { compile, evaluate } from './expressions.js'
import { LaunchError, launchArguments, openReplay } from './launch.js'
import { ExpressionError, fromRepr, partsOf, toRepr, type PyValue } from './python-values.js'
import type { ExceptionFilter, Outcome, Replay } from './replay.js'

/** A request that cannot be answered: its message goes back in an error response. */
export class RequestError extends Error {}

type Handle = { kind: 'scope'; seq: number; top: boolean } | { kind: 'parts'; value: PyValue }

type Handler = (args: Record<string, unknown>) => Promise<object | undefined> | object | undefined

const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = [
  {
    filter: 'raised',
    label: 'Raised Exceptions',
    description: 'Every exception, where it was raised',
    default: false,
  },
  {
    filter: 'uncaught',
    label: 'Uncaught Exceptions',
    description: 'The exception that ended the program',
    default: true,
  },
]

const GOTO_TARGETS = 20
/** The name that evaluates to the number of the event the program is stopped at. */
const EVENT_NAME = '__event__'

/** A file's text on disk, or null when it cannot be read. */
function onDisk(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

export class DebugSession {
  private outgoing = 1
  private replay: Replay | undefined
  /** Closes the store the recording was opened in. */
  private closeRun: (() => Promise<void>) | undefined
  private stopOnEntry = true
  private nextBreakpoint = 1
  private stacks = new Map<number, { first: number; stack: StackEntry[] }>()
  private frames: StackEntry[] = []
  /** Per file id: whether the file on disk still holds the text the run executed. */
  private readonly unchanged = new Map<number, boolean>()
  private handles = new Map<number, Handle>()
  /** Events to send once the response of the request being handled is out. */
  private after: Array<() => void> = []
  private ended = false
  private readonly handlers: Record<string, Handler>

  constructor(
    private readonly send: (message: object) => void,
    /** Ends the session's connection (after disconnect). */
    private readonly close: () => void,
  ) {
    this.handlers = {
      initialize: () => this.initialize(),
      launch: (args) => this.launch(args),
      attach: () => {
        throw new RequestError('smiley replays recordings: use launch with "run" or "program"')
      },
      setBreakpoints: (args) =>
        this.setBreakpoints(args as unknown as DebugProtocol.SetBreakpointsArguments),
      setFunctionBreakpoints: (args) =>
        this.setFunctionBreakpoints(
          args as unknown as DebugProtocol.SetFunctionBreakpointsArguments,
        ),
      setExceptionBreakpoints: (args) =>
        this.setExceptionBreakpoints(
          args as unknown as DebugProtocol.SetExceptionBreakpointsArguments,
        ),
      configurationDone: () => this.configurationDone(),
      threads: () => ({ threads: this.open().threads() }),
      stackTrace: (args) => this.stackTrace(args as unknown as DebugProtocol.StackTraceArguments),
      scopes: (args) => this.scopes(args as unknown as DebugProtocol.ScopesArguments),
      variables: (args) => this.variables(args as unknown as DebugProtocol.VariablesArguments),
      continue: (args) => this.go('forward', args),
      reverseContinue: (args) => this.go('backward', args),
      next: (args) => this.move('over', args),
      stepBack: (args) => this.move('over-back', args),
      stepIn: (args) => this.move('next', args),
      stepOut: (args) => this.move('out', args),
      pause: () => undefined,
      gotoTargets: (args) =>
        this.gotoTargets(args as unknown as DebugProtocol.GotoTargetsArguments),
      goto: (args) => this.goto(args as unknown as DebugProtocol.GotoArguments),
      evaluate: (args) => this.evaluate(args as unknown as DebugProtocol.EvaluateArguments),
      exceptionInfo: () => this.exceptionInfo(),
      source: (args) => this.source(args as unknown as DebugProtocol.SourceArguments),
      disconnect: () => {
        this.after.push(() => this.end())
        return undefined
      },
      terminate: () => {
        this.after.push(() => this.event('terminated'))
        return undefined
      },
    }
  }

  /** Handles one message from the client. */
  async handle(message: Record<string, unknown>): Promise<void> {
    if (this.ended) return
    const request = message as Partial<DebugProtocol.Request>
    if (
      request.type !== 'request' ||
      typeof request.command !== 'string' ||
      typeof request.seq !== 'number'
    ) {
      this.event('output', {
        category: 'console',
        output: 'smiley dap: a message that is no request was ignored\n',
      })
      return
    }
    const handler = Object.hasOwn(this.handlers, request.command)
      ? this.handlers[request.command]
      : undefined
    const answer = (success: boolean, body?: object, error?: string) =>
      this.send({
        seq: this.outgoing++,
        type: 'response',
        request_seq: request.seq,
        command: request.command,
        success,
        ...(error === undefined
          ? {}
          : { message: error, body: { error: { id: 1, format: error, showUser: true } } }),
        ...(body === undefined ? {} : { body }),
      })
    this.after = []
    try {
      if (handler === undefined) throw new RequestError(`unknown request "${request.command}"`)
      const args = request.arguments ?? {}
      if (typeof args !== 'object' || args === null)
        throw new RequestError('the arguments must be an object')
      answer(true, await handler(args as Record<string, unknown>))
    } catch (error) {
      if (!(
        error instanceof RequestError ||
        error instanceof LaunchError ||
        error instanceof ExpressionError
      )) {
        const detail = error instanceof Error ? error.message : String(error)
        answer(false, undefined, `internal error: ${detail}`)
        return
      }
      answer(false, undefined, error.message)
      return
    }
    for (const event of this.after.splice(0)) event()
  }

  private event(event: string, body?: object): void {
    this.send({
      seq: this.outgoing++,
      type: 'event',
      event,
      ...(body === undefined ? {} : { body }),
    })
  }

  private end(): void {
    if (this.ended) return
    this.ended = true
    void this.closeRun?.()
    this.close()
  }

  private open(): Replay {
    if (this.replay === undefined)
      throw new RequestError('no recording is open yet: send launch first')
    return this.replay
  }

  private initialize(): DebugProtocol.Capabilities {
    return {
      supportsConfigurationDoneRequest: true,
      supportsStepBack: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsFunctionBreakpoints: true,
      supportsGotoTargetsRequest: true,
      supportsEvaluateForHovers: true,
      supportsExceptionInfoRequest: true,
      supportsTerminateRequest: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS,
    }
  }

  private async launch(raw: Record<string, unknown>): Promise<undefined> {
    if (this.replay !== undefined) throw new RequestError('a recording is open already')
    const args = launchArguments(raw)
    this.stopOnEntry = args.stopOnEntry ?? true
    const { replay, close } = await openReplay(args, (category, output) =>
      this.event('output', { category, output }),
    )
    this.replay = replay
    this.closeRun = close
    replay.seq = replay.first()
    const { run } = replay
    this.after.push(() => {
      this.event('output', {
        category: 'console',
        output: `smiley: replaying run ${run.id.slice(0, 8)} (${run.description}), ${run.eventCount} events, ${run.status}\n`,
      })
      this.event('initialized')
    })
    return undefined
  }

  private setBreakpoints(args: DebugProtocol.SetBreakpointsArguments) {
    const replay = this.open()
    const path = args.source?.path
    if (typeof path !== 'string') throw new RequestError('setBreakpoints: the source needs a path')
    const file = replay.fileId(path)
    const wanted: DebugProtocol.SourceBreakpoint[] =
      args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }))
    const placed: LineBreakpoint[] = wanted.map((bp) => ({
      ...compileRule(this.nextBreakpoint++, bp),
      line: bp.line,
      path,
      file,
    }))
    // The breakpoints of a source replace all those it had before.
    replay.lineBreakpoints = [...replay.lineBreakpoints.filter((bp) => bp.path !== path), ...placed]
    return {
      breakpoints: placed.map((bp): DebugProtocol.Breakpoint => {
        const problem =
          bp.problem ??
          (file === undefined
            ? `run ${replay.run.id.slice(0, 8)} did not run this file`
            : replay.lineHits(file, bp.line) === 0
              ? `line ${bp.line} never ran in run ${replay.run.id.slice(0, 8)}`
              : undefined)
        return {
          id: bp.id,
          verified: problem === undefined,
          line: bp.line,
          source: { path, name: basename(path) },
          ...(problem === undefined ? {} : { message: problem }),
        }
      }),
    }
  }

  private setFunctionBreakpoints(args: DebugProtocol.SetFunctionBreakpointsArguments) {
    const replay = this.open()
    const placed: FunctionBreakpoint[] = (args.breakpoints ?? []).map((bp) => ({
      ...compileRule(this.nextBreakpoint++, bp),
      name: bp.name,
    }))
    replay.functionBreakpoints = placed
    return {
      breakpoints: placed.map((bp): DebugProtocol.Breakpoint => {
        const problem =
          bp.problem ??
          (replay.names.functionIds((fn) => fn.name === bp.name || fn.qualifiedName === bp.name)
            .length === 0
            ? `run ${replay.run.id.slice(0, 8)} never called ${bp.name}`
            : undefined)
        return {
          id: bp.id,
          verified: problem === undefined,
          ...(problem === undefined ? {} : { message: problem }),
        }
      }),
    }
  }

  private setExceptionBreakpoints(args: DebugProtocol.SetExceptionBreakpointsArguments) {
    const replay = this.open()
    const filters = [
      ...(args.filters ?? []),
      ...(args.filterOptions ?? []).map((option) => option.filterId),
    ]
    const unknown = filters.find(
      (filter) => !EXCEPTION_FILTERS.some((known) => known.filter === filter),
    )
    if (unknown !== undefined)
      throw new RequestError(`unknown exception filter "${unknown}" (use raised or uncaught)`)
    replay.exceptionFilters = new Set(filters as ExceptionFilter[])
    return { breakpoints: filters.map(() => ({ verified: true })) }
  }

  private configurationDone(): undefined {
    const replay = this.open()
    this.after.push(() =>
      this.report(
        this.stopOnEntry
          ? { kind: 'stop', stop: { seq: replay.seq, reason: 'entry', breakpoints: [] } }
          : this.continueFrom(replay, 'forward', undefined),
      ),
    )
    return undefined
  }

  /** Tells the client where a move ended: stopped at an event, or the end of the run. */
  private report(outcome: Outcome): void {
    this.stacks.clear()
    this.frames = []
    this.handles.clear()
    if (outcome.kind === 'end') {
      const code = this.replay?.run.exitCode ?? 0
      this.event('output', { category: 'console', output: 'smiley: the end of the recording\n' })
      this.event('exited', { exitCode: code })
      this.event('terminated')
      return
    }
    const { stop } = outcome
    this.event('stopped', {
      reason: stop.reason,
      threadId: this.open().threadOf(stop.seq),
      allThreadsStopped: true,
      ...(stop.breakpoints.length > 0 ? { hitBreakpointIds: stop.breakpoints } : {}),
      ...(stop.description === undefined
        ? {}
        : { description: stop.description, text: stop.description }),
    })
  }

  private continueFrom(
    replay: Replay,
    direction: 'forward' | 'backward',
    thread: number | undefined,
  ): Outcome {
    return replay.go(direction, thread, {
      log: (text, seq) =>
        this.event('output', { category: 'console', output: `${text}\n`, data: { seq } }),
      problem: (text) => this.event('output', { category: 'stderr', output: `${text}\n` }),
    })
  }

  private threadArgument(args: Record<string, unknown>): number | undefined {
    const thread = args['threadId']
    if (thread === undefined) return undefined
    if (
      typeof thread !== 'number' ||
      !this.open()
        .threads()
        .some((t) => t.id === thread)
    )
      throw new RequestError(`no thread ${String(thread)} in this run`)
    return thread
  }

  private go(direction: 'forward' | 'backward', args: Record<string, unknown>) {
    const replay = this.open()
    const thread = this.threadArgument(args)
    this.after.push(() => this.report(this.continueFrom(replay, direction, thread)))
    return { allThreadsContinued: true }
  }

  private move(move: Move, args: Record<string, unknown>): undefined {
    const replay = this.open()
    const thread = this.threadArgument(args)
    this.after.push(() => this.report(replay.step(move, thread)))
    return undefined
  }

  /**
   * The stack of `thread` at this moment: the current event's, or for another thread its
   * stack at its last event before now (empty when it had not started). Frames of every
   * thread share one numbering, reset at each stop.
   */
  private stackOf(thread: number): { first: number; stack: StackEntry[] } {
    let known = this.stacks.get(thread)
    if (known === undefined) {
      const replay = this.open()
      const seq = thread === replay.threadOf(replay.seq) ? replay.seq : replay.lastIn(thread)
      const stack = seq === undefined ? [] : (replay.moment(seq)?.stack ?? [])
      known = { first: this.frames.length + 1, stack }
      this.frames.push(...stack)
      this.stacks.set(thread, known)
    }
    return known
  }

  private frame(id: number | undefined): StackEntry {
    if (id === undefined) this.stackOf(this.open().threadOf(this.open().seq))
    const entry = this.frames[(id ?? 1) - 1]
    if (entry === undefined) throw new RequestError(`no frame ${String(id)} at this moment`)
    return entry
  }

  private stackTrace(args: DebugProtocol.StackTraceArguments) {
    const replay = this.open()
    const thread = this.threadArgument(args as unknown as Record<string, unknown>)
    const { first, stack } = this.stackOf(thread ?? replay.threadOf(replay.seq))
    const start = args.startFrame ?? 0
    const end = args.levels ? start + args.levels : stack.length
    return {
      stackFrames: stack.slice(start, end).map((entry, index): DebugProtocol.StackFrame => ({
        id: first + start + index,
        name: entry.function,
        line: entry.line,
        column: 1,
        ...(entry.file === '?' ? {} : { source: this.sourceOf(entry) }),
      })),
      totalFrames: stack.length,
    }
  }

  /**
   * Where the editor finds a frame's source: the file on disk while it still holds the text
   * the run executed; else (changed or deleted since) the recorded text, by reference.
   */
  private sourceOf(entry: StackEntry): DebugProtocol.Source {
    const source = { name: basename(entry.file), path: entry.file }
    const file = entry.fileId
    if (file === null) return source
    let same = this.unchanged.get(file)
    if (same === undefined) {
      const recorded = this.open().recordedText(file)
      same = recorded === null || onDisk(entry.file) === recorded
      this.unchanged.set(file, same)
    }
    return same
      ? source
      : { ...source, sourceReference: file, origin: 'as recorded (the file has changed since)' }
  }

  private source(args: DebugProtocol.SourceArguments) {
    const replay = this.open()
    const file =
      args.sourceReference || (args.source?.path ? replay.fileId(args.source.path) : undefined)
    const text = file === undefined ? null : replay.recordedText(file)
    if (text === null) throw new RequestError('this run did not record that source')
    return { content: text, mimeType: 'text/x-python' }
  }

  private handle_(handle: Handle): number {
    const id = this.handles.size + 1
    this.handles.set(id, handle)
    return id
  }

  private scopes(args: DebugProtocol.ScopesArguments) {
    const entry = this.frame(args.frameId)
    const reference = this.handle_({
      kind: 'scope',
      seq: entry.seq,
      top: entry.seq === this.open().seq,
    })
    return {
      scopes: [
        {
          name: 'Locals',
          presentationHint: 'locals',
          variablesReference: reference,
          expensive: false,
        },
      ],
    }
  }

  private variable(name: string, text: string, type: string | null): DebugProtocol.Variable {
    const value = fromRepr(text)
    const parts = partsOf(value)
    return {
      name,
      value: text,
      ...(type === null ? {} : { type }),
      variablesReference:
        parts !== undefined && parts.length > 0 ? this.handle_({ kind: 'parts', value }) : 0,
    }
  }

  private variables(args: DebugProtocol.VariablesArguments) {
    const handle = this.handles.get(args.variablesReference)
    if (handle === undefined)
      throw new RequestError(`no variables ${args.variablesReference} at this moment`)
    if (handle.kind === 'parts') {
      return {
        variables: (partsOf(handle.value) ?? []).map(([name, part]) =>
          this.variable(name, toRepr(part), null),
        ),
      }
    }
    const moment = this.open().moment(handle.seq)
    if (moment === undefined) return { variables: [] }
    const variables = moment.variables
      .filter((v) => v.value !== null)
      .map((v) => this.variable(v.name, v.value!, v.type))
    const { event } = moment
    if (handle.top && event.kind === 'return' && event.valueType !== null)
      variables.unshift(
        this.variable(event.yielded ? '(yielded)' : '(return)', event.value ?? '', event.valueType),
      )
    if (handle.top && event.kind === 'exception')
      variables.unshift(
        this.variable(
          '(exception)',
          `${event.valueType ?? 'Exception'}: ${event.value ?? ''}`,
          event.valueType,
        ),
      )
    return { variables }
  }

  private gotoTargets(args: DebugProtocol.GotoTargetsArguments) {
    const replay = this.open()
    const path = args.source?.path
    if (typeof path !== 'string') throw new RequestError('gotoTargets: the source needs a path')
    const file = replay.fileId(path)
    if (file === undefined) return { targets: [] }
    const page = (direction: 'forward' | 'backward', from: number) =>
      lineExecutions(replay.db, replay.key, replay.names, file, args.line, {
        from,
        direction,
        limit: GOTO_TARGETS,
      }).executions
    // The executions after the cursor first: the one "run to here" means.
    const executions = [
      ...page('forward', replay.seq + 1),
      ...page('backward', replay.seq - 1).reverse(),
    ]
    return {
      targets: executions.map((execution): DebugProtocol.GotoTarget => {
        const values = Object.entries(execution.values).map(([name, value]) => `${name}=${value}`)
        return {
          id: execution.seq,
          label: `event ${execution.seq} (${execution.threadName}${values.length ? `, ${values.join(', ')}` : ''})`,
          line: args.line,
        }
      }),
    }
  }

  private goto(args: DebugProtocol.GotoArguments): undefined {
    const replay = this.open()
    if (!replay.goto(args.targetId))
      throw new RequestError(
        `no event ${String(args.targetId)} in this run (it has ${replay.total})`,
      )
    this.after.push(() =>
      this.report({ kind: 'stop', stop: { seq: replay.seq, reason: 'goto', breakpoints: [] } }),
    )
    return undefined
  }

  private evaluate(args: DebugProtocol.EvaluateArguments) {
    const replay = this.open()
    if (typeof args.expression !== 'string') throw new RequestError('evaluate: no expression')
    const seq = args.frameId === undefined ? replay.seq : this.frame(args.frameId).seq
    const lookup = replay.lookupAt(seq)
    const expression = args.expression.trim()
    if (expression === EVENT_NAME) return { result: String(seq), variablesReference: 0 }
    const recorded = /^[A-Za-z_]\w*$/.test(expression) ? lookup(expression) : undefined
    if (recorded !== undefined) {
      const variable = this.variable(expression, recorded, null)
      return { result: recorded, variablesReference: variable.variablesReference }
    }
    const value = evaluate(compile(expression), lookup)
    const result = toRepr(value)
    const parts = partsOf(value)
    return {
      result,
      variablesReference:
        parts !== undefined && parts.length > 0 ? this.handle_({ kind: 'parts', value }) : 0,
    }
  }

  private exceptionInfo() {
    const moment = this.open().moment()
    if (moment?.event.kind !== 'exception')
      throw new RequestError('there is no exception at this event')
    const { event } = moment
    return {
      exceptionId: event.valueType ?? 'Exception',
      description: event.value ?? '',
      breakMode: 'always',
    }
  }
}
