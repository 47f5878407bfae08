/*
 * Redaction on the hot path: redaction.Redactor's quick tests, done here on the text, so that a
 * text with nothing secret-looking in it costs one scan and no call into Python. A text that
 * may hold a secret goes to Redactor.scrub, which has the patterns.
 */

#include "core.h"

/* The run of key-like characters redaction._long_word looks for. */
#define LONG_WORD 16

static int
word_character(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '+'
           || c == '=' || c == '-';
}

/* Whether `word` (lower case ASCII) starts at `at`, whatever the case of the text. */
static int
word_at(const unsigned char *text, Py_ssize_t length, Py_ssize_t at, const char *word)
{
    for (; *word; word++, at++) {
        if (at >= length)
            return 0;
        unsigned char c = text[at];
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        if (c != (unsigned char)*word)
            return 0;
    }
    return 1;
}

/* values.cut_word: where the key-like word a cut of `text` at `at` goes through starts, or -1. */
Py_ssize_t
smiley_cut_word(PyObject *text, Py_ssize_t at)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
#define KEY_AT(i) (PyUnicode_READ(kind, data, (i)) < 128 && word_character((unsigned char)PyUnicode_READ(kind, data, (i))) \
                   || PyUnicode_READ(kind, data, (i)) == '/')
    if (at >= length || !KEY_AT(at))
        return -1;
    Py_ssize_t start = at, end = at;
    while (start > 0 && KEY_AT(start - 1))
        start--;
    while (end < length && end < at + 64 && KEY_AT(end))
        end++;
    if (start == at)
        return -1;
    int digit = 0, upper = 0, lower = 0;
    for (Py_ssize_t i = start; i < end; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        digit |= c >= '0' && c <= '9';
        upper |= c >= 'A' && c <= 'Z';
        lower |= c >= 'a' && c <= 'z';
    }
#undef KEY_AT
    return digit || (upper && lower) ? start : -1;
}

/* Redactor.may_hold_secret: 1, 0, or -1 (an error). */
int
smiley_may_hold_secret(Core *core, PyObject *text)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(core->secret_texts); i++) {
        PyObject *secret = PyList_GET_ITEM(core->secret_texts, i);
        Py_ssize_t found = PyUnicode_Find(text, secret, 0, length, 1);
        if (found != -1)
            return found == -2 ? -1 : 1;
    }
    if (!PyUnicode_IS_ASCII(text))
        return 1; /* rare: the Python test decides */
    const unsigned char *data = PyUnicode_1BYTE_DATA(text);
    Py_ssize_t run = 0;
    int digit = 0, upper = 0, lower = 0;
    for (Py_ssize_t i = 0; i < length; i++) {
        unsigned char c = data[i];
        if (word_character(c)) {
            run++;
            digit |= c >= '0' && c <= '9';
            upper |= c >= 'A' && c <= 'Z';
            lower |= c >= 'a' && c <= 'z';
            if (run >= LONG_WORD && (digit || (upper && lower)))
                return 1;
        } else {
            run = 0;
            digit = upper = lower = 0;
            if (c == ':' && i + 2 < length && data[i + 1] == '/' && data[i + 2] == '/')
                return 1;
        }
        unsigned char first = (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
        if (!core->word_starts[first])
            continue;
        for (int w = 0; w < core->word_count; w++) {
            if ((unsigned char)core->words[w][0] == first && word_at(data, length, i, core->words[w]))
                return 1;
        }
    }
    return 0;
}

/* The secret words as C strings, and which letters start one (Core's, from secret_words). */
int
smiley_read_secret_words(Core *core)
{
    memset(core->word_starts, 0, sizeof(core->word_starts));
    core->word_count = 0;
    for (Py_ssize_t w = 0; w < PyTuple_GET_SIZE(core->secret_words) && w < SMILEY_MAX_WORDS; w++) {
        const char *word = PyUnicode_AsUTF8(PyTuple_GET_ITEM(core->secret_words, w));
        if (word == NULL)
            return -1;
        if (word[0] == '\0')
            continue;
        core->words[core->word_count++] = word;
        core->word_starts[(unsigned char)word[0]] = 1;
    }
    return 0;
}

/*
 * `text` (a reference this takes) as Redactor.scrub_value gives it for `value`: NULL on error.
 * `looked`: -1 when the text is to be looked at here; else whether it may hold a secret, as
 * render.c found looking at each string of a container it rendered (nothing else in such a
 * text can hold one).
 */
PyObject *
smiley_scrubbed(Core *core, PyObject *value, PyObject *text, int looked)
{
    if (text == NULL || !core->redacting)
        return text;
    PyTypeObject *kind = Py_TYPE(value);
    /* Numbers, and texts made of a type's name and an address, hold no secret. */
    if (kind == &PyLong_Type || kind == &PyFloat_Type || kind == &PyBool_Type || value == Py_None
        || kind->tp_repr == PyBaseObject_Type.tp_repr || kind == &PyGen_Type || kind == &PyCoro_Type
        || kind == &PyFunction_Type)
        return text;
    if (kind == &PyUnicode_Type && PySet_GET_SIZE(core->secret_values) > 0) {
        int known = PySet_Contains(core->secret_values, value);
        if (known != 0) {
            Py_DECREF(text);
            return known < 0 ? NULL : Py_NewRef(core->redacted);
        }
    }
    /* redacting is 2 when the user gave patterns: every text is searched for them. */
    int maybe = !PyUnicode_Check(text)     ? 0
                : core->redacting == 2     ? 1
                : looked >= 0              ? looked
                                           : smiley_may_hold_secret(core, text);
    if (maybe <= 0) {
        if (maybe < 0)
            Py_CLEAR(text);
        return text;
    }
    PyObject *scrubbed = SMILEY_CALL(core->scrub, value, text);
    Py_DECREF(text);
    return scrubbed;
}

/* A value held under a secret name: Redactor.remember, unless it is known already. 0 or -1. */
int
smiley_remember(Core *core, PyObject *value)
{
    if (!core->redacting || (!PyUnicode_CheckExact(value) && !PyBytes_CheckExact(value)))
        return 0;
    if (PyUnicode_CheckExact(value)) {
        int known = PySet_Contains(core->secret_values, value);
        if (known != 0)
            return known < 0 ? -1 : 0;
    }
    PyObject *done = SMILEY_CALL(core->remember, value);
    Py_XDECREF(done);
    return done == NULL ? -1 : 0;
}
