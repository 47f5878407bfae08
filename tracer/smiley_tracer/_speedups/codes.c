/*
 * Code objects: the CodeRecord the Python recorder makes for each one (once), turned into
 * what the hot path reads per event: the line plans as C arrays with each name's slot.
 */

#include "core.h"

static void
free_plan(Plan *plan)
{
    if (plan == NULL)
        return;
    Py_XDECREF(plan->py);
    PyMem_Free(plan->items);
    PyMem_Free(plan);
}

static void
code_entry_dealloc(CodeEntry *entry)
{
    if (entry->plans != NULL) {
        for (int i = 0; i < entry->line_count; i++)
            free_plan(entry->plans[i]);
        PyMem_Free(entry->plans);
    }
    PyMem_Free(entry->kinds);
    for (int i = 0; entry->slot_info != NULL && i < entry->nslots; i++)
        Py_XDECREF(entry->slot_info[i]);
    PyMem_Free(entry->slot_info);
    PyMem_Free(entry->shadowed);
    Py_XDECREF(entry->record);
    Py_XDECREF(entry->code);
    Py_XDECREF(entry->id);
    Py_XDECREF(entry->first_line);
    Py_XDECREF(entry->names);
    Py_XDECREF(entry->slot_of);
    Py_XDECREF(entry->raw);
    Py_XDECREF(entry->lines);
    Py_TYPE(entry)->tp_free((PyObject *)entry);
}

PyTypeObject CodeEntryType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "smiley_tracer._speedups.CodeEntry",
    .tp_basicsize = sizeof(CodeEntry),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)code_entry_dealloc,
};

