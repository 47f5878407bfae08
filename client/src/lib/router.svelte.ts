/**
 * Hash routes, so that every page has a link that can be shared and works from file://
 * too (static reports): #/ (runs), #/runs/ID[/trace|files|threads|stats|graph][?seq=N],
 * #/runs/ID/files/FILE[?line=N].
 */

export type RunTab = 'trace' | 'files' | 'threads' | 'stats' | 'graph'

export const RUN_TABS: readonly RunTab[] = ['trace', 'files', 'threads', 'stats', 'graph']

export type Route =
  | { page: 'runs' }
  | { page: 'run'; run: string; tab: RunTab; seq?: number }
  | { page: 'source'; run: string; file: number; line?: number }
  | { page: 'missing'; hash: string }

function number(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value)) return undefined
  return Number(value)
}

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?')
  const params = new URLSearchParams(query)
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent)
  if (parts.length === 0) return { page: 'runs' }
  if (parts[0] !== 'runs' || parts.length < 2) return { page: 'missing', hash }
  const run = parts[1]!
  if (parts.length === 2) return withSeq({ page: 'run', run, tab: 'trace' }, params)
  const tab = parts[2] as RunTab
  if (tab === 'files' && parts.length === 4) {
    const file = number(parts[3]!)
    if (file === undefined) return { page: 'missing', hash }
    const line = number(params.get('line'))
    return line === undefined ? { page: 'source', run, file } : { page: 'source', run, file, line }
  }
  if (parts.length === 3 && RUN_TABS.includes(tab))
    return withSeq({ page: 'run', run, tab }, params)
  return { page: 'missing', hash }
}

function withSeq(route: Extract<Route, { page: 'run' }>, params: URLSearchParams): Route {
  const seq = number(params.get('seq'))
  return seq === undefined ? route : { ...route, seq }
}

/** The link for a route. */
export function href(route: Route): string {
  switch (route.page) {
    case 'runs':
      return '#/'
    case 'run': {
      const base = `#/runs/${encodeURIComponent(route.run)}${route.tab === 'trace' ? '' : `/${route.tab}`}`
      return route.seq === undefined ? base : `${base}?seq=${route.seq}`
    }
    case 'source': {
      const base = `#/runs/${encodeURIComponent(route.run)}/files/${route.file}`
      return route.line === undefined ? base : `${base}?line=${route.line}`
    }
    case 'missing':
      return route.hash
    default: {
      const never: never = route
      return never
    }
  }
}

export class Router {
  route = $state.raw<Route>(parseRoute(location.hash))

  constructor() {
    addEventListener('hashchange', () => {
      this.route = parseRoute(location.hash)
    })
  }

  /** Go to a route; `replace` leaves no history entry (for moves inside one page). */
  go(route: Route, replace = false): void {
    const target = href(route)
    if (replace) history.replaceState(null, '', target)
    else history.pushState(null, '', target)
    this.route = route
  }
}
