/*
 * _records.c -- JSON Lines records to Python dicts, fast (docs/python.md).
 *
 * libipsf renders each record as one compact JSON line, exactly the bytes
 * `ipsfc eval --format jsonl` writes (ipsf_evaluator_jsonl, public API).
 * json.loads builds a dict from such a line at ~7 us; most of that is
 * creating the same strings again and again: the keys, the pack's name
 * and digest, requirement ids, titles, methods, levels.  This module
 * decodes the lines in C and takes every short string from a cache, so a
 * record costs little more than its dicts and lists.
 *
 * Invariants:
 *  - The result is what json.loads gives for the same line, object for
 *    object (key order, int vs float, duplicate keys: the last value at
 *    the first position).  Anything this decoder does not handle itself
 *    (NaN/Infinity, a malformed line) goes to the `fallback` callable the
 *    caller gives (json.loads), so the two can never differ by design.
 *  - The cache is a Decoder's own: a direct-mapped table of strings of at
 *    most CACHE_MAX_LEN bytes, replaced on collision, so memory is bounded
 *    (CACHE_SLOTS entries).  Strings are immutable, so sharing one str
 *    object among records is invisible to the caller; dicts and lists are
 *    never shared.
 *  - A Decoder is used with the GIL held (it calls the C API throughout);
 *    the caller keeps one per thread.  The buffer is read, never kept.
 *  - No libipsf call: the module needs only CPython's headers.  It reads
 *    the text the public API returned, through the buffer protocol.
 *  - Decoder.iter() decodes a record only when the caller asks for the
 *    next one (its memory is then reused while hot, and the cyclic
 *    collector's young generation stays small); Decoder.lines() decodes a
 *    whole buffer into a list, the collector paused meanwhile (decoding
 *    makes no cycles).
 *  - Strings are scanned 16 bytes at a time with SSE2 where the compiler
 *    offers it, else byte by byte through a table: the same result.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define CACHE_SLOTS 2048u /* a power of two */
#define CACHE_MAX_LEN 96u
#define MAX_DEPTH 64

typedef struct {
  PyObject_HEAD
  PyObject **slots; /* CACHE_SLOTS ASCII str (owned) or NULL: 16 KiB, hot */
  PyObject *fallback; /* json.loads */
} Decoder;

/* One line being decoded: the cursor, its end, the decoder. */
typedef struct {
  const char *p, *end;
  Decoder *d;
  int depth;
} Cursor;

static PyObject *decode_value(Cursor *c);

static inline void skip_ws(Cursor *c) {
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
    c->p++;
}

