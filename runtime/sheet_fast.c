/*
 * sheet_fast.c -- the fast path for one JSON Lines sheet: scan the line and
 * bind its facts straight into the context's slots, with no jansson tree.
 *
 * This is an accelerator, not a second definition of a sheet.  It accepts
 * only what it can prove the jansson path (sheet_json.c + sheet.c) would
 * accept with the very same result; on anything else it answers "fall
 * back" and the caller parses the line with jansson, which then gives the
 * record or the error, with the one wording the golden tests pin.  So it
 * falls back on: a syntax error of any kind, a \u escape, a duplicate key,
 * "profiles" (and any --profile), an unknown fact, a value of the wrong
 * type, an enum name or evidence the pack does not know, an integer out of
 * the 64-bit range, a real for an int fact, a non-finite real.
 *
 * What it accepts it checks as jansson does: the JSON grammar, UTF-8
 * (no overlong forms, no surrogates, nothing above U+10FFFF), no control
 * characters in strings.  A key or name of at most 16 plain bytes (almost
 * all) costs one 16-byte load, which finds its closing quote and, masked,
 * is its key in the pack's index of short names (names.h), one probe; a
 * longer one, or one with escapes or UTF-8, is scanned (util.h), hashed and
 * looked up in the fact hash (pack.c) or the pack's lists.  Per value, a
 * direct store into the fact's slot.  Nothing outside [line, line + len]
 * is read.  Nothing is
 * allocated: strings that must outlive the scan (the device name, string
 * facts) are decoded into the caller's scratch buffer.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "sheet.h"
#include "util.h"

#define FALLBACK false

typedef struct {
  const char *p;       /* next byte; the line ends with a NUL sentinel */
  const char *end;     /* that sentinel: a NUL before it is a byte of the line */
  const char *line;    /* the line's first byte */
  IpsfEval *ev;
  const IpsfPack *pk;                /* ev->pack */
  const struct IpsfNameIndex *names; /* pk->name_index: NULL, none */
  char *out;           /* scratch: decoded strings */
} Scan;

/* Whitespace is rare in machine-written lines: one test when there is
 * none (every byte of JSON's whitespace is at most ' '). */
static inline const char *skip_ws(const char *p) {
  if ((unsigned char)*p > ' ') return p;
  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
  return p;
}

/* A string token whose body has no escape: [*s, *s + *n), and, when `hash`
 * is not NULL, its hash (util.h's ipsf_name_hash, as pack.c hashes fact
 * names).
 * s->p is at the opening quote.  Plain ASCII runs are skipped eight bytes
 * at a time (ipsf_json_plain_span); a byte that ends a run is the closing
 * quote, the start of a UTF-8 sequence (checked), or a fallback: an escape,
 * a control character, the NUL sentinel.  false: escapes, bad bytes, or
 * not a string. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline bool raw_string(Scan *s, const char **str, size_t *n, uint32_t *hash) {
  const unsigned char *p = (const unsigned char *)s->p;
  const unsigned char *end = (const unsigned char *)s->end;
  if (*p != '"') return FALLBACK;
  const unsigned char *start = ++p;
  for (;;) {
    p += ipsf_json_plain_span(p, (size_t)(end - p)); /* p <= end, *end is NUL */
    unsigned c = *p;
    if (c == '"') break;
    if (c < 0x80) return FALLBACK; /* a control character, '\\', the sentinel */
    size_t k = ipsf_utf8_seq(p, (size_t)(end - p));
    if (!k) return FALLBACK;
    p += k;
  }
  *str = (const char *)start;
  *n = (size_t)(p - start);
  if (hash) *hash = ipsf_name_hash(*str, *n);
  s->p = (const char *)p + 1;
  return true;
}

/* A short string token: s->p at the opening quote, a body of at most
 * IPSF_SHORT_NAME plain bytes (util.h: 0x20..0x7F but '"' and '\\'), the
 * closing quote within the next seventeen bytes.  Read with one 16-byte
 * load, masked past the body into the words names.h's index is keyed by:
 * the key or value is found without a second pass over its bytes.  The
 * load is of the sixteen bytes after the quote when they are inside the
 * line; nearer the line's end, of the line's last sixteen, moved into a
 * buffer whose next sixteen bytes are NULs (special, like the sentinel),
 * so nothing outside the line is read; a line shorter than sixteen bytes
 * takes the general path.  false: not such a token (nothing consumed):
 * the caller takes the general path (raw_string), which decides. */
