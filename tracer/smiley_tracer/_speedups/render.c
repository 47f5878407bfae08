/*
 * Rendering containers natively: a list, tuple, set, frozenset, deque or dict whose shown
 * items are ints, floats, booleans, None, strings or objects shown by object.__repr__ gets
 * exactly the text values.py's Renderer gives it (the same budget, cut and item count), and,
 * when every shown item is a plain scalar, a fingerprint (changes.py), without a call into
 * Python; when objects are shown too, a fingerprint that also holds their types (the Python
 * tracer renders such a container again at each look, to the same text while that holds).
 * Anything else is left to the Python renderer.
 */

#include "core.h"

#define ELLIPSIS 0x2026

/* Text being assembled, and its length so far (the renderer's budget is in characters). */
typedef struct {
    _PyUnicodeWriter writer;
    Py_ssize_t used;
} Text;

static void
text_init(Text *text)
{
    _PyUnicodeWriter_Init(&text->writer);
    text->writer.overallocate = 1;
    text->used = 0;
}

static int
add_ascii(Text *text, const char *part)
{
    Py_ssize_t length = (Py_ssize_t)strlen(part);
    text->used += length;
    return _PyUnicodeWriter_WriteASCIIString(&text->writer, part, length);
}

static int
add(Text *text, PyObject *part)
{
    text->used += PyUnicode_GET_LENGTH(part);
    return _PyUnicodeWriter_WriteStr(&text->writer, part);
}

/* The text assembled, or NULL (an error); either way the writer is done. */
static PyObject *
finished(Text *text)
{
    return _PyUnicodeWriter_Finish(&text->writer);
}

/* _render of one item with `budget` characters left: 1 a plain scalar, 2 an object shown by
 * object.__repr__ (its text can change while it stays the same object: no fingerprint), 0
 * anything else (the Python renderer must do the container), -1 error. */
static int
render_item(Core *core, PyObject *item, Py_ssize_t budget, PyObject **out)
{
    PyTypeObject *kind = Py_TYPE(item);
    if (kind->tp_repr == PyBaseObject_Type.tp_repr) {
        *out = smiley_plain_repr(core, item, kind);
        return *out == NULL ? -1 : 2;
    }
    if (kind == &PyUnicode_Type) {
        if (PyUnicode_GET_LENGTH(item) <= budget) {
            *out = PyObject_Repr(item);
        } else {
            Py_ssize_t start = core->redacting ? smiley_cut_word(item, budget) : -1;
            PyObject *head = PyUnicode_Substring(item, 0, start >= 0 ? start : budget);
            PyObject *text = head == NULL ? NULL : PyObject_Repr(head);
            Py_XDECREF(head);
            PyObject *ellipsis = text == NULL ? NULL : PyUnicode_FromOrdinal(ELLIPSIS);
            *out = ellipsis == NULL ? NULL : PyUnicode_Concat(text, ellipsis);
            Py_XDECREF(text);
            Py_XDECREF(ellipsis);
        }
        if (*out != NULL && core->redacting && !core->secret_seen) {
            core->secret_seen = smiley_may_hold_secret(core, *out);
            if (core->secret_seen < 0)
                Py_CLEAR(*out);
        }
        return *out == NULL ? -1 : 1;
    }
    if (kind == &PyLong_Type) {
        *out = smiley_small_int_text(item);
        if (*out != NULL || PyErr_Occurred())
            return *out == NULL ? -1 : 1;
    }
    if (kind == &PyLong_Type || kind == &PyFloat_Type || kind == &PyBool_Type || item == Py_None) {
        *out = PyObject_Repr(item);
        if (*out == NULL && PyErr_ExceptionMatches(PyExc_ValueError)) {
            PyErr_Clear(); /* a huge int: the Python renderer says how many bits */
            return 0;
        }
        return *out == NULL ? -1 : 1;
    }
    return 0;
}

/* Whether a dict key's value is hidden: Renderer.is_secret, cached. */
static int
secret_key(Core *core, PyObject *key)
{
    PyObject *known = PyDict_GetItemWithError(core->secret_keys, key);
    if (known == NULL) {
        if (PyErr_Occurred())
            return -1;
        known = SMILEY_CALL(core->is_secret, key);
        if (known == NULL)
            return -1;
        int failed = PyDict_SetItem(core->secret_keys, key, known);
        Py_DECREF(known);
        if (failed)
            return -1;
    }
    return known == Py_True;
}

