/**
 * Drawing dot text as SVG on the server, with Graphviz compiled to WebAssembly: no `dot`
 * binary to install, the same layout engine the browser uses.
 */

import type { Graphviz } from '@hpcc-js/wasm-graphviz'

let graphviz: Promise<Graphviz> | undefined

/**
 * The SVG Graphviz's `dot` layout draws for `dot`. The WebAssembly module is loaded on the
 * first call (~150 ms) and kept. Throws Graphviz's message when the text is not valid dot.
 */
export async function renderSvg(dot: string): Promise<string> {
  // Imported here, not at the top: the module is 800 kB, and every other command would parse it.
  graphviz ??= import('@hpcc-js/wasm-graphviz').then((module) => module.Graphviz.load())
  return (await graphviz).layout(dot, 'svg', 'dot')
}
