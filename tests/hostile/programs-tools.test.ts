/**
 * Programs that bring their own tools: a trace function of their own (as coverage and debuggers
 * install), a profile function, trace functions for their threads, a sys.monitoring tool, pdb.
 * Their tool works as it does without Smiley and sees nothing of it; Smiley records what the
 * interpreter lets it record, and says when a tool took the main thread away from it.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../support/cli.js'
import {
  expectUntouched,
  label,
  recordProgram,
  someInterpreters,
  variants,
  LOST_MAIN_THREAD,
} from '../support/hostile-programs.js'

const TOOLS = `
import io, pdb, sys, threading

def work(n):
    total = 0
    for i in range(n):
        total += i
    return total

# Its own trace function, then the one it found, as coverage and debuggers do.
seen = []
def own_tracer(frame, event, arg):
    if frame.f_code.co_filename == __file__:
        seen.append((event, frame.f_code.co_name, frame.f_lineno))
    return own_tracer
previous = sys.gettrace()
sys.settrace(own_tracer)
work(2)
sys.settrace(previous)
print("own tracer:", seen)
print("restored:", sys.gettrace() is previous)

# Its own profile function.
profiled = []
def own_profiler(frame, event, arg):
    if event == "call" and frame.f_code.co_filename == __file__:
        profiled.append(frame.f_code.co_name)
sys.setprofile(own_profiler)
work(1)
sys.setprofile(None)
print("own profiler:", profiled)

# A trace function for each new thread, then the one before (threading.gettrace is 3.10+).
thread_seen = []
def thread_tracer(frame, event, arg):
    if event == "call" and frame.f_code.co_filename == __file__:
        thread_seen.append((threading.current_thread().name, frame.f_code.co_name))
    return None
old_thread_trace = getattr(threading, "gettrace", lambda: None)()
threading.settrace(thread_tracer)
watched = threading.Thread(target=work, args=(3,), name="watched")
watched.start()
watched.join()
threading.settrace(old_thread_trace)
print("thread tracer:", thread_seen)
later = threading.Thread(target=work, args=(4,), name="later")
later.start()
later.join()

# A sys.monitoring tool of its own.
if sys.version_info >= (3, 12):
    mon = sys.monitoring
    lines = set()
    def on_line(code, line):
        if code.co_filename == __file__:
            lines.add(line)
    mon.use_tool_id(mon.COVERAGE_ID, "mine")
    mon.register_callback(mon.COVERAGE_ID, mon.events.LINE, on_line)
    mon.set_events(mon.COVERAGE_ID, mon.events.LINE)
    work(2)
    mon.set_events(mon.COVERAGE_ID, 0)
    mon.free_tool_id(mon.COVERAGE_ID)
    print("monitoring:", sorted(lines))

print("between:", work(5))

# pdb, driven by a script of commands; it removes every trace function when it is done.
commands = io.StringIO("next\\nnext\\nnext\\np total\\ncontinue\\n")
output = io.StringIO()
debugger = pdb.Pdb(stdin=commands, stdout=output, nosigint=True)
debugger.use_rawinput = False
print("pdb:", debugger.runcall(work, 3))
print(output.getvalue())
print("end:", work(6))
`

const pythons = someInterpreters()
let dir: { path: string; remove: () => void }

beforeAll(() => {
  dir = tempDir()
})
afterAll(() => dir.remove())

describe.concurrent("a program's own tracing tools", () => {
  it.for(variants(pythons).map((variant) => [label(variant), variant] as const))(
    'keep working, see nothing of Smiley, and are recorded around (%s)',
    async ([name, variant]) => {
      const recording = await recordProgram(
        dir.path,
        `tools ${name}`,
        variant,
        { 'tools.py': TOOLS },
        ['tools.py'],
      )
      expectUntouched(recording)
      const out = recording.untraced.stdout
      expect(out).toContain("own tracer: [('call', 'work', 3), ('line', 'work', 4)")
      expect(out).toContain('restored: True')
      expect(out).toContain("own profiler: ['work']")
      expect(out).toContain("thread tracer: [('watched', 'work')]")
      expect(out).toContain('(Pdb) 0\n')
      expect(out).toContain('end: 15\n')

      // What was recorded of work(n), by thread: n(n - 1) / 2 is its return value.
      const { run, events } = recording
      const returned = (thread: string) =>
        events
          .filter((e) => e.function === 'work' && e.kind === 'return' && e.threadName === thread)
          .map((e) => e.value)
      const minor = Number(variant.python.version.split('.')[1])
      if (minor >= 12) {
        // sys.monitoring sees every call, whatever the program does with sys.settrace.
        expect(returned('MainThread')).toEqual(['1', '0', '1', '10', '3', '15'])
        expect(returned('watched')).toEqual(['3'])
        expect(returned('later')).toEqual(['6'])
        expect(run.notice).toBeNull()
      } else {
        // A trace function replaces Smiley's while it is installed; pdb removes it for good.
        expect(returned('MainThread')).toEqual(['0', '10'])
        expect(returned('watched')).toEqual([])
        expect(returned('later')).toEqual(minor >= 10 ? ['6'] : [])
        expect(run.notice).toBe(LOST_MAIN_THREAD)
      }
      expect(run).toMatchObject({ status: 'completed', exitCode: 0 })
    },
  )
})