typedef struct {
  uint64_t w0, w1;
  size_t n;
} Short;

#if defined(__SSE2__)
static const unsigned char body_mask[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
#endif

#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline bool short_token(Scan *s, Short *t) {
#if defined(__SSE2__)
  const unsigned char *q = (const unsigned char *)s->p + 1;
  if (*s->p != '"') return false;
  ptrdiff_t left = s->end - (const char *)q; /* >= 0: the quote is before the sentinel */
  __m128i v;
  if (left >= 16) {
    v = _mm_loadu_si128((const __m128i *)(const void *)q);
  } else {
    if (s->end - s->line < 16) return false;
    unsigned char tail[32];
    _mm_storeu_si128((__m128i *)(void *)tail, _mm_loadu_si128((const __m128i *)(const void *)(s->end - 16)));
    _mm_storeu_si128((__m128i *)(void *)(tail + 16), _mm_setzero_si128());
    v = _mm_loadu_si128((const __m128i *)(const void *)(tail + 16 - left));
  }
  const __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
  const __m128i bad = _mm_or_si128(
      _mm_or_si128(quote, _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
      _mm_cmpgt_epi8(_mm_set1_epi8(0x20), v)); /* signed: controls and 0x80..0xFF */
  unsigned m = (unsigned)_mm_movemask_epi8(bad), k;
  if (m) {
    k = (unsigned)__builtin_ctz(m);
    if (!(((unsigned)_mm_movemask_epi8(quote) >> k) & 1u)) return false;
    v = _mm_and_si128(v, _mm_loadu_si128((const __m128i *)(const void *)(body_mask + 16 - k)));
  } else {
    /* sixteen plain bytes, all inside the line (NULs past it would have
     * stopped the body): q[16] is at most the sentinel */
    if (q[16] != '"') return false;
    k = 16;
  }
  t->n = k;
  t->w0 = (uint64_t)_mm_cvtsi128_si64(v);
  t->w1 = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v));
  s->p = (const char *)q + k + 1;
  return true;
#else
  (void)s;
  (void)t;
  return false;
#endif
}

/* A string token decoded into the scratch area, NUL-terminated (simple
 * escapes only; \u falls back). */
static bool decoded_string(Scan *s, const char **out) {
  const unsigned char *p = (const unsigned char *)s->p;
  if (*p != '"') return FALLBACK;
  p++;
  char *o = s->out, *start = o;
  for (;;) {
#if defined(__SSE2__)
    /* Sixteen bytes at a time while sixteen are left in the line: stored
     * whole, then the output advanced past the plain ones.  The store
     * stays inside the scratch area: decoding never lengthens a string,
     * so o - scratch <= p - line, and p + 16 <= s->end = line + len. */
    if ((const unsigned char *)s->end - p >= 16) {
      _mm_storeu_si128((__m128i *)(void *)o, _mm_loadu_si128((const __m128i *)(const void *)p));
      unsigned m = ipsf_json_special16(p);
      if (!m) {
        o += 16;
        p += 16;
        continue;
      }
      unsigned k = (unsigned)__builtin_ctz(m);
      o += k;
      p += k;
    } else
#endif
    {
      size_t run = ipsf_json_plain_span(p, (size_t)((const unsigned char *)s->end - p));
      memcpy(o, p, run);
      o += run;
      p += run;
    }
    unsigned c = *p;
    if (c == '"') break;
    if (c < 0x20) return FALLBACK;
    if (c == '\\') {
      char e;
      switch (p[1]) {
      case '"': e = '"'; break;
      case '\\': e = '\\'; break;
      case '/': e = '/'; break;
      case 'b': e = '\b'; break;
      case 'f': e = '\f'; break;
      case 'n': e = '\n'; break;
      case 'r': e = '\r'; break;
      case 't': e = '\t'; break;
      default: return FALLBACK;
      }
      *o++ = e;
      p += 2;
      continue;
    }
    if (c >= 0x80) {
      size_t k = ipsf_utf8_seq(p, (size_t)((const unsigned char *)s->end - p));
      if (!k) return FALLBACK;
      memcpy(o, p, k);
      o += k;
      p += k;
      continue;
    }
    *o++ = (char)c;
    p++;
  }
  *o++ = '\0';
  s->out = o;
  *out = start;
  s->p = (const char *)p + 1;
  return true;
}

