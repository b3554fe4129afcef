/* The read hot path of encrypted model fields, compiled (optional speedup).

   WHAT: a base type whose ``__get__`` (tp_descr_get) does exactly what the warm-cache
   branch of ``fields.EncryptedAttribute.slow_get`` does, and hands every other case to
   that Python method:

     value = instance.__dict__[attname]
     if type(value) is Sealed (exactly) and len(value) >= 37 and value[0] in (1, 2):
         row   = instance.__dict__.get("_vault_row", NO_ROW)      # (pk, subject, pk bytes, subject int)
         entry = runtime._store.hot.get(value[1:9])                 # (subject int, AEAD, expiry)
         if entry[0] == row[3] and monotonic() <= entry[2]:
             plain  = entry[1].decrypt(value[9:21], value[21:], value[:9] + context + row[2])
             if value[0] == 2: plain = envelope.unpad(plain)        # None: the NULL marker
             opened = None if plain is None else decode(plain)
             instance.__dict__[attname] = (OPENED, opened, value, row)
             return opened
     if value is an opened tuple (OPENED, opened, sealed, row): return opened
     otherwise: return self.slow_get(instance, owner)

   WHY C: the SPEC bounds a field decrypt at 2x a bare AES-GCM call; in Python the
   interpreter's own work around the cipher call (descriptor frame, dict lookups, slices,
   the AAD concatenation) cost about 1.2x the call itself. Nothing here is cryptography:
   the cipher is pyca/cryptography's AESGCM object, called through its Python method.

   FAIL-CLOSED BY DELEGATION: any surprise (no store, no cache entry, another subject, an
   expired entry, a tag or decode failure, a malformed row stamp) goes to ``slow_get``,
   which re-does the whole read in Python and raises the one audited DecryptionError. So
   this file can only ever return a value the Python path would return for the same
   inputs; the tests compare the two on random and tampered inputs.

   Threat notes: reference counts are kept by the usual owned/borrowed discipline (every
   owned reference is released on every path: see the single exit at ``done``); no
   buffer is written beyond the length it was allocated with (the AAD is built into a
   fresh bytes object of exactly 9 + len(context) + len(pk)). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <time.h>

#define HEADER_BYTES 9
#define NONCE_END 21
#define MIN_BYTES 37 /* header + nonce + GCM tag */
#define FORMAT_V1 1
#define FORMAT_V2 2 /* padded: kind byte, value, 0x80, zeros up to bucket() (envelope.py) */
#define MIN_BUCKET 32
#define LINEAR_FROM 4096
#define PAD_MARK 0x80

/* Set once by configure(). */
static PyObject *Sealed = NULL;      /* the exact type of a loaded ciphertext */
static PyObject *Opened = NULL;      /* the sentinel tagging an opened value */
static PyObject *RowKey = NULL;      /* "_vault_row" */
static PyObject *Runtime = NULL;     /* the module holding the process keystore: ``_store`` */
static PyObject *StrStore = NULL;    /* interned "_store" */
static PyObject *StrHot = NULL;      /* interned "hot" */
static PyObject *StrDecrypt = NULL;  /* interned "decrypt" */
static PyObject *StrSlowGet = NULL;  /* interned "slow_get" */
static PyObject *MonotonicFn = NULL; /* time.monotonic, where it is not CLOCK_MONOTONIC */

typedef struct {
    PyObject_HEAD
    PyObject *attname; /* str */
    PyObject *context; /* bytes: the column part of the associated data */
    PyObject *decode;  /* callable: plaintext bytes -> value */
} FastAttribute;

/* time.monotonic() as a double, without allocating a float where CPython uses
   CLOCK_MONOTONIC itself (Linux and the BSDs); elsewhere call time.monotonic.
   Returns -1.0 with an exception set on failure. */
static double
monotonic_now(void)
{
#if defined(__linux__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0) {
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
    }
    PyErr_SetFromErrno(PyExc_OSError);
    return -1.0;
#else
    PyObject *now = PyObject_CallNoArgs(MonotonicFn);
    if (now == NULL) {
        return -1.0;
    }
    double value = PyFloat_AsDouble(now);
    Py_DECREF(now);
    return value;
