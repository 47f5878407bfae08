/** `smiley mcp`'s door: the Model Context Protocol on stdio, over a store opened for reading. */

import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { openStore } from '../store/open.js'
import { Answers } from './answers.js'
import { smileyServer } from './tools.js'

/** Serves until the client closes stdin. */
export async function serveMcp(database: string): Promise<void> {
  const store = await openStore(database, { readonly: true })
  const server = smileyServer(new Answers(store))
  const transport = new StdioServerTransport()
  const closed = new Promise<void>((done) => (transport.onclose = done))
  await server.connect(transport)
  process.stdin.on('end', () => void server.close())
  await closed
  await store.close()
}