/* What may follow a number or a literal.  The NUL counts only as the
 * sentinel: a NUL inside the line is a syntax error that jansson's reader
 * would skip after a token, so it must never end one here. */
static inline bool delimiter(const Scan *s, const char *p) {
  char c = *p;
  return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
         (c == '\0' && p == s->end);
}

/* A number token by JSON's grammar.  An integer (no fraction, no exponent)
 * in the int64 range sets *is_int and *i; a finite real sets *d. */
static bool number(Scan *s, bool *is_int, int64_t *i, double *d) {
  const char *p = s->p, *start = p;
  bool neg = *p == '-';
  if (neg) p++;
  if (*p < '0' || *p > '9') return FALLBACK;
  /* Nineteen digits or fewer cannot overflow (10^19 - 1 < 2^64); twenty
   * or more are beyond the int64 range, whatever the value (the first
   * digit is not 0), so no test per digit. */
  uint64_t v = 0;
  const char *digits = p;
  if (*p == '0') p++;
  else
    while (*p >= '0' && *p <= '9') v = v * 10 + (unsigned)(*p++ - '0');
  bool overflow = p - digits > 19;
  bool real = false;
  if (*p == '.') {
    real = true;
    p++;
    if (*p < '0' || *p > '9') return FALLBACK;
    while (*p >= '0' && *p <= '9') p++;
  }
  if (*p == 'e' || *p == 'E') {
    real = true;
    p++;
    if (*p == '+' || *p == '-') p++;
    if (*p < '0' || *p > '9') return FALLBACK;
    while (*p >= '0' && *p <= '9') p++;
  }
  if (!delimiter(s, p)) return FALLBACK;
  if (real) {
    *d = strtod(start, NULL);
    if (!isfinite(*d)) return FALLBACK;
    *is_int = false;
  } else {
    if (overflow || v > (neg ? UINT64_C(9223372036854775808) : (uint64_t)INT64_MAX))
      return FALLBACK; /* jansson: "too big integer" */
    *i = neg ? (int64_t)(0 - v) : (int64_t)v;
    *is_int = true;
  }
  s->p = p;
  return true;
}

/* Index of the enum value named [str, str+n), or IPSF_NONE. */
static uint32_t enum_index(const IpsfPack *pk, const IpsfEnum *e, const char *str, size_t n) {
  for (uint32_t k = 0; k < e->value_count; k++) {
    uint32_t sv = e->values[k];
    if (pk->string_lens[sv] == n && ipsf_mem_eq(pk->strings[sv], str, n)) return k;
  }
  return IPSF_NONE;
}

/* The enum value (of enum e) named by the string token at s->p, or
 * IPSF_NONE (not a string, or no such value). */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline uint32_t enum_value(Scan *s, uint32_t e) {
  const IpsfPack *pk = s->pk;
  Short t;
  if (s->names && short_token(s, &t))
    return ipsf_names_find(s->names, ipsf_ns_enum(pk, e), t.n, t.w0, t.w1);
  const char *str;
  size_t n;
  if (!raw_string(s, &str, &n, NULL)) return IPSF_NONE;
  return enum_index(pk, &pk->enums[e], str, n);
}

static bool literal(Scan *s, const char *word, size_t n) {
  if ((size_t)(s->end - s->p) < n || !ipsf_mem_eq(s->p, word, n) || !delimiter(s, s->p + n))
    return FALLBACK;
  s->p += n;
  return true;
}

