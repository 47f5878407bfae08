/**
 * What `smiley record` and `smiley monitor` share: the options saying where to listen and
 * which token to ask for, the rule that only loopback may go without a token, and serving
 * until Ctrl-C (or until the command says it is done).
 */

import { listenFailure, listenUrl, parseListen, isLoopback } from '../../remote/listen.js'
import { DEFAULT_HOST, DEFAULT_PORT, type RunSummary } from '../../remote/protocol.js'
import { Receiver, type RunSinks } from '../../remote/receiver.js'
import type { OptionSpec, ParsedArgs } from '../args.js'
import { CliError, UsageError } from '../errors.js'
import { checkedToken } from '../token.js'

export const listenOption: OptionSpec = {
  name: 'listen',
  kind: 'string',
  value: 'HOST:PORT',
  help: 'where to take runs; an address other than loopback needs --token',
  default: `${DEFAULT_HOST}:${DEFAULT_PORT}`,
}

export const tokenOption: OptionSpec = {
  name: 'token',
  kind: 'string',
  value: 'TOKEN',
  help: 'take only requests that carry "Authorization: Bearer TOKEN"',
  env: 'SMILEY_TOKEN',
}

export const senderTimeoutOption: OptionSpec = {
  name: 'sender-timeout',
  kind: 'integer',
  value: 'SECONDS',
  help: 'end a run as lost when its sender has been silent this long',
  default: 30,
}

export interface Serving {
  sinks: RunSinks
  /** The line said on stderr once listening, given the URL senders use. */
  ready: (url: string) => string
  /** Told when a run ends; calling `stop` ends the command. */
  onRunEnd?: (summary: RunSummary, stop: () => void) => void
}

/** Listens as `args` say and serves until SIGINT or SIGTERM, or until `stop` is called. */
export async function serve(args: ParsedArgs, serving: Serving): Promise<void> {
  const raw = String(args.options['listen'])
  const address = parseListen(raw)
  if (address === null)
    throw new UsageError(`--listen needs HOST:PORT, such as 127.0.0.1:8765, not "${raw}"`)
  const token = checkedToken(args.options['token'], {
    host: address.host,
    loopback: isLoopback(address.host),
    howToMake: 'openssl rand -hex 16 makes one',
  })
  if (token === null && !isLoopback(address.host)) {
    throw new UsageError(
      `listening on ${address.host} lets other machines send runs: give a --token (or SMILEY_TOKEN)`,
    )
  }
  let stop = () => {}
  const stopped = new Promise<void>((done) => (stop = done))
  const receiver = new Receiver({
    token,
    sinks: serving.sinks,
    senderTimeoutMs: Number(args.options['senderTimeout']) * 1000,
    onRunEnd: (_uuid, summary) => serving.onRunEnd?.(summary, stop),
  })
  let bound: { port: number }
  try {
    bound = await receiver.listen(address.host, address.port)
  } catch (error) {
    throw new CliError(listenFailure(error, address))
  }
  process.stderr.write(`smiley: ${serving.ready(listenUrl({ ...address, port: bound.port }))}\n`)
  const signals = ['SIGINT', 'SIGTERM'] as const
  for (const signal of signals) process.on(signal, stop)
  try {
    await stopped
  } finally {
    for (const signal of signals) process.off(signal, stop)
    await receiver.close()
  }
}