/* The name of every slot of a frame's fast locals, in the interpreter's order. */
static int
read_slots(CodeEntry *entry, PyCodeObject *code)
{
#if PY_VERSION_HEX >= 0x030B0000
    entry->names = Py_NewRef(code->co_localsplusnames);
    entry->nslots = code->co_nlocalsplus;
    entry->kinds = PyMem_Malloc(entry->nslots + 1);
    if (entry->kinds == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memcpy(entry->kinds, PyBytes_AS_STRING(code->co_localspluskinds), entry->nslots);
    entry->ncells_from = entry->nslots;
#else
    /* Before 3.11: local variables, then cells, then free variables; cells hold the value. */
    PyObject *parts[3] = {code->co_varnames, code->co_cellvars, code->co_freevars};
    PyObject *names = PyTuple_New(0);
    for (int i = 0; i < 3 && names != NULL; i++) {
        PyObject *joined = PySequence_Concat(names, parts[i]);
        Py_DECREF(names);
        names = joined;
    }
    if (names == NULL)
        return -1;
    entry->names = names;
    entry->nslots = (int)PyTuple_GET_SIZE(names);
    entry->ncells_from = code->co_nlocals;
#endif
    entry->slot_of = PyDict_New();
    entry->slot_info = PyMem_Calloc(entry->nslots + 1, sizeof(PyObject *));
    entry->shadowed = PyMem_Calloc(entry->nslots + 1, 1);
    if (entry->slot_of == NULL || entry->slot_info == NULL || entry->shadowed == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    /* The last slot of a name wins: before 3.11 an argument that is also a cell keeps its
     * value in the cell, and f_locals shows that one. */
    for (int i = 0; i < entry->nslots; i++) {
        PyObject *name = PyTuple_GET_ITEM(entry->names, i);
        PyObject *earlier = PyDict_GetItemWithError(entry->slot_of, name);
        if (earlier != NULL)
            entry->shadowed[PyLong_AsLong(earlier)] = 1;
        PyObject *slot = PyLong_FromLong(i);
        if (slot == NULL || PyDict_SetItem(entry->slot_of, name, slot) < 0) {
            Py_XDECREF(slot);
            return -1;
        }
        Py_DECREF(slot);
    }
    return 0;
}

static Plan *
make_plan(CodeEntry *entry, PyObject *py)
{
    Plan *plan = PyMem_Calloc(1, sizeof(Plan));
    if (plan == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    plan->py = Py_NewRef(py);
    if (py == Py_True) {
        plan->full = 1;
        return plan;
    }
    if (!PyTuple_Check(py)) {
        PyErr_SetString(PyExc_TypeError, "a line plan must be True or a tuple");
        free_plan(plan);
        return NULL;
    }
    plan->count = PyTuple_GET_SIZE(py);
    plan->items = PyMem_Calloc(plan->count + 1, sizeof(PlanItem));
    if (plan->items == NULL) {
        PyErr_NoMemory();
        free_plan(plan);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < plan->count; i++) {
        PyObject *item = PyTuple_GET_ITEM(py, i); /* (name, symbol, secret) */
        PlanItem *out = &plan->items[i];
        out->name = PyTuple_GET_ITEM(item, 0);
        out->symbol = PyTuple_GET_ITEM(item, 1);
        out->secret = PyObject_IsTrue(PyTuple_GET_ITEM(item, 2));
        out->slot = -1;
        if (entry->slot_of != NULL) {
            PyObject *slot = PyDict_GetItemWithError(entry->slot_of, out->name);
            if (slot != NULL)
                out->slot = (int)PyLong_AsLong(slot);
            else if (PyErr_Occurred()) {
                free_plan(plan);
                return NULL;
            }
        }
    }
    return plan;
}

/* Lines with a plan, as an array indexed from the smallest of them. */
static int
read_plans(CodeEntry *entry, PyObject *plans)
{
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    long low = 0, high = -1;
    while (PyDict_Next(plans, &pos, &key, &value)) {
        long line = PyLong_AsLong(key);
        if (line == -1 && PyErr_Occurred())
            return -1;
        if (high < low) {
            low = high = line;
        } else {
            low = line < low ? line : low;
            high = line > high ? line : high;
        }
    }
    entry->line_base = (int)low;
    entry->line_count = (int)(high - low + 1);
    if (entry->line_count <= 0)
        return 0;
    entry->plans = PyMem_Calloc(entry->line_count, sizeof(Plan *));
    if (entry->plans == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    pos = 0;
    while (PyDict_Next(plans, &pos, &key, &value)) {
        Plan *plan = make_plan(entry, value);
        if (plan == NULL)
            return -1;
        entry->plans[PyLong_AsLong(key) - low] = plan;
    }
    return 0;
}

static CodeEntry *
new_entry(PyObject *record, PyCodeObject *code)
{
    CodeEntry *entry = PyObject_New(CodeEntry, &CodeEntryType);
    if (entry == NULL)
        return NULL;
    entry->record = Py_NewRef(record);
    entry->code = Py_NewRef((PyObject *)code);
    entry->id = entry->first_line = entry->names = entry->slot_of = entry->raw = entry->lines = NULL;
    entry->kinds = NULL;
    entry->slot_info = NULL;
    entry->shadowed = NULL;
    entry->plans = NULL;
    entry->line_count = 0;
    entry->nslots = 0;
    entry->watched = 0;
    entry->module_level = !(code->co_flags & CO_OPTIMIZED);
    entry->generator = (code->co_flags & (CO_GENERATOR | CO_COROUTINE | CO_ITERABLE_COROUTINE | CO_ASYNC_GENERATOR)) != 0;
    entry->coroutine = (code->co_flags & (CO_COROUTINE | CO_ITERABLE_COROUTINE | CO_ASYNC_GENERATOR)) != 0;
    entry->id = PyObject_GetAttrString(record, "id");
    entry->first_line = PyLong_FromLong(code->co_firstlineno);
    if (entry->id == NULL || entry->first_line == NULL)
        goto error;
#if PY_VERSION_HEX >= 0x030B0000 && defined(SMILEY_PUBLIC_API)
    entry->module_level = 1; /* no frame internals: every frame's locals go through f_locals */
#endif
    if (!entry->module_level && read_slots(entry, code) < 0)
        goto error;
    PyObject *plans = PyObject_GetAttrString(record, "plans");
    if (plans == NULL)
        goto error;
    int failed = PyDict_Check(plans) ? read_plans(entry, plans) : -1;
    Py_DECREF(plans);
    if (failed)
        goto error;
    return entry;
error:
    Py_DECREF(entry);
    return NULL;
}

/* The entry of `code`: 1 and *out set when recorded, 0 when not, -1 on error. */
int
smiley_code_entry_of(Core *core, PyCodeObject *code, PyFrameObject *frame, CodeEntry **out)
{
    PyObject *known = ptrmap_get(&core->codes, (PyObject *)code);
    if (known != NULL) {
        *out = (CodeEntry *)known;
        return known != Py_False;
    }
    if ((Py_ssize_t)core->codes.used > core->max_codes)
        ptrmap_clear(&core->codes); /* code compiled at run time in a loop: do not hold it forever */
    PyObject *globals = PyObject_GetAttrString((PyObject *)frame, "f_globals");
    if (globals == NULL)
        return -1;
    PyObject *record = SMILEY_CALL(core->code_record, (PyObject *)code, globals);
    Py_DECREF(globals);
    if (record == NULL)
        return -1;
    known = ptrmap_get(&core->codes, (PyObject *)code);
    if (known != NULL) {
        /* Another thread entered it while code_record let it run: one entry per code, since a
         * frame's entry is what tells its resumption from a new activation. */
        Py_DECREF(record);
        *out = (CodeEntry *)known;
        return known != Py_False;
    }
    if (record == Py_False) {
        Py_DECREF(record);
        *out = NULL;
        return ptrmap_set(&core->codes, (PyObject *)code, Py_False) < 0 ? -1 : 0;
    }
    CodeEntry *entry = new_entry(record, code);
    Py_DECREF(record);
    if (entry == NULL)
        return -1;
    int failed = ptrmap_set(&core->codes, (PyObject *)code, (PyObject *)entry);
    Py_DECREF(entry); /* the cache holds it */
    if (failed)
        return -1;
    *out = entry;
    return 1;
}

Plan *
smiley_plan(CodeEntry *entry, int line)
{
    int index = line - entry->line_base;
    if (line < 0 || index < 0 || index >= entry->line_count)
        return NULL;
    return entry->plans[index];
}
