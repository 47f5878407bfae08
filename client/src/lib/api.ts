/** The live server's REST API, typed from the Hono routes themselves. */

import { hc } from 'hono/client'
import type { ApiType } from '../../../server/web/app.js'
import {
  ApiError,
  type DataSource,
  type EventPage,
  type Explorer,
  type PageRequest,
} from './source.js'

const api = hc<ApiType>(new URL('api', document.baseURI).href)

async function read<T>(response: Promise<Response & { json(): Promise<T> }>): Promise<T> {
  const res = await response
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: string }
    throw new ApiError(body.error ?? `${res.status} ${res.statusText}`, res.status)
  }
  return res.json()
}

const run = api.runs[':id']
/** Rows per page of the explorer's lists. */
const PAGE = '100'

const explorer: Explorer = {
  moment: (id, seq) => read(run.moment.$get({ param: { id }, query: { seq: String(seq) } })),
  move: async (id, seq, move, thread, task) => {
    const query = {
      seq: String(seq),
      move,
      thread: thread === undefined ? undefined : String(thread),
      task: task === undefined ? undefined : String(task),
    }
    return (await read(run.move.$get({ param: { id }, query }))).seq
  },

  lineExecutions: (id, file, line, from, direction) =>
    read(
      run.lines.$get({
        param: { id },
        query: {
          file: String(file),
          line: String(line),
          from: String(from),
          direction,
          limit: PAGE,
        },
      }),
    ),
  history: (id, frame, name, from) =>
    read(
      run.history.$get({
        param: { id },
        query: { frame: String(frame), name, from: String(from), limit: PAGE },
      }),
    ),
  search: (id, text, from, direction, limit) =>
    read(
      run.search.$get({
        param: { id },
        query: { q: text, from: String(from), direction, limit: String(limit) },
      }),
    ),
  callGroups: async (id, parent) =>
    (await read(run.calls.$get({ param: { id }, query: { parent: String(parent) } }))).groups,
  calls: async (id, parent, fn, from, direction) =>
    (
      await read(
        run.calls.group.$get({
          param: { id },
          query: {
            parent: String(parent),
            function: String(fn),
            from: String(from),
            direction,
            limit: PAGE,
          },
        }),
      )
    ).calls,
  traceback: (id) => read(run.traceback.$get({ param: { id } })),
  framePath: async (id, frame) =>
    (await read(run.frames[':frame'].path.$get({ param: { id, frame: String(frame) } }))).path,
}

export const httpSource: DataSource = {
  explorer,
  runs: () => read(api.runs.$get({ query: { limit: '0', errors: '0' } })),
  run: (id) => read(api.runs[':id'].$get({ param: { id } })),
  events: (id, page: PageRequest): Promise<EventPage> =>
    read(
      api.runs[':id'].events.$get({
        param: { id },
        query: {
          from: String(page.from),
          limit: String(page.limit),
          direction: page.direction,
          thread: page.thread === undefined ? undefined : String(page.thread),
          task: page.task === undefined ? undefined : String(page.task),
        },
      }),
    ),
  files: (id) => read(api.runs[':id'].files.$get({ param: { id } })),
  timeline: (id, request) =>
    read(
      api.runs[':id'].timeline.$get({
        param: { id },
        query: {
          from: request.from === undefined ? undefined : String(Math.floor(request.from)),
          to: request.to === undefined ? undefined : String(Math.ceil(request.to)),
          width: String(request.width),
          seq: request.seq === undefined ? undefined : String(request.seq),
        },
      }),
    ),
  compare: (a, b) => read(api.compare[':a'][':b'].$get({ param: { a, b } })),
  threads: (id) => read(api.runs[':id'].threads.$get({ param: { id } })),
  tasks: (id) => read(api.runs[':id'].tasks.$get({ param: { id } })),
  tests: (id) => read(api.runs[':id'].tests.$get({ param: { id } })),
  childStarts: (id) => read(api.runs[':id']['child-starts'].$get({ param: { id } })),
  profile: (id) => read(api.runs[':id'].profile.$get({ param: { id } })),
  callGraph: async (id, thresholds, scope = 'all') => {
    const query = new URLSearchParams({
      node: String(thresholds.node),
      edge: String(thresholds.edge),
      scope,
    })
    const res = await fetch(
      new URL(`api/runs/${encodeURIComponent(id)}/callgraph?${query}`, document.baseURI),
    )
    if (res.status === 404) {
      const body = (await res.json().catch(() => ({}))) as { error?: string; profile?: false }
      if (body.profile === false) return null
      throw new ApiError(body.error ?? 'not found', 404)
    }
    if (!res.ok) throw new ApiError(`${res.status} ${res.statusText}`, res.status)
    return res.text()
  },
  source: (id, file) =>
    read(api.runs[':id'].files[':file'].$get({ param: { id, file: String(file) } })),
  deleteRun: async (id) => {
    const res = await fetch(new URL(`api/runs/${encodeURIComponent(id)}`, document.baseURI), {
      method: 'DELETE',
    })
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { error?: string }
      throw new ApiError(body.error ?? `${res.status} ${res.statusText}`, res.status)
    }
  },
}
