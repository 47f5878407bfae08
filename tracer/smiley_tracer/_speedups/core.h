/*
 * Smiley's native accelerator: the hot path of the tracer (the hook, change detection for
 * the common cases, building the event tuples) for CPython 3.8 to 3.13.
 *
 * It records exactly what the pure-Python hooks record (settrace_hook.py and
 * monitoring_hook.py): it keeps their structure and calls back into the Python tracer for
 * everything rare or delicate (new code objects, threads, symbols, rendering anything but
 * ints, short strings, floats, booleans and None, containers changed in place, exceptions,
 * module-level frames). Compiled on first use by build.py; see accelerator.py.
 */

#ifndef SMILEY_CORE_H
#define SMILEY_CORE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>

/* Reading fast locals directly needs the interpreter's frame layout from 3.11 on (internal
 * headers). SMILEY_PUBLIC_API builds without them: locals are then read through f_locals. */
#if PY_VERSION_HEX >= 0x030B0000 && !defined(SMILEY_PUBLIC_API)
#define Py_BUILD_CORE 1
#include "internal/pycore_frame.h"
#undef Py_BUILD_CORE
#endif

#if PY_VERSION_HEX < 0x030A0000
static inline PyObject *
smiley_new_ref(PyObject *object)
{
    Py_INCREF(object);
    return object;
}
#define Py_NewRef(object) smiley_new_ref((PyObject *)(object))
static inline PyObject *
smiley_xnew_ref(PyObject *object)
{
    Py_XINCREF(object);
    return object;
}
#define Py_XNewRef(object) smiley_xnew_ref((PyObject *)(object))
#endif

/* Kinds of a slot in co_localspluskinds (3.11+), as Include/internal/pycore_code.h has them. */
#define SMILEY_FAST_CELL 0x40
#define SMILEY_FAST_FREE 0x80

/* Record tags, as in wire.py. */
enum { TAG_CALL = 0, TAG_LINE = 1, TAG_RETURN = 2, TAG_EXCEPTION = 3, TAG_YIELD = 4 };

/* One variable a line can change: its name, symbol, whether it is secret and its slot
 * among the fast locals (-1: not a fast local). */
typedef struct {
    PyObject *name;
    PyObject *symbol;
    int secret;
    int slot;
} PlanItem;

/* What may change after a line: every local (full) or the listed ones. `py` is the plan as
 * the Python tracer has it, for frames handled in Python. */
typedef struct {
    int full;
    Py_ssize_t count;
    PyObject *py;
    PlanItem *items;
} Plan;

/* A recorded code object: the Python CodeRecord and what the hot path needs from it. */
typedef struct {
    PyObject_HEAD
    PyObject *record;   /* recorder.CodeRecord */
    PyObject *code;
    PyObject *id;       /* int, the record's id */
    PyObject *first_line;
    int module_level;   /* not CO_OPTIMIZED: locals live in a mapping, handled in Python */
    int generator;
    int coroutine;      /* starts and resumes in whichever asyncio task runs then (tasks.py) */
    int nslots;         /* fast locals, cells and free variables */
    int ncells_from;    /* before 3.11: slots from here on hold cells */
    PyObject *names;    /* tuple: the name of each slot */
    unsigned char *kinds; /* 3.11+: the kind of each slot */
    PyObject *slot_of;  /* dict: name -> slot */
    PyObject **slot_info; /* (symbol, secret) of each slot's name, looked up on first use */
    unsigned char *shadowed; /* a slot whose name a later slot has too (before 3.11: an argument kept in a cell) */
    int line_base;
    int line_count;
    Plan **plans;       /* by line - line_base; NULL: nothing to look at */
    PyObject *raw;      /* co_code, for telling a generator's return from a yield (settrace) */
    PyObject *lines;    /* instruction index -> line (monitoring's JUMP) */
    int watched;        /* with --function: Recorder.watch has been called for it */
} CodeEntry;

/* A table keyed by object identity (tables.c). */
typedef struct {
    PyObject *key;
    PyObject *value;
} PtrSlot;

typedef struct {
    PtrSlot *slots;
    size_t mask;
    size_t used;
} PtrMap;

PyObject *ptrmap_get(const PtrMap *map, PyObject *key);
int ptrmap_set(PtrMap *map, PyObject *key, PyObject *value);
int ptrmap_del(PtrMap *map, PyObject *key);
void ptrmap_clear(PtrMap *map);

