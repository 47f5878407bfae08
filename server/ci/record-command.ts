/**
 * `smiley ci`'s recording: runs any command (a shell script, `make test`, `tox`) with every
 * Python process it starts announced to a ChildRecorder, and resolves once the command and
 * every process it started have ended.
 */

import { spawn } from 'node:child_process'
import { delimiter } from 'node:path'
import type { TracerOptions } from '../../shared/wire/options.js'
import { ChildRecorder, CHILDREN_ENV } from '../children/child-recorder.js'
import { waitForChildren } from '../children/wait-for-children.js'
import type { Store } from '../store/store.js'
import { forwardSignals } from '../record/ignored-signals.js'
import { exited, type ProcessExit } from '../record/outcome.js'
import { tracerDir } from '../paths.js'

export interface RecordedCommand {
  exit: ProcessExit
  /** The runs of the Python processes it started, in the order they ended. */
  runs: string[]
}

/** Why the command could not start, in one line. */
export class CommandNotStarted extends Error {
  override name = 'CommandNotStarted'
}

export async function recordCommand(
  store: Store,
  command: string[],
  options: Partial<TracerOptions>,
  runOptions: Record<string, unknown>,
): Promise<RecordedCommand> {
  const children = await ChildRecorder.listen(store, options, runOptions)
  const { [CHILDREN_ENV]: _outer, ...env } = process.env
  const original = env['PYTHONPATH']
  const child = spawn(command[0]!, command.slice(1), {
    stdio: 'inherit',
    env: {
      ...env,
      PYTHONPATH: original ? `${tracerDir}${delimiter}${original}` : tracerDir,
      ...children.announcement(),
    },
  })
  const stopForwarding = forwardSignals(child)
  let exit: ProcessExit
  try {
    exit = await exited(child)
  } catch (error) {
    children.close()
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no such command'
        : (error as Error).message
    throw new CommandNotStarted(`cannot run ${command[0]}: ${reason}`)
  } finally {
    stopForwarding()
  }
  await waitForChildren(children)
  return { exit, runs: children.children.map((child) => child.uuid) }
}
