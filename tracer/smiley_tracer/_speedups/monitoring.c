/*
 * The callbacks of sys.monitoring (3.12+), as monitoring_hook.py: methods of Core, with the
 * same records as the settrace protocol.
 */

#include "core.h"

/* sys.monitoring passes each callback its arguments; anyone else calling one gets an error. */
#define NEED_ARGS(count)                                                                           \
    if (nargs < (count)) {                                                                         \
        PyErr_SetString(PyExc_TypeError, "a sys.monitoring callback needs " #count " arguments"); \
        return NULL;                                                                               \
    }

static PyObject *
answer(Core *core, int result)
{
    if (result < 0)
        return smiley_failed(core) < 0 ? NULL : Py_NewRef(Py_None);
    return Py_NewRef(result == 1 ? core->disable : Py_None);
}

static CodeEntry *
known_entry(Core *core, PyObject *code) /* borrowed; NULL: not recorded (or not seen yet) */
{
    PyObject *known = ptrmap_get(&core->codes, code);
    return known == NULL || known == Py_False ? NULL : (CodeEntry *)known;
}

/* The line of the instruction at `offset` (in bytes) of a recorded code, which is where its frame
 * is during the callback: frame.f_lineno without scanning the code's line table from its
 * start at every event. The frame says it for an instruction of no line. -1 on error. */
static int
line_at(Core *core, CodeEntry *entry, PyObject *offset, PyFrameObject *frame, int *line)
{
    if (entry->lines == NULL && (entry->lines = SMILEY_CALL(core->offset_lines, entry->code)) == NULL)
        return -1;
    long index = PyLong_AsLong(offset) / 2;
    long number = -1;
    if (index >= 0 && index < PyList_GET_SIZE(entry->lines))
        number = PyLong_AsLong(PyList_GET_ITEM(entry->lines, index));
    if (number == -1 && PyErr_Occurred())
        return -1;
    *line = number >= 0 ? (int)number : smiley_line_of(frame);
    return 0;
}

static int
monitoring_start(Core *core, PyObject *code, PyFrameObject *frame)
{
    CodeEntry *entry;
    int recorded = smiley_code_entry_of(core, (PyCodeObject *)code, frame, &entry);
    if (recorded <= 0)
        return recorded < 0 ? -1 : 1;
    return smiley_start(core, frame, entry, (int)PyLong_AsLong(entry->first_line)) < 0 ? -1 : smiley_maybe_flush(core);
}

static PyObject *
py_start(Core *core, PyObject *const *args, Py_ssize_t nargs)
{
    NEED_ARGS(2)
    if (ptrmap_get(&core->codes, args[0]) == Py_False)
        return Py_NewRef(core->disable);
    PyFrameObject *frame = PyEval_GetFrame();
    return answer(core, frame == NULL ? 0 : monitoring_start(core, args[0], frame));
}

static PyObject *
py_resume(Core *core, PyObject *const *args, Py_ssize_t nargs)
{
    NEED_ARGS(2)
    CodeEntry *entry = known_entry(core, args[0]);
    PyFrameObject *frame = PyEval_GetFrame();
    if (entry == NULL || frame == NULL)
        return answer(core, PyErr_Occurred() ? -1 : 0);
    FrameState *state = smiley_state_of(core, frame);
    int result, at;
    if (state == NULL || state->entry != entry)
        result = PyErr_Occurred() ? -1 : (monitoring_start(core, args[0], frame) < 0 ? -1 : 0);
    else if (line_at(core, entry, args[1], frame, &at) < 0)
        result = -1;
    else
        result = smiley_resume(core, frame, state, entry, at) < 0 ? -1 : smiley_maybe_flush(core);
    return answer(core, result);
}

static int
monitoring_line(Core *core, int line)
{
    PyFrameObject *frame = PyEval_GetFrame();
    FrameState *state = frame == NULL ? NULL : smiley_state_of(core, frame);
    if (state == NULL)
        return PyErr_Occurred() ? -1 : 0;
    return smiley_line_event(core, frame, state, line) < 0 ? -1 : smiley_maybe_flush(core);
}

static PyObject *
line(Core *core, PyObject *const *args, Py_ssize_t nargs)
{
    NEED_ARGS(2)
    return answer(core, monitoring_line(core, (int)PyLong_AsLong(args[1])));
}

/* A backward jump that stays on one line is a line event for settrace; others need nothing. */
static PyObject *
jump(Core *core, PyObject *const *args, Py_ssize_t nargs)
{
    NEED_ARGS(3)
    long source = PyLong_AsLong(args[1]), target = PyLong_AsLong(args[2]);
    if (target > source)
        return Py_NewRef(core->disable);
    CodeEntry *entry = known_entry(core, args[0]);
    if (entry == NULL)
        return PyErr_Occurred() ? answer(core, -1) : Py_NewRef(core->disable);
    if (entry->lines == NULL && (entry->lines = SMILEY_CALL(core->offset_lines, entry->code)) == NULL)
        return answer(core, -1);
    Py_ssize_t size = PyList_GET_SIZE(entry->lines);
    if (target / 2 >= size || source / 2 >= size)
        return Py_NewRef(Py_None);
    long number = PyLong_AsLong(PyList_GET_ITEM(entry->lines, target / 2));
    if (number != PyLong_AsLong(PyList_GET_ITEM(entry->lines, source / 2)))
        return Py_NewRef(core->disable);
    return answer(core, number >= 0 ? monitoring_line(core, (int)number) : 0);
}

static int
monitoring_leave(Core *core, PyObject *code, PyObject *offset, PyObject *value, int final, int unwinding)
{
    PyFrameObject *frame = PyEval_GetFrame();
    FrameState *state = frame == NULL ? NULL : smiley_state_of(core, frame);
    if (state == NULL || state->entry->code != code)
        return PyErr_Occurred() ? -1 : 0;
    int line;
    if (line_at(core, state->entry, offset, frame, &line) < 0)
        return -1;
    Py_INCREF(state);
    int result = smiley_leave(core, frame, state, value, final, unwinding, line);
    Py_DECREF(state);
    return result < 0 ? -1 : smiley_maybe_flush(core);
}

static PyObject *
py_return(Core *core, PyObject *const *args, Py_ssize_t nargs)
{
    NEED_ARGS(3)
    return answer(core, monitoring_leave(core, args[0], args[1], args[2], 1, 0));
}

static PyObject *
py_yield(Core *core, PyObject *const *args, Py_ssize_t nargs)
{
    NEED_ARGS(3)
    return answer(core, monitoring_leave(core, args[0], args[1], args[2], 0, 0));
}

static PyObject *
py_unwind(Core *core, PyObject *const *args, Py_ssize_t nargs)
{
    NEED_ARGS(3)
    if (known_entry(core, args[0]) == NULL)
        return answer(core, PyErr_Occurred() ? -1 : 0);
    return answer(core, monitoring_leave(core, args[0], args[1], NULL, 1, 1));
}

static int
monitoring_raised(Core *core, PyObject *code, PyObject *offset, PyObject *error)
{
    PyFrameObject *frame = PyEval_GetFrame();
    FrameState *state = frame == NULL ? NULL : smiley_state_of(core, frame);
    if (state == NULL || state->entry->code != code)
        return PyErr_Occurred() ? -1 : 0;
    int line;
    if (line_at(core, state->entry, offset, frame, &line) < 0)
        return -1;
    return smiley_raised(core, frame, state, error, line) < 0 ? -1 : smiley_maybe_flush(core);
}

static PyObject *
on_raise(Core *core, PyObject *const *args, Py_ssize_t nargs)
{
    NEED_ARGS(3)
    if (known_entry(core, args[0]) == NULL)
        return answer(core, PyErr_Occurred() ? -1 : 0);
    return answer(core, monitoring_raised(core, args[0], args[1], args[2]));
}

static PyObject *
stop_iteration(Core *core, PyObject *const *args, Py_ssize_t nargs)
{
    NEED_ARGS(3)
    return answer(core, monitoring_raised(core, args[0], args[1], args[2]));
}

PyMethodDef smiley_monitoring_methods[] = {
    {"py_start", (PyCFunction)(void (*)(void))py_start, METH_FASTCALL, "PY_START"},
    {"py_resume", (PyCFunction)(void (*)(void))py_resume, METH_FASTCALL, "PY_RESUME and PY_THROW"},
    {"line", (PyCFunction)(void (*)(void))line, METH_FASTCALL, "LINE"},
    {"jump", (PyCFunction)(void (*)(void))jump, METH_FASTCALL, "JUMP"},
    {"py_return", (PyCFunction)(void (*)(void))py_return, METH_FASTCALL, "PY_RETURN"},
    {"py_yield", (PyCFunction)(void (*)(void))py_yield, METH_FASTCALL, "PY_YIELD"},
    {"py_unwind", (PyCFunction)(void (*)(void))py_unwind, METH_FASTCALL, "PY_UNWIND"},
    {"on_raise", (PyCFunction)(void (*)(void))on_raise, METH_FASTCALL, "RAISE"},
    {"stop_iteration", (PyCFunction)(void (*)(void))stop_iteration, METH_FASTCALL, "STOP_ITERATION"},
    {NULL},
};
