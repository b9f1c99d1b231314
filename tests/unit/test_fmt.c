/*
 * test_fmt.c -- the canonical layout (compiler/fmt.c): each construct's
 * layout, alignment and filling, minimal parentheses, literals kept as
 * written, strings escaped canonically, comments kept where they were
 * (and counted), blank lines, files that do not parse, and idempotence:
 * every output of this file is formatted a second time and must come back
 * unchanged.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"

typedef struct {
  FmtStatus status;
  char *text;
  char *error;
  size_t errors;
} Result;

static Result run(const char *src) {
  SourceSet s;
  sources_init(&s);
  Diags d;
  diags_init(&d, &s);
  FmtOutput out;
  Result r = {0};
  r.status = fmt_text("t.ipsf", src, strlen(src), &d, &s, &out);
  r.text = out.text ? strdup(out.text) : NULL;
  r.error = out.error ? strdup(out.error) : NULL;
  r.errors = d.errors;
  fmt_output_free(&out);
  diags_free(&d);
  sources_free(&s);
  return r;
}

/* Format, check that formatting again changes nothing, return the text. */
static char *fmt(const char *src) {
  Result r = run(src);
  if (r.status != FMT_OK) cr_log_error("fmt failed: %s", r.error ? r.error : "syntax errors");
  cr_assert_eq(r.status, FMT_OK);
  Result again = run(r.text);
  cr_assert_eq(again.status, FMT_OK);
  cr_assert_str_eq(again.text, r.text, "not idempotent:\n%s\nthen:\n%s", r.text, again.text);
  cr_assert_eq(fmt_count_comments(r.text, strlen(r.text)), fmt_count_comments(src, strlen(src)));
  free(again.text);
  free(r.error);
  return r.text;
}

static void expect_fmt(const char *src, const char *want) {
  char *got = fmt(src);
  cr_assert_str_eq(got, want, "got:\n%s\nwanted:\n%s", got, want);
  free(got);
}

/* ---- declarations ---------------------------------------------------------------- */

Test(fmt, pack_header_entries_aligned) {
  expect_fmt("pack \"a.b\" version \"1.0.0\" { title \"T\"; authority\"A\";description \"D\"; }",
             "pack \"a.b\" version \"1.0.0\" {\n"
             "  title       \"T\";\n"
             "  authority   \"A\";\n"
             "  description \"D\";\n"
             "}\n");
  expect_fmt("pack \"a.b\" version \"1.0.0\" {}", "pack \"a.b\" version \"1.0.0\" { }\n");
}

Test(fmt, imports_types_lets_fns) {
  expect_fmt("import \"ssf\";import \"lib/x.ipsf\"   as  x ;\n"
             "type  band=enum{low,mid,high,};\n"
             "let a=1+2*3;\n"
             "fn f(a:int,b:band)->bool=a>1 and b>=mid;\n",
             "import \"ssf\";\n"
             "import \"lib/x.ipsf\" as x;\n"
             "type band = enum { low, mid, high };\n"
             "let a = 1 + 2 * 3;\n"
             "fn f(a: int, b: band) -> bool = a > 1 and b >= mid;\n");
}

Test(fmt, facts_types_aligned_in_groups) {
  expect_fmt("facts {\n"
             "  a: int = 0;\n"
             "  longer_name: set of enum { x, y } = {} \"doc\";\n"
             "\n\n"
             "  b: bool;\n"
             "  cc: enum { p, q } unordered = p;\n"
             "}\n",
             "facts {\n"
             "  a:           int = 0;\n"
             "  longer_name: set of enum { x, y } = {} \"doc\";\n"
             "\n"
             "  b:  bool;\n"
             "  cc: enum { p, q } unordered = p;\n"
             "}\n");
  expect_fmt("facts {}", "facts { }\n");
}

Test(fmt, fact_doc_on_a_continuation_line_when_too_long) {
  expect_fmt("facts { harm: enum { none, minor_injury, serious_injury, death } = none "
             "\"Worst plausible harm to a person if attacked\"; }",
             "facts {\n"
             "  harm: enum { none, minor_injury, serious_injury, death } = none\n"
             "      \"Worst plausible harm to a person if attacked\";\n"
             "}\n");
}

