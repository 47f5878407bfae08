"""The native accelerator's place in the tracer: whether it is used, and the collaborators
its ``Core`` calls back for everything but the hot path.

``Core`` (``_speedups/``) records exactly what the pure-Python hooks record. It serves as the
trace function of ``sys.settrace`` (it installs itself as a C trace function in each thread
on its first event) and its methods as the callbacks of ``sys.monitoring``.
"""

import sys

from . import code_info
from .build import BuildError, load_or_build
from .changes import MISSING
from .recorder import MAX_CODES, MAX_SUSPENDED
from .settrace_hook import RETURN_OPCODES
from .stream import BATCH_SIZE, StreamClosed
from .redaction import NAME_WORDS, REDACTED
from .values import MUTABLE_TYPES



def load(choice):
    """(module or None, why not): the accelerator as ``choice`` asks; never raises."""
    if choice == "python":
        return None, None
    try:
        return load_or_build(), None
    except BuildError as error:
        return None, str(error)
    except Exception as error:  # a broken cache or toolchain must not break the program
        return None, "%s: %s" % (type(error).__name__, error)


def make_core(module, recorder, on_failure):
    """A ``Core`` wired to this run's recorder, stream and renderer."""
    tracker = recorder.locals
    stream = recorder.stream
    redactor = recorder.renderer.redactor
    config = {
        "flush": stream.flush,
        "batch_size": BATCH_SIZE,
        "code_record": recorder.code_record,
        "thread_id": recorder.thread_id,
        "task_current": recorder.tasks.current,
        "task_awaiting": recorder.tasks.awaiting,
        "text": tracker.render_text,
        "fingerprint": tracker.fingerprint,
        "unchanged": tracker.unchanged,
        "type_symbol": tracker.type_symbol,
        "name_info": tracker.name_info,
        "is_secret": recorder.renderer.is_secret,
        "scrub": redactor.scrub,
        "remember": redactor.remember,
        "secret_values": redactor.values,
        "secret_texts": redactor.texts,
        "secret_words": NAME_WORDS,
        "redacting": 2 if redactor.enabled and redactor.always else int(redactor.enabled),
        "exception": recorder.exception,
        "on_failure": on_failure,
        "stream_closed": StreamClosed,
        "missing": MISSING,
        "mutable_types": MUTABLE_TYPES,
        "redacted": REDACTED,
        "return_opcodes": RETURN_OPCODES,
        "offset_lines": code_info.offset_lines,
        "snapshot_all_py": tracker.snapshot_all,
        "diff_py": tracker.diff,
        "disable": getattr(getattr(sys, "monitoring", None), "DISABLE", None),
        "max_len": recorder.renderer.max_len,
        "max_suspended": MAX_SUSPENDED,
        "max_codes": MAX_CODES,
        "covers": None if recorder.scope is None else recorder.scope.covers,
        "watch": None if recorder.scope is None else recorder.watch,
    }
    core = module.Core(config)
    stream.use_encoder(core)
    return core
