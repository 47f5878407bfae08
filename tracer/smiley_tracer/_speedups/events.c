/*
 * What both hooks do with an event (settrace.c, monitoring.c): frame states (as recorder.py's
 * begin, resume, suspend and parent_of), the event records, and what happens on failure.
 */

#include "core.h"
#include <time.h>

/* time.perf_counter(), computed the way CPython does on Linux: CLOCK_MONOTONIC in ns. */
static double
clock_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long ns = (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
    return ns % 1000000000LL == 0 ? (double)(ns / 1000000000LL) : (double)ns / 1e9;
}

PyCodeObject *
smiley_code_of(PyFrameObject *frame) /* borrowed: the frame holds it */
{
#if PY_VERSION_HEX >= 0x03090000
    PyCodeObject *code = PyFrame_GetCode(frame);
    Py_DECREF(code);
    return code;
#else
    return frame->f_code;
#endif
}

static PyFrameObject *
back_of(PyFrameObject *frame) /* new reference */
{
#if PY_VERSION_HEX >= 0x03090000
    return PyFrame_GetBack(frame);
#else
    Py_XINCREF(frame->f_back);
    return frame->f_back;
#endif
}

/* frame.f_lineno as a Python trace function sees it: before 3.11 the field the interpreter
 * keeps while tracing (the getter computes another value when f_trace is unset). */
int
smiley_line_of(PyFrameObject *frame)
{
#if PY_VERSION_HEX < 0x030B0000
    if (frame->f_lineno != 0)
        return frame->f_lineno;
#endif
    return PyFrame_GetLineNumber(frame);
}

int
smiley_maybe_flush(Core *core)
{
    if (core->pending.count < core->batch_size)
        return 0;
    PyObject *done = PyObject_CallObject(core->flush, NULL);
    Py_XDECREF(done);
    return done == NULL ? -1 : 0;
}

/* Adds an event (tag, frame, line, time, changes, more…) to the pending batch. Steals
 * `changes` and the `extra` objects of `more`, any of which may be NULL (an error). */
static int
emit(Core *core, int tag, FrameState *state, int line, PyObject *changes, Py_ssize_t extra, PyObject **more)
{
    int complete = changes != NULL;
    for (Py_ssize_t i = 0; i < extra; i++)
        complete = complete && more[i] != NULL;
    int failed = !complete || smiley_encode_event(core, tag, state->id, line, clock_now(), changes, extra, more) < 0;
    Py_XDECREF(changes);
    for (Py_ssize_t i = 0; i < extra; i++)
        Py_XDECREF(more[i]);
    return failed ? -1 : 0;
}

/* Frames and their states (recorder.py: begin, resume, suspend, parent_of). */

FrameState *
smiley_state_of(Core *core, PyFrameObject *frame) /* borrowed */
{
    return (FrameState *)ptrmap_get(&core->live, (PyObject *)frame);
}

static FrameState *
parent_of(Core *core, PyFrameObject *frame)
{
    PyFrameObject *back = back_of(frame);
    while (back != NULL) {
        FrameState *state = smiley_state_of(core, back);
        if (state != NULL && state->entry->code == (PyObject *)smiley_code_of(back)) {
            Py_DECREF(back);
            return state;
        }
        PyFrameObject *next = back_of(back);
        Py_DECREF(back);
        back = next;
    }
    return NULL;
}

/* Whether a frame without a recorded frame below it runs inside the --function scope:
 * 1 yes (or no such option), 0 no, -1 error. */
static int
in_scope(Core *core, PyFrameObject *frame)
{
    if (core->covers == Py_None)
        return 1;
    PyObject *answer = SMILEY_CALL(core->covers, (PyObject *)frame);
    if (answer == NULL)
        return -1;
    int covered = PyObject_IsTrue(answer);
    Py_DECREF(answer);
    return covered;
}

/* Where an activation starts or resumes: depth, thread, task and the parent's id; 1 (and
 * nothing set) when it runs outside the --function scope. A coroutine runs in whichever task
 * runs when it starts or resumes; any other frame in its caller's. */
