/** `smiley mcp`'s door: the Model Context Protocol on stdio, over a database opened for reading. */

import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { openDatabase } from '../db/database.js'
import { Answers } from './answers.js'
import { smileyServer } from './tools.js'

/** Serves until the client closes stdin. */
export async function serveMcp(database: string): Promise<void> {
  const db = openDatabase(database, { readonly: true })
  const server = smileyServer(new Answers(db))
  const transport = new StdioServerTransport()
  const closed = new Promise<void>((done) => (transport.onclose = done))
  await server.connect(transport)
  process.stdin.on('end', () => void server.close())
  await closed
  db.close()
}
