"""Source text of traced files, decoded the way the interpreter decoded it."""

import io
import linecache
import tokenize

MAX_SOURCE_BYTES = 16 * 1024 * 1024


def read_source(filename, module_globals=None):
    """The text of ``filename`` as Python read it (PEP 263 coding cookie, BOM), or None."""
    try:
        with open(filename, "rb") as handle:
            data = handle.read(MAX_SOURCE_BYTES + 1)
    except OSError:
        data = None
    if data is not None:
        if len(data) > MAX_SOURCE_BYTES:
            return None
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            return data.decode(encoding, "replace")
        except (SyntaxError, LookupError, UnicodeDecodeError):
            return data.decode("utf-8", "replace")
    # Modules loaded from zip files and other loaders have no file on disk.
    try:
        lines = linecache.getlines(filename, module_globals)
    except Exception:
        return None
    return "".join(lines) if lines else None
