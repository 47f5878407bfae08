/*
 * Locals as they change, like changes.py: the same snapshot (a dict of name -> (object,
 * text, fingerprint)), the same rules, the same order. Fast locals are read straight from
 * the frame by slot; frames whose locals live in a mapping (module level, class bodies),
 * and containers that may have changed in place, are handed to the Python code.
 */

#include "core.h"

/* A frame's fast local in `slot`, cells dereferenced; NULL when unbound. Borrowed. */
static PyObject *
slot_value(PyFrameObject *frame, CodeEntry *entry, int slot)
{
#if PY_VERSION_HEX >= 0x030B0000
#ifdef SMILEY_PUBLIC_API
    return NULL; /* never called: such builds read every frame through f_locals */
#else
    PyObject *value = frame->f_frame->localsplus[slot];
    /* Our events come after MAKE_CELL and COPY_FREE_VARS have run: a cell slot holds a cell. */
    if (value != NULL && (entry->kinds[slot] & (SMILEY_FAST_CELL | SMILEY_FAST_FREE)) && PyCell_Check(value))
        value = PyCell_GET(value);
    return value;
#endif
#else
    PyObject *value = frame->f_localsplus[slot];
    if (value != NULL && slot >= entry->ncells_from)
        value = PyCell_GET(value);
    return value;
#endif
}

/* (symbol, secret) of a variable name. Borrowed from the cache. */
static PyObject *
name_info(Core *core, PyObject *name)
{
    PyObject *info = PyDict_GetItemWithError(core->names, name);
    if (info != NULL || PyErr_Occurred())
        return info;
    info = PyObject_CallFunctionObjArgs(core->name_info, name, NULL);
    if (info == NULL)
        return NULL;
    int failed = PyDict_SetItem(core->names, name, info);
    Py_DECREF(info);
    return failed ? NULL : info;
}

/* (symbol, secret) of the name of a slot, cached in the code's entry. Borrowed. */
static PyObject *
slot_info(Core *core, CodeEntry *entry, int slot)
{
    PyObject *info = entry->slot_info[slot];
    if (info == NULL) {
        info = name_info(core, PyTuple_GET_ITEM(entry->names, slot));
        if (info == NULL)
            return NULL;
        entry->slot_info[slot] = Py_NewRef(info);
    }
    return info;
}

