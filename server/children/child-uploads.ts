/**
 * Children of a program recorded with `smiley run --remote`: the local `smiley run` still
 * listens on its Unix socket (child-recorder.ts), and sends each child's stream on to the
 * remote recorder as a run of its own, over its own HTTP upload, exactly as it sends the top
 * process's. The run's id is the one the child's tracer chose (its grandchildren name it as
 * their parent), read from the stream's hello before the upload opens; the recorder links the
 * run to its parent from the same hello.
 */

import { FrameReader } from '../../shared/wire/frames.js'
import type { PyValue } from '../../shared/wire/marshal.js'
import { readRecords } from '../../shared/wire/record-reader.js'
import { TAG } from '../../shared/wire/records.js'
import { Uploader } from '../remote/uploader.js'
import type { ChildStream, RecordedChild } from './child-recorder.js'

export interface UploadTarget {
  url: URL
  token: string | null
  /** Most bytes held for the recorder, per child, before its events are dropped. */
  bufferBytes: number
  /** What the runs' rows say of how they were recorded. */
  runOptions: Record<string, unknown>
  /** Told, in one line, what went wrong with a child's upload. */
  onProblem: (message: string) => void
}

/** A child's stream sent on to the remote recorder. */
export function uploadedChild(target: UploadTarget): ChildStream {
  const frames = new FrameReader()
  /** What came before the hello was read: sent once the upload is open. */
  let held: Buffer[] = []
  let uploader: Uploader | null = null
  let uuid: string | null = null
  let malformed = false

  return {
    push(chunk) {
      if (uploader !== null) {
        uploader.push(chunk)
        return
      }
      if (malformed) return
      held.push(chunk)
      const hello = helloIn(frames, chunk)
      if (hello === undefined) return
      if (hello === null || typeof hello['run'] !== 'string') {
        malformed = true
        target.onProblem('a child process sent a stream without its run: not recorded')
        return
      }
      uuid = hello['run']
      const command = texts(hello['command'])
      uploader = new Uploader({
        url: target.url,
        token: target.token,
        run: {
          uuid,
          description: (command.length > 1 ? command.slice(1) : texts(hello['argv'])).join(' '),
          argv: texts(hello['argv']),
          options: target.runOptions,
        },
        bufferBytes: target.bufferBytes,
        onStartFailure: target.onProblem,
      })
      for (const part of held) uploader.push(part)
      held = []
    },
    async finish(): Promise<RecordedChild | null> {
      if (uploader === null || uuid === null) return null
      // The recorder cannot see a child's exit: its tracer's end says how it ended.
      const result = await uploader.finish(null)
      if (result.problem !== null) target.onProblem(result.problem)
      return {
        uuid,
        status: result.summary?.status ?? 'unrecorded',
        events: result.summary?.events ?? 0,
      }
    },
  }
}

/**
 * The hello at the start of the stream, once the frames so far hold it; undefined while they
 * do not yet; null when the stream does not start as a tracer's does.
 */
function helloIn(frames: FrameReader, chunk: Buffer): Record<string, PyValue> | null | undefined {
  try {
    for (const payload of frames.push(chunk))
      for (const record of readRecords(payload)) {
        if (record.tag === TAG.hello) return record.info
      }
  } catch {
    return null
  }
  return undefined
}

function texts(value: PyValue | undefined): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : []
}
