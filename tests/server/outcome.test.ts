import { constants } from 'node:os'
import { describe, expect, it } from 'vitest'
import { PyDict } from '../../shared/wire/marshal.js'
import type { PyValue } from '../../shared/wire/marshal.js'
import { decideEnding } from '../../server/record/outcome.js'

const NOW = 1_700_000_100
const ENDED = 1_700_000_050.25

const exception = (type: string, message: string, traceback: string) =>
  new PyDict([
    ['type', type],
    ['message', message],
    ['traceback', traceback],
  ])

const end = (extra: Record<string, PyValue> = {}): Record<string, PyValue> => ({
  ended: ENDED,
  ...extra,
})

describe('decideEnding', () => {
  it('calls a run that ended normally with status 0 completed', () => {
    expect(decideEnding(end(), { code: 0, signal: null }, NOW)).toEqual({
      status: 'completed',
      endedAt: ENDED,
      exitCode: 0,
      signal: null,
      errorType: null,
      errorMessage: null,
      traceback: null,
    })
  })

  it('calls a run completed when the tracer ended it but the exit is unknown', () => {
    expect(decideEnding(end(), null, NOW)).toMatchObject({
      status: 'completed',
      endedAt: ENDED,
      exitCode: null,
    })
  })

  it('copies an uncaught exception into an error ending', () => {
    const traceback =
      'Traceback (most recent call last):\n  File "prog.py", line 3, in <module>\nValueError: bad value\n'
    const ending = decideEnding(
      end({ exception: exception('ValueError', 'bad value', traceback) }),
      { code: 1, signal: null },
      NOW,
    )
    expect(ending).toEqual({
      status: 'error',
      endedAt: ENDED,
      exitCode: 1,
      signal: null,
      errorType: 'ValueError',
      errorMessage: 'bad value',
      traceback,
    })
  })

  it('calls an uncaught exception an error even when the exit is unknown', () => {
    const ending = decideEnding(end({ exception: exception('KeyError', "'x'", 'tb') }), null, NOW)
    expect(ending).toMatchObject({
      status: 'error',
      errorType: 'KeyError',
      errorMessage: "'x'",
      traceback: 'tb',
    })
  })

  it('calls a non-zero exit status an error and says which status', () => {
    expect(decideEnding(end(), { code: 3, signal: null }, NOW)).toMatchObject({
      status: 'error',
      exitCode: 3,
      errorType: null,
      errorMessage: 'exited with status 3',
      signal: null,
    })
  })

  it("takes the exit status from the tracer's END when the process exit is unknown", () => {
    expect(decideEnding(end({ exitStatus: 4 }), null, NOW)).toMatchObject({
      status: 'error',
      exitCode: 4,
      errorMessage: 'exited with status 4',
    })
    expect(decideEnding(end({ exitStatus: 0 }), null, NOW)).toMatchObject({
      status: 'completed',
      exitCode: 0,
    })
  })

  it('prefers the exit status of the process to the one in END', () => {
    expect(decideEnding(end({ exitStatus: 4 }), { code: 5, signal: null }, NOW)).toMatchObject({
      exitCode: 5,
    })
  })

  it('calls a KeyboardInterrupt an interruption', () => {
    const ending = decideEnding(
      end({ exception: exception('KeyboardInterrupt', '', 'Traceback…\nKeyboardInterrupt\n') }),
      { code: 130, signal: null },
      NOW,
    )
    expect(ending).toMatchObject({
      status: 'interrupted',
      exitCode: 130,
      errorType: 'KeyboardInterrupt',
      traceback: 'Traceback…\nKeyboardInterrupt\n',
    })
  })

  it('calls a program ended by SIGTERM interrupted', () => {
    const ending = decideEnding(null, { code: null, signal: 'SIGTERM' }, NOW)
    expect(ending).toEqual({
      status: 'interrupted',
      endedAt: NOW,
      exitCode: null,
      signal: 'SIGTERM',
      errorType: null,
      errorMessage: 'interrupted by SIGTERM',
      traceback: null,
    })
  })

  it("calls a program interrupted when the tracer's END names SIGTERM", () => {
    const ending = decideEnding(
      end({ signal: constants.signals.SIGTERM }),
      { code: 143, signal: null },
      NOW,
    )
    expect(ending).toMatchObject({
      status: 'interrupted',
      endedAt: ENDED,
      signal: 'SIGTERM',
      errorMessage: 'interrupted by SIGTERM',
    })
  })

  it("calls a program interrupted when only the tracer's END names SIGTERM", () => {
    expect(decideEnding(end({ signal: constants.signals.SIGTERM }), null, NOW)).toMatchObject({
      status: 'interrupted',
      signal: 'SIGTERM',
    })
  })

  it('calls a program ended by SIGINT, SIGHUP or SIGQUIT interrupted', () => {
    for (const signal of ['SIGINT', 'SIGHUP', 'SIGQUIT']) {
      expect(decideEnding(null, { code: null, signal }, NOW)).toMatchObject({
        status: 'interrupted',
        signal,
      })
    }
  })

  it('calls a program killed by SIGKILL lost and says so', () => {
    const ending = decideEnding(null, { code: null, signal: 'SIGKILL' }, NOW)
    expect(ending).toEqual({
      status: 'lost',
      endedAt: NOW,
      exitCode: null,
      signal: 'SIGKILL',
      errorType: null,
      errorMessage: 'killed by SIGKILL',
      traceback: null,
    })
  })

  it('calls a program killed by SIGSEGV lost', () => {
    expect(decideEnding(null, { code: null, signal: 'SIGSEGV' }, NOW)).toMatchObject({
      status: 'lost',
      errorMessage: 'killed by SIGSEGV',
    })
  })

  it('calls a run lost when neither END nor the exit is known, ending it now', () => {
    expect(decideEnding(null, null, NOW)).toEqual({
      status: 'lost',
      endedAt: NOW,
      exitCode: null,
      signal: null,
      errorType: null,
      errorMessage: 'the recording stopped before the program ended',
      traceback: null,
    })
  })

  it('calls a run without END completed when the process exited with status 0', () => {
    expect(decideEnding(null, { code: 0, signal: null }, NOW)).toMatchObject({
      status: 'completed',
      endedAt: NOW,
    })
  })

  it('calls a run without END an error when the process exited with a non-zero status', () => {
    expect(decideEnding(null, { code: 2, signal: null }, NOW)).toMatchObject({
      status: 'error',
      errorMessage: 'exited with status 2',
    })
  })

  it('uses the time now when END has no end time', () => {
    expect(decideEnding({}, { code: 0, signal: null }, NOW).endedAt).toBe(NOW)
  })
})
