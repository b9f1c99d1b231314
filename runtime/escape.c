/*
 * escape.c -- the display form of untrusted text (escape.h).
 */
#include <stdint.h>
#include <string.h>

#include "escape.h"

static const char hex[] = "0123456789abcdef";

/* Length of the valid UTF-8 sequence at s (its code point in *cp), or 0. */
static size_t utf8_decode(const unsigned char *s, size_t avail, uint32_t *cp) {
  unsigned c = s[0];
  size_t n;
  uint32_t v;
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF) n = 2, v = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, v = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, v = c & 0x07;
  else return 0;
  if (avail < n) return 0;
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    v = (v << 6) | (s[i] & 0x3Fu);
  }
  if ((n == 3 && v < 0x800) || (n == 4 && v < 0x10000)) return 0;
  if ((v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF) return 0;
  *cp = v;
  return n;
}

static void byte_escape(unsigned c, char esc[IPSF_ESCAPE_MAX]) {
  esc[0] = '\\';
  esc[1] = 'x';
  esc[2] = hex[(c >> 4) & 0xF];
  esc[3] = hex[c & 0xF];
  esc[4] = '\0';
}

size_t ipsf_escape_unit(const char *s, size_t avail, unsigned flags, char esc[IPSF_ESCAPE_MAX]) {
  const unsigned char *u = (const unsigned char *)s;
  esc[0] = '\0';
  uint32_t cp;
  size_t n = utf8_decode(u, avail, &cp);
  if (n == 0) {
    byte_escape(u[0], esc);
    return 1;
  }
  if (cp < 0x20 || cp == 0x7F) {
    if (!(cp == '\t' && (flags & IPSF_ESC_KEEP_TAB))) byte_escape(cp, esc);
    return 1;
  }
  if ((cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
      (cp >= 0x2066 && cp <= 0x2069)) {
    esc[0] = '\\';
    esc[1] = 'u';
    for (int i = 0; i < 4; i++) esc[2 + i] = hex[(cp >> (12 - 4 * i)) & 0xF];
    esc[6] = '\0';
  }
  return n;
}

/* Bytes 0x20..0x7E from s on: each is a unit shown as it is, of width 1,
 * whatever the flags (the common case, taken without ipsf_escape_unit). */
static size_t printable_run(const char *s, size_t len) {
  size_t i = 0;
  while (i < len && (unsigned char)((unsigned char)s[i] - 0x20u) < 0x5Fu) i++;
  return i;
}

size_t ipsf_escape_width(const char *s, size_t len, unsigned flags) {
  size_t w = 0;
  char esc[IPSF_ESCAPE_MAX];
  for (size_t i = 0; i < len;) {
    size_t plain = printable_run(s + i, len - i);
    i += plain;
    w += plain;
    if (i == len) break;
    i += ipsf_escape_unit(s + i, len - i, flags, esc);
    w += esc[0] ? strlen(esc) : 1;
  }
  return w;
}

/* Runs of units shown as they are are copied in one go. */
void ipsf_escape_buf(IpsfBuf *b, const char *s, size_t len, unsigned flags) {
  char esc[IPSF_ESCAPE_MAX];
  size_t run = 0; /* start of the pending run */
  for (size_t i = 0; i < len;) {
    i += printable_run(s + i, len - i);
    if (i == len) break;
    size_t n = ipsf_escape_unit(s + i, len - i, flags, esc);
    if (esc[0]) {
      ipsf_buf_put(b, s + run, i - run);
      ipsf_buf_puts(b, esc);
      run = i + n;
    }
    i += n;
  }
  ipsf_buf_put(b, s + run, len - run);
}

void ipsf_escape_file(FILE *f, const char *s, size_t len, unsigned flags) {
  char esc[IPSF_ESCAPE_MAX];
  size_t run = 0;
  for (size_t i = 0; i < len;) {
    size_t n = ipsf_escape_unit(s + i, len - i, flags, esc);
    if (esc[0]) {
      fwrite(s + run, 1, i - run, f);
      fputs(esc, f);
      run = i + n;
    }
    i += n;
  }
  fwrite(s + run, 1, len - run, f);
}

void ipsf_escape_fputs(FILE *f, const char *s) {
  if (s) ipsf_escape_file(f, s, strlen(s), 0);
}

void ipsf_escape_html(IpsfBuf *b, const char *s) {
  if (!s) return;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '&': ipsf_buf_puts(b, "&amp;"); break;
    case '<': ipsf_buf_puts(b, "&lt;"); break;
    case '>': ipsf_buf_puts(b, "&gt;"); break;
    case '"': ipsf_buf_puts(b, "&quot;"); break;
    case '\'': ipsf_buf_puts(b, "&#39;"); break;
    default:
      if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f) ipsf_buf_puts(b, "\xEF\xBF\xBD");
      else ipsf_buf_put(b, (const char *)p, 1);
    }
  }
}