/* The value of fact f, stored as the setters of eval.c would store it. */
static bool fact_value(Scan *s, uint32_t f) {
  IpsfEval *ev = s->ev;
  const IpsfPack *pk = s->pk;
  const IpsfFact *fact = &pk->facts[f];
  IpsfValue *slot = &ev->slots[fact->slot];
  const char *str;
  switch (fact->type.kind) {
  case IPSF_K_BOOL:
    if (*s->p == 't') {
      if (!literal(s, "true", 4)) return FALLBACK;
      slot->i = 1;
    } else {
      if (!literal(s, "false", 5)) return FALLBACK;
      slot->i = 0;
    }
    return true;
  case IPSF_K_INT:
  case IPSF_K_NUMBER: {
    bool is_int;
    int64_t i = 0;
    double d = 0;
    if (!number(s, &is_int, &i, &d)) return FALLBACK;
    if (fact->type.kind == IPSF_K_INT) {
      if (!is_int) return FALLBACK; /* 1e9 for an int: the jansson path decides */
      slot->i = i;
    } else {
      slot->n = is_int ? (double)i : d;
    }
    return true;
  }
  case IPSF_K_STRING:
    if (!decoded_string(s, &str)) return FALLBACK;
    /* Too long for the cost bound: the jansson path reports the limit. */
    if (strlen(str) > IPSF_MAX_FACT_STRING) return FALLBACK;
    slot->s = str;
    return true;
  case IPSF_K_ENUM: {
    uint32_t k = enum_value(s, fact->type.enum_type);
    if (k == IPSF_NONE) return FALLBACK;
    slot->i = k;
    return true;
  }
  case IPSF_K_SET: {
    if (*s->p != '[') return FALLBACK;
    s->p = skip_ws(s->p + 1);
    uint64_t m = 0;
    if (*s->p == ']') {
      s->p++;
      slot->m = 0;
      return true;
    }
    for (;;) {
      uint32_t k = enum_value(s, fact->type.enum_type);
      if (k == IPSF_NONE) return FALLBACK;
      m |= UINT64_C(1) << k;
      s->p = skip_ws(s->p);
      if (*s->p == ']') break;
      if (*s->p != ',') return FALLBACK;
      s->p = skip_ws(s->p + 1);
    }
    s->p++;
    slot->m = m;
    return true;
  }
  default: return FALLBACK;
  }
}

/* The fact named by the key token at s->p, or IPSF_NONE (not a string,
 * or no such fact). */
static inline uint32_t fact_key(Scan *s) {
  const IpsfPack *pk = s->pk;
  Short t;
  if (s->names && short_token(s, &t))
    return ipsf_names_find(s->names, IPSF_NS_FACTS, t.n, t.w0, t.w1);
  const char *key;
  size_t n;
  uint32_t h;
  if (!raw_string(s, &key, &n, &h) || !pk->fact_hash_size) return IPSF_NONE;
  uint32_t mask = pk->fact_hash_size - 1;
  for (uint32_t i = h & mask;; i = (i + 1) & mask) {
    uint32_t e = pk->fact_hash[i];
    if (e == 0) return IPSF_NONE;
    uint32_t sn = pk->facts[e - 1].name;
    if (pk->string_lens[sn] == n && ipsf_mem_eq(pk->strings[sn], key, n)) return e - 1;
  }
}

static bool facts_object(Scan *s) {
  IpsfEval *ev = s->ev;
  if (*s->p != '{') return FALLBACK;
  s->p = skip_ws(s->p + 1);
  if (*s->p == '}') {
    s->p++;
    return true;
  }
  for (;;) {
    uint32_t f = fact_key(s);
    if (f == IPSF_NONE) return FALLBACK; /* unknown fact: an error, or skipped */
    uint64_t bit = UINT64_C(1) << (f % 64);
    if (ev->fact_set[f / 64] & bit) return FALLBACK; /* duplicate key */
    if (s->p[0] == ':' && (unsigned char)s->p[1] > ' ') { /* no whitespace: the usual */
      s->p++;
    } else {
      s->p = skip_ws(s->p);
      if (*s->p != ':') return FALLBACK;
      s->p = skip_ws(s->p + 1);
    }
    if (!fact_value(s, f)) return FALLBACK;
    ev->fact_set[f / 64] |= bit;
    if (s->p[0] == ',' && (unsigned char)s->p[1] > ' ') { /* the usual: the next key */
      s->p++;
      continue;
    }
    s->p = skip_ws(s->p);
    if (*s->p == '}') break;
    if (*s->p != ',') return FALLBACK;
    s->p = skip_ws(s->p + 1);
  }
  s->p++;
  return true;
}

/* The requirement whose id is the key token at s->p, or IPSF_NONE. */
static inline uint32_t requirement_key(Scan *s) {
  const IpsfPack *pk = s->pk;
  Short t;
  if (s->names && short_token(s, &t))
    return ipsf_names_find(s->names, IPSF_NS_REQUIREMENTS, t.n, t.w0, t.w1);
  const char *id;
  size_t n;
  if (!raw_string(s, &id, &n, NULL)) return IPSF_NONE;
  for (uint32_t r = 0; r < pk->requirement_count; r++) {
    uint32_t sid = pk->requirements[r].id;
    if (pk->string_lens[sid] == n && ipsf_mem_eq(pk->strings[sid], id, n)) return r;
  }
  return IPSF_NONE;
}

