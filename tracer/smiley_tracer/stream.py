"""The tracer's end of the event stream: a shared buffer of records, flushed as framed
``marshal`` batches to an inherited file descriptor.

Records are appended from any thread (``list.append`` is atomic under the GIL). A flush
takes the first ``n`` records in two C-level operations, so records appended meanwhile stay
for the next flush, and writes happen under a lock, so batches reach the pipe in order.
When the buffer is full the appending thread flushes itself; blocking on the pipe is how a
slow reader slows the program down instead of losing events. A daemon thread flushes every
few tens of milliseconds so that a quiet program's events still arrive promptly.

With the native accelerator the records are not kept as tuples: its encoder writes each one
as it is appended, as marshal would (without back-references), and a flush takes the batch.
"""

import errno
import itertools
import marshal
import os
import sys
import threading
import time

from . import wire

BATCH_SIZE = 4096
FLUSH_INTERVAL = 0.05
# A write failing with one of these means the reader is gone.
_GONE_ERRNOS = frozenset([errno.EPIPE, errno.ECONNRESET, errno.EBADF, errno.ENOTCONN])


class StreamClosed(Exception):
    """The reader went away: nothing more can be sent."""


class Stream:
    def __init__(self, fd):
        self.fd = fd
        self.buffer = []
        self.append = self.buffer.append
        self._encoder = None  # the native accelerator, when it encodes the records itself
        self.closed = False
        self._lock = threading.RLock()
        self._writing = None
        self._symbols = {}
        self._symbol_ids = itertools.count(1)
        self._flusher = None
        self._write(wire.HEADER)

    # Interning: every string and id that events refer to is defined once per run.

    def symbol(self, text):
        """The id of a variable name or type name, defining it on first use."""
        known = self._symbols.get(text)
        if known is None:
            known = next(self._symbol_ids)
            self._symbols[text] = known
            self.append((wire.SYMBOL, known, text))
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

    def start_flusher(self):
        """Flush in the background so that events of a quiet program arrive within ~50 ms."""
        thread = threading.Thread(target=self._flush_periodically, name="smiley-flusher", daemon=True)
        thread.start()
        self._flusher = thread

    def _flush_periodically(self):
        while not self.closed:
            time.sleep(FLUSH_INTERVAL)
            if self.pending():
                try:
                    self.flush()
                except StreamClosed:
                    return

    def flush(self):
        """Send everything buffered so far. Raises ``StreamClosed`` if the reader is gone."""
        if self.closed:
            self._drop()
            raise StreamClosed()
        me = threading.get_ident()
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
            payload = self._encoder.take()
            if payload is None:
                return
        else:
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
        view = memoryview(data)
        pending = None
        while view:
            try:
                written = os.write(self.fd, view)
            except OSError as error:
                if error.errno not in _GONE_ERRNOS:
                    raise
                self.closed = True
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
            return
        try:
            self.flush()
        finally:
            self.closed = True
            try:
                os.close(self.fd)
            except OSError:
                pass

    def abandon(self):
        """Forget everything without writing: used in a forked child, whose pipe is the parent's."""
        self.closed = True
        self._drop()
        try:
            os.close(self.fd)
        except OSError:
            pass

