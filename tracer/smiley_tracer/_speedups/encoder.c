/*
 * The stream's encoding on the native path. Each record is written as marshal (format 4)
 * writes it, without back-references, into one pending batch; a flush takes the batch as a
 * marshal list. Records the Python tracer adds (hello, definitions, profile, end) come
 * through Core.append, so every record keeps its place. What this file does not know how to
 * write (big ints, dicts…) is written by marshal itself, in format 2, which has no
 * back-references either: the batch decodes to exactly the records the Python path sends.
 */

#include "core.h"
#include <marshal.h>

static int
reserve(Encoded *out, Py_ssize_t more)
{
    if (out->size + more <= out->capacity)
        return 0;
    Py_ssize_t capacity = out->capacity ? out->capacity : 1 << 16;
    while (capacity < out->size + more)
        capacity *= 2;
    char *data = PyMem_Realloc(out->data, capacity);
    if (data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    out->data = data;
    out->capacity = capacity;
    return 0;
}

static void
put_int32(Encoded *out, long value) /* little-endian, as marshal writes it */
{
    uint32_t bits = (uint32_t)value;
    unsigned char bytes[4] = {bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, bits >> 24};
    memcpy(out->data + out->size, bytes, 4);
    out->size += 4;
}

static int
put_marshal(Encoded *out, PyObject *value)
{
    PyObject *bytes = PyMarshal_WriteObjectToString(value, 2);
    if (bytes == NULL)
        return -1;
    Py_ssize_t size = PyBytes_GET_SIZE(bytes);
    int failed = reserve(out, size);
    if (!failed) {
        memcpy(out->data + out->size, PyBytes_AS_STRING(bytes), size);
        out->size += size;
    }
    Py_DECREF(bytes);
    return failed;
}

static int
put_text(Encoded *out, PyObject *value)
{
    if (PyUnicode_IS_ASCII(value)) {
        Py_ssize_t length = PyUnicode_GET_LENGTH(value);
        if (reserve(out, length + 5) < 0)
            return -1;
        if (length < 256) {
            out->data[out->size++] = 'z';
            out->data[out->size++] = (char)length;
        } else {
            out->data[out->size++] = 'a';
            put_int32(out, (long)length);
        }
        memcpy(out->data + out->size, PyUnicode_DATA(value), length);
        out->size += length;
        return 0;
    }
    /* As marshal does: UTF-8, lone surrogates kept. */
    PyObject *utf8 = PyUnicode_AsEncodedString(value, "utf-8", "surrogatepass");
    if (utf8 == NULL)
        return -1;
    Py_ssize_t length = PyBytes_GET_SIZE(utf8);
    int failed = length > INT32_MAX || reserve(out, length + 5) < 0;
    if (!failed) {
        out->data[out->size++] = 'u';
        put_int32(out, (long)length);
        memcpy(out->data + out->size, PyBytes_AS_STRING(utf8), length);
        out->size += length;
    }
    Py_DECREF(utf8);
    return failed ? -1 : 0;
}

static int
put(Encoded *out, PyObject *value)
{
    PyTypeObject *kind = Py_TYPE(value);
    if (reserve(out, 16) < 0)
        return -1;
    if (value == Py_None) {
        out->data[out->size++] = 'N';
    } else if (kind == &PyBool_Type) {
        out->data[out->size++] = value == Py_True ? 'T' : 'F';
    } else if (kind == &PyLong_Type) {
        int overflow;
        long number = PyLong_AsLongAndOverflow(value, &overflow);
        if (overflow || number > INT32_MAX || number < INT32_MIN)
            return put_marshal(out, value);
        out->data[out->size++] = 'i';
        put_int32(out, number);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    } else if (kind == &PyFloat_Type) {
        double number = PyFloat_AS_DOUBLE(value);
        out->data[out->size++] = 'g';
        memcpy(out->data + out->size, &number, 8);
        out->size += 8;
#endif
    } else if (kind == &PyUnicode_Type) {
        return put_text(out, value);
    } else if (kind == &PyTuple_Type) {
        Py_ssize_t count = PyTuple_GET_SIZE(value);
        if (count < 256) {
            out->data[out->size++] = ')';
            out->data[out->size++] = (char)count;
        } else {
            out->data[out->size++] = '(';
            put_int32(out, (long)count);
        }
        for (Py_ssize_t i = 0; i < count; i++)
            if (put(out, PyTuple_GET_ITEM(value, i)) < 0)
                return -1;
    } else {
        return put_marshal(out, value);
    }
    return 0;
}

/* Adds one record to the pending batch; on failure the batch is as it was. */
int
smiley_encode(Core *core, PyObject *record)
{
    Encoded *out = &core->pending;
    Py_ssize_t before = out->size;
    if (put(out, record) < 0) {
        out->size = before;
        return -1;
    }
    out->count++;
    return 0;
}

/* An event, written field by field: the same bytes as the tuple (tag, frame, line, time,
 * changes, more…) would give, without making the tuple. */
int
smiley_encode_event(Core *core, int tag, PyObject *frame, int line, double time, PyObject *changes,
                    Py_ssize_t extra, PyObject **more)
{
    Encoded *out = &core->pending;
    Py_ssize_t before = out->size;
    if (reserve(out, 32) < 0)
        return -1;
    out->data[out->size++] = ')';
    out->data[out->size++] = (char)(5 + extra);
    out->data[out->size++] = 'i';
    put_int32(out, tag);
    if (put(out, frame) < 0 || reserve(out, 16) < 0)
        goto error;
    out->data[out->size++] = 'i';
    put_int32(out, line);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    out->data[out->size++] = 'g';
    memcpy(out->data + out->size, &time, 8);
    out->size += 8;
#else
    PyObject *number = PyFloat_FromDouble(time);
    int failed = number == NULL || put(out, number) < 0;
    Py_XDECREF(number);
    if (failed)
        goto error;
#endif
    if (put(out, changes) < 0)
        goto error;
    for (Py_ssize_t i = 0; i < extra; i++)
        if (put(out, more[i]) < 0)
            goto error;
    out->count++;
    return 0;
error:
    out->size = before;
    return -1;
}

/* The Stream's side: append, take the batch, count, drop. */

static PyObject *
stream_append(Core *core, PyObject *record)
{
    if (smiley_encode(core, record) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* The pending batch as the stream sends it: the frame's length, then the records as a marshal
 * list (None: nothing pending). */
static PyObject *
stream_take_frame(Core *core, PyObject *unused)
{
    Encoded *out = &core->pending;
    if (out->count == 0)
        Py_RETURN_NONE;
    if (out->count > INT32_MAX || out->size > INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "too many records in one batch");
        return NULL;
    }
    PyObject *frame = PyBytes_FromStringAndSize(NULL, out->size + 9);
    if (frame == NULL)
        return NULL;
    char *data = PyBytes_AS_STRING(frame);
    uint32_t length = (uint32_t)(out->size + 5);
    for (int i = 0; i < 4; i++) {
        data[i] = (char)((length >> (8 * i)) & 0xff);
        data[5 + i] = (char)(((unsigned long)out->count >> (8 * i)) & 0xff);
    }
    data[4] = '[';
    memcpy(data + 9, out->data, out->size);
    out->size = 0;
    out->count = 0;
    if (out->capacity > (1 << 24)) { /* one huge batch (a profile): do not keep its memory */
        PyMem_Free(out->data);
        out->data = NULL;
        out->capacity = 0;
    }
    return frame;
}

static PyObject *
stream_pending(Core *core, PyObject *unused)
{
    return PyLong_FromSsize_t(core->pending.count);
}

static PyObject *
stream_drop(Core *core, PyObject *unused)
{
    core->pending.size = 0;
    core->pending.count = 0;
    Py_RETURN_NONE;
}

PyMethodDef smiley_stream_methods[] = {
    {"append", (PyCFunction)stream_append, METH_O, "encode a record into the pending batch"},
    {"take_frame", (PyCFunction)stream_take_frame, METH_NOARGS,
     "the pending batch framed for the stream: its length, then a marshal list (None: empty)"},
    {"pending", (PyCFunction)stream_pending, METH_NOARGS, "how many records wait"},
    {"drop", (PyCFunction)stream_drop, METH_NOARGS, "forget the pending records"},
    {NULL},
};
