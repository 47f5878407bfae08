/**
 * Where the client's data comes from. The dashboard reads the live server's API; a static
 * report (smiley report) will provide the same interface from files, so the views do not
 * care which one they show.
 */

import type { ChildStart } from '../../../shared/types/child-start.js'
import type { DiffReport } from '../../../shared/types/diff.js'
import type { TraceEvent } from '../../../shared/types/event.js'
import type {
  CallGroup,
  CallNode,
  HistoryPage,
  LinePage,
  Moment,
  Move,
  SearchPage,
  TracebackEvents,
} from '../../../shared/types/moment.js'
import type { RunFile, RunSource } from '../../../shared/types/file.js'
import type { ProfileScope } from '../../../shared/profile-scope.js'
import type { Profile } from '../../../shared/types/profile.js'
import type { Run } from '../../../shared/types/run.js'
import type { SessionTest } from '../../../shared/types/test.js'
import type { TaskSummary } from '../../../shared/types/task.js'
import type { ThreadSummary } from '../../../shared/types/thread.js'
import type { TimelineWindow } from '../../../shared/types/timeline.js'

export interface EventPage {
  events: TraceEvent[]
  /** Events in the run so far. */
  total: number
  status: Run['status']
}

/** A window of the Timeline: microseconds since the run started (the whole run when absent). */
export interface TimelineRequest {
  from?: number
  to?: number
  /** Pixels across. */
  width: number
  /** The explorer's event, placed on the timeline. */
  seq?: number
}

export interface PageRequest {
  from: number
  limit: number
  direction: 'forward' | 'backward'
  thread?: number
  /** Only this asyncio task's events. */
  task?: number
}

/** gprof2dot's pruning: nodes and edges under these percentages of the total time are left out. */
export interface Thresholds {
  node: number
  edge: number
}

/** The time-travel explorer's questions, answered by the server from its indexes. */
export interface Explorer {
  moment(id: string, seq: number): Promise<Moment>
  /**
   * Where a move from `seq` lands (staying in `thread` and `task` when given); null when there
   * is nowhere to go.
   */
  move(id: string, seq: number, move: Move, thread?: number, task?: number): Promise<number | null>
  /** Executions of a line from event `from` on, or back from it; a page in program order. */
  lineExecutions(
    id: string,
    file: number,
    line: number,
    from: number,
    direction: 'forward' | 'backward',
  ): Promise<LinePage>
  history(id: string, frame: number, name: string, from: number): Promise<HistoryPage>
  /** `text` in the search language (shared/trace-query.ts). */
  search(
    id: string,
    text: string,
    from: number,
    direction: 'forward' | 'backward',
    limit: number,
  ): Promise<SearchPage>
  callGroups(id: string, parent: number): Promise<CallGroup[]>
  calls(
    id: string,
    parent: number,
    fn: number,
    from: number,
    direction: 'forward' | 'backward',
  ): Promise<CallNode[]>
  /** A failed run's traceback frames with their exception events. */
  traceback(id: string): Promise<TracebackEvents>
  /** Frames from the outermost call down to `frame`. */
  framePath(id: string, frame: number): Promise<Array<{ frame: number; function: number }>>
}

export interface DataSource {
  runs(): Promise<Run[]>
  run(id: string): Promise<Run>
  events(id: string, page: PageRequest): Promise<EventPage>
  files(id: string): Promise<RunFile[]>
  threads(id: string): Promise<ThreadSummary[]>
  /** The run's asyncio tasks; absent in a static report. */
  tasks?(id: string): Promise<TaskSummary[]>
  /** The processes the run started, each at its place in the trace; absent in a static report. */
  childStarts?(id: string): Promise<ChildStart[]>
  /** A test session's tests, in the order they started; absent in a static report. */
  tests?(id: string): Promise<SessionTest[]>
  /** The run's cProfile statistics; null when it was recorded without. */
  profile(id: string): Promise<Profile | null>
  /** The call graph as Graphviz dot text (gprof2dot's); null when the run has no profile. */
  /** `scope` 'program': the program's functions alone (shared/profile-scope.ts). */
  callGraph(id: string, thresholds: Thresholds, scope?: ProfileScope): Promise<string | null>
  /** A call graph drawn beforehand (a static report): shown as it is, thresholds fixed. */
  callGraphSvg?(): string | null
  source(id: string, file: number): Promise<RunSource>
  /** Absent where there is no server to ask (a static report). */
  explorer?: Explorer
  /** Two runs compared, every divergent stretch listed; absent in a static report. */
  compare?(a: string, b: string): Promise<DiffReport>
  /** The calls over time, a window at a time; absent in a static report. */
  timeline?(id: string, request: TimelineRequest): Promise<TimelineWindow>
  /** Absent where runs cannot be deleted (a static report). */
  deleteRun?(id: string): Promise<void>
}

/** An API error, with the server's message. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}
