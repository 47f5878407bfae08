/**
 * Hash routes, so that every page has a link that can be shared and works from file://
 * too (static reports): #/ (runs), #/runs/ID[/trace|calls|timeline|files|threads|stats|graph|processes][?seq=N],
 * #/runs/ID/calls?frame=N (a call shown in the call tree), #/runs/ID/files/FILE[?line=N],
 * #/compare/A/B[?seq=N[&b=M]] (two runs side by side, at event N of A and M of B).
 * The event a trace shows (seq) is part of the address: a copied link opens the same moment.
 */

export type RunTab =
  'tests' | 'processes' | 'trace' | 'calls' | 'timeline' | 'files' | 'threads' | 'stats' | 'graph'

export const RUN_TABS: readonly RunTab[] = [
  'tests',
  'processes',
  'trace',
  'calls',
  'timeline',
  'files',
  'threads',
  'stats',
  'graph',
]

export type Route =
  | { page: 'runs' }
  | { page: 'run'; run: string; tab: RunTab; seq?: number; frame?: number }
  | { page: 'source'; run: string; file: number; line?: number }
  | { page: 'compare'; a: string; b: string; seq?: number; seqB?: number }
  | { page: 'missing'; hash: string }

function number(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value)) return undefined
  return Number(value)
}

/** How an address may name a run: its id, a prefix of it, or `latest`. */
const RUN_REFERENCE = /^(?:latest|[0-9a-f-]+)$/i

/** How the compare page may name a run: as a run page may, or `latest~N`. */
const COMPARED = /^(?:latest(?:~\d+)?|[0-9a-f-]+)$/i

/** The decoded parts of a path; null when its percent-encoding is malformed. */
function pathParts(path: string): string[] | null {
  try {
    return path.split('/').filter(Boolean).map(decodeURIComponent)
  } catch {
    return null
  }
}

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?')
  const params = new URLSearchParams(query)
  const parts = pathParts(path)
  if (parts === null) return { page: 'missing', hash }
  if (parts.length === 0) return { page: 'runs' }
  if (parts[0] === 'compare') return compareRoute(parts, params, hash)
  // Only a run id goes on into API paths: `..`, `/` or `\` there could reach other routes.
  if (parts[0] !== 'runs' || parts.length < 2 || !RUN_REFERENCE.test(parts[1]!))
    return { page: 'missing', hash }
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

function compareRoute(parts: string[], params: URLSearchParams, hash: string): Route {
  const [, a, b] = parts
  if (parts.length !== 3 || !COMPARED.test(a!) || !COMPARED.test(b!))
    return { page: 'missing', hash }
  const seq = number(params.get('seq'))
  const seqB = number(params.get('b'))
  return {
    page: 'compare',
    a: a!,
    b: b!,
    ...(seq === undefined ? {} : { seq }),
    ...(seq === undefined || seqB === undefined ? {} : { seqB }),
  }
}

function withSeq(route: Extract<Route, { page: 'run' }>, params: URLSearchParams): Route {
  const seq = number(params.get('seq'))
  const frame = number(params.get('frame'))
  return {
    ...route,
    ...(seq === undefined ? {} : { seq }),
    ...(frame === undefined ? {} : { frame }),
  }
}

/** The link for a route. */
export function href(route: Route): string {
  switch (route.page) {
    case 'runs':
      return '#/'
    case 'run': {
      const base = `#/runs/${encodeURIComponent(route.run)}${route.tab === 'trace' ? '' : `/${route.tab}`}`
      const query = new URLSearchParams()
      if (route.seq !== undefined) query.set('seq', String(route.seq))
      if (route.frame !== undefined) query.set('frame', String(route.frame))
      const text = query.toString()
      return text === '' ? base : `${base}?${text}`
    }
    case 'source': {
      const base = `#/runs/${encodeURIComponent(route.run)}/files/${route.file}`
      return route.line === undefined ? base : `${base}?line=${route.line}`
    }
    case 'compare': {
      const base = `#/compare/${encodeURIComponent(route.a)}/${encodeURIComponent(route.b)}`
      if (route.seq === undefined) return base
      return `${base}?seq=${route.seq}${route.seqB === undefined ? '' : `&b=${route.seqB}`}`
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
    // Back and forward between pushed entries fire popstate; a typed address, hashchange.
    const follow = () => {
      if (href(this.route) !== location.hash) this.route = parseRoute(location.hash)
    }
    addEventListener('hashchange', follow)
    addEventListener('popstate', follow)
  }

  /** Go to a route; `replace` leaves no history entry (for moves inside one page). */
  go(route: Route, replace = false): void {
    const target = href(route)
    if (replace) history.replaceState(null, '', target)
    else history.pushState(null, '', target)
    this.route = route
  }
}
