/*
 * One local against the snapshot, like LocalsTracker.compare in changes.py: the same rules,
 * the same change triples. The snapshot of a frame with fast locals is an array with one
 * Shown per slot (a dict of tuples costs a hash, an allocation and a lookup per local).
 */

#include "core.h"

/* Exact types whose objects never change in place: the same object means the same text. Not
 * tuples and frozensets: the objects they hold can change (their fingerprint says when). */
static int
immutable(PyTypeObject *kind)
{
    return kind == &PyLong_Type || kind == &PyFloat_Type || kind == &PyBool_Type || kind == &PyUnicode_Type
           || kind == &PyBytes_Type || kind == Py_TYPE(Py_None) || kind == &PyComplex_Type || kind == &PyRange_Type
           || kind == &PyType_Type;
}

/* isinstance(value, MUTABLE_TYPES), without looking up `__class__` on objects whose type
 * cannot answer anything but their real class. */
static int
mutable(Core *core, PyObject *value)
{
    if (PyList_Check(value) || PyDict_Check(value) || PySet_Check(value) || PyByteArray_Check(value)
        || PyObject_TypeCheck(value, (PyTypeObject *)PyTuple_GET_ITEM(core->mutable_types, 4)))
        return 1;
    PyTypeObject *kind = Py_TYPE(value);
    if (kind->tp_getattro == PyObject_GenericGetAttr && _PyType_Lookup(kind, core->class_name) == core->object_class)
        return 0;
    int found = PyObject_IsInstance(value, core->mutable_types);
    if (found < 0 && PyErr_ExceptionMatches(PyExc_Exception)) {
        PyErr_Clear(); /* its own __class__ raised: changes._mutable says no */
        return 0;
    }
    return found;
}

/* Whether a fingerprint is kept for this exact type (changes._FINGERPRINTED). */
static int
fingerprinted(Core *core, PyTypeObject *kind)
{
    return kind == &PyList_Type || kind == &PyDict_Type || kind == &PySet_Type
           || (PyObject *)kind == PyTuple_GET_ITEM(core->mutable_types, 4); /* deque */
}

void
smiley_flat_init(Flat *flat)
{
    flat->items = flat->inline_items;
    flat->count = 0;
    flat->capacity = SMILEY_FLAT_INLINE;
}

void
smiley_flat_clear(Flat *flat)
{
    for (Py_ssize_t i = 0; i < flat->count; i++)
        Py_DECREF(flat->items[i]);
    if (flat->items != flat->inline_items)
        PyMem_Free(flat->items);
    smiley_flat_init(flat);
}