/* The end of a text that did not fit: ", …" (or "…"), the closing bracket and the count. */
static int
cut(Text *text, int first, const char *close, const char *count)
{
    if (!first && add_ascii(text, ", ") < 0)
        return -1;
    text->used++;
    if (_PyUnicodeWriter_WriteChar(&text->writer, ELLIPSIS) < 0 || add_ascii(text, close) < 0)
        return -1;
    return add_ascii(text, count);
}

/* One more item's text (with its separator) if it fits in `room`: 1 added, 0 it does not fit
 * (the text is then cut), -1 error. */
static int
add_item(Text *text, int first, PyObject *part, Py_ssize_t room)
{
    if (text->used + (first ? 0 : 2) + PyUnicode_GET_LENGTH(part) > room)
        return 0;
    if (!first && add_ascii(text, ", ") < 0)
        return -1;
    return add(text, part) < 0 ? -1 : 1;
}

/* A pass that looks for the whole text only found it does not fit: cut it (values.py's
 * _whole_sequence and _whole_dict before the cut). */
#define NOT_WHOLE 3

/* Renderer._sequence for plain items: with `whole`, the text of every item or NOT_WHOLE, else
 * the text cut to fit with the count. Sets *looked to the items looked at; returns the
 * highest render_item result (2: an object was shown), 0 or -1. */
static int
sequence_pass(Core *core, PyObject *value, PyTypeObject *kind, int whole, PyObject **out, Py_ssize_t *looked)
{
    const char *open = "[", *close = "]";
    if (kind == &PyTuple_Type)
        open = "(", close = ")";
    else if (kind == &PySet_Type)
        open = "{", close = "}";
    else if (kind == &PyFrozenSet_Type)
        open = "frozenset({", close = "})";
    else if (kind != &PyList_Type)
        open = "deque([", close = "])";
    Py_ssize_t size = PyObject_Length(value);
    if (size < 0)
        return -1;
    if (size == 0) {
        *looked = 0;
        *out = PyUnicode_FromString(kind == &PyList_Type    ? "[]"
                                    : kind == &PyTuple_Type ? "()"
                                    : kind == &PySet_Type   ? "set()"
                                    : kind == &PyFrozenSet_Type ? "frozenset()"
                                                                : "deque([])");
        return *out == NULL ? -1 : 1;
    }
    int comma = kind == &PyTuple_Type && size == 1;
    char count[48];
    snprintf(count, sizeof(count), " (%zd items)", size);
    Py_ssize_t room = whole ? core->max_len - (Py_ssize_t)strlen(close) - comma
                            : core->max_len - (Py_ssize_t)strlen(close) - 3 - (Py_ssize_t)strlen(count);
    if (whole && (Py_ssize_t)strlen(open) + 3 * size - 2 > room)
        return NOT_WHOLE; /* each item takes a character and a separator at least */
    PyObject *iterator = PyObject_GetIter(value);
    if (iterator == NULL)
        return -1;
    Text text;
    text_init(&text);
    int result = -1;
    if (add_ascii(&text, open) < 0)
        goto done;
    int first = 1, shown = 1;
    PyObject *item;
    *looked = 0;
    while ((item = PyIter_Next(iterator)) != NULL) {
        PyObject *part = NULL;
        Py_ssize_t budget = room - text.used;
        int plain = render_item(core, item, budget > 1 ? budget : 1, &part);
        Py_DECREF(item);
        if (plain <= 0) {
            result = plain;
            goto done;
        }
        shown = plain > shown ? plain : shown;
        ++*looked;
        int added = add_item(&text, first, part, room);
        Py_DECREF(part);
        if (added < 0)
            goto done;
        if (added == 0) {
            if (whole) {
                result = NOT_WHOLE;
                goto done;
            }
            if (cut(&text, first, close, count) < 0)
                goto done;
            *out = finished(&text);
            Py_DECREF(iterator);
            return *out == NULL ? -1 : shown;
        }
        first = 0;
    }
    if (PyErr_Occurred())
        goto done;
    if ((comma && add_ascii(&text, ",") < 0) || add_ascii(&text, close) < 0)
        goto done;
    *out = finished(&text);
    Py_DECREF(iterator);
    return *out == NULL ? -1 : shown;
done:
    _PyUnicodeWriter_Dealloc(&text.writer);
    Py_DECREF(iterator);
    return result;
}

static int
render_sequence(Core *core, PyObject *value, PyTypeObject *kind, PyObject **out, Py_ssize_t *looked)
{
    int done = sequence_pass(core, value, kind, 1, out, looked);
    return done == NOT_WHOLE ? sequence_pass(core, value, kind, 0, out, looked) : done;
}

