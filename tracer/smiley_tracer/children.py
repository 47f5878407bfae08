"""Child processes: every Python process a recorded program starts is recorded as a run of its
own, linked to the run of the process that started it (see docs/child-processes.md).

The recorder listens on a Unix socket in a private folder. ``SMILEY_CHILDREN`` in the
environment says where, with the recording's token, the options to record with, and the run
(uuid and pid) of the process that set it: each recorded process puts its own run there, so a
child names its nearest recorded ancestor. The tracer's folder stays on PYTHONPATH, so that any
interpreter started with this environment runs ``tracer/sitecustomize.py``, which comes here.

A child never writes to its parent's stream: it opens a connection of its own, says the token,
then sends a whole stream (header, hello, events, end) as ``smiley run``'s pipe carries one.
A process forked without exec starts a fresh run on a fresh connection in the child.
"""

import json
import os
import sys
import time

from . import wire

ENV = "SMILEY_CHILDREN"

# Processes multiprocessing starts for itself, never the program's: not recorded.
_HOUSEKEEPERS = ("multiprocessing.resource_tracker", "multiprocessing.semaphore_tracker")


def announced():
    """The announcement in the environment, or None when children are not recorded."""
    raw = os.environ.get(ENV)
    if not raw:
        return None
    try:
        found = json.loads(raw)
    except ValueError:
        return None
    return found if isinstance(found, dict) and "socket" in found and "token" in found else None


def announce(session):
    """Make ``session``'s run the parent of the processes started from now on, and mark in
    its stream where each one starts."""
    found = announced()
    if found is None:
        return
    found["parent"] = session.options.get("run")
    found["pid"] = os.getpid()
    os.environ[ENV] = json.dumps(found)
    _mark_starts(session)


# The functions that start processes, as they were before any session wrapped them.
_starters = {}


def _mark_starts(session):
    """Wrap what starts a new program (subprocess's ``fork_exec``, ``os.posix_spawn``) so that
    the stream says, at that place, which pid was started. A forked child's new session wraps
    the original functions again, never its parent's wrappers. ``os.fork`` is not wrapped (the
    warning it gives a threaded program must name the program's line): the session's fork hook
    marks a fork, with pid 0, and a forked child's run finds it by time."""
    session.marks_forks = True
    import _posixsubprocess
    import subprocess  # 3.12+ binds fork_exec as subprocess._fork_exec when it is imported

    places = [(os, "posix_spawn"), (os, "posix_spawnp"), (_posixsubprocess, "fork_exec"), (subprocess, "_fork_exec")]
    for owner, name in places:
        key = (owner.__name__, name)
        real = _starters.get(key) or getattr(owner, name, None)
        if real is None:
            continue
        _starters[key] = real
        setattr(owner, name, _marking(session, real))


def _marking(session, real):
    def started(*args, **kwargs):
        pid = real(*args, **kwargs)
        if isinstance(pid, int) and pid > 0 and not session.finished:
            session.stream.append((wire.CHILD, pid, time.time()))
        return pid

    started.__name__ = getattr(real, "__name__", "started")
    started.__doc__ = getattr(real, "__doc__", None)
    return started


def connect(found):
    """A connection to the recorder, the token said; its descriptor, or None when the recorder
    cannot be reached (it has ended: the process then runs unrecorded). ``socket`` is imported
    here, in a child only, before its hook exists: the top process's start-up is spared it."""
    import socket

    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    except (AttributeError, OSError):
        return None
    try:
        sock.connect(found["socket"])
        sock.sendall(("%s\n" % found["token"]).encode("ascii"))
    except (OSError, UnicodeError, TypeError):
        sock.close()
        return None
    return sock.detach()


def child_options(found, started_by):
    """The options a child records with: the announced ones, its own run and its parent's."""
    import uuid  # here: its imports (platform, re…) cost every other process its start-up

    options = dict(found.get("options") or {})
    options["run"] = str(uuid.uuid4())
    options["parent"] = found.get("parent")
    options["startedBy"] = started_by
    return options


