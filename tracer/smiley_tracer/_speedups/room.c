/*
 * The tracer's own Python calls when the program's stack is full. An event can come with the
 * program at its recursion limit (deep recursion, a RecursionError on its way up); the few
 * frames the tracer needs to record it are not the program's, so a call that fails for lack of
 * room is made once more with the limit raised for the call's duration only: the program never
 * runs under another limit, and the event is recorded. Not on 3.8, where the interpreter
 * raises one RecursionError and no more until the stack is well below the limit: that one is
 * the program's (see recursion_failed in events.c).
 */

#include "core.h"

#define ROOM 100

#if PY_VERSION_HEX < 0x03090000
#define PyObject_Vectorcall _PyObject_Vectorcall
#endif

PyObject *
smiley_call_with_room(PyObject *callable, PyObject *const *args, size_t nargs)
{
    PyObject *result = PyObject_Vectorcall(callable, args, nargs, NULL);
#if PY_VERSION_HEX >= 0x03090000
    if (result == NULL && PyErr_ExceptionMatches(PyExc_RecursionError)) {
        PyErr_Clear();
        int limit = Py_GetRecursionLimit();
        Py_SetRecursionLimit(limit + ROOM);
        result = PyObject_Vectorcall(callable, args, nargs, NULL);
        Py_SetRecursionLimit(limit);
    }
#endif
    return result;
}
