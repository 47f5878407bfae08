"""The tracer's end of the event stream: a shared buffer of records, flushed as framed
``marshal`` batches to an inherited file descriptor.

Records are appended from any thread (``list.append`` is atomic under the GIL). A flush
takes the first ``n`` records in two C-level operations, so records appended meanwhile stay
for the next flush, and writes happen under a lock, so batches reach the pipe in order.
A thread of Smiley's own, the flusher, flushes every few tens of milliseconds, so that a quiet
program's events still arrive promptly, and whenever a thread whose buffer is full asks it
to; that thread waits meanwhile: blocking on the pipe is how a slow reader slows the program
down instead of losing events. The flusher does every write while it runs because signal
handlers run in the main thread only: one that raises there (KeyboardInterrupt) ends a wait,
and can neither cut a batch in two nor lose one. It uses ``_thread`` locks, not ``threading``,
whose Python code would be recorded with ``--include-stdlib``.

With the native accelerator the records are not kept as tuples: its encoder writes each one
as it is appended, as marshal would (without back-references), and a flush takes the batch.
"""

import _thread
import errno
import itertools
import marshal
import os
import sys
import time

from . import wire

BATCH_SIZE = 4096
FLUSH_INTERVAL = 0.05
# The pipe holds this much when the system lets it (Linux; 64 KiB otherwise): about 20 000
# events, so the program runs on while the recorder commits a transaction, instead of waiting
# a few times per batch for the recorder to read the next 64 KiB.
PIPE_BYTES = 1 << 20
# A write failing with one of these means the reader is gone.
_GONE_ERRNOS = frozenset([errno.EPIPE, errno.ECONNRESET, errno.EBADF, errno.ENOTCONN])


class StreamClosed(Exception):
    """The reader went away: nothing more can be sent."""