/* Records encoded as marshal writes them, waiting for the next flush (encoder.c). */
typedef struct {
    char *data;
    Py_ssize_t size;
    Py_ssize_t capacity;
    Py_ssize_t count;
} Encoded;

/* A local as the snapshot holds it (changes.py: name -> (object, text, fingerprint)): the
 * object (MISSING once a suspended generator let it go), its text and its fingerprint (None:
 * none). `text` NULL: not in the snapshot. `order` says when it entered the snapshot, which
 * is the order of a dict's keys, in which deletions are recorded. */
typedef struct {
    PyObject *object;
    PyObject *text;
    PyObject *fingerprint;
    unsigned long long order;
} Shown;

/* One activation of a recorded function, like recorder.FrameState. */
typedef struct {
    PyObject_HEAD
    PyObject *id;       /* int */
    CodeEntry *entry;
    PyObject *record;   /* the CodeRecord, for the Python code that handles module-level frames */
    PyObject *snapshot; /* module level: dict name -> (object, text, fingerprint), else NULL */
    PyObject *thread;   /* int */
    PyObject *task;     /* int: the asyncio task it runs in, 0 for none */
    int in_task;        /* task is not 0 */
    int depth;
    int last_line;      /* -1: none yet */
    /* With fast locals: the snapshot, one Shown per slot (a shadowed slot has none). */
    Shown *shown;
    Py_ssize_t shown_count;
    unsigned long long shown_next;
    /* Up to 3.12 f_locals is a dict that the interpreter refreshes from the fast locals, so a
     * full look goes through locals in the order they entered that dict: kept here, as slots. */
    int *order;
    int order_count;
    unsigned char *in_order;
    char raised;
    char suspended;
} FrameState;

/* The change triples of one event, gathered before they become one tuple (compare.c). */
#define SMILEY_FLAT_INLINE 48
#define SMILEY_MAX_WORDS 32 /* redaction: the secret words looked for in a text */
typedef struct {
    PyObject **items;
    Py_ssize_t count;
    Py_ssize_t capacity;
    PyObject *inline_items[SMILEY_FLAT_INLINE];
} Flat;

/* The recorder's native half: one per run, shared by every thread. */
typedef struct {
    PyObject_HEAD
    /* Python collaborators (see accelerator.py) */
    PyObject *flush, *code_record, *thread_id, *text, *fingerprint, *unchanged;
    PyObject *type_symbol, *name_info, *exception, *on_failure, *stream_closed;
    PyObject *missing, *mutable_types, *redacted, *return_opcodes, *offset_lines;
    PyObject *snapshot_all_py, *diff_py, *disable, *is_secret, *task_current, *task_awaiting;
    PyObject *covers; /* function_scope.FunctionScope.covers with --function, else None */
    PyObject *watch;  /* Recorder.watch with --function, else None */
    PyObject *scrub, *remember, *secret_values, *secret_texts, *secret_words; /* redaction.Redactor's */
    const char *words[SMILEY_MAX_WORDS]; /* secret_words, as C strings */
    int word_count;
    char word_starts[256];               /* which (lower case) letters start one */
    int secret_seen; /* a string in the container render.c just rendered may hold a secret */
    Py_ssize_t batch_size, max_len, max_suspended, max_codes;
    Py_ssize_t redacting; /* 0 no, 1 yes, 2 yes and every text has the user's patterns to search */
    /* caches */
    PtrMap codes;           /* code -> CodeEntry, or False when not recorded */
    PtrMap plain_reprs;     /* type using object.__repr__ -> (version tag, "<T object at ") */
    Encoded pending;        /* records not yet flushed */
    PyObject *type_symbols; /* type -> symbol */
    PyTypeObject *last_type; /* the last type looked up there, and its symbol (borrowed) */
    PyObject *last_type_symbol;
    PyObject *names;        /* name -> (symbol, secret) */
    PyObject *secret_keys;  /* dict key -> whether its value is hidden */
    PyObject *class_name;   /* "__class__", and object's descriptor for it */
    PyObject *object_class;
    PtrMap live;            /* frame -> FrameState of running and suspended activations */
    long long next_frame;
} Core;

extern PyTypeObject CodeEntryType, FrameStateType, CoreType;

