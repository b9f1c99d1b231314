/*
 * test_escape.c -- runtime/escape.c: the display form of untrusted text.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

static char *escaped(const char *s, size_t len, unsigned flags) {
  IpsfBuf b;
  ipsf_buf_init(&b);
  ipsf_escape_buf(&b, s, len, flags);
  cr_assert(!b.failed);
  char *out = strdup(b.data ? b.data : "");
  ipsf_buf_free(&b);
  return out;
}

static void expect(const char *in, size_t len, unsigned flags, const char *want, size_t width) {
  char *got = escaped(in, len, flags);
  cr_expect_str_eq(got, want);
  cr_expect_eq(ipsf_escape_width(in, len, flags), width, "width of '%s'", want);
  /* the FILE form writes the same bytes */
  char *fb = NULL;
  size_t fl = 0;
  FILE *f = open_memstream(&fb, &fl);
  cr_assert_not_null(f);
  ipsf_escape_file(f, in, len, flags);
  fclose(f);
  cr_expect_str_eq(fb, want);
  free(fb);
  free(got);
}

#define EXPECT(lit, flags, want, width) expect(lit, sizeof lit - 1, flags, want, width)

Test(escape, plain_text_and_utf8_are_kept) {
  EXPECT("", 0, "", 0);
  EXPECT("abc \\ 'x'", 0, "abc \\ 'x'", 9);
  EXPECT("caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x94\x92", 0, "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x94\x92", 8);
  EXPECT("\xc2\xa0", 0, "\xc2\xa0", 1); /* U+00A0, just past C1 */
}

Test(escape, c0_del_and_esc) {
  EXPECT("\x1b]0;title\x07", 0, "\\x1b]0;title\\x07", 16);
  EXPECT("a\nb\rc\x7f", 0, "a\\x0ab\\x0dc\\x7f", 15);
  EXPECT("\0x", 0, "\\x00x", 5);
  EXPECT("\tx", 0, "\\x09x", 5);
  EXPECT("\tx", IPSF_ESC_KEEP_TAB, "\tx", 2);
}

Test(escape, c1_and_bidi_controls) {
  EXPECT("\xc2\x80\xc2\x9b\xc2\x9f", 0, "\\u0080\\u009b\\u009f", 18);
  EXPECT("\xe2\x80\xae" "x\xe2\x81\xa6", 0, "\\u202ex\\u2066", 13);
  EXPECT("\xe2\x80\xa9", 0, "\xe2\x80\xa9", 1); /* U+2029, not an override */
}

Test(escape, invalid_utf8_byte_by_byte) {
  EXPECT("\x9b" "2J", 0, "\\x9b2J", 6);          /* lone continuation: 8-bit CSI */
  EXPECT("\xc0\xaf", 0, "\\xc0\\xaf", 8);       /* overlong '/' */
  EXPECT("\xed\xa0\x80", 0, "\\xed\\xa0\\x80", 12); /* a surrogate */
  EXPECT("\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80", 16); /* above U+10FFFF */
  EXPECT("\xe6\x97", 0, "\\xe6\\x97", 8);       /* truncated */
  EXPECT("\xff", 0, "\\xff", 4);
}

Test(escape, units) {
  char esc[IPSF_ESCAPE_MAX];
  cr_expect_eq(ipsf_escape_unit("\xe6\x97\xa5", 3, 0, esc), 3);
  cr_expect_str_eq(esc, "");
  cr_expect_eq(ipsf_escape_unit("\xe6\x97\xa5", 2, 0, esc), 1);
  cr_expect_str_eq(esc, "\\xe6");
  cr_expect_eq(ipsf_escape_unit("\x1b", 1, 0, esc), 1);
  cr_expect_str_eq(esc, "\\x1b");
}

Test(escape, fputs_null_is_nothing) {
  char *fb = NULL;
  size_t fl = 0;
  FILE *f = open_memstream(&fb, &fl);
  cr_assert_not_null(f);
  ipsf_escape_fputs(f, NULL);
  ipsf_escape_fputs(f, "a\x1b");
  fclose(f);
  cr_expect_str_eq(fb, "a\\x1b");
  free(fb);
}

/* Runs of printable ASCII are taken without ipsf_escape_unit: every byte
 * value between plain text, with and without the tab flag, gives what the
 * unit-by-unit definition gives (bytes and width). */
Test(escape, every_byte_between_plain_text_as_unit_by_unit) {
  for (unsigned flags = 0; flags <= IPSF_ESC_KEEP_TAB; flags += IPSF_ESC_KEEP_TAB)
    for (unsigned c = 0; c < 256; c++) {
      char in[8] = {'a', '~', ' ', (char)c, 'z', '}', (char)c, '!'};
      IpsfBuf want;
      ipsf_buf_init(&want);
      size_t width = 0;
      char esc[IPSF_ESCAPE_MAX];
      for (size_t i = 0; i < sizeof in;) {
        size_t n = ipsf_escape_unit(in + i, sizeof in - i, flags, esc);
        if (esc[0]) ipsf_buf_puts(&want, esc), width += strlen(esc);
        else ipsf_buf_put(&want, in + i, n), width += 1;
        i += n;
      }
      char *got = escaped(in, sizeof in, flags);
      cr_assert_eq(strlen(got), want.len, "byte %#x, flags %u", c, flags);
      cr_assert(memcmp(got, want.data, want.len) == 0, "byte %#x, flags %u", c, flags);
      cr_assert_eq(ipsf_escape_width(in, sizeof in, flags), width, "byte %#x, flags %u", c, flags);
      free(got);
      ipsf_buf_free(&want);
    }
}