class Stream:
    def __init__(self, fd):
        self.fd = fd
        self._identity = _identity(fd)
        _widen_pipe(fd)
        self.taken = False  # the program closed the descriptor (and may use its number for its own)
        self.buffer = []
        self.append = self.buffer.append
        self._encoder = None  # the native accelerator, when it encodes the records itself
        self.closed = False
        self._lock = _thread.RLock()
        self._writing = None
        self._symbols = {}
        self._symbol_ids = itertools.count(1)
        self._flusher = None
        self._flusher_running = False
        self._wakeup = _thread.allocate_lock()  # released to wake the flusher
        self._wakeup.acquire()
        self._closing = _thread.allocate_lock()  # released once the stream is closed
        self._closing.acquire()
        self._waiters = []  # locks released once the flusher has written what was pending
        self._actions = []  # (when, action) for the flusher to run
        self._write(wire.HEADER)

    # Interning: every string and id that events refer to is defined once per run.

    def symbol(self, text):
        """The id of a variable name or type name, defining it on first use."""
        known = self._symbols.get(text)
        if known is None:
            known = next(self._symbol_ids)
            # Sent before it is known: should the append fail (at the program's recursion
            # limit), no later record may refer to a symbol never defined.
            self.append((wire.SYMBOL, known, text))
            self._symbols[text] = known
        return known

    def use_encoder(self, encoder):
        """Hand every record, from now on, to the native accelerator's encoder: it writes
        them as marshal does, as they come, and gives back whole batches."""
        for record in self.buffer:
            encoder.append(record)
        del self.buffer[:]
        self._encoder = encoder
        self.append = encoder.append

    def pending(self):
        """How many records wait for the next flush."""
        return len(self.buffer) if self._encoder is None else self._encoder.pending()

    def _drop(self):
        if self._encoder is None:
            del self.buffer[:]
        else:
            self._encoder.drop()

    # Flushing.

    def start_flusher(self, on_closed):
        """Start the flusher; ``on_closed()`` is called there if the reader goes away. Returns
        once the flusher runs where no profiler or tracer sees it."""
        self._flusher_running = True
        inside = _thread.allocate_lock()
        inside.acquire()
        self._flusher = _thread.start_new_thread(self._run_flusher, (on_closed, inside))
        inside.acquire()

    def _run_flusher(self, on_closed, inside):
        """The flusher's thread, started with ``_thread``, not ``threading``: no hook the
        program gives threading applies to it, and threading does not list it. Its loop runs
        inside a call of a trace function: while one runs, the interpreter reports nothing
        of that thread to any trace or profile function, nor (3.12+) to any sys.monitoring
        tool, cProfile's included, so the program's profile never holds the flusher's waits
        and writes. Should that call not come, the loop runs here, seen."""

        def entered(frame, event, arg):
            sys.settrace(None)
            self._flush_hidden(on_closed, inside)

        try:
            sys.settrace(entered)
            _enter()
        finally:
            if inside.locked():
                try:
                    sys.settrace(None)
                except Exception:
                    pass  # an audit hook of the program's refused it: then it was never set
                self._flush_hidden(on_closed, inside)

    def _flush_hidden(self, on_closed, inside):
        """The flusher's loop; then the thread waits until the stream is closed, which the
        session does once the profiler is off: a frame of this thread ending while cProfile
        (3.12+) still runs would end the frame on top of its one stack, another thread's."""
        inside.release()
        try:
            self._flush_periodically(on_closed)
        finally:
            self._closing.acquire()

    def flushing(self):
        """Whether the flusher is running."""
        return self._flusher_running

    def later(self, action):
        """Run ``action`` in the flusher thread, a full interval from now or more."""
        self._actions.append((time.monotonic() + FLUSH_INTERVAL, action))

    def _flush_periodically(self, on_closed):
        me = _thread.get_ident()
        try:
            while not self.closed:
                self._wakeup.acquire(timeout=FLUSH_INTERVAL)
                self._run_actions(time.monotonic())
                waiters, self._waiters = self._waiters, []
                try:
                    self._flush_now(me)
                except StreamClosed:
                    on_closed()
                    return
                finally:
                    for done in waiters:
                        done.release()
        finally:
            self._flusher_running = False
            for done in self._waiters:
                done.release()
            self._run_actions(None)

    def _run_actions(self, now):
        due = [entry for entry in self._actions if now is None or entry[0] <= now]
        for entry in due:
            self._actions.remove(entry)
            entry[1]()

    def flush(self):
        """Send everything buffered so far. Raises ``StreamClosed`` if the reader is gone."""
        if self.closed:
            self._drop()
            raise StreamClosed()
        me = _thread.get_ident()
        if self._flusher_running and self._flusher != me:
            done = _thread.allocate_lock()
            done.acquire()
            self._waiters.append(done)
            if self._flusher_running:  # else it has released every waiter, or will not see this one
                try:
                    self._wakeup.release()
                except RuntimeError:
                    pass  # already awake
                done.acquire()
                if self.closed:
                    self._drop()
                    raise StreamClosed()
                return
        self._flush_now(me)

    def _flush_now(self, me):
        if self.closed:
            self._drop()
            raise StreamClosed()
        if self._writing == me:
            return  # re-entered from a signal handler in the middle of a write
        with self._lock:
            self._writing = me
            try:
                self._flush_locked()
            finally:
                self._writing = None

    def _flush_locked(self):
        if self._encoder is not None:
            frame = self._encoder.take_frame()  # framed where it was encoded: nothing copied
            if frame is not None:
                self._write(frame)
            return
        buffer = self.buffer
        count = len(buffer)
        if not count:
            return
        batch = buffer[:count]
        del buffer[:count]
        payload = marshal.dumps(batch, wire.MARSHAL_VERSION)
        self._write(wire.FRAME_LENGTH.pack(len(payload)) + payload)

    def _write(self, data):
        """Write all of ``data``, even when a signal handler raises in the middle of it."""
        if not self._ours():
            self.closed = self.taken = True
            raise StreamClosed()
        view = memoryview(data)
        pending = None
        while view:
            try:
                written = os.write(self.fd, view)
            except OSError as error:
                if error.errno not in _GONE_ERRNOS:
                    raise
                self.closed = True
                self.taken = error.errno == errno.EBADF
                raise StreamClosed() from None
            except BaseException as error:  # KeyboardInterrupt from a signal handler
                pending = error
                continue
            view = view[written:]
        if pending is not None:
            raise pending

    def close(self):
        """Flush what is left and close the descriptor; later flushes drop their records."""
        if self.closed:
            self._release_flusher()
            return
        try:
            self.flush()
        finally:
            self.closed = True
            with self._lock:  # not while the flusher writes
                self._close_fd()
            self._release_flusher()

    def _release_flusher(self):
        try:
            self._closing.release()
        except RuntimeError:
            pass  # released already

    def abandon(self):
        """Forget everything without writing: used in a forked child, whose pipe is the parent's
        (and which has no flusher thread)."""
        self.closed = True
        self._flusher_running = False
        self._drop()
        self._close_fd()

    def _ours(self):
        """Whether the descriptor is still the stream's: a program may close it and get its
        number back for a file of its own, which the stream must never write to or close."""
        return _identity(self.fd) == self._identity

    def _close_fd(self):
        if self._ours():
            try:
                os.close(self.fd)
            except OSError:
                pass


def _enter():
    """Called by the flusher's thread for its trace function to be called."""


def _widen_pipe(fd):
    """Make the pipe on ``fd`` hold ``PIPE_BYTES``, as far as the system allows: a descriptor
    that is not a pipe, or a system without the call, keeps what it has."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import fcntl
        import stat

        if not stat.S_ISFIFO(os.fstat(fd).st_mode):
            return
        # F_SETPIPE_SZ: named in fcntl from Python 3.10; Linux's number before it.
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (ImportError, OSError):
        pass  # over the user's limit, or not Linux: the pipe's own size serves


def _identity(fd):
    try:
        found = os.fstat(fd)
    except OSError:
        return None
    return found.st_dev, found.st_ino

