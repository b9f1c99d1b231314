/*
 * test_compile.c -- the semantic passes and code generation, through the
 * compiler's API: name resolution by type, type errors, cycles, folding,
 * and evaluation of what was compiled.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compile.h"
#include "pack.h"

static const char *const axes =
    "import \"ssf\";\n"
    "rules economic { otherwise limited; }\n";

typedef struct {
  Compilation *c;
  bool ok;
  uint8_t *bytes;
  size_t len;
} Result;

/* Compile `src` (written to a temporary file) as a pack. */
static Result compile_text(const char *src) {
  char path[] = "/tmp/ipsfc-test-XXXXXX.ipsf";
  int fd = mkstemps(path, 5);
  cr_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs(src, f);
  fclose(f);
  Result r = {compilation_new(NULL), false, NULL, 0};
  r.ok = compile_pack(r.c, path, &r.bytes, &r.len);
  unlink(path);
  return r;
}

static void result_free(Result *r) {
  compilation_free(r->c);
  free(r->bytes);
}

/* True if some diagnostic's message contains `text`. */
static bool has_error(Result *r, const char *text) {
  Diags *d = compilation_diags(r->c);
  for (size_t i = 0; i < d->count; i++)
    if (strstr(d->items[i].message, text)) return true;
  return false;
}

static char *pack_with(const char *body) {
  static char buf[8192];
  snprintf(buf, sizeof buf, "pack \"t.test\" version \"1.0.0\" { }\n%s%s", axes, body);
  return buf;
}

Test(compile, minimal_pack_compiles_and_loads) {
  Result r = compile_text(pack_with("rules recovery { otherwise limited; }\n"));
  cr_assert(r.ok);
  IpsfError err;
  IpsfPack *p = ipsf_pack_load(r.bytes, r.len, &err);
  cr_assert_not_null(p, "%s", err.message);
  cr_assert_eq(p->scale_count, 2);
  cr_assert_neq(p->axis1, IPSF_NONE);
  ipsf_pack_free(p);
  result_free(&r);
}

Test(compile, enum_value_resolved_by_the_other_side) {
  /* `limited` is a level of both axes: the comparison tells which. */
  Result r = compile_text(pack_with("facts { x: int = 0; }\n"
                                    "rules recovery { fatal when economic >= limited and x > 1;"
                                    " otherwise limited; }\n"));
  cr_assert(r.ok);
  result_free(&r);
}

Test(compile, ambiguous_enum_value_is_an_error) {
  Result r = compile_text(pack_with("let a = limited;\nrules recovery { otherwise limited; }\n"));
  cr_assert_not(r.ok);
  cr_assert(has_error(&r, "'limited' is ambiguous"));
  result_free(&r);
}

Test(compile, comparing_different_enums_is_an_error) {
  Result r = compile_text(pack_with("let a = recovery == economic;\n"
                                    "rules recovery { otherwise limited; }\n"));
  cr_assert(has_error(&r, "they are different enums"));
  result_free(&r);
}

Test(compile, strings_have_no_order) {
  Result r = compile_text(pack_with("facts { s: string = \"\"; }\nlet a = s < \"b\";\n"
                                    "rules recovery { otherwise limited; }\n"));
  cr_assert(has_error(&r, "values have no order"));
  result_free(&r);
}

Test(compile, let_cycle_names_the_chain) {
  Result r = compile_text(pack_with("let a = b;\nlet b = a;\nrules recovery { otherwise limited; }\n"));
  cr_assert(has_error(&r, "let 'a' depends on itself: a -> b -> a"));
  result_free(&r);
}

Test(compile, cycle_through_a_scale) {
  Result r = compile_text(pack_with("let x = recovery >= serious;\n"
                                    "rules recovery { fatal when x; otherwise limited; }\n"));
  cr_assert(has_error(&r, "dependency cycle: x -> recovery -> x"));
  result_free(&r);
}

