/*
 * util.h -- the small helpers the runtime shares, one copy each (private
 * header): UTF-8 validation, the FNV-1a hash, and array growth.
 *
 * All are static inline: the UTF-8 check and the hash sit in the JSON Lines
 * fast path's inner loop (sheet_fast.c), where a call per byte would show.
 */
#ifndef IPSF_UTIL_H
#define IPSF_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ---- UTF-8 (RFC 3629, strict) --------------------------------------------- */

/* The index of the lowest set bit of m (m != 0). */
static inline unsigned ipsf_lowest_bit(uint64_t m) {
#if defined(__GNUC__)
  return (unsigned)__builtin_ctzll(m);
#else
  unsigned k = 0;
  while (!(m & 1u)) m >>= 1, k++;
  return k;
#endif
}

/* Length of the valid UTF-8 sequence at s, of at most `avail` bytes (avail
 * >= 1), or 0 if the bytes there are not one: overlong forms, surrogates and
 * code points above U+10FFFF are invalid, as in jansson.  An ASCII byte,
 * NUL included, is a sequence of 1.  The continuation bytes are read in
 * order and the first bad one stops the check, so a NUL-terminated string
 * may pass SIZE_MAX: nothing after its NUL is read. */
static inline size_t ipsf_utf8_seq(const unsigned char *s, size_t avail) {
  unsigned c = s[0];
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0; /* a continuation byte, C0/C1 (always overlong), F5..FF */
  }
  if (avail < n) return 0;
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3Fu);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)) return 0; /* overlong */
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;                      /* surrogate */
  if (cp > 0x10FFFF) return 0;
  return n;
}

/* The offset of the first byte of s[0, len) that is a NUL or does not start
 * a valid sequence, or len if there is none: the check for text that will
 * be kept NUL-terminated (pack strings, ipsb.c). */
static inline size_t ipsf_utf8_bad_at(const unsigned char *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    if (s[i] == 0) return i;
    size_t n = ipsf_utf8_seq(s + i, len - i);
    if (!n) return i;
    i += n;
  }
  return len;
}

/* ---- plain JSON string bytes, eight at a time ------------------------------ */

/* Length of the longest prefix of [p, p + n) whose bytes are all "plain"
 * inside a JSON string: 0x20..0x7F, neither '"' nor '\\'.  Such bytes need
 * no escape on output and no check on input; the first other byte (a quote,
 * a backslash, a control character or the start of a UTF-8 sequence) is
 * where the callers switch to their byte-by-byte code.  Sixteen bytes are
 * tested at once with SSE2 where the target has it; then, on little-endian
 * GCC/clang targets, eight at once (SWAR): in the mask
 * below a byte's high bit is set when the byte is special; borrows only
 * carry upward, so the lowest flagged byte is exact.  Reads stay inside
 * [p, p + n). */
#if defined(__SSE2__)
/* A bit per byte of p[0..16) that is not plain (below). */
static inline unsigned ipsf_json_special16(const unsigned char *p) {
  const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
                space = _mm_set1_epi8(0x20);
  __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
  __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                             _mm_cmplt_epi8(v, space));
  return (unsigned)_mm_movemask_epi8(bad);
}
#endif

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The high bit of each byte of p[0..8) that is not plain; only the lowest
 * flagged byte is exact (borrows carry upward). */
static inline uint64_t ipsf_json_special8(const unsigned char *p) {
  const uint64_t ones = UINT64_C(0x0101010101010101), high = UINT64_C(0x8080808080808080);
  uint64_t w;
  memcpy(&w, p, 8);
  uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
  return (((q - ones) & ~q) | ((bs - ones) & ~bs) | (w - ones * 0x20) | w) & high;
}
#endif

#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline size_t ipsf_json_plain_span(const unsigned char *p, size_t n) {
  size_t i = 0;
#if defined(__SSE2__)
  /* Sixteen at a time where SSE2 is there (every x86-64): a signed byte
   * below 0x20 is a control character or, negative, 0x80..0xFF.  The last
   * part of a string of 16 bytes or more is one load of its last sixteen,
   * overlapping bytes already known plain, so its first flagged byte is
   * the span's end. */
  for (; i + 16 <= n; i += 16) {
    unsigned m = ipsf_json_special16(p + i);
    if (m) return i + (size_t)__builtin_ctz(m);
  }
  if (i < n && n >= 16) {
    unsigned m = ipsf_json_special16(p + n - 16);
    return m ? n - 16 + (size_t)__builtin_ctz(m) : n;
  }
