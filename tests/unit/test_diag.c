/*
 * test_diag.c -- compiler/diag.c (line tables, the collector, sorting, the
 * gcc-style printer and its caret) and compiler/arena.c.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"

typedef struct {
  SourceSet sources;
  Diags diags;
} World;

static World *world(const char *path, const char *text) {
  World *w = calloc(1, sizeof *w);
  sources_init(&w->sources);
  diags_init(&w->diags, &w->sources);
  if (text) sources_add(&w->sources, path, strdup(text), (uint32_t)strlen(text));
  return w;
}

static void done(World *w) {
  diags_free(&w->diags);
  sources_free(&w->sources);
  free(w);
}

/* What diags_print writes, as a malloc'd string. */
static char *printed(World *w, bool color) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  cr_assert_not_null(f);
  diags_print(&w->diags, f, color);
  fclose(f);
  return buf;
}

static void expect_printed(World *w, const char *want) {
  char *got = printed(w, false);
  cr_assert_str_eq(got, want);
  free(got);
}

static Span at(uint32_t start, uint32_t end) { return (Span){0, start, end}; }

Test(diag, line_and_column) {
  World *w = world("a.ipsf", "ab\ncd\n\nxyz");
  uint32_t line, col;
  uint32_t cases[][3] = {{0, 1, 1}, {1, 1, 2}, {2, 1, 3}, {3, 2, 1}, {6, 3, 1},
                         {7, 4, 1}, {10, 4, 4}, {99, 4, 4}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sources_line_col(&w->sources, 0, cases[i][0], &line, &col);
    cr_assert_eq(line, cases[i][1], "offset %u", cases[i][0]);
    cr_assert_eq(col, cases[i][2], "offset %u", cases[i][0]);
  }
  cr_assert_eq(w->sources.items[0]->line_count, 4);
  done(w);
}

Test(diag, error_with_caret_and_tildes) {
  World *w = world("pack.ipsf", "let x = 1;\nlet yy = oops + 2;\n");
  diag_error(&w->diags, at(20, 24), "unknown name '%s'", "oops");
  cr_assert_eq(w->diags.errors, 1);
  expect_printed(w, "pack.ipsf:2:10: error: unknown name 'oops'\n"
                    "let yy = oops + 2;\n"
                    "         ^~~~\n");
  done(w);
}

Test(diag, tabs_are_copied_into_the_caret_line) {
  World *w = world("t.ipsf", "\tlet\tx = 1;\n");
  diag_warning(&w->diags, at(5, 6), "unused let 'x'");
  cr_assert_eq(w->diags.warnings, 1);
  expect_printed(w, "t.ipsf:1:6: warning: unused let 'x'\n"
                    "\tlet\tx = 1;\n"
                    "\t   \t^\n");
  done(w);
}

Test(diag, multibyte_characters_take_one_column) {
  World *w = world("u.ipsf", "\"caf\xc3\xa9\" + 1\n");
  diag_error(&w->diags, at(0, 7), "a string");
  diag_note(&w->diags, at(10, 11), "here");
  expect_printed(w, "u.ipsf:1:1: error: a string\n"
                    "\"caf\xc3\xa9\" + 1\n"
                    "^~~~~~\n"
                    "u.ipsf:1:11: note: here\n"
                    "\"caf\xc3\xa9\" + 1\n"
                    "         ^\n");
  done(w);
}

Test(diag, zero_width_span_at_end_of_file) {
  /* jq issue #3348: a zero-width span at EOF still gets a one-char caret. */
  World *w = world("eof.ipsf", "let x = 1");
  diag_error(&w->diags, at(9, 9), "expected ';', found end of file");
  expect_printed(w, "eof.ipsf:1:10: error: expected ';', found end of file\n"
                    "let x = 1\n"
                    "         ^\n");
  done(w);
}

Test(diag, zero_width_span_after_the_last_newline) {
  World *w = world("eof.ipsf", "facts {\n");
  diag_error(&w->diags, at(8, 8), "expected '}'");
  expect_printed(w, "eof.ipsf:2:1: error: expected '}'\n"
                    "\n"
                    "^\n");
  done(w);
}

Test(diag, empty_file) {
  World *w = world("empty.ipsf", "");
  diag_error(&w->diags, at(0, 0), "empty");
  expect_printed(w, "empty.ipsf:1:1: error: empty\n\n^\n");
  done(w);
}

Test(diag, multi_line_span_underlines_to_the_end_of_its_first_line) {
  World *w = world("m.ipsf", "rules r {\n  fatal when x;\n}\r\nlet a = 1;\n");
  diag_error(&w->diags, at(6, 27), "rules without 'otherwise'");
  diag_error(&w->diags, at(26, 27), "crlf");
  expect_printed(w, "m.ipsf:1:7: error: rules without 'otherwise'\n"
                    "rules r {\n"
                    "      ^~~\n"
                    "m.ipsf:3:1: error: crlf\n"
                    "}\n"
                    "^\n");
  done(w);
}

Test(diag, no_file_and_levels) {
  World *w = world(NULL, NULL);
  diag_error(&w->diags, ((Span){SPAN_NO_FILE, 0, 0}), "cannot open '%s'", "x.ipsf");
  diag_warning(&w->diags, ((Span){SPAN_NO_FILE, 0, 0}), "w");
  diag_note(&w->diags, ((Span){SPAN_NO_FILE, 0, 0}), "n");
  expect_printed(w, "ipsfc: error: cannot open 'x.ipsf'\n"
                    "ipsfc: warning: w\n"
                    "ipsfc: note: n\n");
  cr_assert_eq(w->diags.errors, 1);
  cr_assert_eq(w->diags.warnings, 1);
  done(w);
}

