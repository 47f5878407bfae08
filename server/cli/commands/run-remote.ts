/**
 * `smiley run --remote`: the program's event stream, and its children's, go to `smiley record`
 * or `smiley monitor` over HTTP; the program never waits for the recorder.
 */

import { ChildRecorder } from '../../children/child-recorder.js'
import { uploadedChild } from '../../children/child-uploads.js'
import { shortId } from '../../console/format.js'
import { Output } from '../../console/output.js'
import type { Target } from '../../record/launch.js'
import type { ProcessExit } from '../../record/outcome.js'
import type { RunInfo } from '../../record/run-info.js'
import { Uploader } from '../../remote/uploader.js'
import type { ParsedArgs } from '../args.js'
import type { Exit } from '../command.js'
import { checkedToken } from '../token.js'
import {
  childOptions,
  endedBeforeTracing,
  exitOf,
  startTracing,
  type RecordingOptions,
} from './run-tracing.js'
import { waitForChildren } from '../../children/wait-for-children.js'

/** Runs the program, its stream sent to the recorder at `url`. */
export async function forward(
  url: URL,
  python: string,
  target: Target,
  args: ParsedArgs,
  info: RunInfo,
  options: RecordingOptions,
): Promise<Exit> {
  const token = checkedToken(args.options['token'])
  const bufferBytes = Number(args.options['remoteBuffer'])
  // Once each: a recorder that is down is the same news for every child.
  const said = new Set<string>()
  const say = (message: string) => {
    if (!said.has(message)) process.stderr.write(`smiley: ${message}\n`)
    said.add(message)
  }
  const uploader = new Uploader({ url, token, run: info, bufferBytes, onStartFailure: say })
  // Each child's stream goes on to the recorder as a run of its own (child-uploads.ts).
  const children = args.options['noChildren']
    ? null
    : await ChildRecorder.listenWith(
        () => uploadedChild({ url, token, bufferBytes, runOptions: info.options, onProblem: say }),
        childOptions(options, args),
      )
  let exit: ProcessExit
  try {
    exit = await startTracing(
      python,
      target,
      info.uuid,
      options,
      args,
      children?.announcement() ?? {},
      () => children?.close(),
    ).follow((chunk) => uploader.push(chunk))
  } catch (error) {
    uploader.cancel()
    throw error
  }
  const [result] = await Promise.all([
    uploader.finish(exit),
    children === null ? null : waitForChildren(children),
  ])
  if (!result.streamStarted) return endedBeforeTracing(python, exit)
  if (result.problem !== null) {
    process.stderr.write(`smiley: ${result.problem}\n`)
  } else if (result.summary !== null && process.stderr.isTTY) {
    const err = new Output(process.stderr)
    const { events, status } = result.summary
    void err.line(
      err.style(
        'dim',
        `smiley: sent run ${shortId(info.uuid)} to ${url.href}, ${events} events, ${status}`,
      ),
    )
  }
  return exitOf(exit)
}
