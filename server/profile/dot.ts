/**
 * Writing a call graph as Graphviz dot text in gprof2dot's exact layout: a tab before each
 * statement, attributes in alphabetical order, each node followed by its outgoing edges.
 */

import { TEMPERATURE } from './colors.js'
import { fixed2, isAlnum } from './python-text.js'
import type { CallGraph, CallGraphEdge } from './types.js'

type Value = string | number

/** The dot text of `graph`, as gprof2dot writes it. */
export function toDot(graph: CallGraph): string {
  const theme = TEMPERATURE
  const out: string[] = ['digraph {\n']
  out.push(statement('graph', { fontname: theme.fontName, ranksep: 0.25, nodesep: 0.125 }))
  out.push(
    statement('node', {
      fontname: theme.fontName,
      shape: 'box',
      style: theme.nodeStyle,
      fontcolor: theme.fontColor,
      width: 0,
      height: 0,
    }),
  )
  out.push(statement('edge', { fontname: theme.fontName }))

  const edges = graph.edges
  let next = 0
  for (const node of graph.nodes) {
    // Attributes in alphabetical order, as gprof2dot sorts them.
    out.push(
      `\t${node.id} [color=${id(node.color)}, fontcolor=${id(node.fontColor)}, ` +
        `fontsize=${id(fixed2(node.fontSize))}, label=${id(node.label.join('\n'))}, ` +
        `tooltip=${id(node.file)}];\n`,
    )
    // Edges come grouped by caller in node order, so each node's are the next ones.
    while (next < edges.length && edges[next]!.caller === node.id) {
      out.push(edgeStatement(edges[next]!))
      next += 1
    }
  }
  out.push('}\n')
  return out.join('')
}

function edgeStatement(edge: CallGraphEdge): string {
  const color = id(edge.color)
  const width = id(fixed2(edge.penWidth))
  return (
    `\t${edge.caller} -> ${edge.callee} [arrowsize=${id(fixed2(edge.arrowSize))}, ` +
    `color=${color}, fontcolor=${color}, fontsize=${id(fixed2(edge.fontSize))}, ` +
    `label=${id(edge.label.join('\n'))}, labeldistance=${width}, penwidth=${width}];\n`
  )
}

/** `\tSUBJECT [a=1, b="x y"];\n`, attributes sorted by name as gprof2dot sorts them. */
function statement(subject: string, attributes: Record<string, Value>): string {
  const list = Object.keys(attributes)
    .sort()
    .map((name) => `${name}=${id(attributes[name]!)}`)
    .join(', ')
  return `\t${subject} [${list}];\n`
}

/**
 * A dot ID as gprof2dot writes one: numbers as Python prints them, a word of letters and
 * digits bare (unless it looks like hex), anything else quoted with `\`, newline, tab and `"`
 * escaped.
 */
export function id(value: Value): string {
  if (typeof value === 'number') return String(value)
  if (isAlnum(value) && !value.startsWith('0x')) return value
  return SPECIAL.test(value) ? `"${value.replace(SPECIALS, (c) => ESCAPES[c]!)}"` : `"${value}"`
}

const SPECIAL = /[\\\n\t"]/
const SPECIALS = /[\\\n\t"]/g

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\t': '\\t', '"': '\\"' }
