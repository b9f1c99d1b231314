/*
 * test_buf.c -- IpsfBuf: growth, printf, JSON string escaping, flush; and
 * the helpers of runtime/util.h (UTF-8, FNV-1a, growth).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "report.h"
#include "util.h"

/* The escaped form of one string, as a malloc'd C string. */
static char *esc(const char *s) {
  IpsfBuf b;
  ipsf_buf_init(&b);
  ipsf_buf_json_string(&b, s);
  cr_assert(!b.failed);
  char *out = strdup(b.data);
  ipsf_buf_free(&b);
  return out;
}

static void expect_esc(const char *in, const char *want) {
  char *got = esc(in);
  cr_expect_str_eq(got, want, "escaping gave %s, expected %s", got, want);
  free(got);
}

Test(buf, starts_empty_and_puts) {
  IpsfBuf b;
  ipsf_buf_init(&b);
  cr_expect_eq(b.len, 0);
  cr_expect(!b.failed);
  ipsf_buf_puts(&b, "abc");
  ipsf_buf_put(&b, "defgh", 2);
  ipsf_buf_put(&b, NULL, 0);
  cr_expect_eq(b.len, 5);
  cr_expect_str_eq(b.data, "abcde");
  ipsf_buf_free(&b);
  cr_expect_null(b.data);
  cr_expect_eq(b.len, 0);
}