static int
place(Core *core, PyFrameObject *frame, FrameState *state, PyObject **parent_id)
{
    FrameState *parent = parent_of(core, frame);
    if (PyErr_Occurred())
        return -1;
    PyObject *thread, *task;
    if (parent == NULL) {
        int covered = in_scope(core, frame);
        if (covered <= 0)
            return covered < 0 ? -1 : 1;
        thread = PyObject_CallObject(core->thread_id, NULL);
        if (thread == NULL)
            return -1;
        state->depth = 0;
        *parent_id = PyLong_FromLong(0);
    } else {
        thread = Py_NewRef(parent->thread);
        state->depth = parent->depth + 1;
        *parent_id = Py_NewRef(parent->id);
    }
    Py_XSETREF(state->thread, thread);
    if (parent == NULL || state->entry->coroutine) {
        task = PyObject_CallObject(core->task_current, NULL);
        if (task == NULL)
            return -1;
        state->in_task = PyObject_IsTrue(task);
    } else {
        task = Py_NewRef(parent->task);
        state->in_task = parent->in_task;
    }
    Py_XSETREF(state->task, task);
    return 0;
}

static int
forget_suspended(Core *core)
{
    PtrMap *live = &core->live;
    PyObject **gone = PyMem_Malloc((live->used + 1) * sizeof(PyObject *));
    if (gone == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    size_t count = 0;
    for (size_t i = 0; live->slots != NULL && i <= live->mask; i++)
        if (live->slots[i].key != NULL && ((FrameState *)live->slots[i].value)->suspended)
            gone[count++] = Py_NewRef(live->slots[i].key);
    for (size_t i = 0; i < count; i++) {
        ptrmap_del(live, gone[i]);
        Py_DECREF(gone[i]);
    }
    PyMem_Free(gone);
    return 0;
}

static FrameState *
begin(Core *core, PyFrameObject *frame, CodeEntry *entry, PyObject **parent_id)
{
    FrameState *state = PyObject_New(FrameState, &FrameStateType);
    if (state == NULL)
        return NULL;
    state->id = PyLong_FromLongLong(++core->next_frame);
    state->entry = (CodeEntry *)Py_NewRef(entry);
    state->record = Py_NewRef(entry->record);
    state->snapshot = NULL;
    state->thread = NULL;
    state->task = NULL;
    state->in_task = 0;
    state->last_line = -1;
    state->raised = state->suspended = 0;
    state->order = NULL;
    state->in_order = NULL;
    state->order_count = 0;
    state->shown = NULL;
    state->shown_count = 0;
    state->shown_next = 0;
    if (entry->module_level) {
        state->snapshot = PyDict_New();
        if (state->snapshot == NULL)
            goto error;
    } else {
        /* One block for the per-slot arrays: shown, then order and in_order (up to 3.12). */
        size_t slots = (size_t)entry->nslots + 1;
        size_t size = slots * sizeof(Shown) + (SMILEY_DICT_ORDER ? slots * (sizeof(int) + 1) : 0);
        char *block = PyMem_Calloc(1, size);
        if (block == NULL) {
            PyErr_NoMemory();
            goto error;
        }
        state->shown = (Shown *)block;
        if (SMILEY_DICT_ORDER) {
            state->order = (int *)(block + slots * sizeof(Shown));
            state->in_order = (unsigned char *)(block + slots * (sizeof(Shown) + sizeof(int)));
        }
    }
    if (state->id == NULL)
        goto error;
    int placed = place(core, frame, state, parent_id);
    if (placed != 0)
        goto error; /* 1: outside the scope, and no error set */
    if (!entry->watched && core->watch != Py_None) {
        /* With --function, the hook hears of a code when it first runs inside the scope. */
        PyObject *done = SMILEY_CALL(core->watch, entry->record);
        if (done == NULL) {
            Py_CLEAR(*parent_id);
            goto error;
        }
        Py_DECREF(done);
        entry->watched = 1;
    }
    if ((Py_ssize_t)core->live.used > core->max_suspended && entry->generator && forget_suspended(core) < 0)
        goto error;
    if (ptrmap_set(&core->live, (PyObject *)frame, (PyObject *)state) < 0)
        goto error;
    return state;
error:
    Py_DECREF(state);
    return NULL;
}

/* A generator yields: its snapshot keeps the texts of its locals, not the objects (but for
 * scalars), like LocalsTracker.forget_objects. */
static int
suspend(Core *core, FrameState *state)
{
    state->suspended = 1;
    if (state->shown != NULL) {
        smiley_forget_objects(core, state);
        return 0;
    }
    /* Locals in a mapping (a build without the frame internals): the snapshot is a dict. */
    PyObject *names = PyDict_Keys(state->snapshot);
    if (names == NULL)
        return -1;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(names); i++) {
        PyObject *name = PyList_GET_ITEM(names, i);
        PyObject *entry = PyDict_GetItem(state->snapshot, name);
        if (smiley_scalar(PyTuple_GET_ITEM(entry, 0)))
            continue;
        PyObject *kept = PyTuple_Pack(3, core->missing, PyTuple_GET_ITEM(entry, 1), Py_None);
        if (kept == NULL || PyDict_SetItem(state->snapshot, name, kept) < 0) {
            Py_XDECREF(kept);
            Py_DECREF(names);
            return -1;
        }
        Py_DECREF(kept);
    }
    Py_DECREF(names);
    return 0;
}