#endif
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  for (; i + 8 <= n; i += 8) {
    uint64_t m = ipsf_json_special8(p + i);
    if (m) return i + (size_t)(__builtin_ctzll(m) >> 3);
  }
  if (i < n && n >= 8) { /* the last eight, overlapping plain bytes */
    uint64_t m = ipsf_json_special8(p + n - 8);
    return m ? n - 8 + (size_t)(__builtin_ctzll(m) >> 3) : n;
  }
#endif
  for (; i < n; i++) {
    unsigned c = p[i];
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
  }
  return i;
}

/* ---- short byte strings: equality and the fact-name hash ------------------ */

static inline uint64_t ipsf_load64(const void *p) {
  uint64_t w;
  memcpy(&w, p, 8);
  return w;
}

static inline uint32_t ipsf_load32(const void *p) {
  uint32_t w;
  memcpy(&w, p, 4);
  return w;
}

/* memcmp(a, b, n) == 0 without a call: names are short (fact, enum and
 * requirement names), so a few loads, overlapping at the end; never reads
 * outside [a, a + n) and [b, b + n). */
static inline bool ipsf_mem_eq(const void *a, const void *b, size_t n) {
  const unsigned char *x = a, *y = b;
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8)
      if (ipsf_load64(x + i) != ipsf_load64(y + i)) return false;
    return ipsf_load64(x + n - 8) == ipsf_load64(y + n - 8);
  }
  if (n >= 4) return ipsf_load32(x) == ipsf_load32(y) && ipsf_load32(x + n - 4) == ipsf_load32(y + n - 4);
  for (size_t i = 0; i < n; i++)
    if (x[i] != y[i]) return false;
  return true;
}

/* The hash of pack.c's fact-name table, which sheet_fast.c computes for
 * each key it reads: both must use this one, or lookups silently miss.
 * Eight bytes per multiply (a name of 16 bytes is two steps, where FNV-1a
 * took sixteen dependent multiplies); the tail is read as overlapping
 * words, never past s + n.  Its values are never stored (the table is
 * built at load), so they may differ between machines. */
static inline uint32_t ipsf_name_hash(const char *s, size_t n) {
  const uint64_t k = UINT64_C(0xff51afd7ed558ccd);
  uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ n;
  size_t i = 0;
  for (; i + 8 < n; i += 8) {
    h = (h ^ ipsf_load64(s + i)) * k;
    h ^= h >> 32;
  }
  uint64_t w;
  if (n >= 8) w = ipsf_load64(s + n - 8);
  else if (n >= 4) w = ipsf_load32(s) | (uint64_t)ipsf_load32(s + n - 4) << 32;
  else w = n ? (unsigned char)s[0] | (uint64_t)(unsigned char)s[n / 2] << 8 |
                   (uint64_t)(unsigned char)s[n - 1] << 16
             : 0;
  h = (h ^ w) * k;
  h ^= h >> 29;
  h *= UINT64_C(0xc4ceb9fe1a85ec53);
  h ^= h >> 32;
  return (uint32_t)h;
}

/* ---- FNV-1a, 32-bit --------------------------------------------------------- */

/* A general string hash (the compiler's symbol tables). */
#define IPSF_FNV1A_INIT 2166136261u

static inline uint32_t ipsf_fnv1a_step(uint32_t h, unsigned char c) {
  return (h ^ c) * 16777619u;
}

static inline uint32_t ipsf_fnv1a(const char *s, size_t len) {
  uint32_t h = IPSF_FNV1A_INIT;
  for (size_t i = 0; i < len; i++) h = ipsf_fnv1a_step(h, (unsigned char)s[i]);
  return h;
}

/* ---- growth ----------------------------------------------------------------- */

/* Grow the array `items` (*cap elements of `elem` bytes) to hold at least
 * `need` elements: the capacity doubles from `first`, but never passes
 * `max` (need <= max; SIZE_MAX for no limit).  realloc keeps the contents.
 * Returns the new array and sets *cap; or NULL, with `items` still valid
 * and *cap unchanged, when out of memory or when the size in bytes would
 * not fit a size_t.  Doubling keeps appends amortised O(1). */
static inline void *ipsf_grow(void *items, size_t *cap, size_t need, size_t elem, size_t first,
                              size_t max) {
  if (need > max) return NULL;
  size_t n = *cap ? *cap : first ? first : 1;
  while (n < need) n = n > max / 2 ? max : n * 2;
  if (n > max) n = max;
  if (elem && n > SIZE_MAX / elem) return NULL;
  void *p = realloc(items, n * elem);
  if (p) *cap = n;
  return p;
}

#endif
