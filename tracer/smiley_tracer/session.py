"""One recording, from interpreter start-up to exit: installs the hook and the profiler,
and makes sure the stream is flushed and closed however the program ends (normal exit,
uncaught exception, ``os._exit``, SIGTERM or SIGHUP), flushed before it replaces itself
(``os.exec*``) or aborts, and never touched by a forked child.
"""

import _thread
import atexit
import os
import re
import signal
import sys
import threading
import time
import warnings

# Imported now, not when the program ends: an import while the interpreter exits makes it
# forget an unhandled KeyboardInterrupt, and exit with status 1 instead of dying of SIGINT.
import traceback

# Imported before any hook is installed: its import is never recorded (--include-stdlib).
from . import children, startup_marks, wire
from .filters import FileFilter
from .profiler import Profiler
from .recorder import Recorder
from .stream import Stream, StreamClosed
from .redaction import Redactor
from .values import Renderer, describe_error

VERSION = "0.1.0"
MAX_TRACEBACK = 64 * 1024
LOST_MAIN_THREAD = (
    "the main thread was not recorded to its end: its trace function was replaced or removed"
    " (by sys.settrace or a debugger, or by the interpreter at the recursion limit or after a"
    " KeyboardInterrupt inside it)"
)
AT_RECURSION_LIMIT = (
    "the program reached its recursion limit, where the Python tracer's hook has no room to run:"
    " its deepest calls may not be recorded (the native accelerator records them)"
)
FORK_WARNING = r"This process \(pid=\d+\) is multi-threaded, use of \w+\(\) may lead to deadlocks"


