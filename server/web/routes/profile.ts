/** /api/runs/:id/profile and /callgraph: the profile, and its call graph as gprof2dot draws it. */

import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { validator } from 'hono/validator'
import { programProfile } from '../../../shared/profile-scope.js'
import { listFiles } from '../../db/files.js'
import { readProfile } from '../../db/profile.js'
import {
  callGraph,
  DEFAULT_EDGE_THRESHOLD,
  DEFAULT_NODE_THRESHOLD,
  toDot,
} from '../../profile/callgraph.js'
import type { AppContext } from '../context.js'
import { choiceParam, queryText } from '../params.js'

const SCOPES = ['all', 'program'] as const

function percent(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback
  const number = Number(value)
  if (!/^\d+(\.\d+)?$/.test(value) || number > 100) {
    throw new HTTPException(400, { message: `${name} must be a percentage from 0 to 100` })
  }
  return number
}

export function profileRoutes(ctx: AppContext) {
  return new Hono()
    .get('/:id/profile', async (c) => {
      const { key, db } = await ctx.reading(c.req.param('id'))
      return c.json(readProfile(db, key))
    })
    .get(
      '/:id/callgraph',
      validator('query', (query) => ({
        node: percent(queryText(query, 'node'), 'node', DEFAULT_NODE_THRESHOLD),
        edge: percent(queryText(query, 'edge'), 'edge', DEFAULT_EDGE_THRESHOLD),
        scope: choiceParam(queryText(query, 'scope'), 'scope', SCOPES, 'all'),
      })),
      async (c) => {
        const { key, run, db } = await ctx.reading(c.req.param('id'))
        const profile = readProfile(db, key)
        if (profile === null)
          return c.json({ error: `run ${run.id} has no profile`, profile: false }, 404)
        const { node, edge, scope } = c.req.valid('query')
        const files = new Set(listFiles(db, key, run.cwd).map((file) => file.path))
        const shown =
          scope === 'program' ? programProfile(profile, (file) => files.has(file)) : profile
        const dot = toDot(callGraph(shown, { nodeThreshold: node, edgeThreshold: edge }))
        c.header('Content-Type', 'text/vnd.graphviz; charset=utf-8')
        return c.body(dot)
      },
    )
}