Test(compile, recursion_is_an_error) {
  Result r = compile_text(pack_with("fn f(n: int) -> int = g(n);\nfn g(n: int) -> int = f(n);\n"
                                    "rules recovery { otherwise limited; }\n"));
  cr_assert(has_error(&r, "recursion is not allowed: f -> g -> f"));
  result_free(&r);
}

/* Lua's validop rule (compiler/fold.c): a constant that would raise is not
 * folded but left to run time, where it fails as the same values from facts
 * do. */
Test(compile, constant_overflow_is_left_to_run_time) {
  Result r = compile_text(pack_with("let big = 9223372036854775807 + 1;\n"
                                    "let q = 1 / 0;\n"
                                    "rules recovery { fatal when big > q; otherwise limited; }\n"));
  cr_assert(r.ok);
  IpsfError err;
  IpsfPack *p = ipsf_pack_load(r.bytes, r.len, &err);
  cr_assert_not_null(p, "%s", err.message);
  IpsfEval *ev = ipsf_eval_new(p);
  ipsf_eval_begin(ev);
  cr_assert_not(ipsf_eval_run(ev, &err));
  cr_assert_eq(err.kind, IPSF_ERR_ARITHMETIC);
  cr_assert(strstr(err.message, "integer overflow in '+'"), "%s", err.message);
  ipsf_eval_free(ev);
  ipsf_pack_free(p);
  result_free(&r);
}

/* A default is needed before any code runs: there it is a compile error. */
Test(compile, default_that_raises_is_a_compile_error) {
  Result r = compile_text(pack_with("facts { x: int = 1 / 0; y: int = (-9223372036854775807 - 1) % -1; }\n"
                                    "rules recovery { fatal when x > y; otherwise limited; }\n"));
  cr_assert_not(r.ok);
  cr_assert(has_error(&r, "the default of fact 'x': division by zero in a constant expression"));
  cr_assert_eq(compilation_diags(r.c)->errors, 1, "INT64_MIN %% -1 is 0, not an error");
  result_free(&r);
}

Test(compile, every_error_of_the_file_is_reported) {
  Result r = compile_text(pack_with("let a = nope1;\nlet b = nope2;\nlet c = 1 + \"s\";\n"
                                    "rules recovery { otherwise limited; }\n"));
  cr_assert_eq(compilation_diags(r.c)->errors, 3);
  result_free(&r);
}

Test(compile, module_without_pack_header_cannot_be_compiled) {
  Result r = compile_text("import \"ssf\";\nlet a = 1;\n");
  cr_assert_not(r.ok);
  cr_assert(has_error(&r, "has no pack header"));
  result_free(&r);
}

Test(compile, constant_true_condition_emits_no_jump) {
  Result r = compile_text(pack_with("rules recovery { fatal when 1 + 1 == 2; otherwise limited; }\n"));
  cr_assert(r.ok);
  IpsfError err;
  IpsfPack *p = ipsf_pack_load(r.bytes, r.len, &err);
  cr_assert_not_null(p);
  for (uint32_t i = 0; i < p->code_count; i++)
    cr_assert_neq(IPSF_INSN_OP(p->code[i]), IPSF_OP_JUMPF, "instruction %u is a JUMPF", i);
  ipsf_pack_free(p);
  result_free(&r);
}

/* Compile, load, evaluate with one int fact; return the recovery level name. */
static const char *recovery_for(const char *body, int64_t x, char *out, size_t cap) {
  Result r = compile_text(pack_with(body));
  cr_assert(r.ok, "the pack does not compile");
  IpsfError err;
  IpsfPack *p = ipsf_pack_load(r.bytes, r.len, &err);
  cr_assert_not_null(p, "%s", err.message);
  IpsfEval *ev = ipsf_eval_new(p);
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_set_int(ev, ipsf_fact_index(p, "x"), x, &err), "%s", err.message);
  if (ipsf_eval_run(ev, &err)) snprintf(out, cap, "%s", ipsf_eval_level_name(ev, p->axis1));
  else snprintf(out, cap, "error: %s", err.message);
  ipsf_eval_free(ev);
  ipsf_pack_free(p);
  result_free(&r);
  return out;
}

