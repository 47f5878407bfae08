/** The call graph of a run's profile, as gprof2dot draws it: what `callGraph` returns. */

/** A function drawn as a node. */
export interface CallGraphNode {
  /** The function's `ProfileFunction.id`; also its node name in the dot text. */
  id: number
  /** `module:line:function`, as gprof2dot names a pstats entry (`cart:12:total`). */
  name: string
  /** The file, as cProfile recorded it (`~` for built-ins); the node's tooltip. */
  file: string
  /** All calls of the function (pstats' `ncalls`, recursive ones included). */
  calls: number
  /** Share of the total time spent in the function and what it called, 0 to 1. */
  totalRatio: number
  /** Share of the summed own time spent in the function itself, 0 to 1. */
  selfRatio: number
  /** What the colours and sizes come from: `totalRatio`. */
  weight: number
  /** The lines gprof2dot writes: name, total %, (self %), calls×. */
  label: string[]
  /** Fill colour, `#rrggbb`. */
  color: string
  /** Label colour, `#rrggbb`. */
  fontColor: string
  fontSize: number
}

/** A call from one drawn function to another (or to itself, for direct recursion). */
export interface CallGraphEdge {
  /** `ProfileFunction.id` of the caller and of the callee. */
  caller: number
  callee: number
  /**
   * Calls counted as gprof2dot counts them from pstats: the second item of cProfile's callers
   * tuple, `ProfileCall.primitiveCalls`.
   */
  calls: number
  /** Share of the total time spent in the callee (and below) when called from here, 0 to 1. */
  totalRatio: number
  /** What the colours and sizes come from: `totalRatio`. */
  weight: number
  /** The lines gprof2dot writes: total %, calls×. */
  label: string[]
  /** Line, arrow and label colour, `#rrggbb`. */
  color: string
  fontSize: number
  penWidth: number
  arrowSize: number
}

export interface CallGraph {
  /** The functions kept, in the order gprof2dot writes them. */
  nodes: CallGraphNode[]
  /** The calls kept, grouped by caller in node order, each group in its callees' order. */
  edges: CallGraphEdge[]
  /** The time `totalRatio` is a share of: the longest cumulative time, or the summed own time. */
  totalTime: number
  /** The time `selfRatio` is a share of: every function's own time, summed. */
  selfTime: number
  /** How many functions and calls the profile had before pruning. */
  functionCount: number
  callCount: number
  /** The thresholds applied, in percent. */
  nodeThreshold: number
  edgeThreshold: number
}

/** Percent of the total time below which functions and calls are left out. */
export interface CallGraphOptions {
  /** Functions under this share of the total time are dropped, with their calls (default 0.5). */
  nodeThreshold?: number
  /** Calls under this share are dropped (default 0.1). */
  edgeThreshold?: number
}