/* The method of viewpoint v named by the string token at s->p, or
 * IPSF_NONE. */
static inline uint32_t method_value(Scan *s, uint32_t v) {
  const IpsfPack *pk = s->pk;
  Short t;
  if (s->names && short_token(s, &t))
    return ipsf_names_find(s->names, ipsf_ns_methods(v), t.n, t.w0, t.w1);
  const char *method;
  size_t mn;
  if (!raw_string(s, &method, &mn, NULL)) return IPSF_NONE;
  const IpsfViewpoint *vp = &pk->viewpoints[v];
  for (uint32_t m = 0; m < vp->method_count; m++) {
    uint32_t sm = vp->methods[m];
    if (pk->string_lens[sm] == mn && ipsf_mem_eq(pk->strings[sm], method, mn)) return m;
  }
  return IPSF_NONE;
}

static bool evidence_object(Scan *s) {
  IpsfEval *ev = s->ev;
  const IpsfPack *pk = s->pk;
  if (*s->p != '{') return FALLBACK;
  ev->evidence_present = true;
  s->p = skip_ws(s->p + 1);
  if (*s->p == '}') {
    s->p++;
    return true;
  }
  for (;;) {
    uint32_t q = requirement_key(s);
    if (q == IPSF_NONE || ev->evidence[q] != IPSF_NONE) return FALLBACK;
    s->p = skip_ws(s->p);
    if (*s->p != ':') return FALLBACK;
    s->p = skip_ws(s->p + 1);
    uint32_t m = method_value(s, pk->requirements[q].viewpoint);
    if (m == IPSF_NONE) return FALLBACK;
    ev->evidence[q] = m;
    s->p = skip_ws(s->p);
    if (*s->p == '}') break;
    if (*s->p != ',') return FALLBACK;
    s->p = skip_ws(s->p + 1);
  }
  s->p++;
  return true;
}

static bool key_is(const char *key, size_t n, const char *word) {
  return strlen(word) == n && ipsf_mem_eq(key, word, n);
}

/* The top-level key at s->p: 1 "facts", 2 "device", 4 "evidence", 0 any
 * other (or not a string).  A short token is compared as one word. */
static inline unsigned top_key(Scan *s) {
  Short t;
  if (short_token(s, &t)) {
    static const char facts[8] = "facts", device[8] = "device", evidence[8] = "evidence";
    if (t.w1) return 0;
    if (t.n == 5 && t.w0 == ipsf_load64(facts)) return 1;
    if (t.n == 6 && t.w0 == ipsf_load64(device)) return 2;
    if (t.n == 8 && t.w0 == ipsf_load64(evidence)) return 4;
    return 0;
  }
  const char *key;
  size_t n;
  if (!raw_string(s, &key, &n, NULL)) return 0;
  return key_is(key, n, "facts") ? 1 : key_is(key, n, "device") ? 2 : key_is(key, n, "evidence") ? 4 : 0;
}

bool ipsf_sheet_fast_bind(IpsfEval *ev, const char *line, size_t len, char *scratch,
                          const char **device) {
  Scan s = {line, line + len, line, ev, ev->pack, ev->pack->name_index, scratch};
  *device = NULL;
  s.p = skip_ws(s.p);
  if (*s.p != '{') return FALLBACK;
  s.p = skip_ws(s.p + 1);
  unsigned seen = 0;
  if (*s.p != '}')
    for (;;) {
      unsigned bit = top_key(&s);
      if (!bit) return FALLBACK; /* "profiles", or an error */
      if (seen & bit) return FALLBACK;
      seen |= bit;
      s.p = skip_ws(s.p);
      if (*s.p != ':') return FALLBACK;
      s.p = skip_ws(s.p + 1);
      bool ok = bit == 1 ? facts_object(&s)
                : bit == 2 ? decoded_string(&s, device)
                           : evidence_object(&s);
      if (!ok) return FALLBACK;
      s.p = skip_ws(s.p);
      if (*s.p == '}') break;
      if (*s.p != ',') return FALLBACK;
      s.p = skip_ws(s.p + 1);
    }
  s.p = skip_ws(s.p + 1);
  return s.p == line + len;
}
