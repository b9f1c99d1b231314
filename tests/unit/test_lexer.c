/*
 * test_lexer.c -- the scanner on its own (grammar/lexer.l through the
 * lexer_open/lexer_next API of parse_internal.h): every literal kind,
 * keywords, qualified names, requirement ids, and the lexical diagnostics
 * with their line:col.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "parse_internal.h"
#include "parser.h"

#define MAX_TOKS 128

typedef struct {
  SourceSet sources;
  Diags diags;
  Arena arena;
  LexToken toks[MAX_TOKS];
  int count; /* tokens before end of input */
} Lexed;

static Lexed *lex(const char *text) {
  Lexed *l = calloc(1, sizeof *l);
  sources_init(&l->sources);
  diags_init(&l->diags, &l->sources);
  arena_init(&l->arena);
  uint32_t id = sources_add(&l->sources, "t.ipsf", strdup(text), (uint32_t)strlen(text));
  Lexer *lx = lexer_open(&l->arena, &l->diags, &l->sources, id);
  LexToken t;
  while (lexer_next(lx, &t) != 0) {
    cr_assert_lt(l->count, MAX_TOKS);
    l->toks[l->count++] = t;
  }
  /* After the end, the end again, forever. */
  cr_assert_eq(lexer_next(lx, &t), 0);
  lexer_close(lx);
  return l;
}

static void done(Lexed *l) {
  diags_free(&l->diags);
  sources_free(&l->sources);
  arena_free(&l->arena);
  free(l);
}

/* The diagnostic i as "line:col: message". */
static char *diag_at(Lexed *l, size_t i) {
  static char buf[512];
  cr_assert_lt(i, l->diags.count);
  uint32_t line, col;
  sources_line_col(&l->sources, 0, l->diags.items[i].span.start, &line, &col);
  snprintf(buf, sizeof buf, "%u:%u: %s", (unsigned)line, (unsigned)col,
           l->diags.items[i].message);
  return buf;
}

Test(lexer, integers_with_underscores_and_hex) {
  Lexed *l = lex("42 1_000_000 0x1F 0X_ff 0xdead_BEEF 007 9223372036854775807 0x7FFF_FFFF_FFFF_FFFF");
  cr_assert_eq(l->count, 8);
  /* 0X_ff is not an integer: the underscore is not between digits. */
  int64_t want[] = {42, 1000000, 31, 0, 0xdeadbeefLL, 7, INT64_MAX, INT64_MAX};
  for (int i = 0; i < 8; i++) {
    cr_assert_eq(l->toks[i].kind, T_INT, "token %d", i);
    cr_assert_eq(l->toks[i].i, want[i], "token %d: %lld", i, (long long)l->toks[i].i);
  }
  cr_assert_eq(l->diags.errors, 1);
  cr_assert_str_eq(diag_at(l, 0), "1:19: invalid number '0X_ff'");
  done(l);
}

Test(lexer, numbers) {
  Lexed *l = lex("0.5 1e9 2.5e-3 1_000.25 6E+2");
  cr_assert_eq(l->count, 5);
  double want[] = {0.5, 1e9, 2.5e-3, 1000.25, 600.0};
  for (int i = 0; i < 5; i++) {
    cr_assert_eq(l->toks[i].kind, T_NUMBER, "token %d", i);
    cr_assert_float_eq(l->toks[i].n, want[i], 1e-12);
  }
  cr_assert_eq(l->diags.count, 0);
  done(l);
}

Test(lexer, two_to_the_63_is_scanned_as_int64_min) {
  Lexed *l = lex("9223372036854775808 0x8000_0000_0000_0000");
  cr_assert_eq(l->diags.errors, 0);
  cr_assert_eq(l->toks[0].kind, T_INT);
  cr_assert_eq(l->toks[0].i, INT64_MIN);
  cr_assert_eq(l->toks[1].i, INT64_MIN);
  done(l);
}