/* Cheap: the length and the first and last 8 bytes (memcmp settles it). */
static inline uint32_t hash_bytes(const char *s, size_t n) {
  uint64_t a = 0, b = 0;
  if (n >= 8) {
    memcpy(&a, s, 8);
    memcpy(&b, s + n - 8, 8);
  } else {
    for (size_t i = 0; i < n; i++) a = (a << 8) | (uint8_t)s[i];
  }
  uint64_t h = (a * 0x9E3779B97F4A7C15u) ^ (b * 0xC2B2AE3D27D4EB4Fu) ^ (n * 0x165667B19E3779F9u);
  return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

/* A str of plain bytes (no escapes): ASCII copied, else strict UTF-8. */
static PyObject *plain_string(const char *s, size_t n, int ascii) {
  if (!ascii) return PyUnicode_DecodeUTF8(s, (Py_ssize_t)n, "strict");
  PyObject *o = PyUnicode_New((Py_ssize_t)n, 127);
  if (o) memcpy(PyUnicode_DATA(o), s, n);
  return o;
}

/* A cached str is ASCII, so its characters are its bytes: the compare
 * reads the str itself, and a slot is one pointer. */
static inline PyObject **slot_of(Decoder *d, const char *s, size_t n) {
  return &d->slots[hash_bytes(s, n) & (CACHE_SLOTS - 1)];
}

static inline int slot_holds(PyObject *o, const char *s, size_t n) {
  return o && (size_t)PyUnicode_GET_LENGTH(o) == n && memcmp(PyUnicode_1BYTE_DATA(o), s, n) == 0;
}

static PyObject *cached_string(Decoder *d, const char *s, size_t n, int ascii) {
  if (n > CACHE_MAX_LEN || !ascii) return plain_string(s, n, ascii);
  PyObject **slot = slot_of(d, s, n);
  if (slot_holds(*slot, s, n)) return Py_NewRef(*slot);
  PyObject *o = plain_string(s, n, ascii);
  if (o) Py_XSETREF(*slot, Py_NewRef(o));
  return o;
}

static int hex4(const char *p, Py_UCS4 *out) {
  Py_UCS4 v = 0;
  for (int i = 0; i < 4; i++) {
    char ch = p[i];
    v <<= 4;
    if (ch >= '0' && ch <= '9') v |= (Py_UCS4)(ch - '0');
    else if (ch >= 'a' && ch <= 'f') v |= (Py_UCS4)(ch - 'a' + 10);
    else if (ch >= 'A' && ch <= 'F') v |= (Py_UCS4)(ch - 'A' + 10);
    else return 0;
  }
  *out = v;
  return 1;
}

/* A string with escapes, as json.loads decodes it: \uXXXX pairs of
 * surrogates combine, a lone surrogate stays one.  NULL (no exception set)
 * when malformed: the caller falls back. */
static PyObject *escaped_string(const char *s, size_t n) {
  PyObject *text = PyUnicode_DecodeUTF8(s, (Py_ssize_t)n, "strict");
  if (!text) return NULL;
  Py_ssize_t len = PyUnicode_GET_LENGTH(text);
  Py_UCS4 *buf = PyMem_Malloc(((size_t)len + 1) * sizeof *buf);
  if (!buf) {
    Py_DECREF(text);
    return PyErr_NoMemory();
  }
  int kind = PyUnicode_KIND(text);
  const void *data = PyUnicode_DATA(text);
  Py_ssize_t o = 0;
  for (Py_ssize_t i = 0; i < len; i++) {
    Py_UCS4 ch = PyUnicode_READ(kind, data, i);
    if (ch != '\\') {
      buf[o++] = ch;
      continue;
    }
    if (++i >= len) goto bad;
    ch = PyUnicode_READ(kind, data, i);
    switch (ch) {
    case '"': case '\\': case '/': buf[o++] = ch; break;
    case 'b': buf[o++] = '\b'; break;
    case 'f': buf[o++] = '\f'; break;
    case 'n': buf[o++] = '\n'; break;
    case 'r': buf[o++] = '\r'; break;
    case 't': buf[o++] = '\t'; break;
    case 'u': {
      char hx[4];
      if (i + 4 >= len) goto bad;
      for (int k = 0; k < 4; k++) {
        Py_UCS4 h = PyUnicode_READ(kind, data, i + 1 + k);
        if (h > 127) goto bad;
        hx[k] = (char)h;
      }
      Py_UCS4 u;
      if (!hex4(hx, &u)) goto bad;
      i += 4;
      if (u >= 0xD800 && u <= 0xDBFF && i + 6 < len && PyUnicode_READ(kind, data, i + 1) == '\\' &&
          PyUnicode_READ(kind, data, i + 2) == 'u') {
        int ok = 1;
        for (int k = 0; k < 4; k++) {
          Py_UCS4 h = PyUnicode_READ(kind, data, i + 3 + k);
          if (h > 127) ok = 0;
          else hx[k] = (char)h;
        }
        Py_UCS4 lo;
        if (ok && hex4(hx, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
          u = 0x10000 + (((u - 0xD800) << 10) | (lo - 0xDC00));
          i += 6;
        }
      }
      buf[o++] = u;
      break;
    }
    default: goto bad;
    }
  }
  Py_DECREF(text);
  PyObject *r = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, o);
  PyMem_Free(buf);
  return r;
bad:
  Py_DECREF(text);
  PyMem_Free(buf);
  return NULL;
}

/* Bytes that end the plain run of a string: the quote, a backslash, and
 * the control bytes json.loads refuses inside strings. */
static const unsigned char STOP[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1 /* " */, ['\\'] = 1};

/* The common case is one table-driven pass to the closing quote, a hash
 * and a compare: a string seen before is taken from the cache (validated
 * when it was put there); a new one is checked for non-ASCII bytes and
 * decoded. */
static PyObject *decode_string(Cursor *c) {
  const char *s = ++c->p, *q = s, *end = c->end; /* after the quote */
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
                ctl = _mm_set1_epi8(0x1F);
  while (end - q >= 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                               _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v));
    int mask = _mm_movemask_epi8(hit);
    if (mask) {
      q += __builtin_ctz((unsigned)mask);
      goto found;
    }
    q += 16;
  }
