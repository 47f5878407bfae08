import { describe, expect, it } from 'vitest'
import {
  formatCount,
  formatDuration,
  formatTime,
  runDuration,
  shortId,
} from '../../server/console/format.js'
import { formatMicros } from '../../shared/format.js'
import type { Run } from '../../shared/types/run.js'

function run(extra: Partial<Run>): Run {
  return {
    id: '0a1b2c3d-0000-4000-8000-000000000001',
    description: 'python prog.py',
    argv: ['prog.py'],
    cwd: '/srv',
    python: null,
    pythonVersion: null,
    host: null,
    pid: null,
    backend: null,
    startedAt: 1000,
    endedAt: null,
    status: 'running',
    exitCode: null,
    signal: null,
    errorType: null,
    errorMessage: null,
    traceback: null,
    notice: null,
    eventCount: 0,
    lostEvents: 0,
    options: {},
    ...extra,
  }
}

describe('formatTime', () => {
  it('shows local date and time to the second', () => {
    const seconds = new Date(2026, 10, 25, 9, 16, 12).getTime() / 1000
    expect(formatTime(seconds)).toBe('2026-11-25 09:16:12')
  })

  it('pads every field to two digits', () => {
    const seconds = new Date(2024, 0, 2, 3, 4, 5).getTime() / 1000
    expect(formatTime(seconds)).toBe('2024-01-02 03:04:05')
  })

  it('drops fractions of a second', () => {
    const seconds = new Date(2024, 11, 31, 23, 59, 59).getTime() / 1000 + 0.999
    expect(formatTime(seconds)).toBe('2024-12-31 23:59:59')
  })

  it('shows nothing for no time', () => {
    expect(formatTime(null)).toBe('')
  })
})

describe('formatMicros', () => {
  it.each([
    [0, '0 µs'],
    [999, '999 µs'],
    [1000, '1.00 ms'],
    [3456, '3.46 ms'],
    [12_340, '12.3 ms'],
    [1_500_000, '1.5 s'],
  ])('shows %s µs as %s', (micros, text) => {
    expect(formatMicros(micros)).toBe(text)
  })
})

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [0.0004, '0 ms'],
    [0.85, '850 ms'],
    [0.999, '999 ms'],
    [1, '1.0 s'],
    [12.34, '12.3 s'],
    [59.9, '59.9 s'],
    [60, '1 min 00 s'],
    [245, '4 min 05 s'],
    [245.9, '4 min 05 s'],
    [3599, '59 min 59 s'],
    [3600, '1 h 00 min'],
    [7380, '2 h 03 min'],
    [90_000, '25 h 00 min'],
  ])('shows %s seconds as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text)
  })

  it('shows nothing for no duration or one that is not finite', () => {
    expect(formatDuration(null)).toBe('')
    expect(formatDuration(Number.NaN)).toBe('')
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('')
  })

  it('shows just under a second as 999 ms or 1.0 s, never as 1000 ms', () => {
    expect(['999 ms', '1.0 s']).toContain(formatDuration(0.9996))
  })

  it('shows just under a minute as 59.9 s or 1 min 00 s, never as 60.0 s', () => {
    expect(['59.9 s', '1 min 00 s']).toContain(formatDuration(59.97))
  })
})

describe('runDuration', () => {
  it('is the time from start to end of a finished run', () => {
    expect(runDuration(run({ status: 'completed', startedAt: 1000, endedAt: 1012.5 }))).toBe(12.5)
  })

  it('is the time so far of a running run', () => {
    expect(runDuration(run({ status: 'running', startedAt: 1000 }), 1030)).toBe(30)
  })

  it('is unknown for a finished run without an end time', () => {
    expect(runDuration(run({ status: 'lost', startedAt: 1000, endedAt: null }), 5000)).toBeNull()
  })

  it('is never negative, even when the clock went back', () => {
    expect(runDuration(run({ status: 'completed', startedAt: 1000, endedAt: 990 }))).toBe(0)
    expect(runDuration(run({ status: 'running', startedAt: 1000 }), 900)).toBe(0)
  })
})

describe('shortId', () => {
  it('keeps the first eight characters of a run id', () => {
    expect(shortId('0a1b2c3d-0000-4000-8000-000000000001')).toBe('0a1b2c3d')
    expect(shortId('abc')).toBe('abc')
  })
})

describe('formatCount', () => {
  it('separates thousands with commas, as en-US does', () => {
    for (const count of [0, 7, 999, 1000, 12_345, 999_999, 1_000_000, 10_000_004, 2 ** 53 - 1])
      expect(formatCount(count)).toBe(count.toLocaleString('en-US'))
  })

  it('keeps the sign of a negative count', () => {
    expect(formatCount(-1234567)).toBe('-1,234,567')
    expect(formatCount(-12)).toBe('-12')
  })
})
