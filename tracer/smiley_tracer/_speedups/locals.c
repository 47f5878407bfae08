/*
 * Locals as they change, like changes.py: the same rules, the same order (compare.c compares
 * each local with the snapshot). Fast locals are read straight from the frame by slot;
 * frames whose locals live in a mapping (module level, class bodies), and containers that
 * may have changed in place, are handed to the Python code.
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
    info = SMILEY_CALL(core->name_info, name);
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

/* One local of a frame with fast locals, by slot, against the snapshot. */
static int
compare_slot(Core *core, FrameState *state, Flat *flat, int slot, PyObject *value)
{
    PyObject *info = slot_info(core, state->entry, slot);
    if (info == NULL)
        return -1;
    return smiley_compare(core, state, &state->shown[slot], flat, PyTuple_GET_ITEM(info, 0),
                          PyTuple_GET_ITEM(info, 1) == Py_True, value);
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
        PyObject *result = SMILEY_CALL(core->snapshot_all_py, mapping, (PyObject *)state);
        Py_DECREF(mapping);
        return result;
    }
    smiley_refresh_order(state, frame);
    Flat flat;
    smiley_flat_init(&flat);
    /* A call event shows every local: the snapshot is empty, so each one is "changed". */
    for (int slot = 0; slot < entry->nslots; slot++) {
        PyObject *value = slot_value(frame, entry, slot);
        if (value != NULL && !entry->shadowed[slot] && compare_slot(core, state, &flat, slot, value) < 0) {
            smiley_flat_clear(&flat);
            return NULL;
        }
    }
    return smiley_flat_finish(&flat);
}

/* The slots whose locals are gone since the snapshot took them, in the order they entered it
 * (a dict's order, as changes.py deletes them). */
static int
forget_gone(Core *core, FrameState *state, PyFrameObject *frame, Flat *flat)
{
    CodeEntry *entry = state->entry;
    int *gone = PyMem_Malloc((entry->nslots + 1) * sizeof(int));
    if (gone == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    int count = 0;
    for (int slot = 0; slot < entry->nslots; slot++) {
        if (state->shown[slot].text == NULL || slot_value(frame, entry, slot) != NULL)
            continue;
        int at = count++;
        for (; at > 0 && state->shown[gone[at - 1]].order > state->shown[slot].order; at--)
            gone[at] = gone[at - 1];
        gone[at] = slot;
    }
    int failed = 0;
    for (int i = 0; i < count && !failed; i++)
        failed = compare_slot(core, state, flat, gone[i], NULL) < 0;
    PyMem_Free(gone);
    return failed ? -1 : 0;
}

/* After a line whose plan is full: every local, then those that are gone. */
static PyObject *
diff_all(Core *core, FrameState *state, PyFrameObject *frame)
{
    CodeEntry *entry = state->entry;
    Flat flat;
    smiley_flat_init(&flat);
    Py_ssize_t seen = 0;
    int dict_order = SMILEY_DICT_ORDER && state->order != NULL;
    int count = dict_order ? state->order_count : entry->nslots;
    for (int i = 0; i < count; i++) {
        int slot = dict_order ? state->order[i] : i;
        PyObject *value = slot_value(frame, entry, slot);
        if (value == NULL || entry->shadowed[slot])
            continue;
        seen++;
        if (compare_slot(core, state, &flat, slot, value) < 0)
            goto error;
    }
    if (state->shown_count > seen && forget_gone(core, state, frame, &flat) < 0)
        goto error;
    return smiley_flat_finish(&flat);
error:
    smiley_flat_clear(&flat);
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
        PyObject *result = SMILEY_CALL(core->diff_py, mapping, plan->py, (PyObject *)state);
        Py_DECREF(mapping);
        return result;
    }
    if (!SMILEY_REFRESH_EVERY_EVENT)
        smiley_refresh_order(state, frame); /* the Python tracer reads f_locals here */
    if (plan->full)
        return diff_all(core, state, frame);
    Flat flat;
    smiley_flat_init(&flat);
    /* A name without a slot is never bound, so never in the snapshot: nothing to compare. */
    for (Py_ssize_t i = 0; i < plan->count; i++) {
        PlanItem *item = &plan->items[i];
        if (item->slot >= 0
            && smiley_compare(core, state, &state->shown[item->slot], &flat, item->symbol, item->secret,
                              slot_value(frame, state->entry, item->slot)) < 0) {
            smiley_flat_clear(&flat);
            return NULL;
        }
    }
    return smiley_flat_finish(&flat);
}