#endif
}

/* envelope.bucket: the padded size of a format-2 plaintext whose unpadded body (kind
   byte, value, 0x80 mark) is ``length`` bytes. */
static Py_ssize_t
bucket(Py_ssize_t length)
{
    if (length <= LINEAR_FROM) {
        Py_ssize_t size = MIN_BUCKET;
        while (size < length) {
            size *= 2;
        }
        return size;
    }
    return ((length + LINEAR_FROM - 1) / LINEAR_FROM) * LINEAR_FROM;
}

/* envelope.unpad, then decode: a new reference to the value (Py_None for the NULL
   marker), or NULL when the padding is not exactly as ``pad`` writes it (the Python path
   then re-does the read and raises the one DecryptionError). */
static PyObject *
unpad_decode(FastAttribute *self, PyObject *plain)
{
    Py_ssize_t size = PyBytes_GET_SIZE(plain);
    const unsigned char *p = (const unsigned char *)PyBytes_AS_STRING(plain);
    Py_ssize_t end = size;
    while (end > 0 && p[end - 1] == 0) {
        end--;
    }
    if (end < 2 || p[end - 1] != PAD_MARK || size != bucket(end)) {
        return NULL;
    }
    if (p[0] == 0 && end == 2) {
        return Py_NewRef(Py_None);
    }
    if (p[0] != 1) {
        return NULL;
    }
    PyObject *body = PyBytes_FromStringAndSize((const char *)p + 1, end - 2);
    if (body == NULL) {
        return NULL;
    }
    PyObject *opened = PyObject_CallOneArg(self->decode, body);
    Py_DECREF(body);
    return opened;
}

/* The warm-cache read. Returns a new reference to the opened value, or NULL with no
   exception set when the Python path must decide (never NULL with an exception set:
   every error here is cleared, because slow_get re-does the read and raises its own). */
