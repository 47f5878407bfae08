/** The part of d3-graphviz (which ships no types) that the call graph view uses. */
declare module 'd3-graphviz' {
  export interface GraphvizOptions {
    useWorker?: boolean
    fit?: boolean
    zoom?: boolean
    zoomScaleExtent?: [number, number]
    width?: number | null
    height?: number | null
  }

  export interface Graphviz {
    renderDot(dot: string, callback?: () => void): Graphviz
    resetZoom(): Graphviz
    zoomBehavior(): { scaleTo(selection: unknown, k: number): void } | null
    zoomSelection(): {
      call(fn: (selection: unknown, ...args: unknown[]) => void, ...args: unknown[]): void
    } | null
    onerror(callback: (error: string) => void): Graphviz
    on(event: 'end' | 'zoom', callback: () => void): Graphviz
    destroy(): void
  }

  export function graphviz(element: Element, options?: GraphvizOptions): Graphviz
}

declare module '@hpcc-js/wasm/graphviz' {
  export class Graphviz {
    static load(): Promise<Graphviz>
    dot(source: string): string
  }
}