Test(compile, int_and_number_mix_as_numbers) {
  char out[600];
  const char *body = "facts { x: int; }\nlet half = x / 2.0;\n"
                     "rules recovery { fatal when half > 2.25; serious when half > 1; otherwise limited; }\n";
  cr_assert_str_eq(recovery_for(body, 5, out, sizeof out), "fatal");
  cr_assert_str_eq(recovery_for(body, 3, out, sizeof out), "serious");
  cr_assert_str_eq(recovery_for(body, 2, out, sizeof out), "limited");
}

Test(compile, fn_is_inlined_with_its_arguments) {
  char out[600];
  const char *body = "facts { x: int; }\nfn sq(n: int) -> int = n * n;\n"
                     "fn big(n: int) -> bool = sq(n) + sq(n + 1) > 40;\n"
                     "rules recovery { fatal when big(x); otherwise limited; }\n";
  cr_assert_str_eq(recovery_for(body, 4, out, sizeof out), "fatal");   /* 16 + 25 */
  cr_assert_str_eq(recovery_for(body, 3, out, sizeof out), "limited"); /* 9 + 16 */
}

Test(compile, in_over_a_list_of_ints) {
  char out[600];
  const char *body = "facts { x: int; }\n"
                     "rules recovery { fatal when x in {2, 3, 5, 7}; otherwise limited; }\n";
  cr_assert_str_eq(recovery_for(body, 5, out, sizeof out), "fatal");
  cr_assert_str_eq(recovery_for(body, 4, out, sizeof out), "limited");
}

Test(compile, overflow_at_run_time_is_an_evaluation_error) {
  char out[600];
  const char *body = "facts { x: int; }\nlet y = x * 4;\n"
                     "rules recovery { fatal when y > 0; otherwise limited; }\n";
  recovery_for(body, INT64_MAX / 2, out, sizeof out);
  cr_assert(strstr(out, "error: ") == out, "got %s", out);
  cr_assert(strstr(out, "overflow"), "got %s", out);
}

Test(compile, worst_takes_the_highest_matching_level) {
  char out[600];
  const char *body = "facts { x: int; }\n"
                     "rules recovery { serious when x > 1; fatal when x > 5; serious when x > 2;"
                     " otherwise limited; }\n";
  cr_assert_str_eq(recovery_for(body, 9, out, sizeof out), "fatal");
  cr_assert_str_eq(recovery_for(body, 3, out, sizeof out), "serious");
}

Test(compile, first_takes_the_first_match) {
  char out[600];
  const char *body = "facts { x: int; }\n"
                     "rules recovery policy first { serious when x > 1; fatal when x > 5;"
                     " otherwise limited; }\n";
  cr_assert_str_eq(recovery_for(body, 9, out, sizeof out), "serious");
}

Test(compile, unique_conflict_names_both_rules) {
  char out[600];
  const char *body = "facts { x: int; }\n"
                     "rules recovery policy unique { serious when x > 1; fatal when x > 5;"
                     " serious when x > 2; otherwise limited; }\n";
  cr_assert_str_eq(recovery_for(body, 3, out, sizeof out), "serious"); /* same level twice */
  recovery_for(body, 9, out, sizeof out);
  cr_assert(strstr(out, "error: "), "got %s", out);
  cr_assert(strstr(out, "serious") && strstr(out, "fatal"), "got %s", out);
}

