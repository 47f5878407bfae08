/** The browser tab's title for each page: the run and the view, then the app's own title. */

import type { Run } from '../../../shared/types/run.js'
import type { Route, RunTab } from './router.svelte.js'

const VIEWS: Record<RunTab, string> = {
  tests: 'Tests',
  processes: 'Processes',
  trace: 'Trace',
  calls: 'Calls',
  timeline: 'Timeline',
  files: 'Files',
  threads: 'Threads',
  stats: 'Stats',
  graph: 'Call graph',
}

/** `prog.py · Trace — Smiley`; `base` is the title the page was served with. */
export function pageTitle(route: Route, run: Run | null, base: string): string {
  if (route.page === 'runs') return `Runs — ${base}`
  if (route.page === 'missing') return base
  if (route.page === 'compare') return `Compare ${route.a.slice(0, 8)} and ${route.b.slice(0, 8)} — ${base}`
  const name = run?.description ?? `run ${route.run.slice(0, 8)}`
  const view = route.page === 'source' ? 'Source' : VIEWS[route.tab]
  const event = route.page === 'run' && route.seq !== undefined ? ` · event ${route.seq}` : ''
  return `${name} · ${view}${event} — ${base}`
}