Test(diag, colors_like_gcc) {
  World *w = world("c.ipsf", "x\n");
  diag_error(&w->diags, at(0, 1), "bad");
  diag_warning(&w->diags, at(0, 1), "meh");
  char *got = printed(w, true);
  cr_assert(strstr(got, "\033[1mc.ipsf:1:1: \033[1;31merror:\033[0m bad\n") != NULL, "%s", got);
  cr_assert(strstr(got, "\033[1;35mwarning:\033[0m meh\n") != NULL, "%s", got);
  cr_assert(strstr(got, "\033[1;32m^\033[0m\n") != NULL, "%s", got);
  free(got);
  done(w);
}

Test(diag, sort_is_stable_and_notes_follow_their_error) {
  World *w = world("s.ipsf", "aaaa\nbbbb\ncccc\n");
  sources_add(&w->sources, "t.ipsf", strdup("zz\n"), 3);
  diag_error(&w->diags, ((Span){1, 0, 1}), "other file");
  diag_error(&w->diags, at(10, 11), "third line");
  diag_error(&w->diags, at(5, 6), "second line");
  diag_note(&w->diags, at(0, 1), "note of second line");
  diag_error(&w->diags, at(5, 6), "second line again");
  diag_error(&w->diags, ((Span){SPAN_NO_FILE, 0, 0}), "no file");
  diag_error(&w->diags, at(0, 1), "first line");
  diags_sort(&w->diags);
  const char *want[] = {"first line", "second line", "note of second line",
                        "second line again", "third line", "other file", "no file"};
  cr_assert_eq(w->diags.count, 7);
  for (size_t i = 0; i < 7; i++) cr_assert_str_eq(w->diags.items[i].message, want[i]);
  done(w);
}

Test(diag, long_messages_are_kept_whole) {
  World *w = world("l.ipsf", "x");
  char big[3000];
  memset(big, 'm', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  diag_error(&w->diags, at(0, 1), "%s", big);
  cr_assert_eq(strlen(w->diags.items[0].message), sizeof big - 1);
  done(w);
}

Test(arena, allocations_are_zeroed_aligned_and_survive_growth) {
  Arena a;
  arena_init(&a);
  char *first = arena_strdup(&a, "first");
  for (int i = 0; i < 10000; i++) {
    long double *p = arena_alloc(&a, sizeof *p * 3);
    cr_assert_eq((uintptr_t)p % _Alignof(max_align_t), 0);
    cr_assert_eq(p[2], 0.0L);
    p[2] = 1.0L;
  }
  char *big = arena_alloc(&a, 1 << 20);
  cr_assert_eq(big[(1 << 20) - 1], 0);
  cr_assert_str_eq(first, "first");
  cr_assert_str_eq(arena_strndup(&a, "abcdef", 3), "abc");
  cr_assert_str_eq(arena_printf(&a, "%s-%d", "x", 42), "x-42");
  PtrVec v = {0};
  for (intptr_t i = 0; i < 1000; i++) ptrvec_push(&a, &v, (void *)i);
  cr_assert_eq(v.count, 1000);
  cr_assert_eq((intptr_t)v.items[999], 999);
  arena_free(&a);
  cr_assert_null(a.head);
}

Test(arena, overflowing_sizes_exit_with_status_4, .exit_code = 4) {
  Arena a;
  arena_init(&a);
  arena_array(&a, SIZE_MAX / 2, 4);
}

Test(arena, xrealloc_overflow_exits_with_status_4, .exit_code = 4) {
  xrealloc_array(NULL, SIZE_MAX / 8, 16);
}

/* A source line is untrusted text: its control bytes (ESC retitling the
 * terminal, BEL), C1 controls and invalid UTF-8 are shown escaped, and the
 * caret still sits under the span (each escape takes its own width). */
Test(diag, control_bytes_in_the_source_line_are_escaped_and_the_caret_follows) {
  World *w = world("e.ipsf", "x \x1b]0;pwned\x07 \xc2\x9b\xff\tbad = 1;\n");
  /* "bad" starts at byte 17: after x, ' ', ESC ]0;pwned BEL ' ' C1(2) 0xff tab */
  diag_error(&w->diags, at(17, 20), "unknown name '%s'", "b\x1b[2Jad");
  expect_printed(w, "e.ipsf:1:18: error: unknown name 'b\\x1b[2Jad'\n"
                    "x \\x1b]0;pwned\\x07 \\u009b\\xff\tbad = 1;\n"
                    "                             \t^~~\n");
  done(w);
}

/* A span on an escaped character underlines all of its escape. */
Test(diag, a_span_on_an_escaped_byte_underlines_its_escape) {
  World *w = world("e.ipsf", "a\x1b" "b\n");
  diag_error(&w->diags, at(1, 2), "stray byte");
  expect_printed(w, "e.ipsf:1:2: error: stray byte\n"
                    "a\\x1bb\n"
                    " ^~~~\n");
  done(w);
}

/* The path (an import names it) is escaped too. */
Test(diag, the_path_is_escaped) {
  World *w = world("m\x1b[2J.ipsf", "x\n");
  diag_error(&w->diags, at(0, 1), "here");
  expect_printed(w, "m\\x1b[2J.ipsf:1:1: error: here\n"
                    "x\n"
                    "^\n");
  done(w);
}