Test(compile, ref_to_a_catalog_provision_carries_its_text) {
  Result r = compile_text(pack_with(
      "catalog \"Std X\" version \"1\" { source \"Std X, 2024\";\n"
      "  provision X-1.2 \"1.2\" \"Do the thing\" mandatory; }\n"
      "rules recovery { otherwise limited; }\n"
      "requirement R-1 \"r\" { viewpoint pre_operation; ref X-1.2; ref \"free\";"
      " applies always; confirm self_declaration; }\n"));
  cr_assert(r.ok);
  IpsfError err;
  IpsfPack *p = ipsf_pack_load(r.bytes, r.len, &err);
  cr_assert_not_null(p, "%s", err.message);
  cr_assert_eq(p->requirements[0].ref_count, 2);
  cr_assert_str_eq(ipsf_str(p, p->requirements[0].refs[0]), "Std X 1 1.2: Do the thing");
  cr_assert_str_eq(ipsf_str(p, p->requirements[0].refs[1]), "free");
  ipsf_pack_free(p);
  result_free(&r);
}

Test(compile, unknown_provision_is_an_error) {
  Result r = compile_text(pack_with(
      "rules recovery { otherwise limited; }\n"
      "requirement R-1 \"r\" { viewpoint pre_operation; ref NOPE-1;"
      " applies always; confirm self_declaration; }\n"));
  cr_assert_not(r.ok);
  cr_assert(has_error(&r, "unknown provision NOPE-1"));
  result_free(&r);
}

Test(compile, satisfied_by_lists_are_checked) {
  Result r = compile_text(pack_with(
      "catalog \"A\" version \"1\" { source \"a\"; provision A-1 \"1\" \"a\" mandatory; }\n"
      "catalog \"B\" version \"1\" { source \"b\";\n"
      "  provision B-1 \"1\" \"b\" mandatory satisfied_by A-1, A-2; }\n"
      "rules recovery { otherwise limited; }\n"));
  cr_assert_not(r.ok);
  cr_assert(has_error(&r, "unknown provision A-2"));
  cr_assert_eq(compilation_diags(r.c)->errors, 1);
  result_free(&r);
}

/* Facts over more than one 64-bit word: the first missing required fact in
 * pack order is named, and defaults past the first word are filled. */
Test(compile, required_and_default_facts_across_words) {
  char body[8192] = "facts {\n";
  for (int i = 0; i < 70; i++) {
    size_t n = strlen(body);
    if (i == 3 || i == 66) snprintf(body + n, sizeof body - n, "  f%d: int;\n", i);
    else snprintf(body + n, sizeof body - n, "  f%d: int = %d;\n", i, i);
  }
  strcat(body, "}\nrules recovery { fatal when f3 + f66 + f67 + f69 > 200; otherwise limited; }\n");
  Result r = compile_text(pack_with(body));
  cr_assert(r.ok, "the pack does not compile");
  IpsfError err;
  IpsfPack *p = ipsf_pack_load(r.bytes, r.len, &err);
  cr_assert_not_null(p, "%s", err.message);
  IpsfEval *ev = ipsf_eval_new(p);
  ipsf_eval_begin(ev);
  cr_assert_not(ipsf_eval_run(ev, &err));
  cr_assert_str_eq(err.message, "required fact 'f3' is missing");
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_set_int(ev, ipsf_fact_index(p, "f3"), 1, &err));
  cr_assert_not(ipsf_eval_run(ev, &err));
  cr_assert_str_eq(err.message, "required fact 'f66' is missing");
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_set_int(ev, ipsf_fact_index(p, "f3"), 1, &err));
  cr_assert(ipsf_eval_set_int(ev, ipsf_fact_index(p, "f66"), 64, &err));
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert_str_eq(ipsf_eval_level_name(ev, p->axis1), "fatal"); /* 1 + 64 + 67 + 69 */
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_set_int(ev, ipsf_fact_index(p, "f3"), 1, &err));
  cr_assert(ipsf_eval_set_int(ev, ipsf_fact_index(p, "f66"), 1, &err));
  cr_assert(ipsf_eval_set_int(ev, ipsf_fact_index(p, "f69"), 0, &err));
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert_str_eq(ipsf_eval_level_name(ev, p->axis1), "limited"); /* 1 + 1 + 67 + 0 */
  ipsf_eval_free(ev);
  ipsf_pack_free(p);
  result_free(&r);
}