/* Exact types whose objects never change in place: the same object means the same text. */
static int
immutable(PyTypeObject *kind)
{
    return kind == &PyLong_Type || kind == &PyFloat_Type || kind == &PyBool_Type || kind == &PyUnicode_Type
           || kind == &PyBytes_Type || kind == Py_TYPE(Py_None) || kind == &PyTuple_Type
           || kind == &PyFrozenSet_Type || kind == &PyComplex_Type || kind == &PyRange_Type || kind == &PyType_Type;
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

/*
 * LocalsTracker.unchanged for lists and dicts: the same length and the same objects among
 * those the text could show. 1 unchanged, 0 changed, -1 for the Python code to decide.
 */
static int
same_shown(PyObject *value, PyTypeObject *kind, PyObject *fingerprint)
{
    PyObject *length = PyTuple_GET_ITEM(fingerprint, 0), *shown = PyTuple_GET_ITEM(fingerprint, 1);
    Py_ssize_t count = PySequence_Fast_GET_SIZE(shown);
    PyObject **items = PySequence_Fast_ITEMS(shown);
    if (kind == &PyList_Type) {
        if (PyList_GET_SIZE(value) != PyLong_AsSsize_t(length) || count > PyList_GET_SIZE(value))
            return 0;
        for (Py_ssize_t i = 0; i < count; i++)
            if (PyList_GET_ITEM(value, i) != items[i])
                return 0;
        return 1;
    }
    if (kind == &PyDict_Type) {
        Py_ssize_t half = count / 2, pos = 0, i = 0;
        PyObject *key, *item;
        if (PyDict_GET_SIZE(value) != PyLong_AsSsize_t(length))
            return 0;
        while (i < half && PyDict_Next(value, &pos, &key, &item)) {
            if (key != items[i] || item != items[half + i])
                return 0;
            i++;
        }
        return i == half;
    }
    /* A set or a deque: its first items, in iteration order. */
    if (PyObject_Length(value) != PyLong_AsSsize_t(length))
        return PyErr_Occurred() ? -1 : 0;
    PyObject *iterator = PyObject_GetIter(value);
    if (iterator == NULL)
        return -1;
    Py_ssize_t i = 0;
    PyObject *item = NULL;
    while (i < count && (item = PyIter_Next(iterator)) != NULL) {
        int same = item == items[i];
        Py_DECREF(item);
        if (!same)
            break;
        i++;
    }
    Py_DECREF(iterator);
    if (PyErr_Occurred())
        PyErr_Clear(); /* changed size while iterated: render it again */
    return i == count;
}

/* The change triples of one event, gathered before they become one tuple. */
typedef struct {
    PyObject **items;
    Py_ssize_t count;
    Py_ssize_t capacity;
    PyObject *inline_items[48];
} Flat;

static void
flat_init(Flat *flat)
{
    flat->items = flat->inline_items;
    flat->count = 0;
    flat->capacity = 48;
}

static void
flat_clear(Flat *flat)
{
    for (Py_ssize_t i = 0; i < flat->count; i++)
        Py_DECREF(flat->items[i]);
    if (flat->items != flat->inline_items)
        PyMem_Free(flat->items);
    flat_init(flat);
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

/*
 * One variable of a diff: compares `value` (NULL: unbound) with the snapshot, updates it and
 * appends the change triple to `flat`. Mirrors the loop body of LocalsTracker.diff.
 */
static int
compare(Core *core, PyObject *snapshot, Flat *flat, PyObject *name, PyObject *symbol, int secret, PyObject *value,
        PyObject **seen)
{
    /* The snapshot holds `*seen` under `name`: an unchanged immutable needs no lookup. */
    if (seen != NULL && value != NULL && *seen == value && immutable(Py_TYPE(value)))
        return 0;
    PyObject *previous = PyDict_GetItemWithError(snapshot, name);
    if (previous == NULL && PyErr_Occurred())
        return -1;
    if (seen != NULL)
        *seen = NULL; /* until the snapshot holds this value again, below */
    if (value == NULL) {
        if (previous == NULL)
            return 0;
        if (PyDict_DelItem(snapshot, name) < 0)
            return -1;
        PyObject *deleted = PyLong_FromLong(0);
        int failed = push3(flat, symbol, deleted, Py_None);
        Py_DECREF(deleted);
        return failed;
    }
    PyTypeObject *kind = Py_TYPE(value);
    if (previous != NULL && PyTuple_GET_ITEM(previous, 0) == value) {
        if (seen != NULL)
            *seen = value;
        if (secret || immutable(kind))
            return 0;
        int is_mutable = mutable(core, value);
        if (is_mutable <= 0)
            return is_mutable;
        PyObject *fingerprint = PyTuple_GET_ITEM(previous, 2);
        if (fingerprint != Py_None) {
            int unchanged = same_shown(value, kind, fingerprint);
            if (unchanged < 0) {
                PyObject *same = PyObject_CallFunctionObjArgs(core->unchanged, value, (PyObject *)kind, fingerprint, NULL);
                if (same == NULL)
                    return -1;
                unchanged = PyObject_IsTrue(same);
                Py_DECREF(same);
            }
            if (unchanged)
                return unchanged < 0 ? -1 : 0;
        }
    }
    Py_XINCREF(previous); /* the snapshot entry is replaced below */
    PyObject *text = NULL, *entry;
    if (secret) {
        text = Py_NewRef(core->redacted);
        entry = PyTuple_Pack(3, value, text, Py_None);
    } else {
        PyObject *fingerprint = NULL;
        int native = smiley_render_container(core, value, &text, &fingerprint);
        if (native == 0) {
            text = smiley_text(core, value);
            if (text != NULL && fingerprinted(core, kind))
                fingerprint = PyObject_CallFunctionObjArgs(core->fingerprint, value, (PyObject *)kind, NULL);
            else if (text != NULL)
                fingerprint = Py_NewRef(Py_None);
        }
        if (text == NULL || fingerprint == NULL) {
            Py_XDECREF(text);
            Py_XDECREF(previous);
            return -1;
        }
        entry = PyTuple_Pack(3, value, text, fingerprint);
        Py_DECREF(fingerprint);
    }
    /* Only the snapshot holds the entry, and nothing the program holds refers to the snapshot:
     * the collector need not look at it (it stays a root for what it refers to). */
    if (entry != NULL)
        PyObject_GC_UnTrack(entry);
    int failed = entry == NULL || PyDict_SetItem(snapshot, name, entry) < 0;
    Py_XDECREF(entry);
    if (!failed && seen != NULL)
        *seen = value;
    if (!failed && !secret && previous != NULL) {
        int same = PyUnicode_Check(PyTuple_GET_ITEM(previous, 1))
                       ? PyUnicode_Compare(text, PyTuple_GET_ITEM(previous, 1)) == 0
                       : 0;
        if (same) {
            Py_DECREF(previous);
            Py_DECREF(text);
            return 0;
        }
    }
    Py_XDECREF(previous);
    if (!failed) {
        PyObject *type_symbol = smiley_type_symbol(core, kind);
        failed = type_symbol == NULL || push3(flat, symbol, type_symbol, text) < 0;
        Py_XDECREF(type_symbol);
    }
    Py_DECREF(text);
    return failed ? -1 : 0;
}

/* The flat tuple of changes, or None when nothing changed; empties `flat`. */
static PyObject *
finish(Flat *flat)
{
    if (flat->count == 0)
        return Py_NewRef(Py_None);
    PyObject *result = PyTuple_New(flat->count);
    if (result == NULL) {
        flat_clear(flat);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < flat->count; i++)
        PyTuple_SET_ITEM(result, i, flat->items[i]); /* the references move to the tuple */
    flat->count = 0;
    flat_clear(flat);
    return result;
}

static PyObject *
frame_locals(PyFrameObject *frame)
{
    return PyObject_GetAttrString((PyObject *)frame, "f_locals");
}

/* What the interpreter does to f_locals when it refreshes it: locals now bound enter it (at
 * the end), locals now unbound leave it. */
void
smiley_refresh_order(FrameState *state, PyFrameObject *frame)
{
    CodeEntry *entry = state->entry;
    if (!SMILEY_DICT_ORDER || state->order == NULL)
        return;
    for (int slot = 0; slot < entry->nslots; slot++) {
        if (entry->shadowed[slot])
            continue;
        int bound = slot_value(frame, entry, slot) != NULL;
        if (bound && !state->in_order[slot]) {
            state->order[state->order_count++] = slot;
            state->in_order[slot] = 1;
        } else if (!bound && state->in_order[slot]) {
            int at = 0;
            while (state->order[at] != slot)
                at++;
            memmove(state->order + at, state->order + at + 1, (state->order_count - at - 1) * sizeof(int));
            state->order_count--;
            state->in_order[slot] = 0;
        }
    }
}

/* Every local, for a call event (LocalsTracker.snapshot_all). */
PyObject *
smiley_snapshot_all(Core *core, FrameState *state, PyFrameObject *frame)
{
    CodeEntry *entry = state->entry;
    if (entry->module_level) {
        PyObject *mapping = frame_locals(frame);
        if (mapping == NULL)
            return NULL;
        PyObject *result = PyObject_CallFunctionObjArgs(core->snapshot_all_py, mapping, (PyObject *)state, NULL);
        Py_DECREF(mapping);
        return result;
    }
    smiley_refresh_order(state, frame);
    Flat flat;
    flat_init(&flat);
    for (int slot = 0; slot < entry->nslots; slot++) {
        PyObject *value = slot_value(frame, entry, slot);
        if (value == NULL || entry->shadowed[slot])
            continue;
        PyObject *name = PyTuple_GET_ITEM(entry->names, slot);
        PyObject *info = slot_info(core, entry, slot);
        if (info == NULL)
            goto error;
        /* A call event shows every local: the snapshot is empty, so each one is "changed". */
        if (compare(core, state->snapshot, &flat, name, PyTuple_GET_ITEM(info, 0), PyTuple_GET_ITEM(info, 1) == Py_True, value,
                    &state->seen[slot]) < 0)
            goto error;
    }
    return finish(&flat);
error:
    flat_clear(&flat);
    return NULL;
}

/* After a line whose plan is full: every local, then those that are gone. */
static PyObject *
diff_all(Core *core, FrameState *state, PyFrameObject *frame)
{
    CodeEntry *entry = state->entry;
    PyObject *snapshot = state->snapshot;
    Flat flat;
    flat_init(&flat);
    Py_ssize_t seen = 0;
    int dict_order = SMILEY_DICT_ORDER && state->order != NULL;
    int count = dict_order ? state->order_count : entry->nslots;
    for (int i = 0; i < count; i++) {
        int slot = dict_order ? state->order[i] : i;
        PyObject *value = slot_value(frame, entry, slot);
        if (value == NULL || entry->shadowed[slot])
            continue;
        seen++;
        PyObject *name = PyTuple_GET_ITEM(entry->names, slot);
        PyObject *info = slot_info(core, entry, slot);
        if (info == NULL)
            goto error;
        if (compare(core, snapshot, &flat, name, PyTuple_GET_ITEM(info, 0), PyTuple_GET_ITEM(info, 1) == Py_True, value,
                    &state->seen[slot]) < 0)
            goto error;
    }
    if (PyDict_GET_SIZE(snapshot) > seen) {
        PyObject *gone = PyList_New(0);
        Py_ssize_t pos = 0;
        PyObject *name, *ignored;
        while (gone != NULL && PyDict_Next(snapshot, &pos, &name, &ignored)) {
            PyObject *slot = PyDict_GetItemWithError(entry->slot_of, name);
            if (slot == NULL && PyErr_Occurred())
                Py_CLEAR(gone);
            else if ((slot == NULL || slot_value(frame, entry, (int)PyLong_AsLong(slot)) == NULL) && PyList_Append(gone, name) < 0)
                Py_CLEAR(gone);
        }
        if (gone == NULL)
            goto error;
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(gone); i++) {
            PyObject *info = name_info(core, PyList_GET_ITEM(gone, i));
            PyObject *slot = PyDict_GetItemWithError(entry->slot_of, PyList_GET_ITEM(gone, i));
            PyObject **seen = slot == NULL ? NULL : &state->seen[PyLong_AsLong(slot)];
            if (info == NULL || compare(core, snapshot, &flat, PyList_GET_ITEM(gone, i), PyTuple_GET_ITEM(info, 0), 0, NULL, seen) < 0) {
                Py_DECREF(gone);
                goto error;
            }
        }
        Py_DECREF(gone);
    }
    return finish(&flat);
error:
    flat_clear(&flat);
    return NULL;
}

/* What changed among the locals `plan` names since the frame's previous event. */
PyObject *
smiley_diff(Core *core, FrameState *state, PyFrameObject *frame, Plan *plan)
{
    if (state->entry->module_level) {
        PyObject *mapping = frame_locals(frame);
        if (mapping == NULL)
            return NULL;
        PyObject *result = PyObject_CallFunctionObjArgs(core->diff_py, mapping, plan->py, (PyObject *)state, NULL);
        Py_DECREF(mapping);
        return result;
    }
    if (!SMILEY_REFRESH_EVERY_EVENT)
        smiley_refresh_order(state, frame); /* the Python tracer reads f_locals here */
    if (plan->full)
        return diff_all(core, state, frame);
    Flat flat;
    flat_init(&flat);
    for (Py_ssize_t i = 0; i < plan->count; i++) {
        PlanItem *item = &plan->items[i];
        PyObject *value = item->slot >= 0 ? slot_value(frame, state->entry, item->slot) : NULL;
        PyObject **seen = item->slot >= 0 ? &state->seen[item->slot] : NULL;
        if (compare(core, state->snapshot, &flat, item->name, item->symbol, item->secret, value, seen) < 0) {
            flat_clear(&flat);
            return NULL;
        }
    }
    return finish(&flat);
}