Test(lexer, integer_overflow_is_an_error_with_its_position) {
  /* 2^63 itself passes the scanner (the parser takes it after a unary
   * minus only, parser.y is_two63); one more is too large here. */
  Lexed *l = lex("let a =\n   9223372036854775809;\nlet b = 0x8000000000000001;");
  cr_assert_eq(l->diags.errors, 2);
  cr_assert_str_eq(diag_at(l, 0),
                   "2:4: integer literal is too large (the largest is 9223372036854775807)");
  cr_assert_str_eq(diag_at(l, 1),
                   "3:9: integer literal is too large (the largest is 9223372036854775807)");
  /* The span covers the whole literal; the token is still an integer. */
  Span s = l->diags.items[0].span;
  cr_assert_eq(s.end - s.start, 19);
  cr_assert_eq(l->toks[3].kind, T_INT);
  cr_assert_eq(l->toks[3].i, 0);
  done(l);
}

Test(lexer, number_out_of_range_and_malformed_numbers) {
  Lexed *l = lex("1e999 1__0 1_ 0x 12abc 1.");
  cr_assert_eq(l->count, 6);
  cr_assert_eq(l->diags.errors, 6);
  cr_assert_str_eq(diag_at(l, 0), "1:1: number literal is out of range");
  cr_assert_str_eq(diag_at(l, 1), "1:7: invalid number '1__0'");
  cr_assert_str_eq(diag_at(l, 2), "1:12: invalid number '1_'");
  cr_assert_str_eq(diag_at(l, 3), "1:15: invalid number '0x'");
  cr_assert_str_eq(diag_at(l, 4), "1:18: invalid number '12abc'");
  cr_assert_str_eq(diag_at(l, 5), "1:24: invalid number '1.'");
  done(l);
}

