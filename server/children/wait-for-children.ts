/** The wait, after a recorded program has ended, for the child processes it left running. */

import type { ChildRecorder } from './child-recorder.js'

/**
 * The program has ended; its children may not have: the recording lasts until they do (or
 * until Ctrl-C, which ends their runs as they are).
 */
export async function waitForChildren(children: ChildRecorder): Promise<void> {
  if (children.running > 0 && process.stderr.isTTY)
    process.stderr.write(
      `smiley: waiting for ${children.running} child process(es) still running (Ctrl-C stops recording them)\n`,
    )
  const stop = (): void => children.close()
  process.once('SIGINT', stop)
  try {
    await children.finish()
  } finally {
    process.off('SIGINT', stop)
  }
}
