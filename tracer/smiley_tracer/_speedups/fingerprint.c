/*
 * Fingerprints of containers (changes.py): what stands in for rendering a list, dict, set or
 * deque again while it shows the same items. render.c takes them, compare.c checks them.
 */

#include "core.h"

/* (length, the first `looked` items) of a list, set or deque; dicts give their keys then
 * their values: what LocalsTracker.fingerprint gives. */
static PyObject *
plain_fingerprint(PyObject *value, PyTypeObject *kind, Py_ssize_t looked)
{
    PyObject *shown;
    if (kind == &PyDict_Type) {
        shown = PyTuple_New(2 * looked);
        Py_ssize_t pos = 0, i = 0;
        PyObject *key, *item;
        while (shown != NULL && i < looked && PyDict_Next(value, &pos, &key, &item)) {
            PyTuple_SET_ITEM(shown, i, Py_NewRef(key));
            PyTuple_SET_ITEM(shown, looked + i, Py_NewRef(item));
            i++;
        }
    } else if (kind == &PyList_Type) {
        shown = PyList_GetSlice(value, 0, looked);
    } else {
        PyObject *iterator = PyObject_GetIter(value);
        shown = iterator == NULL ? NULL : PyTuple_New(looked);
        for (Py_ssize_t i = 0; shown != NULL && i < looked; i++) {
            PyObject *item = PyIter_Next(iterator);
            if (item == NULL) {
                Py_CLEAR(shown);
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_RuntimeError, "container changed size while rendered");
            } else {
                PyTuple_SET_ITEM(shown, i, item);
            }
        }
        Py_XDECREF(iterator);
    }
    if (shown == NULL)
        return NULL;
    return Py_BuildValue("(nN)", PyObject_Length(value), shown);
}

/* Whether an object's text is "<T object at 0x…>" for as long as its type and the type's
 * version tag stay the same (any change to a class, such as a new __qualname__ or __repr__,
 * gives it another tag). */
static int
tagged_plain(PyTypeObject *kind)
{
    return kind->tp_repr == PyBaseObject_Type.tp_repr && (kind->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG);
}

/*
 * The fingerprint of a container whose shown items include objects shown by object.__repr__:
 * (length, shown items, their types, their types' version tags), the types None for plain
 * scalars. Only the native code reads it (see smiley_same_kinds). None when a type has no
 * version tag.
 */
static PyObject *
object_fingerprint(PyObject *value, PyTypeObject *kind, Py_ssize_t looked)
{
    PyObject *print = plain_fingerprint(value, kind, looked);
    if (print == NULL)
        return NULL;
    PyObject *shown = PyTuple_GET_ITEM(print, 1);
    Py_ssize_t count = PySequence_Fast_GET_SIZE(shown);
    PyObject **items = PySequence_Fast_ITEMS(shown);
    PyObject *kinds = PyTuple_New(count);
    PyObject *tags = PyBytes_FromStringAndSize(NULL, (count + 1) * sizeof(unsigned int));
    PyObject *result = NULL;
    if (kinds == NULL || tags == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyTypeObject *item_kind = Py_TYPE(items[i]);
        unsigned int tag = 0;
        if (item_kind->tp_repr == PyBaseObject_Type.tp_repr) {
            if (!tagged_plain(item_kind)) {
                result = Py_NewRef(Py_None);
                goto done;
            }
            tag = item_kind->tp_version_tag;
            PyTuple_SET_ITEM(kinds, i, Py_NewRef((PyObject *)item_kind));
        } else {
            PyTuple_SET_ITEM(kinds, i, Py_NewRef(Py_None));
        }
        memcpy(PyBytes_AS_STRING(tags) + i * sizeof(unsigned int), &tag, sizeof(unsigned int));
    }
    result = PyTuple_Pack(4, PyTuple_GET_ITEM(print, 0), shown, kinds, tags);
done:
    Py_DECREF(print);
    Py_XDECREF(kinds);
    Py_XDECREF(tags);
    return result;
}

/* For a fingerprint of object_fingerprint whose shown items are the same objects: whether
 * the objects among them have the same types, with the same version tags. */
int
smiley_same_kinds(PyObject *print)
{
    PyObject *shown = PyTuple_GET_ITEM(print, 1), *kinds = PyTuple_GET_ITEM(print, 2);
    const char *tags = PyBytes_AS_STRING(PyTuple_GET_ITEM(print, 3));
    Py_ssize_t count = PySequence_Fast_GET_SIZE(shown);
    PyObject **items = PySequence_Fast_ITEMS(shown);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *item_kind = PyTuple_GET_ITEM(kinds, i);
        if (item_kind == Py_None)
            continue;
        unsigned int tag;
        memcpy(&tag, tags + i * sizeof(unsigned int), sizeof(unsigned int));
        if ((PyObject *)Py_TYPE(items[i]) != item_kind || !tagged_plain(Py_TYPE(items[i]))
            || Py_TYPE(items[i])->tp_version_tag != tag)
            return 0;
    }
    return 1;
}

/*
 * LocalsTracker.unchanged for lists and dicts: the same length and the same objects among
 * those the text could show. 1 unchanged, 0 changed, -1 for the Python code to decide.
 */
int
smiley_same_shown(PyObject *value, PyTypeObject *kind, PyObject *fingerprint)
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

/* The fingerprint of a container render.c has just shown, `looked` items of it; `objects`:
 * some of them are objects shown by object.__repr__. */
PyObject *
smiley_fingerprint(PyObject *value, PyTypeObject *kind, Py_ssize_t looked, int objects)
{
    return objects ? object_fingerprint(value, kind, looked) : plain_fingerprint(value, kind, looked);
}
