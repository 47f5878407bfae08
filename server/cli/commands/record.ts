/** `smiley record`: take runs sent with `smiley run --remote` and record them into the database. */

import { Output } from '../../console/output.js'
import { openStore } from '../../store/open.js'
import { RecordSinks } from '../../remote/record-sinks.js'
import type { ParsedArgs } from '../args.js'
import { databaseOption, text, type Command } from '../command.js'
import { listenOption, senderTimeoutOption, serve, tokenOption } from './receiving.js'

export const recordCommand: Command = {
  spec: {
    name: 'record',
    summary: 'Take runs sent with "smiley run --remote" and record them.',
    usage: ['[options]'],
    description: [
      'Listens for runs sent by "smiley run --remote URL" from this or other machines and',
      'records each into the database exactly as a local run is recorded. A line is printed as',
      'each run starts and ends. A run whose sender goes silent is ended as lost, with every',
      'event received kept. Listening beyond loopback needs a token. Ctrl-C stops.',
    ].join('\n'),
    options: [listenOption, tokenOption, databaseOption, senderTimeoutOption],
    positionals: [],
    examples: [
      'smiley record',
      'SMILEY_TOKEN=$(openssl rand -hex 16) smiley record --listen 0.0.0.0:8765',
      'smiley record --database /srv/smiley/runs.db',
      'smiley record --database postgres://smiley@db.example.com/smiley',
    ],
  },

  async run(args: ParsedArgs) {
    const store = await openStore(text(args, 'database'), { create: true, lasting: true })
    try {
      await store.markLostRuns()
      await serve(args, {
        sinks: new RecordSinks(store, new Output()),
        ready: (url) => `recording runs sent to ${url} into ${store.location} (Ctrl-C stops)`,
      })
      return 0
    } finally {
      await store.close()
    }
  },
}