/* Renderer._dict for plain keys and values, a pass as sequence_pass. */
static int
dict_pass(Core *core, PyObject *value, int whole, PyObject **out, Py_ssize_t *looked)
{
    if (PyDict_GET_SIZE(value) == 0) {
        *looked = 0;
        *out = PyUnicode_FromString("{}");
        return *out == NULL ? -1 : 1;
    }
    char count[48];
    snprintf(count, sizeof(count), " (%zd items)", PyDict_GET_SIZE(value));
    Py_ssize_t room = whole ? core->max_len - 1 : core->max_len - 4 - (Py_ssize_t)strlen(count), pos = 0;
    if (whole && 1 + 6 * PyDict_GET_SIZE(value) - 2 > room)
        return NOT_WHOLE; /* "k: v" and a separator at least */
    Text text;
    text_init(&text);
    int result = -1;
    if (add_ascii(&text, "{") < 0)
        goto done;
    int first = 1, shown = 1;
    PyObject *key, *item;
    *looked = 0;
    while (PyDict_Next(value, &pos, &key, &item)) {
        Py_INCREF(key); /* rendering a string cannot run code, but keep them safe anyway */
        Py_INCREF(item);
        PyObject *key_text = NULL, *item_text = NULL;
        ++*looked;
        Py_ssize_t budget = room - text.used;
        int plain = render_item(core, key, budget > 1 ? budget : 1, &key_text);
        if (plain > 0) {
            shown = plain > shown ? plain : shown;
            int secret = PyUnicode_CheckExact(key) ? secret_key(core, key) : 0;
            if (secret < 0) {
                plain = -1;
            } else if (secret) {
                item_text = smiley_remember(core, item) < 0 ? NULL : Py_NewRef(core->redacted);
                plain = item_text == NULL ? -1 : plain;
            } else {
                budget = room - text.used - PyUnicode_GET_LENGTH(key_text);
                plain = render_item(core, item, budget > 1 ? budget : 1, &item_text);
                shown = plain > shown ? plain : shown;
            }
        }
        Py_DECREF(key);
        Py_DECREF(item);
        if (plain <= 0) {
            Py_XDECREF(key_text);
            Py_XDECREF(item_text);
            result = plain;
            goto done;
        }
        Py_ssize_t length = (first ? 0 : 2) + PyUnicode_GET_LENGTH(key_text) + 2 + PyUnicode_GET_LENGTH(item_text);
        int fits = text.used + length <= room;
        int failed = fits && ((!first && add_ascii(&text, ", ") < 0) || add(&text, key_text) < 0
                              || add_ascii(&text, ": ") < 0 || add(&text, item_text) < 0);
        Py_DECREF(key_text);
        Py_DECREF(item_text);
        if (failed)
            goto done;
        if (!fits) {
            if (whole) {
                result = NOT_WHOLE;
                goto done;
            }
            if (cut(&text, first, "}", count) < 0)
                goto done;
            *out = finished(&text);
            return *out == NULL ? -1 : shown;
        }
        first = 0;
    }
    if (add_ascii(&text, "}") < 0)
        goto done;
    *out = finished(&text);
    return *out == NULL ? -1 : shown;
done:
    _PyUnicodeWriter_Dealloc(&text.writer);
    return result;
}

static int
render_dict(Core *core, PyObject *value, PyObject **out, Py_ssize_t *looked)
{
    int done = dict_pass(core, value, 1, out, looked);
    return done == NOT_WHOLE ? dict_pass(core, value, 0, out, looked) : done;
}

/*
 * The text of a container of plain scalars, and its fingerprint when its type keeps one
 * (else None). 1 done, 0 for the Python renderer, -1 error.
 */
int
smiley_render_container(Core *core, PyObject *value, PyObject **text, PyObject **print)
{
    PyTypeObject *kind = Py_TYPE(value);
    Py_ssize_t looked = 0;
    int done;
    core->secret_seen = 0;
    if (kind == &PyDict_Type)
        done = render_dict(core, value, text, &looked);
    else if (kind == &PyList_Type || kind == &PyTuple_Type || kind == &PySet_Type || kind == &PyFrozenSet_Type
             || (PyObject *)kind == PyTuple_GET_ITEM(core->mutable_types, 4))
        done = render_sequence(core, value, kind, text, &looked);
    else
        return 0;
    if (done <= 0)
        return done;
    if (kind == &PyTuple_Type || kind == &PyFrozenSet_Type) {
        *print = Py_NewRef(Py_None); /* it shows scalars, or objects by their class and address */
        return 1;
    }
    *print = smiley_fingerprint(value, kind, looked, done == 2);
    if (*print == NULL) {
        Py_CLEAR(*text);
        return -1;
    }
    return 1;
}
