"""Secrets kept out of the recording: by the name that holds a value, by the shape of the value
itself, and by having been seen once under a secret name.

Every text the tracer records (a local, a return value, an exception message, the program's
arguments) passes through ``scrub``; the rules are in ``secret_patterns.json``, which the
recorder reads too for the run's command line:

- a variable, dict key or attribute whose name looks secret (``names``) is recorded as
  ``<redacted>``, and its value (a string or bytes of 6 characters or more) is remembered: the
  same value is redacted wherever it shows later in the run, under any name, inside any text;
- ``name=value``, ``name: value`` and ``('name', value)`` inside a text, for such names, and
  ``--name value`` in a list of arguments;
- values shaped like secrets (``values``: cloud keys, tokens, private-key blocks), and the
  credential part of ``partial`` ones (a password in a URL, a ``Bearer`` credential);
- the values of environment variables whose names look secret.

The user adds names and patterns with ``--redact NAME`` and ``--redact /REGEX/``.
"""

import json
import os
import re

REDACTED = "<redacted>"
# Shorter values are not remembered: "1" or "main" would be redacted wherever they show.
SHORTEST_REMEMBERED = 6
MOST_REMEMBERED = 1000
SCRUBBED_KEPT = 1024  # texts whose scrubbed form is kept, at most

_RULES = json.loads(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "secret_patterns.json"), encoding="utf-8").read())
SECRET_NAME = re.compile(_RULES["names"], re.IGNORECASE)
# Environment variables whose values are remembered as secrets: the secret names, and the
# conventions of services that keep credentials in the environment.
SECRET_ENVIRONMENT = re.compile(_RULES["names"] + r"|_key$|^key_|_pat$|_url$|_uri$|_dsn$|_auth|_pass$", re.IGNORECASE)
NOT_SECRET_ENVIRONMENT = frozenset(["PWD", "OLDPWD"])  # the working directory, not a password
# A name then a value, inside a text: `password=x`, `'token': 'x'`, `('api_key', 'x')`,
# `--password x`. Names are found by these words first; whether one is secret is then decided
# by SECRET_NAME (or --redact).
_NAME_HINT = re.compile("pass|pwd|secret|key|token|auth|cred|session|cookie|dsn|pat|sig")
_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_VALUE_AFTER_NAME = re.compile(r"""(['"]?)([ \t]*(?:=(?!=)|:)[ \t]*|,[ \t]*|[ \t]+)(b?'(?:[^'\\\n]|\\.)*'|b?"(?:[^"\\\n]|\\.)*"|[^\s,;&)}\]'"]+)""")
# An unquoted value that is a call or a subscript, up to the first quote or bracket.
_EXPRESSION = re.compile(r"[A-Za-z_][\w.]*[\[(]")
NAME_WORDS = tuple(_RULES["nameWords"].split("|"))
_WHOLE = [rule["pattern"] for rule in _RULES["values"]]
_PARTIAL = [(re.compile(rule["pattern"]), rule["hints"]) for rule in _RULES["partial"]]
# Every value pattern matches such a run, but for a private key's first line.
_LONG_RUN = re.compile(r"[A-Za-z0-9_+/=.-]{16,}")