#endif
  while (q < end && !STOP[(unsigned char)*q]) q++;
#ifdef __SSE2__
found:
#endif
  if (q >= end || (unsigned char)*q < 0x20) return NULL;
  PyObject *r;
  if (*q == '"') {
    size_t n = (size_t)(q - s);
    c->p = q + 1;
    if (n <= CACHE_MAX_LEN) {
      PyObject *o = *slot_of(c->d, s, n);
      if (slot_holds(o, s, n)) return Py_NewRef(o);
    }
    unsigned char any = 0;
    for (size_t i = 0; i < n; i++) any |= (unsigned char)s[i];
    r = cached_string(c->d, s, n, any < 0x80);
  } else { /* a backslash: find the real end, then decode the escapes */
    for (; q < end && *q != '"'; q++) {
      if ((unsigned char)*q < 0x20) return NULL; /* json.loads refuses raw control bytes */
      if (*q == '\\' && ++q >= end) return NULL;
    }
    if (q >= end) return NULL;
    c->p = q + 1;
    r = escaped_string(s, (size_t)(q - s));
  }
  if (!r && !PyErr_ExceptionMatches(PyExc_MemoryError)) PyErr_Clear(); /* let json.loads say */
  return r;
}

static PyObject *decode_number(Cursor *c) {
  const char *s = c->p;
  int is_float = 0;
  if (c->p < c->end && *c->p == '-') c->p++;
  if (c->p >= c->end || *c->p < '0' || *c->p > '9') return NULL;
  if (*c->p == '0') c->p++;
  else
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') c->p++;
  if (c->p < c->end && *c->p == '.') {
    is_float = 1;
    c->p++;
    if (c->p >= c->end || *c->p < '0' || *c->p > '9') return NULL;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') c->p++;
  }
  if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
    is_float = 1;
    c->p++;
    if (c->p < c->end && (*c->p == '+' || *c->p == '-')) c->p++;
    if (c->p >= c->end || *c->p < '0' || *c->p > '9') return NULL;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') c->p++;
  }
  size_t n = (size_t)(c->p - s);
  char tmp[64];
  if (!is_float && n <= 18) {
    long long v = 0;
    const char *q = s + (*s == '-');
    for (; q < c->p; q++) v = v * 10 + (*q - '0');
    return PyLong_FromLongLong(*s == '-' ? -v : v);
  }
  if (n >= sizeof tmp) return NULL; /* a long number: json.loads decides */
  memcpy(tmp, s, n);
  tmp[n] = 0;
  if (!is_float) return PyLong_FromString(tmp, NULL, 10);
  double d = PyOS_string_to_double(tmp, NULL, NULL);
  if (d == -1.0 && PyErr_Occurred()) {
    PyErr_Clear();
    return NULL;
  }
  return PyFloat_FromDouble(d);
}

static PyObject *decode_object(Cursor *c) {
  c->p++;
  PyObject *d = PyDict_New();
  if (!d) return NULL;
  skip_ws(c);
  if (c->p < c->end && *c->p == '}') {
    c->p++;
    return d;
  }
  for (;;) {
    skip_ws(c);
    if (c->p >= c->end || *c->p != '"') goto bad;
    PyObject *k = decode_string(c);
    if (!k) goto bad;
    skip_ws(c);
    if (c->p >= c->end || *c->p != ':') {
      Py_DECREF(k);
      goto bad;
    }
    c->p++;
    PyObject *v = decode_value(c);
    if (!v) {
      Py_DECREF(k);
      goto bad;
    }
    int rc = PyDict_SetItem(d, k, v);
    Py_DECREF(k);
    Py_DECREF(v);
    if (rc < 0) goto bad;
    skip_ws(c);
    if (c->p < c->end && *c->p == ',') {
      c->p++;
      continue;
    }
    if (c->p < c->end && *c->p == '}') {
      c->p++;
      return d;
    }
    goto bad;
  }
bad:
  Py_DECREF(d);
  return NULL;
}