Test(lexer, string_escapes_are_decoded) {
  Lexed *l = lex("\"a\\\"b\\\\c\\nd\\te\" \"\\u{e9}\\u{20AC}\\u{1F600}\\u{41}\" \"caf\xc3\xa9\" \"\"");
  cr_assert_eq(l->count, 4);
  for (int i = 0; i < 4; i++) cr_assert_eq(l->toks[i].kind, T_STRING);
  cr_assert_str_eq(l->toks[0].text, "a\"b\\c\nd\te");
  cr_assert_str_eq(l->toks[1].text, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" "A");
  cr_assert_str_eq(l->toks[2].text, "caf\xc3\xa9");
  cr_assert_str_eq(l->toks[3].text, "");
  /* A string's span runs from quote to quote. */
  cr_assert_eq(l->toks[0].span.start, 0);
  cr_assert_eq(l->toks[0].span.end, 15);
  cr_assert_eq(l->diags.count, 0);
  done(l);
}

Test(lexer, bad_escapes_are_reported_and_the_string_survives) {
  Lexed *l = lex("let s = \"ab\\qc\";\nlet t = \"\\u{D800}\\u{110000}\\u{0}\\u41\";");
  cr_assert_eq(l->diags.errors, 5);
  cr_assert_str_eq(diag_at(l, 0),
                   "1:12: unknown escape sequence '\\q' (known: \\\" \\\\ \\n \\t \\u{...})");
  cr_assert_str_eq(diag_at(l, 1), "2:10: '\\u{D800}' is not a Unicode scalar value");
  cr_assert_str_eq(diag_at(l, 2), "2:18: '\\u{110000}' is not a Unicode scalar value");
  cr_assert_str_eq(diag_at(l, 3), "2:28: a string cannot contain a NUL character");
  cr_assert_str_eq(diag_at(l, 4),
                   "2:33: invalid escape: '\\u' must be followed by hex digits in braces, as in \\u{00e9}");
  cr_assert_eq(l->toks[3].kind, T_STRING);
  cr_assert_str_eq(l->toks[3].text, "abc");
  cr_assert_eq(l->toks[4].kind, ';');
  done(l);
}

Test(lexer, unterminated_string_at_end_of_line_and_of_file) {
  Lexed *l = lex("let a = \"abc\nlet b = 1;\nlet c = \"xyz");
  cr_assert_eq(l->diags.errors, 2);
  cr_assert_str_eq(diag_at(l, 0),
                   "1:9: unterminated string: missing '\"' before the end of the line");
  cr_assert_str_eq(diag_at(l, 1),
                   "3:9: unterminated string: missing '\"' before the end of the file");
  /* The string stops at the newline, and the next line scans normally. */
  cr_assert_eq(l->toks[3].kind, T_STRING);
  cr_assert_str_eq(l->toks[3].text, "abc");
  cr_assert_eq(l->toks[4].kind, KW_LET);
  cr_assert_eq(l->toks[l->count - 1].kind, T_STRING);
  cr_assert_str_eq(l->toks[l->count - 1].text, "xyz");
  done(l);
}

Test(lexer, comments_are_skipped_and_unterminated_comment_reported) {
  Lexed *l = lex("a // line comment \"not a string\n/* block\n * comment */ b /* open\n");
  cr_assert_eq(l->count, 2);
  cr_assert_str_eq(l->toks[0].text, "a");
  cr_assert_str_eq(l->toks[1].text, "b");
  cr_assert_eq(l->diags.errors, 1);
  cr_assert_str_eq(diag_at(l, 0), "3:17: unterminated comment: '/*' has no matching '*/'");
  done(l);
}

Test(lexer, invalid_utf8_and_stray_characters) {
  Lexed *l = lex("a @ b\n\"x\xffy\" \xc3\xa9 \xfe // \xc0\n\x01");
  cr_assert_eq(l->diags.errors, 6);
  cr_assert_str_eq(diag_at(l, 0), "1:3: unexpected character '@'");
  cr_assert_str_eq(diag_at(l, 1), "2:3: invalid UTF-8 byte 0xff in a string");
  /* a non-ASCII letter is one error for the whole would-be name */
  cr_assert_str_eq(diag_at(l, 2), "2:7: '\xc3\xa9' is not a name: names are ASCII letters, "
                                  "digits and '_' (non-ASCII text goes in strings)");
  cr_assert_str_eq(diag_at(l, 3), "2:10: invalid UTF-8 byte 0xfe");
  cr_assert_str_eq(diag_at(l, 4), "2:15: invalid UTF-8 byte 0xc0 in a comment");
  cr_assert_str_eq(diag_at(l, 5), "3:1: unexpected character U+0001");
  /* Scanning went on: a, b, the string and the would-be name are there. */
  cr_assert_eq(l->count, 4);
  cr_assert_str_eq(l->toks[2].text, "xy");
  cr_assert_str_eq(l->toks[3].text, "\xc3\xa9");
  done(l);
}

Test(lexer, qualified_names_are_one_identifier) {
  Lexed *l = lex("etsi.R_5_1_1 a.b.c pack.x _x9 packs");
  cr_assert_eq(l->count, 5);
  const char *want[] = {"etsi.R_5_1_1", "a.b.c", "pack.x", "_x9", "packs"};
  for (int i = 0; i < 5; i++) {
    cr_assert_eq(l->toks[i].kind, T_IDENT);
    cr_assert_str_eq(l->toks[i].text, want[i]);
  }
  cr_assert_eq(l->toks[0].span.start, 0);
  cr_assert_eq(l->toks[0].span.end, 12);
  done(l);
}

Test(lexer, every_keyword_is_reserved) {
  static const struct { const char *word; int kind; } kw[] = {
      {"pack", KW_PACK}, {"version", KW_VERSION}, {"import", KW_IMPORT}, {"as", KW_AS},
      {"facts", KW_FACTS}, {"type", KW_TYPE}, {"let", KW_LET}, {"fn", KW_FN},
      {"scale", KW_SCALE}, {"axis", KW_AXIS}, {"rules", KW_RULES}, {"policy", KW_POLICY},
      {"when", KW_WHEN}, {"because", KW_BECAUSE}, {"otherwise", KW_OTHERWISE},
      {"viewpoint", KW_VIEWPOINT}, {"ref", KW_REF}, {"applies", KW_APPLIES},
      {"always", KW_ALWAYS}, {"confirm", KW_CONFIRM}, {"every", KW_EVERY},
      {"months", KW_MONTHS}, {"month", KW_MONTH}, {"party", KW_PARTY}, {"doc", KW_DOC},
      {"test", KW_TEST}, {"given", KW_GIVEN}, {"profile", KW_PROFILE}, {"expect", KW_EXPECT},
      {"with", KW_WITH}, {"not", KW_NOT}, {"and", KW_AND}, {"or", KW_OR}, {"in", KW_IN},
      {"if", KW_IF}, {"then", KW_THEN}, {"else", KW_ELSE}, {"true", KW_TRUE},
      {"false", KW_FALSE}, {"bool", KW_BOOL}, {"int", KW_INT}, {"number", KW_NUMBER},
      {"string", KW_STRING}, {"enum", KW_ENUM}, {"set", KW_SET}, {"of", KW_OF},
      {"extern", KW_EXTERN}, {"requirement", KW_REQUIREMENT}, {"requires", KW_REQUIRES},
      {"satisfied_by", KW_SATISFIED_BY}};
  for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++) {
    Lexed *l = lex(kw[i].word);
    cr_assert_eq(l->count, 1, "%s", kw[i].word);
    cr_assert_eq(l->toks[0].kind, kw[i].kind, "%s", kw[i].word);
    done(l);
  }
  /* `error` is not a keyword (expect error "..."). */
  Lexed *l = lex("error");
  cr_assert_eq(l->toks[0].kind, T_IDENT);
  done(l);
}