class Redactor:
    """The run's redaction rules and the secret values seen so far. ``values`` (a set) and
    ``texts`` (a list, longest first) are shared with the native accelerator, which looks them
    up itself and calls ``scrub`` only for texts that may hold a secret."""

    def __init__(self, enabled=True, names=(), patterns=(), environ=None):
        self.enabled = enabled
        self.values = set()
        self.texts = []
        self._scrubbed = {}  # text -> the same text scrubbed: a local rendered again at each line
        self._names = {}
        self._extra_names = frozenset(name.lower().replace("-", "_") for name in names)
        self._whole = re.compile("|".join("(?:%s)" % pattern for pattern in _WHOLE))
        extra, self.refused = _compiling(patterns)
        # The user's patterns are searched in every text: nothing is known of their shape.
        self._extra = re.compile("|".join("(?:%s)" % pattern for pattern in extra)) if extra else None
        self.always = self._extra is not None
        self._name_hint = _NAME_HINT
        if self._extra_names:
            words = "|".join(re.escape(name) for name in sorted(self._extra_names))
            self._name_hint = re.compile("%s|%s" % (_NAME_HINT.pattern, words))
        if enabled:
            for name, value in (os.environ if environ is None else environ).items():
                if (SECRET_ENVIRONMENT.search(name) and name not in NOT_SECRET_ENVIRONMENT) or name.lower() in self._extra_names:
                    self.remember(value)

    def is_secret(self, name):
        """True when values bound to ``name`` must not be recorded."""
        if not self.enabled:
            return False
        known = self._names.get(name)
        if known is None:
            if len(self._names) > 10000:
                self._names.clear()
            bare = name.lstrip("-").replace("-", "_")
            known = self._names[name] = bool(SECRET_NAME.search(bare)) or bare.lower() in self._extra_names
        return known

    def remember(self, value):
        """A value held under a secret name: redacted wherever it shows from now on."""
        if not self.enabled:
            return
        kind = type(value)
        if kind is bytes:
            try:
                value = value.decode("ascii")
            except UnicodeDecodeError:
                return
        elif kind is not str:
            return
        if len(value) < SHORTEST_REMEMBERED or value in self.values or len(self.values) >= MOST_REMEMBERED:
            return
        self.values.add(value)
        self._scrubbed.clear()  # a text scrubbed before may hold it
        forms = {value, repr(value)[1:-1], repr(value.encode("utf-8", "backslashreplace"))[2:-1]}
        self.texts.extend(form for form in forms if len(form) >= SHORTEST_REMEMBERED and form not in self.texts)
        self.texts.sort(key=len, reverse=True)

    def may_hold_secret(self, text):
        """A quick test that ``scrub`` would leave ``text`` as it is when False (the accelerator
        has its own)."""
        if self.always or "://" in text:
            return True
        for secret in self.texts:
            if secret in text:
                return True
        lowered = text.lower()
        for word in NAME_WORDS:
            if word in lowered:
                return True
        return _long_word(text)

    def scrub(self, value, text):
        """``text`` (the recorded text of ``value``) with every secret in it redacted."""
        if not self.enabled:
            return text
        if type(value) is str and value in self.values:
            return REDACTED
        known = self._scrubbed.get(text)
        if known is not None:
            return known
        scrubbed = self._named_values(self._shapes(text, REDACTED))
        for secret in self.texts:
            if secret in scrubbed:
                scrubbed = scrubbed.replace(secret, REDACTED)
        if len(self._scrubbed) >= SCRUBBED_KEPT:
            self._scrubbed.clear()
        self._scrubbed[text] = scrubbed
        return scrubbed

    def scrub_value(self, value, text):
        """scrub, after the quick tests."""
        if type(value) is str and value in self.values:
            return REDACTED
        if not self.may_hold_secret(text):
            return text
        return self.scrub(value, text)

    def scrub_source(self, text):
        """A source file's text: secrets written in it (``password = "…"``, a key's value)
        redacted, every line kept where it was. Values seen at run time are not looked for."""
        if not self.enabled:
            return text
        return self._named_values(self._shapes(text, _redact_keeping_lines), code=True)

    def _shapes(self, text, redacted):
        """``text`` with the values shaped like secrets replaced by ``redacted`` (a text, or what
        makes it from a match): partial ones in their last group only."""
        for pattern, hints in _PARTIAL:
            if any(hint in text for hint in hints):
                text = pattern.sub(_redact_last_group, text)
        if "PRIVATE KEY" in text:
            text = self._whole.sub(redacted, text)
        else:  # each value pattern matches inside one run: only those are searched
            text = _LONG_RUN.sub(self._whole_run, text)
        if self._extra is not None:
            text = self._extra.sub(redacted, text)
        return text

    def scrub_text(self, text):
        """A text that is not a value's repr (an exception message, a traceback)."""
        if not self.enabled or not self.may_hold_secret(text):
            return text
        return self.scrub(None, text)

    def scrub_arguments(self, argv):
        """The program's arguments: `--password X` hides X, `--token=X` its value."""
        if not self.enabled:
            return list(argv)
        shown = []
        hide_next = False
        for argument in argv:
            if hide_next and type(argument) is str:
                shown.append(REDACTED)
                hide_next = False
                continue
            hide_next = type(argument) is str and argument.startswith("-") and "=" not in argument and self.is_secret(argument)
            shown.append(self.scrub_text(argument) if type(argument) is str else argument)
        return shown

    def _whole_run(self, match):
        return self._whole.sub(REDACTED, match.group(0))

    def _named_values(self, text, code=False):
        """``text`` with the value after each secret name redacted; in ``code``, not a call or
        a subscript after a name outside a string (``password = read(path)``,
        ``token = environ["X"]``, ``{"key": make()}``): code, not a value."""
        parts = []
        at = 0  # where the search goes on
        kept = 0  # the text before this is in parts
        lowered = text.lower()
        if len(lowered) != len(text):  # a letter whose lower case is longer
            lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        for hint in self._name_hint.finditer(lowered):
            start, end = hint.span()
            if start < at:
                continue  # inside a value already redacted, or a name already looked at
            while start > 0 and text[start - 1] in _NAME_CHARACTERS:
                start -= 1
            while end < len(text) and text[end] in _NAME_CHARACTERS:
                end += 1
            opening = text[start - 1] if start > 0 and text[start - 1] in "'\"" else ""
            after = _VALUE_AFTER_NAME.match(text, end)
            closing = after.group(1) if after is not None else ""
            if (
                after is None
                or (closing and opening and closing != opening)
                or (code and closing == opening and _EXPRESSION.match(after.group(3)))
                or not self._hides(text[start:end], closing, after)
            ):
                at = end
                continue
            parts.append(text[kept : after.start(3)])
            parts.append(REDACTED)
            at = kept = after.end()
        if not parts:
            return text
        parts.append(text[kept:])
        return "".join(parts)

    def _hides(self, name, quoted, after):
        separator, value = after.group(2), after.group(3)
        if value == REDACTED or after.string.startswith(" " + REDACTED, after.end()) or not self.is_secret(name):
            return False  # already hidden: `password: <redacted>`, `Authorization: Bearer <redacted>`
        if separator.isspace():
            return name.startswith("-")  # an option and its value, not words in a sentence
        return separator.strip() != "," or bool(quoted)  # ('name', value), not name, x