/* Items are gathered first, so the list is made at its size (a list grown
 * by appends costs a reallocation or two per record). */
static PyObject *decode_array(Cursor *c) {
  c->p++;
  PyObject *small[16], **items = small;
  Py_ssize_t n = 0, cap = 16;
  skip_ws(c);
  if (c->p < c->end && *c->p == ']') {
    c->p++;
    return PyList_New(0);
  }
  for (;;) {
    PyObject *v = decode_value(c);
    if (!v) goto bad;
    if (n == cap) {
      PyObject **grown = PyMem_Malloc((size_t)cap * 2 * sizeof *grown);
      if (!grown) {
        Py_DECREF(v);
        PyErr_NoMemory();
        goto bad;
      }
      memcpy(grown, items, (size_t)n * sizeof *grown);
      if (items != small) PyMem_Free(items);
      items = grown;
      cap *= 2;
    }
    items[n++] = v;
    skip_ws(c);
    if (c->p < c->end && *c->p == ',') {
      c->p++;
      continue;
    }
    if (c->p < c->end && *c->p == ']') {
      c->p++;
      break;
    }
    goto bad;
  }
  PyObject *l = PyList_New(n);
  if (!l) goto bad;
  for (Py_ssize_t i = 0; i < n; i++) PyList_SET_ITEM(l, i, items[i]); /* steals */
  if (items != small) PyMem_Free(items);
  return l;
bad:
  for (Py_ssize_t i = 0; i < n; i++) Py_DECREF(items[i]);
  if (items != small) PyMem_Free(items);
  return NULL;
}

static int match(Cursor *c, const char *word, size_t n) {
  if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0) return 0;
  c->p += n;
  return 1;
}

/* A value, or NULL: malformed or beyond this decoder (an exception is set
 * only for out of memory, which the caller reports as it is). */
static PyObject *decode_value(Cursor *c) {
  skip_ws(c);
  if (c->p >= c->end) return NULL;
  if (++c->depth > MAX_DEPTH) return NULL;
  PyObject *r = NULL;
  switch (*c->p) {
  case '{': r = decode_object(c); break;
  case '[': r = decode_array(c); break;
  case '"': r = decode_string(c); break;
  case 't': r = match(c, "true", 4) ? Py_NewRef(Py_True) : NULL; break;
  case 'f': r = match(c, "false", 5) ? Py_NewRef(Py_False) : NULL; break;
  case 'n': r = match(c, "null", 4) ? Py_NewRef(Py_None) : NULL; break;
  default: r = decode_number(c); break;
  }
  c->depth--;
  return r;
}

/* One line: the fast decoder, else json.loads on its text. */
static PyObject *decode_line(Decoder *d, const char *s, size_t n) {
  Cursor c = {s, s + n, d, 0};
  PyObject *r = decode_value(&c);
  if (r) {
    skip_ws(&c);
    if (c.p == c.end) return r;
    Py_CLEAR(r);
  }
  if (PyErr_Occurred()) return NULL; /* out of memory: not the line's fault */
  PyObject *text = PyUnicode_DecodeUTF8(s, (Py_ssize_t)n, "strict");
  if (!text) return NULL;
  r = PyObject_CallOneArg(d->fallback, text);
  Py_DECREF(text);
  return r;
}

/* Decoder.lines(buffer) -> list: one object per non-empty line. */
static PyObject *Decoder_lines(Decoder *self, PyObject *arg) {
  Py_buffer view;
  if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) return NULL;
  /* Decoding makes no cycles: let the collector not scan the young
   * records every 700 allocations (a third of the time), but once. */
  int collecting = PyGC_Disable();
  PyObject *out = PyList_New(0);
  const char *p = view.buf, *end = p + view.len;
  while (out && p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *e = nl ? nl : end;
    if (e > p) {
      PyObject *r = decode_line(self, p, (size_t)(e - p));
      if (!r || PyList_Append(out, r) < 0) Py_CLEAR(out);
      Py_XDECREF(r);
    }
    p = nl ? nl + 1 : end;
  }
  PyBuffer_Release(&view);
  if (collecting) PyGC_Enable();
  return out;
}

