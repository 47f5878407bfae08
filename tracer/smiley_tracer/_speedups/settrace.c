/*
 * sys.settrace's protocol (as settrace_hook.py): a C trace function, installed in each thread
 * by the first event Core gets as a Python trace function.
 */

#include "core.h"

static int
settrace_call(Core *core, PyFrameObject *frame)
{
    CodeEntry *entry;
    int recorded = smiley_code_entry_of(core, smiley_code_of(frame), frame, &entry);
    if (recorded <= 0)
        return recorded;
    if (entry->generator) {
        FrameState *state = smiley_state_of(core, frame);
        if (state != NULL && state->entry->code == entry->code && state->suspended) {
            if (SMILEY_REFRESH_EVERY_EVENT)
                smiley_refresh_order(state, frame);
            return smiley_resume(core, frame, state, entry, smiley_line_of(frame)) < 0 ? -1 : smiley_maybe_flush(core);
        }
        if (PyErr_Occurred())
            return -1;
    }
    return smiley_start(core, frame, entry, (int)PyLong_AsLong(entry->first_line)) < 0 ? -1 : smiley_maybe_flush(core);
}

/* A "return" event in a generator is a yield unless the frame stopped on a return opcode. */
static int
is_final(Core *core, PyFrameObject *frame, CodeEntry *entry)
{
    if (!entry->generator)
        return 1;
    if (entry->raw == NULL && (entry->raw = PyObject_GetAttrString(entry->code, "co_code")) == NULL)
        return -1;
    PyObject *lasti = PyObject_GetAttrString((PyObject *)frame, "f_lasti");
    if (lasti == NULL)
        return -1;
    Py_ssize_t index = PyLong_AsSsize_t(lasti);
    Py_DECREF(lasti);
    if (index < 0 || index >= PyBytes_GET_SIZE(entry->raw))
        return PyErr_Occurred() ? -1 : 0;
    PyObject *opcode = PyLong_FromLong((unsigned char)PyBytes_AS_STRING(entry->raw)[index]);
    int found = opcode == NULL ? -1 : PySet_Contains(core->return_opcodes, opcode);
    Py_XDECREF(opcode);
    return found;
}

static int
settrace_local(Core *core, PyFrameObject *frame, int what, PyObject *arg)
{
    FrameState *state = smiley_state_of(core, frame);
    if (state == NULL)
        return PyErr_Occurred() ? -1 : 0;
    Py_INCREF(state); /* a return removes it from live */
    if (SMILEY_REFRESH_EVERY_EVENT)
        smiley_refresh_order(state, frame);
    int result;
    if (what == PyTrace_LINE) {
        result = smiley_line_event(core, frame, state, smiley_line_of(frame));
    } else if (what == PyTrace_RETURN) {
        if (arg == NULL)
            arg = Py_None;
        if (arg == Py_None && state->raised) {
            result = smiley_leave(core, frame, state, NULL, 1, 1, smiley_line_of(frame));
        } else {
            int final = is_final(core, frame, state->entry);
            result = final < 0 ? -1 : smiley_leave(core, frame, state, arg, final, 0, smiley_line_of(frame));
        }
    } else {
        result = smiley_raised(core, frame, state, PyTuple_GET_ITEM(arg, 1), smiley_line_of(frame));
    }
    Py_DECREF(state);
    return result < 0 ? -1 : smiley_maybe_flush(core);
}

int
smiley_trace(PyObject *obj, PyFrameObject *frame, int what, PyObject *arg)
{
    Core *core = (Core *)obj;
    int result = 0;
    if (what == PyTrace_CALL)
        result = settrace_call(core, frame);
    else if (what == PyTrace_LINE || what == PyTrace_RETURN || what == PyTrace_EXCEPTION)
        result = settrace_local(core, frame, what, arg);
    if (result < 0 && smiley_failed(core) < 0) {
        /* As CPython does when a Python trace function raises: tracing of this thread ends. */
        PyEval_SetTrace(NULL, NULL);
        return -1;
    }
    return 0;
}

/* Called as a Python trace function by sys.settrace and threading.settrace: installs the C
 * function for this thread, then handles the event like it. */
PyObject *
smiley_call(PyObject *self, PyObject *args, PyObject *kwargs)
{
    PyObject *frame, *name, *arg;
    if (!PyArg_ParseTuple(args, "OUO", &frame, &name, &arg))
        return NULL;
    if (!PyFrame_Check(frame)) {
        PyErr_SetString(PyExc_TypeError, "a frame is needed");
        return NULL;
    }
    PyEval_SetTrace(smiley_trace, self);
    int what = PyUnicode_CompareWithASCIIString(name, "call") == 0   ? PyTrace_CALL
               : PyUnicode_CompareWithASCIIString(name, "line") == 0 ? PyTrace_LINE
               : PyUnicode_CompareWithASCIIString(name, "return") == 0 ? PyTrace_RETURN
               : PyUnicode_CompareWithASCIIString(name, "exception") == 0 ? PyTrace_EXCEPTION
                                                                          : -1;
    if (what >= 0 && smiley_trace(self, (PyFrameObject *)frame, what, arg) < 0)
        return NULL;
    Py_RETURN_NONE;
}