class ExitWatch:
    """How a child's process is exiting, which its recorder cannot see (it is not the parent):
    the status given to ``sys.exit``, or to a ``SystemExit`` leaving a module run with ``-m``.
    A ``SystemExit`` raised by a script's own top level goes unseen (the run then says 0)."""

    def __init__(self):
        self.status = None

    def install(self, command):
        real_exit = sys.exit

        def exit(status=None):
            self.status = _exit_status(status)
            real_exit(status)

        exit.__doc__ = real_exit.__doc__
        sys.exit = exit
        if "-m" in command:
            import runpy

            real_run = runpy._run_module_as_main

            def run_module_as_main(*args, **kwargs):
                try:
                    return real_run(*args, **kwargs)
                except SystemExit as error:
                    self.status = _exit_status(error.code)
                    raise

            runpy._run_module_as_main = run_module_as_main


def _exit_status(code):
    if code is None:
        return 0
    return int(code) if isinstance(code, int) else 1  # an IntEnum (pytest's ExitCode) as a plain int


def start_new_interpreter():
    """From sitecustomize, in an interpreter started with the announcement: record it, unless
    it is one of multiprocessing's own helpers. Returns the session, or None."""
    found = announced()
    if found is None:
        return None
    command = command_line()
    if any(name in part for part in command for name in _HOUSEKEEPERS):
        return None
    fd = connect(found)
    if fd is None:
        return None
    options = child_options(found, _how_exec(found, command))
    options["fd"] = fd
    options["command"] = command
    code = main_code(command)
    if code is not None:
        # Recorded as `smiley run -c` records its own: the text as the source of <string>.
        options["mainName"] = "<string>"
        options["mainSource"] = code
    from .session import start_from_options

    return start_from_options(options)


def start_forked(stack):
    """In a child forked without exec: a fresh run on a fresh connection. ``stack`` is the file
    names of the frames that called fork, which say who forked."""
    found = announced()
    if found is None:
        return None
    fd = connect(found)
    if fd is None:
        return None
    options = child_options(found, _how_forked(stack))
    options["fd"] = fd
    options["command"] = command_line()
    options.pop("script", None)
    from .session import start_from_options

    return start_from_options(options, forked=True)


def command_line():
    """This interpreter's whole command line, ``-c`` code included (``sys.argv`` drops it)."""
    given = getattr(sys, "orig_argv", None)
    if given:
        return list(given)
    try:
        with open("/proc/self/cmdline", "rb") as handle:
            parts = handle.read().split(b"\0")
    except OSError:
        return [sys.executable] + list(sys.argv)
    return [os.fsdecode(part) for part in parts if part]


def main_code(command):
    """The code of a ``python -c CODE`` interpreter, from its whole command line, or None.
    ``sys.argv`` is ``['-c', args…]`` there: the code is the word before the arguments, or the
    end of an option cluster (``-uc CODE``, ``-cCODE``)."""
    if sys.argv[:1] != ["-c"] or len(command) <= len(sys.argv):
        return None
    word = command[len(command) - len(sys.argv)]
    before = command[len(command) - len(sys.argv) - 1]
    if before.startswith("-") and not before.startswith("--") and before.endswith("c"):
        return word
    if word.startswith("-") and "c" in word:
        return word[word.index("c") + 1 :]
    return None


def _how_exec(found, command):
    if "--multiprocessing-fork" in command:
        return "multiprocessing-spawn"
    if any("multiprocessing.forkserver" in part for part in command):
        return "multiprocessing-forkserver"
    if found.get("parent") is None:
        return "command"
    # The process that announced itself replaced itself with this interpreter.
    return "exec" if found.get("pid") == os.getpid() else "subprocess"


def _how_forked(stack):
    for path in stack:
        name = os.path.basename(path)
        if "multiprocessing" in path and name == "popen_fork.py":
            return "multiprocessing-fork"
        if "multiprocessing" in path and name == "forkserver.py":
            return "multiprocessing-forkserver"
    return "fork"