/* Decoder.iter(buffer): the same objects, one line at a time, so that a
 * record is made just before the caller uses it and freed just after: its
 * memory comes back hot from the allocator's free lists, and the
 * collector's young generation stays one record deep. */
typedef struct {
  PyObject_HEAD
  Decoder *d;
  Py_buffer view;
  const char *p, *end;
} RecordIter;

static PyTypeObject DecoderType;

static PyObject *RecordIter_next(RecordIter *self) {
  while (self->p < self->end) {
    const char *nl = memchr(self->p, '\n', (size_t)(self->end - self->p));
    const char *e = nl ? nl : self->end;
    const char *s = self->p;
    self->p = nl ? nl + 1 : self->end;
    if (e > s) return decode_line(self->d, s, (size_t)(e - s));
  }
  return NULL; /* StopIteration */
}

static void RecordIter_dealloc(RecordIter *self) {
  if (self->d) PyBuffer_Release(&self->view);
  Py_XDECREF(self->d);
  PyObject_Free(self);
}

static PyTypeObject RecordIterType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "ipsf._records.RecordIter",
    .tp_basicsize = sizeof(RecordIter),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The records of a buffer, decoded one by one.",
    .tp_dealloc = (destructor)RecordIter_dealloc,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)RecordIter_next,
};

static PyObject *Decoder_iter(Decoder *self, PyObject *arg) {
  RecordIter *it = PyObject_New(RecordIter, &RecordIterType);
  if (!it) return NULL;
  it->d = NULL;
  if (PyObject_GetBuffer(arg, &it->view, PyBUF_SIMPLE) < 0) {
    Py_DECREF(it);
    return NULL;
  }
  it->d = (Decoder *)Py_NewRef(self);
  it->p = it->view.buf;
  it->end = it->p + it->view.len;
  return (PyObject *)it;
}

static PyObject *Decoder_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
  PyObject *fallback;
  static char *names[] = {"fallback", NULL};
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O:Decoder", names, &fallback)) return NULL;
  if (!PyCallable_Check(fallback)) {
    PyErr_SetString(PyExc_TypeError, "Decoder: fallback must be callable (json.loads)");
    return NULL;
  }
  Decoder *self = (Decoder *)type->tp_alloc(type, 0);
  if (!self) return NULL;
  self->slots = PyMem_Calloc(CACHE_SLOTS, sizeof *self->slots);
  if (!self->slots) {
    Py_DECREF(self);
    return PyErr_NoMemory();
  }
  self->fallback = Py_NewRef(fallback);
  return (PyObject *)self;
}

static void Decoder_dealloc(Decoder *self) {
  if (self->slots)
    for (unsigned i = 0; i < CACHE_SLOTS; i++) Py_XDECREF(self->slots[i]);
  PyMem_Free(self->slots);
  Py_XDECREF(self->fallback);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef Decoder_methods[] = {
    {"lines", (PyCFunction)Decoder_lines, METH_O,
     "lines(buffer) -> list: each non-empty line of the buffer as json.loads decodes it"},
    {"iter", (PyCFunction)Decoder_iter, METH_O,
     "iter(buffer) -> iterator: the same objects, decoded as they are asked for"},
    {NULL, NULL, 0, NULL}};

static PyTypeObject DecoderType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "ipsf._records.Decoder",
    .tp_basicsize = sizeof(Decoder),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A JSON Lines decoder with a cache of short strings (one per thread).",
    .tp_new = Decoder_new,
    .tp_dealloc = (destructor)Decoder_dealloc,
    .tp_methods = Decoder_methods,
};

static struct PyModuleDef records_module = {
    PyModuleDef_HEAD_INIT, "ipsf._records",
    "Records of libipsf's JSON Lines output as dicts, with cached strings.", -1, NULL,
    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__records(void) {
  if (PyType_Ready(&DecoderType) < 0 || PyType_Ready(&RecordIterType) < 0) return NULL;
  PyObject *m = PyModule_Create(&records_module);
  if (!m) return NULL;
  if (PyModule_AddObjectRef(m, "Decoder", (PyObject *)&DecoderType) < 0) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}
