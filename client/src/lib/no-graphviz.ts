/** Stands in for d3-graphviz and the Graphviz engine in reports, whose graphs come drawn. */

function unavailable(): never {
  throw new Error('a report cannot lay out call graphs: its graph was drawn when it was written')
}

export const graphviz = unavailable
export const Graphviz = { load: unavailable }