Test(buf, printf_grows) {
  IpsfBuf b;
  ipsf_buf_init(&b);
  ipsf_buf_printf(&b, "%d-%s", 42, "x");
  cr_expect_str_eq(b.data, "42-x");
  /* Far beyond the first allocation, in one call and in many. */
  char big[5000];
  memset(big, 'q', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  ipsf_buf_printf(&b, "[%s]", big);
  cr_expect_eq(b.len, 4 + 2 + 4999);
  cr_expect_eq(b.data[4], '[');
  cr_expect_eq(b.data[b.len - 1], ']');
  cr_expect_eq(strlen(b.data), b.len);
  for (int i = 0; i < 10000; i++) ipsf_buf_printf(&b, "%04d", i % 10000);
  cr_expect_eq(b.len, 4 + 2 + 4999 + 40000);
  cr_expect_eq(memcmp(b.data + b.len - 8, "99989999", 8), 0);
  cr_expect(!b.failed);
  ipsf_buf_free(&b);
}

Test(buf, printf_exact_fit) {
  /* A result that exactly fills the room left must not be cut. */
  IpsfBuf b;
  ipsf_buf_init(&b);
  ipsf_buf_puts(&b, "x");
  size_t room = b.cap - b.len;
  char *s = malloc(room + 1);
  for (int extra = -1; extra <= 1; extra++) {
    IpsfBuf c;
    ipsf_buf_init(&c);
    ipsf_buf_puts(&c, "x");
    size_t n = room + (size_t)extra - 1;
    memset(s, 'a', n);
    s[n] = '\0';
    ipsf_buf_printf(&c, "%s", s);
    cr_expect_eq(c.len, 1 + n);
    cr_expect_eq(strlen(c.data), c.len);
    ipsf_buf_free(&c);
  }
  free(s);
  ipsf_buf_free(&b);
}

/* Nothing from nowhere: (NULL, 0) appends nothing, with room in the buffer
 * (the no-reserve path) or without; under UBSan (make test SANITIZE=1) a
 * memcpy from NULL would be reported. */
Test(buf, put_nothing_from_null) {
  IpsfBuf b;
  ipsf_buf_init(&b);
  ipsf_buf_put(&b, NULL, 0);
  ipsf_buf_puts(&b, "ab");
  ipsf_buf_put(&b, NULL, 0);
  cr_expect_eq(b.len, 2);
  cr_expect_str_eq(b.data, "ab");
  cr_expect(!b.failed);
  ipsf_buf_free(&b);
}

Test(buf, overflow_sets_failed_and_stops) {
  IpsfBuf b;
  ipsf_buf_init(&b);
  ipsf_buf_puts(&b, "keep");
  ipsf_buf_put(&b, "x", SIZE_MAX); /* cannot be allocated */
  cr_expect(b.failed);
  ipsf_buf_puts(&b, "more");
  ipsf_buf_printf(&b, "%d", 1);
  ipsf_buf_json_string(&b, "s");
  cr_expect_eq(b.len, 4);
  cr_expect_str_eq(b.data, "keep");
  ipsf_buf_free(&b);
  cr_expect(!b.failed);
}

Test(buf, json_null_and_plain) {
  expect_esc(NULL, "null");
  expect_esc("", "\"\"");
  expect_esc("abc / def", "\"abc / def\"");
  expect_esc("\x7f", "\"\x7f\"");
}

Test(buf, json_quotes_and_backslash) {
  expect_esc("a\"b", "\"a\\\"b\"");
  expect_esc("\\", "\"\\\\\"");
  expect_esc("\"\\\"", "\"\\\"\\\\\\\"\"");
}

Test(buf, json_every_control_char) {
  for (int c = 1; c < 0x20; c++) {
    char in[4] = {'<', (char)c, '>', 0};
    char want[16];
    const char *short_form = NULL;
    switch (c) {
    case '\b': short_form = "\\b"; break;
    case '\f': short_form = "\\f"; break;
    case '\n': short_form = "\\n"; break;
    case '\r': short_form = "\\r"; break;
    case '\t': short_form = "\\t"; break;
    default: break;
    }
    if (short_form)
      snprintf(want, sizeof want, "\"<%s>\"", short_form);
    else
      snprintf(want, sizeof want, "\"<\\u%04X>\"", c);
    expect_esc(in, want);
  }
  expect_esc("\x1f\x01", "\"\\u001F\\u0001\"");
}

Test(buf, json_utf8_passthrough) {
  expect_esc("caf\xC3\xA9", "\"caf\xC3\xA9\"");                 /* 2 bytes */
  expect_esc("\xE6\x97\xA5\xE6\x9C\xAC", "\"\xE6\x97\xA5\xE6\x9C\xAC\""); /* 3 bytes */
  expect_esc("\xF0\x9F\x94\x92 lock", "\"\xF0\x9F\x94\x92 lock\"");    /* 4 bytes */
  expect_esc("\xE2\x80\xA8", "\"\xE2\x80\xA8\"");               /* U+2028 kept */
}

/* ipsf_json_plain_span tests eight bytes at a time: every byte value at
 * every position of a 41-byte string, with plain bytes before it (a special
 * byte in any lane, and lanes above it, must not hide it or flag early),
 * against the byte-by-byte definition; and every length, so the word loop
 * never reads past n and the last, overlapping load of a string's tail
 * (sixteen or eight bytes ending at n) finds the same byte. */
Test(buf, json_plain_span_every_byte_every_position) {
  unsigned char s[41]; /* two SSE2 blocks, a word, a tail */
  for (unsigned pos = 0; pos < sizeof s; pos++)
    for (unsigned c = 0; c < 256; c++) {
      memset(s, 'a', sizeof s);
      s[pos] = (unsigned char)c;
      if (pos + 1 < sizeof s) s[pos + 1] = (unsigned char)(c ^ 0x80); /* noise above */
      size_t ref = 0;
      while (ref < sizeof s && s[ref] >= 0x20 && s[ref] < 0x80 && s[ref] != '"' && s[ref] != '\\')
        ref++;
      cr_assert_eq(ref, c >= 0x20 && c < 0x80 && c != '"' && c != '\\' ? ref : pos, "byte %#x", c);
      cr_assert_eq(ipsf_json_plain_span(s, sizeof s), ref, "byte %#x at %u", c, pos);
      for (size_t n = 0; n <= sizeof s; n++)
        cr_assert_eq(ipsf_json_plain_span(s, n), ref < n ? ref : n, "byte %#x at %u, n %zu", c,
                     pos, n);
    }
}

/* Long strings take the one-copy path when plain and the run-by-run path
 * otherwise: a quote, a control character or UTF-8 at each position. */
Test(buf, json_long_strings_every_position) {
  for (unsigned pos = 0; pos < 20; pos++) {
    char in[32], want[64];
    memset(in, 'x', 20);
    in[20] = 0;
    in[pos] = '"';
    snprintf(want, sizeof want, "\"%.*s\\\"%s\"", (int)pos, in, in + pos + 1);
    expect_esc(in, want);
    in[pos] = '\n';
    snprintf(want, sizeof want, "\"%.*s\\n%s\"", (int)pos, in, in + pos + 1);
    expect_esc(in, want);
    in[pos] = (char)0xFF;
    snprintf(want, sizeof want, "\"%.*s\xEF\xBF\xBD%s\"", (int)pos, in, in + pos + 1);
    expect_esc(in, want);
  }
}

Test(buf, json_invalid_utf8_replaced) {
  const char *fffd = "\xEF\xBF\xBD";
  char want[64];
  snprintf(want, sizeof want, "\"a%sb\"", fffd);
  expect_esc("a\xFF" "b", want);                 /* never a lead byte */
  expect_esc("a\x80" "b", want);                 /* lone continuation */
  expect_esc("a\xC0\xAF" "b", "\"a\xEF\xBF\xBD\xEF\xBF\xBD" "b\""); /* overlong */
  expect_esc("a\xED\xA0\x80" "b",
             "\"a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "b\""); /* surrogate */
  snprintf(want, sizeof want, "\"%s\"", fffd);
  expect_esc("\xE6\x97", "\"\xEF\xBF\xBD\xEF\xBF\xBD\""); /* truncated at end */
}

Test(buf, flush_writes_and_empties) {
  FILE *f = tmpfile();
  cr_assert_not_null(f);
  IpsfBuf b;
  ipsf_buf_init(&b);
  ipsf_buf_puts(&b, "one\n");
  cr_expect(ipsf_buf_flush(&b, f));
  cr_expect_eq(b.len, 0);
  ipsf_buf_puts(&b, "two\n");
  cr_expect(ipsf_buf_flush(&b, f));
  cr_expect(ipsf_buf_flush(&b, f)); /* nothing to write is fine */
  rewind(f);
  char line[16] = {0};
  size_t n = fread(line, 1, sizeof line - 1, f);
  cr_expect_eq(n, 8);
  cr_expect_str_eq(line, "one\ntwo\n");
  fclose(f);
  ipsf_buf_free(&b);
}

Test(buf, flush_reports_write_error) {
  FILE *f = fopen("/dev/full", "w");
  if (!f) cr_skip_test("no /dev/full");
  IpsfBuf b;
  ipsf_buf_init(&b);
  ipsf_buf_puts(&b, "data that cannot be written\n");
  cr_expect(!ipsf_buf_flush(&b, f));
  cr_expect_eq(b.len, 0);
  fclose(f);
  ipsf_buf_free(&b);
}

/* ---- util.h: the runtime's one UTF-8 check, FNV-1a and growth ------------- */

Test(util, utf8_seq_is_strict) {
  const unsigned char *u = (const unsigned char *)"\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80";
  cr_expect_eq(ipsf_utf8_seq(u, 9), 2);
  cr_expect_eq(ipsf_utf8_seq(u + 2, 7), 3);
  cr_expect_eq(ipsf_utf8_seq(u + 5, 4), 4);
  cr_expect_eq(ipsf_utf8_seq(u + 5, 3), 0, "truncated by avail");
  static const char *const bad[] = {"\xC0\xAF", "\xC1\xBF", "\xE0\x80\xAF", "\xED\xA0\x80",
                                    "\xF0\x80\x80\xAF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80",
                                    "\x80", "\xC3", "\xE6\x97"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    cr_expect_eq(ipsf_utf8_seq((const unsigned char *)bad[i], SIZE_MAX), 0, "bad %zu", i);
  cr_expect_eq(ipsf_utf8_seq((const unsigned char *)"a", 1), 1);
}

Test(util, utf8_bad_at_finds_nul_and_bad_bytes) {
  cr_expect_eq(ipsf_utf8_bad_at((const unsigned char *)"ab\xC3\xA9", 4), 4);
  cr_expect_eq(ipsf_utf8_bad_at((const unsigned char *)"ab\0c", 4), 2);
  cr_expect_eq(ipsf_utf8_bad_at((const unsigned char *)"ab\xC3", 3), 2);
  cr_expect_eq(ipsf_utf8_bad_at((const unsigned char *)"", 0), 0);
}

Test(util, fnv1a_reference_values) {
  cr_expect_eq(ipsf_fnv1a("", 0), 0x811c9dc5u);
  cr_expect_eq(ipsf_fnv1a("a", 1), 0xe40c292cu);
  cr_expect_eq(ipsf_fnv1a("foobar", 6), 0xbf9cf968u);
  uint32_t h = IPSF_FNV1A_INIT;
  for (const char *p = "foobar"; *p; p++) h = ipsf_fnv1a_step(h, (unsigned char)*p);
  cr_expect_eq(h, 0xbf9cf968u);
}

/* ipsf_mem_eq is memcmp(...) == 0 for every length and every differing
 * position (it loads words, overlapping at the end); the strings sit at the
 * end of their allocations, so a read past n shows under ASan. */
Test(util, mem_eq_is_memcmp_for_every_length_and_position) {
  for (size_t n = 0; n <= 40; n++) {
    char *a = malloc(n ? n : 1), *b = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++) a[i] = b[i] = (char)('a' + i % 26);
    cr_assert(ipsf_mem_eq(a, b, n), "n %zu", n);
    for (size_t k = 0; k < n; k++) {
      b[k] ^= 0x20;
      cr_assert(!ipsf_mem_eq(a, b, n), "n %zu, byte %zu differs", n, k);
      b[k] ^= 0x20;
    }
    free(a);
    free(b);
  }
}

/* ipsf_name_hash (the fact-name table's): equal bytes give equal hashes
 * wherever they sit; it reads only [s, s + n) (at the end of an allocation
 * here, for ASan); and names differing in one byte, or prefixes of one
 * another, spread over a 64-slot table rather than pile up. */
Test(util, name_hash_reads_n_bytes_and_spreads) {
  const char *name = "data_sensitivity_and_more_than_32_bytes";
  size_t len = strlen(name);
  for (size_t n = 0; n <= len; n++) {
    char *a = malloc(n ? n : 1), *b = malloc(n + 3);
    memcpy(a, name, n);
    memcpy(b + 3, name, n);
    cr_assert_eq(ipsf_name_hash(a, n), ipsf_name_hash(b + 3, n), "n %zu", n);
    free(a);
    free(b);
  }
  unsigned used[64] = {0}, distinct = 0;
  for (size_t n = 1; n <= len; n++) used[ipsf_name_hash(name, n) & 63]++;
  for (int c = 'a'; c <= 'z'; c++) {
    char v[12];
    memcpy(v, "usage_fact_", 11);
    v[11] = (char)c;
    used[ipsf_name_hash(v, 12) & 63]++;
    v[3] = (char)c;
    used[ipsf_name_hash(v, 12) & 63]++;
  }
  for (int i = 0; i < 64; i++) distinct += used[i] != 0;
  cr_expect_geq(distinct, 40, "%u of 64 slots used by 91 names", distinct);
}

Test(util, grow_doubles_and_stops_at_max) {
  size_t cap = 0;
  char *a = ipsf_grow(NULL, &cap, 1, 1, 16, 100);
  cr_assert_not_null(a);
  cr_expect_eq(cap, 16);
  a = ipsf_grow(a, &cap, 17, 1, 16, 100);
  cr_expect_eq(cap, 32);
  a = ipsf_grow(a, &cap, 70, 1, 16, 100);
  cr_expect_eq(cap, 100, "doubling stops at max");
  size_t before = cap;
  cr_expect_null(ipsf_grow(a, &cap, 101, 1, 16, 100), "need above max");
  cr_expect_eq(cap, before);
  size_t big = 0;
  cr_expect_null(ipsf_grow(NULL, &big, SIZE_MAX / 2, 4, 16, SIZE_MAX), "bytes overflow");
  cr_expect_eq(big, 0);
  free(a);
}
