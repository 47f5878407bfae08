/*
 * The texts of values, as changes.py's LocalsTracker.text makes them: small ints, short
 * strings, floats, booleans, None and objects shown by object.__repr__ here, containers in
 * render.c, anything else by the Python renderer (values.py). And type symbols.
 */

#include "core.h"

PyObject *
smiley_type_symbol(Core *core, PyTypeObject *kind)
{
    /* Values of one type tend to follow each other (a loop counter, a running total). */
    if (kind == core->last_type)
        return Py_NewRef(core->last_type_symbol);
    PyObject *symbol = PyDict_GetItemWithError(core->type_symbols, (PyObject *)kind);
    if (symbol != NULL) {
        core->last_type = kind; /* the dict keeps both alive */
        core->last_type_symbol = symbol;
    }
    if (symbol != NULL)
        return Py_NewRef(symbol);
    if (PyErr_Occurred())
        return NULL;
    symbol = SMILEY_CALL(core->type_symbol, (PyObject *)kind);
    if (symbol != NULL && PyDict_SetItem(core->type_symbols, (PyObject *)kind, symbol) < 0)
        Py_CLEAR(symbol);
    return symbol;
}

/* int.__repr__ of a small int, without the generic conversion machinery. */
static PyObject *
decimal(long long number)
{
    char digits[24];
    int at = sizeof(digits);
    unsigned long long magnitude = number < 0 ? 0ULL - (unsigned long long)number : (unsigned long long)number;
    do {
        digits[--at] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (number < 0)
        digits[--at] = '-';
    PyObject *text = PyUnicode_New(sizeof(digits) - at, 127);
    if (text != NULL)
        memcpy(PyUnicode_1BYTE_DATA(text), digits + at, sizeof(digits) - at);
    return text;
}

/* "0x…>" for an address, as object.__repr__ writes it (%p). Returns the length. */
static int
address_text(char *out, const void *address)
{
    char digits[2 * sizeof(void *)];
    int count = 0;
    uintptr_t bits = (uintptr_t)address;
    do {
        digits[count++] = "0123456789abcdef"[bits & 0xf];
        bits >>= 4;
    } while (bits);
    int length = 0;
    out[length++] = '0';
    out[length++] = 'x';
    while (count)
        out[length++] = digits[--count];
    out[length++] = '>';
    return length;
}

/*
 * repr() of an object whose type uses object.__repr__: "<module.Type object at 0x…>". The
 * part before the address is kept per type, valid while the type's version tag is (any change
 * to the type, such as a new __qualname__, gives it another). NULL without an error: no
 * shortcut for this one.
 */
PyObject *
smiley_plain_repr(Core *core, PyObject *value, PyTypeObject *kind)
{
    char tail[2 * sizeof(void *) + 4];
    int tail_length = address_text(tail, value);
    int tagged = (kind->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG) != 0;
    PyObject *known = tagged ? ptrmap_get(&core->plain_reprs, (PyObject *)kind) : NULL;
    if (known != NULL && PyLong_AsUnsignedLong(PyTuple_GET_ITEM(known, 0)) == kind->tp_version_tag) {
        PyObject *prefix = PyTuple_GET_ITEM(known, 1);
        Py_ssize_t length = PyUnicode_GET_LENGTH(prefix);
        PyObject *text = PyUnicode_New(length + tail_length, 127);
        if (text != NULL) {
            memcpy(PyUnicode_1BYTE_DATA(text), PyUnicode_1BYTE_DATA(prefix), length);
            memcpy(PyUnicode_1BYTE_DATA(text) + length, tail, tail_length);
        }
        return text;
    }
    PyObject *text = PyObject_Repr(value);
    if (text == NULL || !tagged || !PyUnicode_IS_ASCII(text))
        return text;
    /* Kept only when the text is exactly prefix + address: then it always will be. */
    Py_ssize_t length = PyUnicode_GET_LENGTH(text) - tail_length;
    if (length > 0 && memcmp(PyUnicode_1BYTE_DATA(text) + length, tail, tail_length) == 0) {
        PyObject *prefix = PyUnicode_Substring(text, 0, length);
        PyObject *tag = PyLong_FromUnsignedLong(kind->tp_version_tag);
        PyObject *entry = prefix && tag ? PyTuple_Pack(2, tag, prefix) : NULL;
        if (entry == NULL || ptrmap_set(&core->plain_reprs, (PyObject *)kind, entry) < 0)
            PyErr_Clear(); /* only a shortcut lost */
        Py_XDECREF(prefix);
        Py_XDECREF(tag);
        Py_XDECREF(entry);
    }
    return text;
}

/* repr() of an int when it is small enough for a shortcut, else NULL (an error set or not). */
PyObject *
smiley_small_int_text(PyObject *value)
{
    int overflow;
    long long number = PyLong_AsLongLongAndOverflow(value, &overflow);
    if (!overflow && number > -1000000000000000LL && number < 1000000000000000LL)
        return decimal(number);
    return NULL;
}

/* The bounded text of a value, as LocalsTracker.text: ints, short strings, floats, booleans
 * and None here, anything else by the Python renderer. */
PyObject *
smiley_text(Core *core, PyObject *value)
{
    PyTypeObject *kind = Py_TYPE(value);
    if (kind == &PyLong_Type) {
        int overflow;
        long long number = PyLong_AsLongLongAndOverflow(value, &overflow);
        if (!overflow && number > -1000000000000000LL && number < 1000000000000000LL)
            return decimal(number);
        if (PyErr_Occurred())
            return NULL;
    } else if (kind == &PyUnicode_Type) {
        if (PyUnicode_GET_LENGTH(value) < core->max_len) {
            PyObject *text = PyObject_Repr(value);
            if (text == NULL || PyUnicode_GET_LENGTH(text) <= core->max_len)
                return text;
            Py_DECREF(text);
        }
    } else if (kind == &PyFloat_Type || kind == &PyBool_Type || value == Py_None) {
        return PyObject_Repr(value);
    } else if (kind->tp_repr == PyBaseObject_Type.tp_repr || kind == &PyGen_Type || kind == &PyCoro_Type
               || kind == &PyFunction_Type) {
        /* "<T object at 0x…>" and the like: no user code runs, so no guard is needed. */
        PyObject *text = kind->tp_repr == PyBaseObject_Type.tp_repr ? smiley_plain_repr(core, value, kind) : PyObject_Repr(value);
        if (text == NULL) {
            PyErr_Clear(); /* the renderer records why */
        } else if (PyUnicode_GET_LENGTH(text) <= core->max_len) {
            return text;
        } else {
            PyObject *head = PyUnicode_Substring(text, 0, core->max_len - 1);
            Py_DECREF(text);
            if (head == NULL)
                return NULL;
            PyObject *ellipsis = PyUnicode_FromOrdinal(0x2026);
            PyObject *bounded = ellipsis == NULL ? NULL : PyUnicode_Concat(head, ellipsis);
            Py_DECREF(head);
            Py_XDECREF(ellipsis);
            return bounded;
        }
    }
    PyObject *text = NULL, *fingerprint = NULL;
    int native = smiley_render_container(core, value, &text, &fingerprint);
    Py_XDECREF(fingerprint);
    if (native != 0)
        return text;
    return SMILEY_CALL(core->text, value, (PyObject *)kind);
}