/* text.c */
PyObject *smiley_text(Core *core, PyObject *value);
PyObject *smiley_plain_repr(Core *core, PyObject *value, PyTypeObject *kind);
PyObject *smiley_type_symbol(Core *core, PyTypeObject *kind);
PyObject *smiley_small_int_text(PyObject *value);
PyObject *smiley_scrubbed(Core *core, PyObject *value, PyObject *text, int looked);
int smiley_may_hold_secret(Core *core, PyObject *text);
Py_ssize_t smiley_cut_word(PyObject *text, Py_ssize_t at);
int smiley_read_secret_words(Core *core);
int smiley_remember(Core *core, PyObject *value);

/* locals.c */
PyObject *smiley_snapshot_all(Core *core, FrameState *state, PyFrameObject *frame);
PyObject *smiley_diff(Core *core, FrameState *state, PyFrameObject *frame, Plan *plan);
void smiley_refresh_order(FrameState *state, PyFrameObject *frame);

/* Before 3.11 a Python trace function gets f_locals refreshed at every event of its frame;
 * from 3.11 only when it reads f_locals; from 3.13 f_locals is a view in slot order. */
#define SMILEY_REFRESH_EVERY_EVENT (PY_VERSION_HEX < 0x030B0000)
#define SMILEY_DICT_ORDER (PY_VERSION_HEX < 0x030D0000)

/* compare.c */
void smiley_flat_init(Flat *flat);
void smiley_flat_clear(Flat *flat);
PyObject *smiley_flat_finish(Flat *flat);
int smiley_compare(Core *core, FrameState *state, Shown *shown, Flat *flat, PyObject *symbol, int secret, PyObject *value);
int smiley_scalar(PyObject *value);
void smiley_forget_objects(Core *core, FrameState *state);

/* render.c */
int smiley_render_container(Core *core, PyObject *value, PyObject **text, PyObject **fingerprint);

/* fingerprint.c */
PyObject *smiley_fingerprint(PyObject *value, PyTypeObject *kind, Py_ssize_t looked, int objects);
int smiley_same_shown(PyObject *value, PyTypeObject *kind, PyObject *fingerprint);
int smiley_same_kinds(PyObject *fingerprint);

/* codes.c */
int smiley_code_entry_of(Core *core, PyCodeObject *code, PyFrameObject *frame, CodeEntry **out);
Plan *smiley_plan(CodeEntry *entry, int line);

/* encoder.c */
int smiley_encode(Core *core, PyObject *record);
int smiley_encode_event(Core *core, int tag, PyObject *frame, int line, double time, PyObject *changes,
                        Py_ssize_t extra, PyObject **more);
extern PyMethodDef smiley_stream_methods[];

/* events.c */
PyCodeObject *smiley_code_of(PyFrameObject *frame);
int smiley_line_of(PyFrameObject *frame);
int smiley_maybe_flush(Core *core);
FrameState *smiley_state_of(Core *core, PyFrameObject *frame);
int smiley_start(Core *core, PyFrameObject *frame, CodeEntry *entry, int line);
int smiley_resume(Core *core, PyFrameObject *frame, FrameState *state, CodeEntry *entry, int line);
int smiley_leave(Core *core, PyFrameObject *frame, FrameState *state, PyObject *value, int final, int unwinding,
                 int line);
int smiley_raised(Core *core, PyFrameObject *frame, FrameState *state, PyObject *error, int line);
int smiley_line_event(Core *core, PyFrameObject *frame, FrameState *state, int line);
int smiley_failed(Core *core);

/* room.c */
PyObject *smiley_call_with_room(PyObject *callable, PyObject *const *args, size_t nargs);
/* callable(args…), with room to run at the program's recursion limit. */
#define SMILEY_CALL(callable, ...)                                                                 \
    smiley_call_with_room((callable), (PyObject *[]){__VA_ARGS__},                                 \
                          sizeof((PyObject *[]){__VA_ARGS__}) / sizeof(PyObject *))

/* settrace.c */
int smiley_trace(PyObject *obj, PyFrameObject *frame, int what, PyObject *arg);
PyObject *smiley_call(PyObject *self, PyObject *args, PyObject *kwargs);

/* monitoring.c */
extern PyMethodDef smiley_monitoring_methods[];

#endif
