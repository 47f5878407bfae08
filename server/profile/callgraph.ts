/**
 * A run's call graph, drawn the way gprof2dot draws a pstats file with its defaults
 * (`gprof2dot -f pstats`: colour theme, nodes under 0.5 % and edges under 0.1 % of the total
 * time left out). `callGraph` gives the graph as data, `toDot` its Graphviz text:
 *
 *     const graph = callGraph(profile)                     // or { nodeThreshold: 1 }
 *     const dot = toDot(graph)                             // what gprof2dot prints
 *     graph.nodes[0].id                                    // a ProfileFunction.id
 *
 * Nodes are named by `ProfileFunction.id` in the dot text too, so a node clicked in the
 * browser leads back to its row of the profile. Otherwise the text is gprof2dot's, byte for
 * byte, for the `.pstats` file `smiley stats export` writes of the same profile.
 */

import type { Profile } from '../../shared/types/profile.js'
import {
  arrowSize,
  backgroundColor,
  fontSize,
  hex,
  penWidth,
  TEMPERATURE,
  weightColor,
} from './colors.js'
import { pruneProfile } from './graph.js'
import { percentage, pstatsName, times, truncateName } from './python-text.js'
import type { CallGraph, CallGraphEdge, CallGraphNode, CallGraphOptions } from './types.js'

export { toDot } from './dot.js'
export type { CallGraph, CallGraphEdge, CallGraphNode, CallGraphOptions } from './types.js'

/** gprof2dot's defaults, in percent of the total time. */
export const DEFAULT_NODE_THRESHOLD = 0.5
export const DEFAULT_EDGE_THRESHOLD = 0.1

/**
 * The call graph of `profile`: the functions taking at least `nodeThreshold` percent of the
 * total time, the calls between them taking at least `edgeThreshold` percent, with gprof2dot's
 * labels, colours and sizes. Pure and quick: with `toDot`, a profile of 5,000 functions takes
 * about 10 ms with the default thresholds and about 100 ms with none
 * (`npx tsx scripts/bench/callgraph.ts`).
 * Throws a RangeError when a threshold is not a number from 0 to 100.
 */
export function callGraph(profile: Profile, options: CallGraphOptions = {}): CallGraph {
  const nodeThreshold = checkThreshold(
    'nodeThreshold',
    options.nodeThreshold,
    DEFAULT_NODE_THRESHOLD,
  )
  const edgeThreshold = checkThreshold(
    'edgeThreshold',
    options.edgeThreshold,
    DEFAULT_EDGE_THRESHOLD,
  )
  // Divided as gprof2dot divides its options, so a share on the threshold falls the same way.
  const pruned = pruneProfile(profile, nodeThreshold / 100, edgeThreshold / 100)
  const theme = TEMPERATURE
  const labelColor = hex(backgroundColor(theme))

  const nodes = pruned.functions.map(({ function: f, totalRatio, selfRatio }): CallGraphNode => {
    const weight = totalRatio
    const name = pstatsName(f.file, f.line, f.name)
    return {
      id: f.id,
      name,
      file: f.file,
      calls: f.calls,
      totalRatio,
      selfRatio,
      weight,
      label: [
        truncateName(name),
        percentage(totalRatio),
        `(${percentage(selfRatio)})`,
        times(f.calls),
      ],
      color: hex(weightColor(theme, weight)),
      fontColor: labelColor,
      fontSize: fontSize(theme, weight),
    }
  })

  const edges = pruned.calls.map(({ call, totalRatio }): CallGraphEdge => {
    const weight = totalRatio
    return {
      caller: call.caller,
      callee: call.callee,
      calls: call.primitiveCalls,
      totalRatio,
      weight,
      label: [percentage(totalRatio), times(call.primitiveCalls)],
      color: hex(weightColor(theme, weight)),
      fontSize: fontSize(theme, weight),
      penWidth: penWidth(theme, weight),
      arrowSize: arrowSize(theme, weight),
    }
  })

  return {
    nodes,
    edges,
    totalTime: pruned.totalTime,
    selfTime: pruned.selfTime,
    functionCount: profile.functions.length,
    callCount: pruned.callCount,
    nodeThreshold,
    edgeThreshold,
  }
}

function checkThreshold(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value < 0 || value > 100)
    throw new RangeError(`${name} must be a percentage from 0 to 100, not ${value}`)
  return value
}