static PyObject *
fast_open(FastAttribute *self, PyObject *dict, PyObject *value)
{
    PyObject *result = NULL, *store = NULL, *hot = NULL, *head = NULL;
    PyObject *nonce = NULL, *ct = NULL, *aad = NULL, *plain = NULL, *opened = NULL;
    PyObject *tuple = NULL, *row = NULL, *entry = NULL;

    Py_ssize_t size = PyBytes_GET_SIZE(value);
    const char *buf = PyBytes_AS_STRING(value);
    if (size < MIN_BYTES || !PyBytes_CheckExact(self->context)
        || (buf[0] != FORMAT_V1 && buf[0] != FORMAT_V2)) {
        goto done;
    }
    /* Owned references to the row stamp and the cache entry: the decode callable is
       Python code and another thread may change the dicts while the cipher runs. */
    row = Py_XNewRef(PyDict_GetItemWithError(dict, RowKey));
    if (row == NULL || !PyTuple_CheckExact(row) || PyTuple_GET_SIZE(row) != 4) {
        goto done;
    }
    PyObject *pk = PyTuple_GET_ITEM(row, 2);
    PyObject *subject = PyTuple_GET_ITEM(row, 3);
    if (!PyBytes_CheckExact(pk) || !PyLong_CheckExact(subject)) {
        goto done;
    }
    store = PyObject_GetAttr(Runtime, StrStore);
    if (store == NULL || store == Py_None) {
        goto done;
    }
    hot = PyObject_GetAttr(store, StrHot);
    if (hot == NULL || !PyDict_CheckExact(hot)) {
        goto done;
    }
    head = PyBytes_FromStringAndSize(buf + 1, HEADER_BYTES - 1); /* the key id */
    if (head == NULL) {
        goto done;
    }
    entry = Py_XNewRef(PyDict_GetItemWithError(hot, head));
    if (entry == NULL || !PyTuple_CheckExact(entry) || PyTuple_GET_SIZE(entry) != 3) {
        goto done;
    }
    PyObject *owner = PyTuple_GET_ITEM(entry, 0);
    PyObject *aead = PyTuple_GET_ITEM(entry, 1);
    PyObject *expiry = PyTuple_GET_ITEM(entry, 2);
    /* The key must belong to the row's subject: a header naming another customer's
       key (a ciphertext moved between rows of different subjects) is not decrypted. */
    if (!PyLong_CheckExact(owner) || PyObject_RichCompareBool(owner, subject, Py_EQ) != 1) {
        goto done;
    }
    if (!PyFloat_CheckExact(expiry)) {
        goto done;
    }
    double now = monotonic_now();
    if (now < 0 || now > PyFloat_AS_DOUBLE(expiry)) {
        goto done; /* an expired key is reloaded (and re-checked) by the Python path */
    }

    Py_ssize_t context_size = PyBytes_GET_SIZE(self->context);
    Py_ssize_t pk_size = PyBytes_GET_SIZE(pk);
    aad = PyBytes_FromStringAndSize(NULL, HEADER_BYTES + context_size + pk_size);
    if (aad == NULL) {
        goto done;
    }
    char *out = PyBytes_AS_STRING(aad);
    memcpy(out, buf, HEADER_BYTES);
    memcpy(out + HEADER_BYTES, PyBytes_AS_STRING(self->context), context_size);
    memcpy(out + HEADER_BYTES + context_size, PyBytes_AS_STRING(pk), pk_size);
    nonce = PyBytes_FromStringAndSize(buf + HEADER_BYTES, NONCE_END - HEADER_BYTES);
    ct = PyBytes_FromStringAndSize(buf + NONCE_END, size - NONCE_END);
    if (nonce == NULL || ct == NULL) {
        goto done;
    }
    PyObject *args[4] = {aead, nonce, ct, aad};
    plain = PyObject_VectorcallMethod(StrDecrypt, args, 4 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
    if (plain == NULL) {
        goto done; /* InvalidTag and friends: slow_get repeats it and raises DecryptionError */
    }
    if (!PyBytes_CheckExact(plain)) {
        goto done;
    }
    opened = buf[0] == FORMAT_V2 ? unpad_decode(self, plain)
                                 : PyObject_CallOneArg(self->decode, plain);
    if (opened == NULL) {
        goto done;
    }
    tuple = PyTuple_Pack(4, Opened, opened, value, row);
    if (tuple == NULL || PyDict_SetItem(dict, self->attname, tuple) < 0) {
        goto done;
    }
    result = opened;
    opened = NULL;

done:
    if (result == NULL) {
        PyErr_Clear();
    }
    Py_XDECREF(store);
    Py_XDECREF(hot);
    Py_XDECREF(head);
    Py_XDECREF(nonce);
    Py_XDECREF(ct);
    Py_XDECREF(aad);
    Py_XDECREF(plain);
    Py_XDECREF(opened);
    Py_XDECREF(tuple);
    Py_XDECREF(entry);
    Py_XDECREF(row);
    return result;
}

static PyObject *
slow_get(PyObject *self, PyObject *instance, PyObject *owner)
{
    return PyObject_CallMethodObjArgs(self, StrSlowGet, instance ? instance : Py_None,
                                      owner ? owner : Py_None, NULL);
}

static PyObject *
FastAttribute_descr_get(PyObject *op, PyObject *instance, PyObject *owner)
{
    FastAttribute *self = (FastAttribute *)op;
    if (instance == NULL || instance == Py_None || Sealed == NULL || self->attname == NULL
        || self->context == NULL || self->decode == NULL) {
        return slow_get(op, instance, owner);
    }
    PyObject *dict = PyObject_GenericGetDict(instance, NULL);
    if (dict == NULL) {
        PyErr_Clear();
        return slow_get(op, instance, owner);
    }
    PyObject *result = NULL;
    PyObject *value = PyDict_GetItemWithError(dict, self->attname); /* borrowed */
    if (value != NULL && Py_IS_TYPE(value, (PyTypeObject *)Sealed)) {
        Py_INCREF(value); /* fast_open replaces it in the dict */
        result = fast_open(self, dict, value);
        Py_DECREF(value);
    }
    else if (value != NULL && PyTuple_CheckExact(value) && PyTuple_GET_SIZE(value) == 4
             && PyTuple_GET_ITEM(value, 0) == Opened) {
        result = Py_NewRef(PyTuple_GET_ITEM(value, 1));
    }
    PyErr_Clear();
    Py_DECREF(dict);
    return result != NULL ? result : slow_get(op, instance, owner);
}

static int
FastAttribute_traverse(FastAttribute *self, visitproc visit, void *arg)
{
    Py_VISIT(self->attname);
    Py_VISIT(self->context);
    Py_VISIT(self->decode);
    return 0;
}

static int
FastAttribute_clear(FastAttribute *self)
{
    Py_CLEAR(self->attname);
    Py_CLEAR(self->context);
    Py_CLEAR(self->decode);
    return 0;
}

/* A static type: a Python subclass's dealloc (subtype_dealloc) calls this one and
   then releases its own heap type, so the type is not released here. */
static void
FastAttribute_dealloc(FastAttribute *self)
{
    PyObject_GC_UnTrack(self);
    FastAttribute_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMemberDef FastAttribute_members[] = {
    {"_attname", T_OBJECT_EX, offsetof(FastAttribute, attname), 0, NULL},
    {"_context", T_OBJECT_EX, offsetof(FastAttribute, context), 0, NULL},
    {"_decode", T_OBJECT_EX, offsetof(FastAttribute, decode), 0, NULL},
    {NULL},
};

static PyTypeObject FastAttributeType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "strongroom.protection.vault.internal._fastread.FastAttribute",
    .tp_doc = PyDoc_STR("Compiled warm-cache read of an encrypted field (see _fastread.c)."),
    .tp_basicsize = sizeof(FastAttribute),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_new = PyType_GenericNew,
    .tp_dealloc = (destructor)FastAttribute_dealloc,
    .tp_traverse = (traverseproc)FastAttribute_traverse,
    .tp_clear = (inquiry)FastAttribute_clear,
    .tp_members = FastAttribute_members,
    .tp_descr_get = FastAttribute_descr_get,
};

static PyObject *
configure(PyObject *module, PyObject *args)
{
    PyObject *sealed, *opened, *row_key, *runtime;
    if (!PyArg_ParseTuple(args, "O!OUO:configure", &PyType_Type, &sealed, &opened, &row_key,
                          &runtime)) {
        return NULL;
    }
    Py_XSETREF(Sealed, Py_NewRef(sealed));
    Py_XSETREF(Opened, Py_NewRef(opened));
    Py_XSETREF(RowKey, Py_NewRef(row_key));
    Py_XSETREF(Runtime, Py_NewRef(runtime));
    Py_RETURN_NONE;
}

static PyObject *
monotonic(PyObject *module, PyObject *unused)
{
    double now = monotonic_now();
    return now < 0 ? NULL : PyFloat_FromDouble(now);
}

static PyMethodDef module_methods[] = {
    {"configure", configure, METH_VARARGS,
     PyDoc_STR("configure(Sealed, OPENED, row_key, runtime_module): set once at import.")},
    {"monotonic", monotonic, METH_NOARGS,
     PyDoc_STR("The clock the compiled path compares cache expiries with (for tests).")},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef fastread_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_fastread",
    .m_doc = PyDoc_STR("Compiled read hot path of the vault's encrypted fields."),
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC
PyInit__fastread(void)
{
    if (PyType_Ready(&FastAttributeType) < 0) {
        return NULL;
    }
    StrStore = PyUnicode_InternFromString("_store");
    StrHot = PyUnicode_InternFromString("hot");
    StrDecrypt = PyUnicode_InternFromString("decrypt");
    StrSlowGet = PyUnicode_InternFromString("slow_get");
    if (StrStore == NULL || StrHot == NULL || StrDecrypt == NULL || StrSlowGet == NULL) {
        return NULL;
    }
    PyObject *time = PyImport_ImportModule("time");
    if (time == NULL) {
        return NULL;
    }
    MonotonicFn = PyObject_GetAttrString(time, "monotonic");
    Py_DECREF(time);
    if (MonotonicFn == NULL) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&fastread_module);
    if (module == NULL) {
        return NULL;
    }
    if (PyModule_AddObjectRef(module, "FastAttribute", (PyObject *)&FastAttributeType) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