Test(fmt, long_enum_filled_after_its_brace) {
  expect_fmt("type t = enum { aaaaaaaaaa, bbbbbbbbbb, cccccccccc, dddddddddd, eeeeeeeeee, "
             "ffffffffff, ggggggggggggg, hhhhhhhhhh, iiiiiiiiii };",
             "type t = enum { aaaaaaaaaa, bbbbbbbbbb, cccccccccc, dddddddddd, eeeeeeeeee, ffffffffff,\n"
             "                ggggggggggggg, hhhhhhhhhh, iiiiiiiiii };\n");
}

Test(fmt, scales_axes_viewpoints) {
  expect_fmt("scale s {a,b,c,}\naxis 1 r { l, f }\n"
             "viewpoint v \"Title\" { m1, m2 }\n",
             "scale s { a, b, c }\n"
             "axis 1 r { l, f }\n"
             "\n"
             "viewpoint v \"Title\" {\n"
             "  m1, m2\n"
             "}\n");
}

Test(fmt, rules_when_aligned_because_inline_when_all_fit) {
  expect_fmt("rules r policy first {\n"
             "fatal when a > 1 because \"x\";\n"
             "serious when b because \"yy\";\n"
             "limited when c;\n"
             "}\n",
             "rules r policy first {\n"
             "  fatal   when a > 1 because \"x\";\n"
             "  serious when b     because \"yy\";\n"
             "  limited when c;\n"
             "}\n");
}

Test(fmt, rules_because_all_on_continuation_lines_when_one_does_not_fit) {
  expect_fmt("rules r {\n"
             "fatal when a > 1 because \"x\";\n"
             "serious when b because \"a reason long enough that this line of the block cannot "
             "hold it whole\";\n"
             "}\n",
             "rules r {\n"
             "  fatal   when a > 1\n"
             "          because \"x\";\n"
             "  serious when b\n"
             "          because \"a reason long enough that this line of the block cannot hold it "
             "whole\";\n"
             "}\n");
}

Test(fmt, rules_otherwise_last_and_one_line_block) {
  expect_fmt("rules r { otherwise l; a when x; }\nrules e {otherwise limited;}\n"
             "rules m policy worst allow nonmonotone { otherwise l; }",
             "rules r {\n"
             "  a when x;\n"
             "  otherwise l;\n"
             "}\n"
             "\n"
             "rules e { otherwise limited; }\n"
             "rules m policy worst allow nonmonotone { otherwise l; }\n");
}

Test(fmt, requirement_items) {
  expect_fmt("requirement SH-01 \"t\" { viewpoint pre_operation; ref \"ETSI 5.1-1\"; ref ETSI-5.1-1;"
             " applies always; confirm a; confirm b every 1 months; confirm c every 0x0C month when x;"
             " party operator; doc \"d\"; }\n"
             "requirement SH-02 \"u\" { applies when x or y; }\n",
             "requirement SH-01 \"t\" {\n"
             "  viewpoint pre_operation;\n"
             "  ref \"ETSI 5.1-1\";\n"
             "  ref ETSI-5.1-1;\n"
             "  applies always;\n"
             "  confirm a;\n"
             "  confirm b every 1 month;\n"
             "  confirm c every 0x0C months when x;\n"
             "  party operator;\n"
             "  doc \"d\";\n"
             "}\n"
             "\n"
             "requirement SH-02 \"u\" {\n"
             "  applies when x or y;\n"
             "}\n");
}

Test(fmt, tests_given_profile_expects) {
  expect_fmt("test \"t\" { given { a: 1, b: { x, y }, } profile \"p\" expect r == fatal;"
             " expect requires SH-01 with m; expect not requires SH-02; expect viewpoint v;"
             " expect error \"boom\"; }",
             "test \"t\" {\n"
             "  given { a: 1, b: { x, y } }\n"
             "  profile \"p\";\n"
             "  expect r == fatal;\n"
             "  expect requires SH-01 with m;\n"
             "  expect not requires SH-02;\n"
             "  expect viewpoint v;\n"
             "  expect error \"boom\";\n"
             "}\n");
}