_KEY_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+/=-")


def cut_word(value, at):
    """Where the key-like word that a cut at ``at`` goes through starts (one with a digit, or
    both cases), or None. Works on str and bytes."""
    if type(value) is bytes:
        value = value.decode("latin-1")
    if at >= len(value) or value[at] not in _KEY_CHARACTERS:
        return None
    start = at
    while start > 0 and value[start - 1] in _KEY_CHARACTERS:
        start -= 1
    end = at
    while end < len(value) and end < at + 64 and value[end] in _KEY_CHARACTERS:
        end += 1
    if start == at:
        return None
    word = value[start:end]
    if any(c.isdigit() for c in word) or (word.lower() != word and word.upper() != word):
        return start
    return None


def _compiling(patterns):
    """The patterns Python can compile, and a line for each one it cannot (left out)."""
    usable, refused = [], []
    for pattern in patterns:
        try:
            re.compile(pattern)
            usable.append(pattern)
        except re.error as error:
            refused.append("--redact /%s/ is not a Python regular expression (%s): it hides nothing" % (pattern, error))
    return usable, refused


def _redact_keeping_lines(match):
    return REDACTED + "\n" * match.group(0).count("\n")


def _redact_last_group(match):
    last = match.re.groups
    if match.start(last) < 0:
        return REDACTED
    start = match.start()
    whole = match.group(0)
    return whole[: match.start(last) - start] + REDACTED + whole[match.end(last) - start :]


_WORD = re.compile(r"[A-Za-z0-9_+=-]{16,}")


def _long_word(text):
    """A run of 16 or more token characters with a digit, or with both cases: what most keys
    and tokens look like (the accelerator's test is the same)."""
    for match in _WORD.finditer(text):
        word = match.group(0)
        if any(c.isdigit() for c in word) or (word.lower() != word and word.upper() != word):
            return True
    return False