Test(lexer, operators_and_punctuation) {
  Lexed *l = lex("== != <= >= -> < > = + - * / % ; , : { } ( )");
  int want[] = {T_EQ, T_NE, T_LE, T_GE, T_ARROW, '<', '>', '=', '+', '-', '*', '/', '%',
                ';', ',', ':', '{', '}', '(', ')'};
  cr_assert_eq(l->count, (int)(sizeof want / sizeof want[0]));
  for (int i = 0; i < l->count; i++) cr_assert_eq(l->toks[i].kind, want[i], "token %d", i);
  cr_assert_eq(l->diags.count, 0);
  done(l);
}

Test(lexer, requirement_ids_only_after_the_three_keywords) {
  Lexed *l = lex("requirement SH-01 requires /* c */ // d\n ETSI-5.1-1 satisfied_by x.y-2 SH-01");
  cr_assert_eq(l->count, 9);
  cr_assert_eq(l->toks[0].kind, KW_REQUIREMENT);
  cr_assert_eq(l->toks[1].kind, T_REQID);
  cr_assert_str_eq(l->toks[1].text, "SH-01");
  cr_assert_eq(l->toks[2].kind, KW_REQUIRES);
  cr_assert_eq(l->toks[3].kind, T_REQID);
  cr_assert_str_eq(l->toks[3].text, "ETSI-5.1-1");
  cr_assert_eq(l->toks[4].kind, KW_SATISFIED_BY);
  cr_assert_eq(l->toks[5].kind, T_REQID);
  cr_assert_str_eq(l->toks[5].text, "x.y-2");
  /* Elsewhere SH-01 is a name, a minus and an integer. */
  cr_assert_eq(l->toks[6].kind, T_IDENT);
  cr_assert_eq(l->toks[7].kind, '-');
  cr_assert_eq(l->toks[8].kind, T_INT);
  cr_assert_eq(l->toks[8].i, 1);
  cr_assert_eq(l->diags.count, 0);
  done(l);
}

Test(lexer, no_requirement_id_where_none_can_start) {
  /* After `requires`, a token that cannot start an id is scanned normally. */
  Lexed *l = lex("requires \"x\" requirement 5");
  cr_assert_eq(l->count, 4);
  cr_assert_eq(l->toks[1].kind, T_STRING);
  cr_assert_eq(l->toks[3].kind, T_INT);
  done(l);
}

Test(lexer, spans_are_byte_offsets) {
  Lexed *l = lex("let  x =\n\t42;");
  cr_assert_eq(l->count, 5);
  cr_assert_eq(l->toks[1].span.start, 5);
  cr_assert_eq(l->toks[1].span.end, 6);
  cr_assert_eq(l->toks[3].span.start, 10);
  cr_assert_eq(l->toks[3].span.end, 12);
  cr_assert_eq(l->toks[3].span.file, 0);
  done(l);
}