Test(fmt, long_given_filled_after_its_brace) {
  expect_fmt("test \"t\" { given { role: basic_control, site: discrete_manufacturing, harm_life: "
             "minor_injury, production_loss_jpy: 16_000_000 } }",
             "test \"t\" {\n"
             "  given { role: basic_control, site: discrete_manufacturing, harm_life: minor_injury,\n"
             "          production_loss_jpy: 16_000_000 }\n"
             "}\n");
}

Test(fmt, catalog_entries_and_provisions) {
  expect_fmt("catalog \"C\" version \"1\" { source \"s\"; url \"u\";\n"
             "provision C-1 \"1\" \"One\" mandatory; provision C-2 \"2\" \"Two\" recommended "
             "satisfied_by C-1, X-9; }",
             "catalog \"C\" version \"1\" {\n"
             "  source \"s\";\n"
             "  url    \"u\";\n"
             "  provision C-1 \"1\" \"One\" mandatory;\n"
             "  provision C-2 \"2\" \"Two\" recommended satisfied_by C-1, X-9;\n"
             "}\n");
}

Test(fmt, long_satisfied_by_on_a_continuation_line) {
  expect_fmt("catalog \"C\" version \"1\" { provision PSTI-1 \"Schedule 1, requirement 1\" "
             "\"Passwords unique per product\" mandatory satisfied_by ETSI-5.1-1, ETSI-5.1-2; }",
             "catalog \"C\" version \"1\" {\n"
             "  provision PSTI-1 \"Schedule 1, requirement 1\" \"Passwords unique per product\" "
             "mandatory\n"
             "      satisfied_by ETSI-5.1-1, ETSI-5.1-2;\n"
             "}\n");
}

Test(fmt, extern_declaration) {
  expect_fmt("extern \"libm.so.6\" fn cbrt( number )->number as \"cbrt\";",
             "extern \"libm.so.6\" fn cbrt(number) -> number as \"cbrt\";\n");
}

/* ---- expressions -------------------------------------------------------------- */

Test(fmt, minimal_parentheses) {
  expect_fmt("let a = ((x + y)) * (z) - (1 - (2 - 3));\n"
             "let b = not (p > 1) and (q or r);\n"
             "let c = -(x * y) + -x - -1;\n"
             "let d = (a or b) or (c and d);\n"
             "let e = (x in { a, b }) == true;\n",
             "let a = (x + y) * z - (1 - (2 - 3));\n"
             "let b = not p > 1 and (q or r);\n"
             "let c = -(x * y) + -x - -1;\n"
             "let d = a or b or c and d;\n"
             "let e = (x in { a, b }) == true;\n");
}

Test(fmt, if_expressions) {
  expect_fmt("let a = if p then (if q then 1 else 2) else if r then 3 else 4;\n"
             "let b = 1 + (if p then 1 else 2);\n"
             "let c = f(if p then 1 else 2, {});\n",
             "let a = if p then (if q then 1 else 2) else if r then 3 else 4;\n"
             "let b = 1 + (if p then 1 else 2);\n"
             "let c = f(if p then 1 else 2, {});\n");
}

Test(fmt, literals_keep_their_source_text) {
  expect_fmt("let a = 1_000_000 + 0x1F + 0XFF_FF;\nlet b = 2.5e-3 * 1E9;\n"
             "let c = -(5) + (-(-7));\nlet d = -0.0;\n",
             "let a = 1_000_000 + 0x1F + 0XFF_FF;\n"
             "let b = 2.5e-3 * 1E9;\n"
             "let c = -5 + 7;\n"
             "let d = -0.0;\n");
}

Test(fmt, strings_escaped_canonically) {
  expect_fmt("let s = \"caf\\u{e9} \\\"q\\\"\\t\\\\ \\u{200B}\\u{7}\\n\";",
             "let s = \"caf\xc3\xa9 \\\"q\\\"\\t\\\\ \\u{200b}\\u{0007}\\n\";\n");
}