/* Appends a triple; takes new references to all three. */
static int
push3(Flat *flat, PyObject *a, PyObject *b, PyObject *c)
{
    if (flat->count + 3 > flat->capacity) {
        Py_ssize_t capacity = flat->capacity * 2;
        PyObject **items = PyMem_Malloc(capacity * sizeof(PyObject *));
        if (items == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        memcpy(items, flat->items, flat->count * sizeof(PyObject *));
        if (flat->items != flat->inline_items)
            PyMem_Free(flat->items);
        flat->items = items;
        flat->capacity = capacity;
    }
    flat->items[flat->count++] = Py_NewRef(a);
    flat->items[flat->count++] = Py_NewRef(b);
    flat->items[flat->count++] = Py_NewRef(c);
    return 0;
}

/* The flat tuple of changes, or None when nothing changed; empties `flat`. */
PyObject *
smiley_flat_finish(Flat *flat)
{
    if (flat->count == 0)
        return Py_NewRef(Py_None);
    PyObject *result = PyTuple_New(flat->count);
    if (result == NULL) {
        smiley_flat_clear(flat);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < flat->count; i++)
        PyTuple_SET_ITEM(result, i, flat->items[i]); /* the references move to the tuple */
    flat->count = 0;
    smiley_flat_clear(flat);
    return result;
}

/* Takes a local out of the snapshot. */
static void
forget(FrameState *state, Shown *shown)
{
    PyObject *object = shown->object, *text = shown->text, *fingerprint = shown->fingerprint;
    shown->object = shown->text = shown->fingerprint = NULL;
    state->shown_count--;
    Py_XDECREF(object);
    Py_XDECREF(text);
    Py_XDECREF(fingerprint);
}

/* Whether the snapshot's text of `value`, the object it holds, still stands. 1 yes, 0 it must
 * be rendered again, -1 error. */
static int
still_shown(Core *core, Shown *shown, PyObject *value, PyTypeObject *kind)
{
    int is_mutable = mutable(core, value);
    if (is_mutable < 0)
        return -1;
    if (is_mutable == 0 && (shown->fingerprint == NULL || shown->fingerprint == Py_None))
        return 1; /* its text cannot change while it is the same object */
    if (shown->fingerprint == NULL || shown->fingerprint == Py_None)
        return 0;
    if (PyTuple_GET_SIZE(shown->fingerprint) == 2 && PyTuple_GET_ITEM(shown->fingerprint, 1) == Py_None)
        return 0; /* changes.RENDER_AGAIN */
    if (is_mutable == 0) { /* an object's state (LocalsTracker.object_state) */
        PyObject *same = SMILEY_CALL(core->unchanged, value, (PyObject *)kind, shown->fingerprint);
        if (same == NULL)
            return -1;
        int unchanged = PyObject_IsTrue(same);
        Py_DECREF(same);
        return unchanged;
    }
    int unchanged = smiley_same_shown(value, kind, shown->fingerprint);
    if (PyTuple_GET_SIZE(shown->fingerprint) == 4) { /* render.c's own, for no Python code */
        if (unchanged < 0)
            PyErr_Clear(); /* rendering it again says what is wrong, if anything */
        return unchanged > 0 ? smiley_same_kinds(shown->fingerprint) : 0;
    }
    if (unchanged < 0) {
        PyObject *same = SMILEY_CALL(core->unchanged, value, (PyObject *)kind, shown->fingerprint);
        if (same == NULL)
            return -1;
        unchanged = PyObject_IsTrue(same);
        Py_DECREF(same);
    }
    return unchanged;
}

/* The text and fingerprint the snapshot keeps for `value` (LocalsTracker.text and .fingerprint),
 * secrets redacted. */
static int
render(Core *core, PyObject *value, PyTypeObject *kind, PyObject **text, PyObject **fingerprint)
{
    *text = *fingerprint = NULL;
    int native = smiley_render_container(core, value, text, fingerprint);
    if (native < 0)
        return -1;
    if (native == 0) {
        *text = smiley_text(core, value);
        if (*text == NULL)
            return -1;
        /* Containers, and objects with a __repr__ of their own (object.__repr__'s text never
         * changes): LocalsTracker.fingerprint. */
        *fingerprint = fingerprinted(core, kind) || (!immutable(kind) && kind->tp_repr != PyBaseObject_Type.tp_repr)
                           ? SMILEY_CALL(core->fingerprint, value, (PyObject *)kind)
                           : Py_NewRef(Py_None);
        if (*fingerprint == NULL) {
            Py_CLEAR(*text);
            return -1;
        }
    }
    *text = smiley_scrubbed(core, value, *text, native ? core->secret_seen : -1);
    if (*text == NULL) {
        Py_CLEAR(*fingerprint);
        return -1;
    }
    return 0;
}

/*
 * One local (`value` NULL: unbound) against its snapshot entry `shown`, which it updates;
 * appends the change triple to `flat` when what is shown changed.
 */
int
smiley_compare(Core *core, FrameState *state, Shown *shown, Flat *flat, PyObject *symbol, int secret, PyObject *value)
{
    if (value == NULL) {
        if (shown->text == NULL)
            return 0;
        forget(state, shown);
        PyObject *deleted = PyLong_FromLong(0);
        int failed = deleted == NULL || push3(flat, symbol, deleted, Py_None) < 0;
        Py_XDECREF(deleted);
        return failed ? -1 : 0;
    }
    PyTypeObject *kind = Py_TYPE(value);
    if (shown->object == value) {
        if (secret || immutable(kind))
            return 0;
        int unchanged = still_shown(core, shown, value, kind);
        if (unchanged != 0)
            return unchanged < 0 ? -1 : 0;
    }
    PyObject *text, *fingerprint;
    if (secret) {
        if (smiley_remember(core, value) < 0)
            return -1;
        text = Py_NewRef(core->redacted);
        fingerprint = Py_NewRef(Py_None);
    } else if (render(core, value, kind, &text, &fingerprint) < 0) {
        return -1;
    }
    /* The entry is replaced before the old one's references go: dropping them can run code. */
    PyObject *old_object = shown->object, *old_text = shown->text, *old_fingerprint = shown->fingerprint;
    shown->object = Py_NewRef(value);
    shown->text = text;
    shown->fingerprint = fingerprint;
    if (old_text == NULL) {
        shown->order = ++state->shown_next;
        state->shown_count++;
    }
    int same = !secret && old_text != NULL && PyUnicode_Check(old_text) && PyUnicode_Compare(text, old_text) == 0;
    Py_XDECREF(old_object);
    Py_XDECREF(old_text);
    Py_XDECREF(old_fingerprint);
    if (same)
        return 0;
    PyObject *type_symbol = smiley_type_symbol(core, kind);
    int failed = type_symbol == NULL || push3(flat, symbol, type_symbol, text) < 0;
    Py_XDECREF(type_symbol);
    return failed ? -1 : 0;
}

/* Objects that refer to no other object (changes._SCALARS). */
int
smiley_scalar(PyObject *value)
{
    PyTypeObject *kind = Py_TYPE(value);
    return kind == &PyLong_Type || kind == &PyFloat_Type || kind == &PyBool_Type || kind == &PyUnicode_Type
           || kind == &PyBytes_Type || value == Py_None || kind == &PyComplex_Type;
}

/* A generator yields: keep the texts of its locals but not the objects, but for scalars
 * (LocalsTracker.forget_objects). */
void
smiley_forget_objects(Core *core, FrameState *state)
{
    for (int slot = 0; slot < state->entry->nslots; slot++) {
        Shown *shown = &state->shown[slot];
        if (shown->text == NULL || smiley_scalar(shown->object))
            continue;
        PyObject *object = shown->object, *fingerprint = shown->fingerprint;
        shown->object = Py_NewRef(core->missing);
        shown->fingerprint = Py_NewRef(Py_None);
        Py_DECREF(object);
        Py_XDECREF(fingerprint);
    }
}
