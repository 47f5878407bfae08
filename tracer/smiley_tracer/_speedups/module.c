/*
 * The module: the FrameState and Core types, and the collaborators the Python tracer
 * hands to Core (accelerator.py builds the dict).
 */

#include "core.h"
#include <structmember.h>

static void
frame_state_dealloc(FrameState *state)
{
    for (int slot = 0; state->shown != NULL && slot < state->entry->nslots; slot++) {
        Py_XDECREF(state->shown[slot].object);
        Py_XDECREF(state->shown[slot].text);
        Py_XDECREF(state->shown[slot].fingerprint);
    }
    Py_XDECREF(state->id);
    Py_XDECREF(state->entry);
    Py_XDECREF(state->record);
    Py_XDECREF(state->snapshot);
    Py_XDECREF(state->thread);
    Py_XDECREF(state->task);
    PyMem_Free(state->shown); /* the block that holds order and in_order too */
    Py_TYPE(state)->tp_free((PyObject *)state);
}

/* What changes.py reads of a state when it handles a module-level frame. */
static PyMemberDef frame_state_members[] = {
    {"snapshot", T_OBJECT_EX, offsetof(FrameState, snapshot), READONLY, "name -> (object, text, fingerprint)"},
    {"record", T_OBJECT_EX, offsetof(FrameState, record), READONLY, "the CodeRecord"},
    {NULL},
};

PyTypeObject FrameStateType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "smiley_tracer._speedups.FrameState",
    .tp_basicsize = sizeof(FrameState),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)frame_state_dealloc,
    .tp_members = frame_state_members,
};

#define CORE_OBJECTS(X)                                                                            \
    X(flush) X(code_record) X(thread_id) X(text) X(fingerprint) X(unchanged)             \
    X(type_symbol) X(name_info) X(exception) X(on_failure) X(stream_closed)         \
    X(missing) X(mutable_types) X(redacted) X(return_opcodes) X(offset_lines)          \
    X(snapshot_all_py) X(diff_py) X(disable) X(is_secret) X(covers) X(watch)           \
    X(task_current) X(task_awaiting)                                                  \
    X(scrub) X(remember) X(secret_values) X(secret_texts) X(secret_words)
#define CORE_SIZES(X) X(batch_size) X(max_len) X(max_suspended) X(max_codes) X(redacting)

static int
core_init(Core *core, PyObject *args, PyObject *kwargs)
{
    PyObject *config;
    if (!PyArg_ParseTuple(args, "O!", &PyDict_Type, &config))
        return -1;
    PyObject *value;
#define READ_OBJECT(name)                                                                          \
    if ((value = PyDict_GetItemString(config, #name)) == NULL) {                                   \
        PyErr_SetString(PyExc_KeyError, #name);                                                    \
        return -1;                                                                                 \
    }                                                                                              \
    Py_XSETREF(core->name, Py_NewRef(value));
    CORE_OBJECTS(READ_OBJECT)
#define READ_SIZE(name)                                                                            \
    if ((value = PyDict_GetItemString(config, #name)) == NULL) {                                   \
        PyErr_SetString(PyExc_KeyError, #name);                                                    \
        return -1;                                                                                 \
    }                                                                                              \
    if ((core->name = PyLong_AsSsize_t(value)) == -1 && PyErr_Occurred())                          \
        return -1;
    CORE_SIZES(READ_SIZE)
    if (!PySet_Check(core->secret_values) || !PyList_Check(core->secret_texts) || !PyTuple_Check(core->secret_words)) {
        PyErr_SetString(PyExc_TypeError, "secret_values, secret_texts, secret_words: a set, a list, a tuple");
        return -1;
    }
    if (!PyTuple_Check(core->mutable_types) || PyTuple_GET_SIZE(core->mutable_types) != 5) {
        PyErr_SetString(PyExc_TypeError, "mutable_types must be a 5-tuple");
        return -1;
    }
    if (smiley_read_secret_words(core) < 0)
        return -1;
    ptrmap_clear(&core->codes);
    Py_XSETREF(core->type_symbols, PyDict_New());
    Py_XSETREF(core->names, PyDict_New());
    Py_XSETREF(core->secret_keys, PyDict_New());
    ptrmap_clear(&core->live);
    core->next_frame = 0;
    Py_XSETREF(core->class_name, PyUnicode_InternFromString("__class__"));
    if (core->class_name == NULL)
        return -1;
    Py_XSETREF(core->object_class, Py_XNewRef(_PyType_Lookup(&PyBaseObject_Type, core->class_name)));
    core->last_type = NULL;
    core->last_type_symbol = NULL;
    return core->type_symbols && core->names && core->secret_keys ? 0 : -1;
}

static void
core_dealloc(Core *core)
{
#define CLEAR(name) Py_CLEAR(core->name);
    CORE_OBJECTS(CLEAR)
    ptrmap_clear(&core->codes);
    ptrmap_clear(&core->plain_reprs);
    PyMem_Free(core->pending.data);
    Py_CLEAR(core->type_symbols);
    Py_CLEAR(core->names);
    Py_CLEAR(core->secret_keys);
    Py_CLEAR(core->class_name);
    Py_CLEAR(core->object_class);
    ptrmap_clear(&core->live);
    Py_TYPE(core)->tp_free((PyObject *)core);
}

PyTypeObject CoreType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "smiley_tracer._speedups.Core",
    .tp_doc = "The hot path of the tracer; see accelerator.py.",
    .tp_basicsize = sizeof(Core),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)core_init,
    .tp_dealloc = (destructor)core_dealloc,
    .tp_call = smiley_call,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_speedups",
    .m_doc = "Smiley's native accelerator.",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    /* Core's methods: the callbacks of sys.monitoring and the stream's side. */
    static PyMethodDef methods[32];
    int n = 0;
    for (PyMethodDef *m = smiley_monitoring_methods; m->ml_name != NULL; m++)
        methods[n++] = *m;
    for (PyMethodDef *m = smiley_stream_methods; m->ml_name != NULL; m++)
        methods[n++] = *m;
    CoreType.tp_methods = methods;
    if (PyType_Ready(&CodeEntryType) < 0 || PyType_Ready(&FrameStateType) < 0 || PyType_Ready(&CoreType) < 0)
        return NULL;
    PyObject *mod = PyModule_Create(&module);
    if (mod == NULL)
        return NULL;
    Py_INCREF(&CoreType);
    if (PyModule_AddObject(mod, "Core", (PyObject *)&CoreType) < 0) {
        Py_DECREF(&CoreType);
        Py_DECREF(mod);
        return NULL;
    }
    return mod;
}