Test(fmt, long_let_body_on_the_next_line) {
  expect_fmt("let long_one = a > 1000000 and b > 2.0 or c > 3 and d > 4 or a + c > 5 and d - a > 6 "
             "or c > 700000000;",
             "let long_one =\n"
             "    a > 1000000 and b > 2.0 or c > 3 and d > 4 or a + c > 5 and d - a > 6 or c > 700000000;\n");
}

Test(fmt, long_condition_filled_before_and_or) {
  expect_fmt("rules r { important_class_1 when door_lock in product_functions or camera in "
             "product_functions or intrusion_alarm in product_functions; }",
             "rules r {\n"
             "  important_class_1 when door_lock in product_functions or camera in product_functions\n"
             "                         or intrusion_alarm in product_functions;\n"
             "}\n");
}

Test(fmt, long_requirement_condition_continues_indented_by_four) {
  expect_fmt("requirement R \"t\" { confirm third_party_inspection every 12 months when recovery == "
             "fatal and economic == catastrophic and loss > 1; }",
             "requirement R \"t\" {\n"
             "  confirm third_party_inspection every 12 months when recovery == fatal and economic == "
             "catastrophic\n"
             "      and loss > 1;\n"
             "}\n");
}

/* ---- comments and blank lines ------------------------------------------------------ */

Test(fmt, comments_kept_where_they_were) {
  expect_fmt("// header\n"
             "\n\n"
             "/* block\n"
             "   header */\n"
             "pack \"x.y\" version \"1.0.0\" {   // on the header line\n"
             "  title \"T\";\n"
             "  // before the brace\n"
             "}\n"
             "import \"ssf\";     // why\n"
             "// about a\n"
             "let a = 1;\n"
             "// the end\n",
             "// header\n"
             "\n"
             "/* block\n"
             "   header */\n"
             "pack \"x.y\" version \"1.0.0\" {  // on the header line\n"
             "  title \"T\";\n"
             "  // before the brace\n"
             "}\n"
             "\n"
             "import \"ssf\";  // why\n"
             "// about a\n"
             "let a = 1;\n"
             "// the end\n");
}

Test(fmt, comment_inside_a_line_goes_above_it) {
  expect_fmt("fn f(p: int) -> bool = p > 1 // why\n  and p < 9;\n"
             "facts { d: int = 1_000 /* a thousand */ ; }\n",
             "// why\n"
             "fn f(p: int) -> bool = p > 1 and p < 9;\n"
             "\n"
             "facts {\n"
             "  /* a thousand */\n"
             "  d: int = 1_000;\n"
             "}\n");
}

Test(fmt, trailing_comments_aligned) {
  expect_fmt("let a = 1; // one\nlet bbbbbb = 2;   // two\n\nlet c = 3;  // three\n",
             "let a = 1;       // one\n"
             "let bbbbbb = 2;  // two\n"
             "\n"
             "let c = 3;  // three\n");
}

Test(fmt, otherwise_moves_with_its_comments) {
  expect_fmt("rules r {\n"
             "  // the default\n"
             "  otherwise l;  // trailing\n"
             "  a when x;\n"
             "}\n",
             "rules r {\n"
             "  a when x;\n"
             "  // the default\n"
             "  otherwise l;  // trailing\n"
             "}\n");
}

Test(fmt, blank_lines_inside_blocks) {
  expect_fmt("requirement R \"t\" {\n\n"
             "  viewpoint v;\n\n\n"
             "  applies always;\n\n"
             "}\n",
             "requirement R \"t\" {\n"
             "  viewpoint v;\n"
             "\n"
             "  applies always;\n"
             "}\n");
}

Test(fmt, crlf_and_trailing_blanks) {
  expect_fmt("let a = 1;   \r\n// c  \r\n\r\n\r\nlet b = 2;\r\n",
             "let a = 1;\n// c\n\nlet b = 2;\n");
}