class Session:
    def __init__(self, options):
        fd = _out_of_the_way(int(options["fd"]))
        os.set_blocking(fd, True)
        os.set_inheritable(fd, False)
        self.options = options
        # A child process (children.py): what the user is told, its parent's session has said;
        # its stderr is its program's, which the parent may read.
        self.child = options.get("startedBy") is not None
        self.stream = Stream(fd)
        self.redactor = Redactor(
            enabled=bool(options.get("redact", True)),
            names=options.get("redactNames") or (),
            patterns=options.get("redactPatterns") or (),
        )
        self._say(self.redactor.refused)
        self.renderer = Renderer(int(options.get("maxRepr", 200)), self.redactor, bool(options.get("callReprs")))
        self.filter = FileFilter(
            include_stdlib=bool(options.get("includeStdlib")),
            include_site_packages=bool(options.get("includeSitePackages")),
            include_packages=tuple(options.get("includePackages") or ()),
        )
        if options.get("include") or options.get("exclude"):
            from .scope import Scope

            self.filter = Scope(self.filter, options.get("include") or (), options.get("exclude") or ())
        if options.get("mainName"):
            from .main_code import MainCode

            self.filter = MainCode(self.filter, options["mainName"], options.get("mainSource"))
        self.recorder = Recorder(self.stream, self.renderer, self.filter)
        if options.get("functions"):
            from .function_scope import FunctionScope

            self.recorder.scope = FunctionScope(options["functions"])
        if sys.version_info >= (3, 12) and not options.get("settrace"):
            from .monitoring_hook import MonitoringHook as Hook
        else:
            from .settrace_hook import SettraceHook as Hook
        from .accelerator import load

        # Before the hook exists: building it the first time runs the C compiler.
        choice = options.get("accelerator") or "auto"
        native, self.native_problem = load(choice)
        if native is None and choice == "native":
            self._say(["the native accelerator is not available (%s); recording with the Python tracer" % self.native_problem])
        self.hook = Hook(self.recorder, self._failed, native)
        self.native = native is not None
        self.profiler = Profiler() if options.get("profile", True) else None
        self.pid = os.getpid()
        self._main_thread = _thread.get_ident()
        self.finished = False
        if options.get("startedBy"):
            self.exit_watch = children.ExitWatch()
        else:
            self.exit_watch = None
        self.marks_forks = False  # children.py: each fork is marked in the stream
        self._ending_now = False  # finish() is running
        self._deferred_signal = None  # a SIGTERM or SIGHUP that came meanwhile
        # An exception the program caught but left in sys.last_value (pytest does, for debuggers):
        # not how the program ended.
        self.handled = None
        # The exception the interpreter printed as uncaught (it sets sys.last_value, then calls
        # sys.excepthook): what tells it from one the program left there, as pytest and its
        # xdist workers do for the last failing test.
        self.uncaught = None
        self._excepthook = None
        self._warned = False
        self._fork_filter = None
        # Compiled here: compiling it in the fork hook would run re's code, which a profile, or a
        # recording with --include-stdlib, would hold.
        self._fork_warning = ("ignore", re.compile(FORK_WARNING, re.I), DeprecationWarning, None, 0)
        self._real_exit = os._exit
        # What ends the process without its exit handlers (every os.exec* calls os.execv or
        # os.execve): everything recorded so far is sent first.
        self._abrupt = {name: getattr(os, name) for name in ("execv", "execve", "abort") if hasattr(os, name)}

    def start(self):
        self.stream.append((wire.HELLO, self._hello()))
        self.stream.flush()
        atexit.register(self.finish)
        os.register_at_fork(before=self._before_fork, after_in_parent=self._after_fork, after_in_child=self._forked)
        os._exit = self._exit
        for name, real in self._abrupt.items():
            setattr(os, name, self._flushing(real, name != "abort"))
        for signum in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(signum) == signal.SIG_DFL:
                signal.signal(signum, self._terminated)
        signal.getsignal = self._getsignal(signal.getsignal)
        sys.excepthook = self._excepthook = self._witness(sys.excepthook)
        self.stream.start_flusher(lambda: self._failed(None))
        self.hook.install()

    def profile_the_program(self):
        """Last of all: the profile starts with the program, after the interpreter's start-up."""
        if self.profiler is not None:
            try:
                self.profiler.start_with_program()
            except Exception:
                self.profiler = None  # an audit hook of the program's refused sys.setprofile

    def _hello(self):
        info = {
            "run": self.options.get("run"),
            "tracer": VERSION,
            "backend": self.hook.name,
            "native": self.native,
            "python": "%d.%d.%d" % sys.version_info[:3],
            "implementation": sys.implementation.name,
            "executable": sys.executable,
            "pid": os.getpid(),
            "cwd": os.getcwd(),
            "host": _host_name(),
            "argv": self.redactor.scrub_arguments(sys.argv),
            "started": time.time(),
            "clock": time.perf_counter(),
            "maxRepr": self.renderer.max_len,
            "redact": self.renderer.redact,
        }
        if self.native_problem is not None:
            info["nativeProblem"] = self.native_problem
        if self.options.get("startedBy"):
            # A child process's run (children.py): who started it, and how.
            info["parent"] = self.options.get("parent")
            info["startedBy"] = self.options["startedBy"]
            # The process that started it: a shell its parent run started, when one is between.
            info["ppid"] = os.getppid()
            info["command"] = self.redactor.scrub_arguments(self.options.get("command") or sys.argv)
        return info

    def check_syntax(self, path):
        """Refuse, in one line, a main script that does not compile, and record why."""
        import zipimport  # loaded at start-up already: the interpreter's own zip importer

        from .sources import read_source

        try:
            zipimport.zipimporter(path)
            return  # a zip application: the interpreter runs the __main__.py inside
        except zipimport.ZipImportError:
            pass
        source = read_source(path)
        if source is None:
            return  # the interpreter will say it cannot open the file
        try:
            compile(source, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as error:
            where = "%s:%s" % (path, getattr(error, "lineno", None) or "?")
            sys.stderr.write("smiley: %s: %s: %s\n" % (where, type(error).__name__, getattr(error, "msg", error)))
            self.finish(error=error)
            self._real_exit(1)

    # How the program can end.

    def finish(self, exit_status=None, signum=None, error=None):
        """Stop recording and send the profile and the run's end; safe to call more than once."""
        if self.finished or os.getpid() != self.pid:
            return
        self.finished = True
        self._ending_now = True
        try:
            self._finish(exit_status, signum, error)
        finally:
            self._ending_now = False
        deferred, self._deferred_signal = self._deferred_signal, None
        if deferred is not None:
            signal.signal(deferred, signal.SIG_DFL)
            os.kill(os.getpid(), deferred)

    def _finish(self, exit_status, signum, error):
        # In this order, so that neither the profile nor the recording holds Smiley's own end.
        if self.profiler is not None:
            self.profiler.stop()
        lost = not self._warned and _thread.get_ident() == self._main_thread and self.hook.lost_thread()
        try:
            self.hook.uninstall()
        except Exception:
            pass
        profile = self._profile()
        said = []
        if not self.recorder.recorded_any:
            said.append(self._why_nothing())
        if self.recorder.scope is not None:
            said.append(self._unmatched(self.recorder.scope.unmatched()))
        said = [line for line in said if line is not None]
        self._say(said)
        try:
            stream = self.stream
            if not stream.closed:
                if self.child:  # said on its run instead
                    for line in said:
                        stream.append((wire.NOTICE, line))
                if lost:
                    stream.append((wire.NOTICE, LOST_MAIN_THREAD))
                elif self.recorder.reached_limit and not self.native:
                    stream.append((wire.NOTICE, AT_RECURSION_LIMIT))
                if profile is not None:
                    stream.append((wire.PROFILE, profile))
                stream.append((wire.END, self._ending(exit_status, signum, error)))
            stream.close()
        except StreamClosed:
            pass

    def _why_nothing(self):
        """A run of a module that is not the user's own code (``-m calendar``) records nothing:
        why, and which option records it; None when that is not why."""
        main = sys.modules.get("__main__")
        path = getattr(main, "__file__", None)
        found = self.filter.why_not(path) if isinstance(path, str) else None
        if found is None:
            return None
        spec = getattr(main, "__spec__", None)
        name = getattr(spec, "name", None) or os.path.basename(path)
        return "nothing was recorded: %s is in %s, which is not recorded by default (%s records it)" % ((name,) + found)

    @staticmethod
    def _unmatched(names):
        """A --function NAME that no function that ran answered to: a typo, most likely."""
        if not names:
            return None
        return "--function %s: no function of that name ran, so nothing of it was recorded" % ", ".join(names)

    def _say(self, lines):
        """Said on the terminal of the user who ran smiley, which is the program's own stderr;
        by the process the user started only, never by a child (see ``self.child``)."""
        if self.child:
            return
        for line in lines:
            try:
                sys.stderr.write("smiley: %s\n" % line)
            except Exception:
                pass

    def _ending(self, exit_status, signum, error):
        info = {"ended": time.time()}
        if exit_status is not None:
            info["exitStatus"] = exit_status
        if signum is not None:
            info["signal"] = signum
        if error is None:
            # Set by the interpreter just before it prints an uncaught exception.
            error = getattr(sys, "last_exc", None) or getattr(sys, "last_value", None)
            # Without our excepthook (the program replaced it), sys.last_value is all there is.
            witnessed = sys.excepthook is self._excepthook
            if error is self.handled or (witnessed and error is not self.uncaught):
                error = None
        if isinstance(error, BaseException):
            info["exception"] = self._describe(error)
        if self.exit_watch is not None and exit_status is None and signum is None:
            # A child's recorder cannot see its exit status: the tracer says it, as far as it knows.
            info["exitStatus"] = 1 if "exception" in info else (self.exit_watch.status or 0)
        return info

    def _describe(self, error):
        try:
            text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        except Exception as failure:
            text = "<traceback unavailable: %s>" % describe_error(failure)
        if len(text) > MAX_TRACEBACK:
            text = "\u2026" + text[-MAX_TRACEBACK:]
        kind = type(error)
        name = kind.__qualname__ if kind.__module__ in ("builtins", "__main__") else "%s.%s" % (kind.__module__, kind.__qualname__)
        return {"type": name, "message": self.recorder.exception(error)[1], "traceback": self.redactor.scrub_text(text)}

    def _profile(self):
        if self.profiler is None:
            return None
        try:
            return self.profiler.stats()
        except Exception as error:
            self.stream.append((wire.NOTICE, "the profile could not be built: %s" % describe_error(error)))
            return None

    def _exit(self, status):
        self.finish(exit_status=status)
        self._real_exit(status)

    def _flushing(self, real, replaces=False):
        """``real``, called once what is recorded so far has been sent. A child process's run
        whose process replaces itself (``replaces``: exec) ends there: its recorder cannot see
        the exec, and the new program is a run of its own (children.py)."""

        def flushed(*args, **kwargs):
            try:
                if replaces and self.exit_watch is not None and not self.stream.closed:
                    self.stream.append((wire.END, {"ended": time.time(), "exec": True}))
                self.stream.flush()
            except StreamClosed:
                pass
            return real(*args, **kwargs)

        return flushed

    def _witness(self, real):
        """sys.excepthook, noting the exception it is given: the program's uncaught one."""

        def excepthook(kind, value, tb):
            self.uncaught = value
            return real(kind, value, tb)

        excepthook.__doc__ = real.__doc__
        return excepthook

    def _getsignal(self, real):
        """signal.getsignal as the program would see it without Smiley: the default action
        where Smiley's handler (which flushes, then takes that action) stands in for it."""

        def getsignal(signalnum):
            handler = real(signalnum)
            return signal.SIG_DFL if handler == self._terminated else handler

        getsignal.__doc__ = real.__doc__
        getsignal.__name__ = getsignal.__qualname__ = real.__name__
        getsignal.__module__ = real.__module__
        return getsignal

    def _terminated(self, signum, frame):
        if _active is not None and _active is not self:
            # In a forked child, the parent's handler: the child's own session ends its run.
            _active._terminated(signum, frame)
            return
        if self._ending_now:
            # The run is being ended already (the program is exiting): the end is sent first.
            self._deferred_signal = signum
            return
        self.finish(signum=signum)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    def _before_fork(self):
        """Python 3.12+ warns that a process forking while other threads run may deadlock: the
        tracer's flusher thread must not be what gives a single-threaded program that warning.
        It is ignored for this fork only (3.13 warns once the fork's after-hooks have run, so the
        filter goes a flusher tick later)."""
        if self.marks_forks and not self.finished:
            self.stream.append((wire.CHILD, 0, time.time()))  # children.py: where a fork was made
        if sys.version_info < (3, 12) or not self.stream.flushing() or _os_threads() > 2:
            return
        # As warnings.filterwarnings does, without running its Python code.
        filters, entry = warnings.filters, self._fork_warning
        _remove(filters, entry)
        filters.insert(0, entry)
        _filters_mutated()
        self._fork_filter = (filters, entry)

    def _after_fork(self):
        if self._fork_filter is not None:
            self.stream.later(self._drop_fork_filter)

    def _drop_fork_filter(self):
        found, self._fork_filter = self._fork_filter, None
        if found is None:
            return
        inserted_into, entry = found
        for filters in (inserted_into, warnings.filters):  # the program may have replaced the list
            _remove(filters, entry)
        _filters_mutated()

    def _forked(self):
        """In a forked child: stop silently, the pipe and the run belong to the parent; when
        children are recorded, the child starts a run of its own on a connection of its own."""
        global _active
        if _active is not self:
            return  # a session a fork had already replaced
        stack = _callers()
        self._drop_fork_filter()
        self.finished = True
        try:
            self.hook.uninstall()
            if self.profiler is not None:
                self.profiler.forked()
        except Exception:
            pass
        self.stream.abandon()
        os._exit = self._real_exit
        for name, real in self._abrupt.items():
            setattr(os, name, real)
        _active = None
        try:
            children.start_forked(stack)
        except Exception as error:
            sys.stderr.write("smiley: this forked process is not recorded (internal error: %s)\n" % describe_error(error))

    def _failed(self, error):
        """Called from a hook (or the flusher, when the stream is gone): stop tracing, say so
        once, and let the program run on. Silent once the run has ended: threads still running
        then (daemons) are not recorded."""
        try:
            self.hook.detach_current_thread()
            self.hook.uninstall()
        except Exception:
            pass
        if self._warned or self.finished:
            return
        self._warned = True
        if error is None:
            reason = "the program closed its descriptor" if self.stream.taken else "the recorder stopped reading"
        else:
            reason = "internal error: %s" % describe_error(error)
            try:
                self.stream.append((wire.NOTICE, "tracing stopped after an %s" % reason))
                self.stream.flush()
            except StreamClosed:
                pass
        self._say(["tracing stopped (%s); the program continues untraced" % reason])


def _host_name():
    """socket.gethostname() without importing socket, whose start-up costs more than the rest
    of this module's imports together."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()


def _out_of_the_way(fd):
    """The stream's descriptor, moved as high as a program rarely looks: the program's own files
    get the numbers they would get without Smiley (3 first), and code that closes every
    descriptor after 2 up to a few hundred, as daemons do, leaves it alone."""
    try:
        import fcntl
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        target = min(soft if soft > 0 else 1024, 1024) - 1
        if target <= fd:
            return fd
        moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, target)
    except (ImportError, AttributeError, OSError):
        return fd
    os.close(fd)
    return moved


def _remove(filters, entry):
    try:
        filters.remove(entry)
    except ValueError:
        pass


def _filters_mutated():
    """Tell the warnings machinery its filters changed (a C function, where it exists)."""
    mutated = getattr(warnings, "_filters_mutated", None)
    if mutated is not None:
        mutated()


def _os_threads():
    """How many threads this process has, as the fork warning counts them (on Linux, the kernel's
    count: threads started by extensions too)."""
    try:
        with open("/proc/self/stat", "rb") as handle:
            return int(handle.read().rsplit(b")", 1)[1].split()[17])
    except (OSError, ValueError, IndexError):
        return threading.active_count()


def _callers():
    """The file names of the frames that called fork, innermost first, their trace functions
    (the parent's recording's) taken off: the child's recording sees only calls made after."""
    names = []
    frame = sys._getframe(1)
    while frame is not None:
        frame.f_trace = None
        names.append(frame.f_code.co_filename)
        frame = frame.f_back
    return names


_active = None

# The byte that lets the program start (see server/record/gate.ts).
GO = b"g"


def _wait_for_go(fd):
    """Holds the program before anything is sent or hooked until ``smiley run``'s recorder is
    ready: the interpreter starts while smiley opens its database. One byte on ``fd`` says go;
    the descriptor closed without it says the recording cannot start (smiley says why in one
    line), and the program never runs. Ctrl-C meanwhile stops the process as it would have
    stopped the program."""
    startup_marks.mark("tracer waiting at the gate")
    try:
        try:
            word = os.read(fd, 1)
        finally:
            os.close(fd)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        word = b""
    except OSError:
        word = b""
    if word != GO:
        os._exit(1)
    startup_marks.mark("tracer let go")


def start_from_options(options, forked=False):
    """Start recording this process; returns the session (kept alive by atexit). A forked
    child's recording starts at once, its profile too: its program is already running."""
    global _active
    gate = options.pop("goFd", None)
    session = Session(options)
    # Before the hook is installed: what they import is never recorded.
    children.announce(session)
    if session.exit_watch is not None:
        session.exit_watch.install(options.get("command") or [])
    if gate is not None:
        _wait_for_go(int(gate))
    session.start()
    _active = session
    if forked:
        if session.profiler is not None:
            session.profiler.start()
        return session
    if options.get("perTest"):
        from . import test_runs

        test_runs.install(session)
    script = options.get("script")
    if script:
        session.check_syntax(script)
    session.profile_the_program()
    return session