/* A call event: a new activation with every local (none outside the --function scope). */
int
smiley_start(Core *core, PyFrameObject *frame, CodeEntry *entry, int line)
{
    PyObject *parent_id = NULL;
    FrameState *state = begin(core, frame, entry, &parent_id);
    if (state == NULL)
        return PyErr_Occurred() ? -1 : 0;
    PyObject *more[5] = {Py_NewRef(entry->id), parent_id, Py_NewRef(state->thread), PyLong_FromLong(state->depth),
                         state->in_task ? Py_NewRef(state->task) : NULL};
    int failed = emit(core, TAG_CALL, state, line, smiley_snapshot_all(core, state, frame), 4 + state->in_task, more);
    Py_DECREF(state); /* live holds it */
    if (failed) {
        /* Not recorded, and so neither is the rest of this activation (at the recursion limit,
         * tracing goes on). */
        PyObject *type, *error, *traceback;
        PyErr_Fetch(&type, &error, &traceback);
        ptrmap_del(&core->live, (PyObject *)frame);
        PyErr_Restore(type, error, traceback);
    }
    return failed;
}

int
smiley_resume(Core *core, PyFrameObject *frame, FrameState *state, CodeEntry *entry, int line)
{
    PyObject *parent_id = NULL;
    int placed = place(core, frame, state, &parent_id);
    if (placed < 0)
        return -1;
    if (placed == 1) /* outside the --function scope: forgotten, a new activation if resumed inside */
        return ptrmap_del(&core->live, (PyObject *)frame) < 0 ? -1 : 0;
    state->suspended = 0;
    PyObject *more[5] = {Py_NewRef(entry->id), parent_id, Py_NewRef(state->thread), PyLong_FromLong(state->depth),
                         state->in_task ? Py_NewRef(state->task) : NULL};
    return emit(core, TAG_CALL, state, line, Py_NewRef(Py_None), 4 + state->in_task, more);
}

static PyObject *
changes_of(Core *core, FrameState *state, PyFrameObject *frame)
{
    Plan *plan = state->last_line >= 0 ? smiley_plan(state->entry, state->last_line) : NULL;
    return plan == NULL ? Py_NewRef(Py_None) : smiley_diff(core, state, frame, plan);
}

/* (type symbol, text) of a returned or yielded value, as Recorder.value. */
static int
value_of(Core *core, PyObject *value, PyObject **more)
{
    more[0] = smiley_type_symbol(core, Py_TYPE(value));
    more[1] = more[0] == NULL ? NULL : smiley_scrubbed(core, value, smiley_text(core, value), -1);
    if (more[1] == NULL) {
        Py_XDECREF(more[0]);
        return -1;
    }
    return 0;
}

