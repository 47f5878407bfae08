/** cProfile statistics of a run, as pstats presents them. */

/** One profiled function. Times are in seconds. */
export interface ProfileFunction {
  id: number
  /** Path as cProfile recorded it; `~` for built-in functions. */
  file: string
  line: number
  name: string
  /** Calls that were not recursive, and all calls. pstats prints `calls/primitive` when they differ. */
  primitiveCalls: number
  calls: number
  /** Time in the function itself, and including what it called. */
  totalTime: number
  cumulativeTime: number
}

/** An edge of the call graph: `caller` called `callee`. */
export interface ProfileCall {
  caller: number
  callee: number
  primitiveCalls: number
  calls: number
  totalTime: number
  cumulativeTime: number
}

export interface Profile {
  functions: ProfileFunction[]
  calls: ProfileCall[]
  /** Sum of every function's own time. */
  totalTime: number
}
