/*
 * buf.c -- IpsfBuf, the one growable output buffer of the reporters.
 *
 * Every byte the eval verb prints goes through a buffer: a record is built
 * whole, then flushed, so a record is never printed half-written and the
 * output of parallel evaluations can be put back in input order.
 *
 * Allocation failure is sticky: `failed` is set, the buffer stops growing
 * and every later append is dropped.  The caller checks `failed` after
 * building a record and reports the loss (out_of_memory) instead of
 * printing an incomplete record as if it were complete.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util.h"

void ipsf_buf_init(IpsfBuf *b) {
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->failed = false;
}

void ipsf_buf_free(IpsfBuf *b) {
  free(b->data);
  ipsf_buf_init(b);
}

/* Make room for n more bytes plus a terminating NUL.  The NUL is kept so
 * that the contents can be read as a C string (tests, vsnprintf). */
static bool reserve(IpsfBuf *b, size_t n) {
  if (b->failed) return false;
  if (n > SIZE_MAX - b->len - 1) {
    b->failed = true;
    return false;
  }
  size_t need = b->len + n + 1;
  if (need <= b->cap) return true;
  char *p = ipsf_grow(b->data, &b->cap, need, 1, 256, SIZE_MAX);
  if (!p) {
    b->failed = true;
    return false;
  }
  b->data = p;
  return true;
}

void ipsf_buf_put(IpsfBuf *b, const char *s, size_t n) {
  if (n < b->cap - b->len && !b->failed) { /* room (cap > len, or both 0): no reserve call */
    if (n) memcpy(b->data + b->len, s, n); /* s may be NULL when n is 0 */
    b->len += n;
    b->data[b->len] = '\0';
    return;
  }
  if (!reserve(b, n)) return;
  if (n) memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void ipsf_buf_puts(IpsfBuf *b, const char *s) { ipsf_buf_put(b, s, strlen(s)); }

void ipsf_buf_printf(IpsfBuf *b, const char *fmt, ...) {
  if (b->failed) return;
  va_list ap;
  /* First try in the room we have; a second pass only when it did not fit. */
  size_t room = b->cap > b->len ? b->cap - b->len : 0;
  va_start(ap, fmt);
  int n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->failed = true; /* an encoding error: treat as a lost record */
    return;
  }
  if ((size_t)n < room) {
    b->len += (size_t)n;
    return;
  }
  if (room) b->data[b->len] = '\0'; /* undo the truncated attempt */
  if (!reserve(b, (size_t)n)) return;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

/* JSON string escaping (RFC 8259): `"` and `\` escaped, the control
 * characters U+0000..U+001F as \b \f \n \r \t or \u00XX (upper-case hex),
 * everything else as is (valid UTF-8 passes through, `/` and U+007F are
 * not escaped).  A byte that does not start a valid UTF-8 sequence is
 * replaced by U+FFFD so that the output is always valid JSON: sheet paths
 * come from the command line and need not be UTF-8. */
void ipsf_buf_json_string(IpsfBuf *b, const char *s) {
  if (!s) {
    ipsf_buf_put(b, "null", 4);
    return;
  }
  static const char hex[] = "0123456789ABCDEF";
  const unsigned char *p = (const unsigned char *)s;
  size_t left = strlen(s);
  size_t run = ipsf_json_plain_span(p, left);
  if (run == left) { /* the common case: nothing to escape, one copy */
    if (!reserve(b, left + 2)) return;
    char *d = b->data + b->len;
    d[0] = '"';
    memcpy(d + 1, s, left);
    d[left + 1] = '"';
    b->len += left + 2;
    b->data[b->len] = '\0';
    return;
  }
  ipsf_buf_put(b, "\"", 1);
  while (left) {
    /* Copy the longest run that needs no escaping in one go. */
    run = ipsf_json_plain_span(p, left);
    while (run < left) {
      unsigned c = p[run];
      if (c < 0x20 || c == '"' || c == '\\') break;
      if (c < 0x80) {
        run++;
        continue;
      }
      size_t n = ipsf_utf8_seq(p + run, left - run);
      if (!n) break;
      run += n;
    }
    if (run) {
      ipsf_buf_put(b, (const char *)p, run);
      p += run;
      left -= run;
      continue;
    }
    unsigned c = *p;
    char esc[6];
    switch (c) {
    case '"': ipsf_buf_put(b, "\\\"", 2); break;
    case '\\': ipsf_buf_put(b, "\\\\", 2); break;
    case '\b': ipsf_buf_put(b, "\\b", 2); break;
    case '\f': ipsf_buf_put(b, "\\f", 2); break;
    case '\n': ipsf_buf_put(b, "\\n", 2); break;
    case '\r': ipsf_buf_put(b, "\\r", 2); break;
    case '\t': ipsf_buf_put(b, "\\t", 2); break;
    default:
      if (c < 0x20) {
        memcpy(esc, "\\u00", 4);
        esc[4] = hex[c >> 4];
        esc[5] = hex[c & 0xF];
        ipsf_buf_put(b, esc, 6);
      } else {
        ipsf_buf_put(b, "\xEF\xBF\xBD", 3); /* invalid UTF-8 byte */
      }
      break;
    }
    p++;
    left--;
  }
  ipsf_buf_put(b, "\"", 1);
}

bool ipsf_buf_flush(IpsfBuf *b, FILE *out) {
  bool ok = true;
  if (b->len) {
    ok = fwrite(b->data, 1, b->len, out) == b->len;
    b->len = 0;
    b->data[0] = '\0';
  }
  if (fflush(out) != 0) ok = false;
  return ok;
}