static int
exception_of(Core *core, PyObject *error, PyObject **more)
{
    PyObject *pair = SMILEY_CALL(core->exception, error);
    if (pair == NULL)
        return -1;
    more[0] = Py_NewRef(PyTuple_GET_ITEM(pair, 0));
    more[1] = Py_NewRef(PyTuple_GET_ITEM(pair, 1));
    Py_DECREF(pair);
    return 0;
}

/* A frame ends (final) or a generator suspends, like settrace's "return" and PY_RETURN,
 * PY_YIELD and PY_UNWIND. The state is owned by the caller. */
int
smiley_leave(Core *core, PyFrameObject *frame, FrameState *state, PyObject *value, int final, int unwinding, int line)
{
    PyObject *found = changes_of(core, state, frame);
    if (found == NULL)
        return -1;
    PyObject *more[2];
    int tag = final ? TAG_RETURN : TAG_YIELD;
    if (unwinding) {
        more[0] = PyLong_FromLong(0);
        more[1] = Py_NewRef(Py_None);
    } else {
        if (!final && state->in_task) {
            /* Which task awaits which (tasks.Tasks.awaiting), before the suspension. */
            PyObject *done = SMILEY_CALL(core->task_awaiting, state->task, value);
            if (done == NULL) {
                Py_DECREF(found);
                return -1;
            }
            Py_DECREF(done);
        }
        if (value_of(core, value, more) < 0) {
            Py_DECREF(found);
            return -1;
        }
    }
    if (emit(core, tag, state, line, found, 2, more) < 0)
        return -1;
    if (final) {
        ptrmap_del(&core->live, (PyObject *)frame);
        return 0;
    }
    return suspend(core, state);
}

int
smiley_raised(Core *core, PyFrameObject *frame, FrameState *state, PyObject *error, int line)
{
    PyObject *found = changes_of(core, state, frame);
    if (found == NULL)
        return -1;
    PyObject *more[2];
    if (exception_of(core, error, more) < 0) {
        Py_DECREF(found);
        return -1;
    }
    state->raised = 1;
    return emit(core, TAG_EXCEPTION, state, line, found, 2, more);
}

int
smiley_line_event(Core *core, PyFrameObject *frame, FrameState *state, int line)
{
    PyObject *found = changes_of(core, state, frame);
    state->last_line = line;
    state->raised = 0;
    return emit(core, TAG_LINE, state, line, found, 0, NULL);
}

/* A RecursionError means the program's stack is at its limit: the event is lost and tracing
 * goes on; on 3.8 it goes on to the program, as the program's own (values.ONE_RECURSION_ERROR). */
static int
recursion_failed(void)
{
#if PY_VERSION_HEX >= 0x03090000
    PyErr_Clear();
    return 0;
#else
    PyObject *type, *error, *traceback;
    PyErr_Fetch(&type, &error, &traceback);
    PyErr_NormalizeException(&type, &error, &traceback);
    Py_XDECREF(traceback); /* the tracer's frames are not the program's */
    if (error != NULL) {
        PyException_SetTraceback(error, Py_None);
        PyException_SetContext(error, NULL);
    }
    PyErr_Restore(type, error, NULL);
    return -1;
#endif
}

/* What the hooks do when something fails: the reader gone or a bug stops tracing (the
 * session says so once), a KeyboardInterrupt or SystemExit goes on to the program, and a
 * RecursionError as recursion_failed says. */
int
smiley_failed(Core *core)
{
    PyObject *error = NULL;
    if (PyErr_ExceptionMatches(PyExc_RecursionError)) {
        return recursion_failed();
    } else if (PyErr_ExceptionMatches(core->stream_closed)) {
        PyErr_Clear();
    } else if (PyErr_ExceptionMatches(PyExc_Exception)) {
        PyObject *type, *traceback;
        PyErr_Fetch(&type, &error, &traceback);
        PyErr_NormalizeException(&type, &error, &traceback);
        Py_XDECREF(type);
        Py_XDECREF(traceback);
    } else {
        return -1;
    }
    PyObject *done = PyObject_CallFunctionObjArgs(core->on_failure, error ? error : Py_None, NULL);
    Py_XDECREF(error);
    if (done == NULL)
        PyErr_Clear();
    Py_XDECREF(done);
    return 0;
}