Test(fmt, empty_and_comment_only_files) {
  expect_fmt("", "");
  expect_fmt("\n\n// only\n\n\n/* c */", "// only\n\n/* c */\n");
}

Test(fmt, comments_inside_strings_are_not_comments) {
  expect_fmt("let s = \"// not a comment /* nor this */\";",
             "let s = \"// not a comment /* nor this */\";\n");
  cr_assert_eq(fmt_count_comments("let s = \"//\"; // one\n/* two */", 30), 2);
}

/* ---- errors and self-checks -------------------------------------------------------- */

Test(fmt, syntax_errors_are_not_formatted) {
  Result r = run("let a = ;\nlet b = 1;\n");
  cr_assert_eq(r.status, FMT_SYNTAX);
  cr_assert_null(r.text);
  cr_assert_gt(r.errors, 0);
  r = run("facts { a: int = 1__0; }");
  cr_assert_eq(r.status, FMT_SYNTAX);
}

Test(fmt, same_module_ignores_spans_only) {
  SourceSet s;
  sources_init(&s);
  Diags d;
  diags_init(&d, &s);
  Arena a;
  arena_init(&a);
  const char *t1 = "let a = (1 + 2) * 3;", *t2 = "let a =\n  (1+2)*3 ;", *t3 = "let a = 1 + 2 * 3;";
  uint32_t i1 = sources_add(&s, "1", strdup(t1), (uint32_t)strlen(t1));
  uint32_t i2 = sources_add(&s, "2", strdup(t2), (uint32_t)strlen(t2));
  uint32_t i3 = sources_add(&s, "3", strdup(t3), (uint32_t)strlen(t3));
  Module *m1 = parse_module(&a, &d, &s, i1), *m2 = parse_module(&a, &d, &s, i2),
         *m3 = parse_module(&a, &d, &s, i3);
  cr_assert(ast_equal(m1, m2, NULL));
  const char *why = NULL;
  cr_assert_not(ast_equal(m1, m3, &why));
  cr_assert_not_null(why);
  arena_free(&a);
  diags_free(&d);
  sources_free(&s);
}

/* The example pack of the language contract, with its comments. */
Test(fmt, contract_example_is_stable) {
  char *once = fmt("pack \"jp.example.smart-home\" version \"1.2.0\" {\n"
                   "  title     \"Smart home devices\";\n"
                   "}\n"
                   "\n"
                   "import \"ssf\";                       // stdlib: the two axes\n"
                   "\n"
                   "facts {\n"
                   "  harm_life:        enum { none, minor_injury, serious_injury, death } = none\n"
                   "                    \"Worst plausible harm to a person\";\n"
                   "  usage:            enum { home, office, factory, hospital, vehicle };   // required\n"
                   "}\n"
                   "\n"
                   "rules recovery {\n"
                   "  fatal   when harm_life >= serious_injury          because \"irreversible\";\n"
                   "  otherwise limited;\n"
                   "}\n");
  cr_assert(strstr(once, "import \"ssf\";  // stdlib: the two axes\n"));
  cr_assert(strstr(once, "  usage:     enum { home, office, factory, hospital, vehicle };  // required\n"));
  cr_assert(strstr(once, "  fatal when harm_life >= serious_injury because \"irreversible\";\n"));
  free(once);
}

/* Found by fuzz_source's formatter oracle: a requirement item that is one
 * word (`g;`, `subject;`: it parses, and check says which item it is not)
 * has no value, and fmt wrote it through a NULL name: SIGSEGV in `ipsfc
 * fmt` and in the language server's formatting. */
Test(fmt, requirement_item_of_one_word) {
  char *out = fmt("pack \"t\" version \"1.0.0\" { }\n"
                  "requirement E-1 \"x\" {\n  g;\n  subject \"s\";\n  basis law \"Act 1\";\n}\n");
  cr_expect_str_eq(out, "pack \"t\" version \"1.0.0\" { }\n\n"
                        "requirement E-1 \"x\" {\n  g;\n  subject \"s\";\n  basis law \"Act 1\";\n}\n");
  free(out);
}
