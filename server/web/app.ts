/**
 * The dashboard's HTTP side: the JSON API under /api and the built client. Routes throw
 * HTTPException or a domain error (RunNotFound); `onError` turns every error into JSON.
 */

import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { databaseFailure } from '../db/database.js'
import { RunNotFound } from '../db/runs.js'
import { NotYetSupported, StoreError } from '../store/errors.js'
import type { AppContext } from './context.js'
import { compareRoutes } from './routes/compare.js'
import { eventRoutes } from './routes/events.js'
import { explorerRoutes } from './routes/explorer.js'
import { profileRoutes } from './routes/profile.js'
import { runRoutes } from './routes/runs.js'
import { timelineRoutes } from './routes/timeline.js'
import { security, type SecurityOptions } from './security.js'
import { serveClient } from './static.js'

export interface AppOptions extends SecurityOptions {
  /** The built client's folder. */
  clientDir: string
}

/** The API routes alone: their type is what the client's typed fetches are checked against. */
export function apiRoutes(ctx: AppContext) {
  return new Hono()
    .route('/runs', runRoutes(ctx))
    .route('/runs', eventRoutes(ctx))
    .route('/runs', profileRoutes(ctx))
    .route('/runs', explorerRoutes(ctx))
    .route('/runs', timelineRoutes(ctx))
    .route('/compare', compareRoutes(ctx))
}

export type ApiType = ReturnType<typeof apiRoutes>

export function createApp(ctx: AppContext, options: AppOptions) {
  const app = new Hono()
  app.use('*', security(options))
  app.route('/api', apiRoutes(ctx))
  app.all('/api/*', (c) => c.json({ error: 'no such API route' }, 404))
  app.get('*', serveClient(options.clientDir))
  app.notFound((c) => c.json({ error: 'not found' }, 404))
  app.onError((error, c) => {
    if (error instanceof HTTPException) return c.json({ error: error.message }, error.status)
    if (error instanceof RunNotFound) return c.json({ error: error.message }, 404)
    // A view not on PostgreSQL yet, or the server unreachable: one line, no server bug.
    if (error instanceof StoreError)
      return c.json({ error: error.message }, error instanceof NotYetSupported ? 501 : 503)
    // The database failing under a read (locked for long, corrupt pages) is no server bug.
    const failure = databaseFailure(error)
    if (failure !== null) return c.json({ error: failure.message }, 503)
    console.error('smiley server: internal error:', error)
    return c.json({ error: 'internal error' }, 500)
  })
  return app
}
