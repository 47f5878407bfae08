/*
 * A table keyed by object identity. Code objects hash by their contents (recomputed on every
 * lookup before 3.12), so the per-event "is this code recorded?" question uses this instead
 * of a dict; so does "which activation is this frame?", asked at every event, where a dict
 * lookup costs several times a probe here. Keys and values are strong references, so an
 * address is never reused meanwhile. Open addressing with linear probing; a removal shifts
 * the entries after it back, so no tombstones are needed.
 */

#include "core.h"

static size_t
slot_of(const PtrMap *map, PyObject *key)
{
    return (size_t)(((uintptr_t)key >> 4) * 11400714819323198485ull) & map->mask;
}

PyObject *
ptrmap_get(const PtrMap *map, PyObject *key)
{
    if (map->slots == NULL)
        return NULL;
    for (size_t i = slot_of(map, key);; i = (i + 1) & map->mask) {
        if (map->slots[i].key == key)
            return map->slots[i].value;
        if (map->slots[i].key == NULL)
            return NULL;
    }
}

static int
grow(PtrMap *map)
{
    PtrMap bigger = {NULL, map->mask ? map->mask * 2 + 1 : 255, 0};
    bigger.slots = PyMem_Calloc(bigger.mask + 1, sizeof(PtrSlot));
    if (bigger.slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; map->slots != NULL && i <= map->mask; i++) {
        PtrSlot *old = &map->slots[i];
        if (old->key == NULL)
            continue;
        size_t j = slot_of(&bigger, old->key);
        while (bigger.slots[j].key != NULL)
            j = (j + 1) & bigger.mask;
        bigger.slots[j] = *old;
        bigger.used++;
    }
    PyMem_Free(map->slots);
    *map = bigger;
    return 0;
}

int
ptrmap_set(PtrMap *map, PyObject *key, PyObject *value)
{
    if ((map->used + 1) * 2 > map->mask && grow(map) < 0)
        return -1;
    size_t i = slot_of(map, key);
    while (map->slots[i].key != NULL && map->slots[i].key != key)
        i = (i + 1) & map->mask;
    PtrSlot *slot = &map->slots[i];
    Py_INCREF(value);
    if (slot->key == NULL) {
        slot->key = Py_NewRef(key);
        map->used++;
        slot->value = value;
    } else {
        Py_SETREF(slot->value, value);
    }
    return 0;
}

/* Removes `key`: 1 when it was there, 0 when not. Its references are dropped once the table
 * is consistent again, since dropping them can run arbitrary code. */
int
ptrmap_del(PtrMap *map, PyObject *key)
{
    if (map->slots == NULL)
        return 0;
    size_t hole = slot_of(map, key);
    while (map->slots[hole].key != key) {
        if (map->slots[hole].key == NULL)
            return 0;
        hole = (hole + 1) & map->mask;
    }
    PtrSlot gone = map->slots[hole];
    /* Each later entry of the run moves into the hole unless its home lies cyclically in
     * (hole, here]: then it is still reachable from there. */
    for (size_t here = (hole + 1) & map->mask; map->slots[here].key != NULL; here = (here + 1) & map->mask) {
        size_t home = slot_of(map, map->slots[here].key);
        int reachable = hole <= here ? (hole < home && home <= here) : (hole < home || home <= here);
        if (!reachable) {
            map->slots[hole] = map->slots[here];
            hole = here;
        }
    }
    map->slots[hole].key = NULL;
    map->slots[hole].value = NULL;
    map->used--;
    Py_DECREF(gone.value);
    Py_DECREF(gone.key);
    return 1;
}

void
ptrmap_clear(PtrMap *map)
{
    PtrSlot *slots = map->slots;
    size_t size = slots ? map->mask + 1 : 0;
    map->slots = NULL;
    map->mask = 0;
    map->used = 0;
    for (size_t i = 0; i < size; i++) {
        Py_XDECREF(slots[i].key);
        Py_XDECREF(slots[i].value);
    }
    PyMem_Free(slots);
}
