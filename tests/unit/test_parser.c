/*
 * test_parser.c -- parse_module (grammar/parser.y): the example pack of
 * LANGUAGE.md section 4 and a stdlib-style file down to the AST, each
 * declaration kind, expression shape and precedence, spans, and error
 * reporting: exact wording, one error per mistake, recovery without
 * cascades.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"

typedef struct {
  SourceSet sources;
  Diags diags;
  Arena arena;
  Module *m;
} Parsed;

static Parsed *parse(const char *text) {
  Parsed *p = calloc(1, sizeof *p);
  sources_init(&p->sources);
  diags_init(&p->diags, &p->sources);
  arena_init(&p->arena);
  uint32_t id = sources_add(&p->sources, "t.ipsf", strdup(text), (uint32_t)strlen(text));
  p->m = parse_module(&p->arena, &p->diags, &p->sources, id);
  cr_assert_not_null(p->m);
  return p;
}

static void done(Parsed *p) {
  diags_free(&p->diags);
  sources_free(&p->sources);
  arena_free(&p->arena);
  free(p);
}

static Parsed *parse_ok(const char *text) {
  Parsed *p = parse(text);
  for (size_t i = 0; i < p->diags.count; i++)
    cr_log_error("unexpected diagnostic: %s", p->diags.items[i].message);
  cr_assert_eq(p->diags.count, 0);
  return p;
}

/* The source text a span covers. */
static char *text_of(Parsed *p, Span s) {
  static char buf[1024];
  const Source *src = p->sources.items[s.file];
  cr_assert_leq(s.end, src->len);
  snprintf(buf, sizeof buf, "%.*s", (int)(s.end - s.start), src->text + s.start);
  return buf;
}

static uint32_t line_of(Parsed *p, Span s) {
  uint32_t line, col;
  sources_line_col(&p->sources, s.file, s.start, &line, &col);
  return line;
}

/* "line:col: message" of diagnostic i. */
static char *diag_at(Parsed *p, size_t i) {
  static char buf[512];
  cr_assert_lt(i, p->diags.count);
  uint32_t line, col;
  sources_line_col(&p->sources, 0, p->diags.items[i].span.start, &line, &col);
  snprintf(buf, sizeof buf, "%u:%u: %s", (unsigned)line, (unsigned)col,
           p->diags.items[i].message);
  return buf;
}

static const char example[] =
    "pack \"jp.example.smart-home\" version \"1.2.0\" {\n"
    "  title     \"Smart home devices\";\n"
    "  authority \"Example Home Appliance Association\";\n"
    "  framework \"IoT-SSF 1.0\";\n"
    "}\n"
    "\n"
    "import \"ssf\";                       // stdlib: the two axes, four viewpoints, methods\n"
    "\n"
    "facts {\n"
    "  harm_life:        enum { none, minor_injury, serious_injury, death } = none\n"
    "                    \"Worst plausible harm to a person if the device is misused or attacked\";\n"
    "  data_sensitivity: enum { none, personal, sensitive } = none;\n"
    "  loss_jpy:         int = 0;\n"
    "  users_affected:   int = 0;\n"
    "  usage:            enum { home, office, factory, hospital, vehicle };   // required\n"
    "  remote_control:   bool = false;\n"
    "  radios:           set of enum { wifi, ble, zigbee, cellular } = {};\n"
    "  model:            string = \"\";\n"
    "}\n"
    "\n"
    "let safety_critical = usage in { hospital, vehicle } and remote_control;\n"
    "\n"
    "rules recovery {\n"
    "  fatal   when harm_life >= serious_injury          because \"irreversible harm to life or body\";\n"
    "  fatal   when safety_critical;\n"
    "  serious when harm_life == minor_injury;\n"
    "  serious when data_sensitivity == sensitive        because \"sensitive data cannot be recalled\";\n"
    "  otherwise limited;\n"
    "}\n"
    "\n"
    "rules economic {\n"
    "  catastrophic when loss_jpy >= 10_000_000_000 or users_affected >= 1_000_000;\n"
    "  significant  when loss_jpy >= 100_000_000    or users_affected >= 10_000;\n"
    "  otherwise limited;\n"
    "}\n"
    "\n"
    "requirement SH-01 \"No universal default passwords\" {\n"
    "  viewpoint pre_operation;\n"
    "  ref \"ETSI EN 303 645 5.1-1\";\n"
    "  applies always;\n"
    "  confirm self_declaration;\n"
    "  confirm third_party_certification when recovery == fatal or economic >= significant;\n"
    "}\n"
    "\n"
    "requirement SH-20 \"Periodic third-party inspection\" {\n"
    "  viewpoint in_operation;\n"
    "  applies when recovery >= serious;\n"
    "  confirm third_party_inspection every 12 months;\n"
    "}\n"
    "\n"
    "test \"care-facility lock is fatal\" {\n"
    "  given { harm_life: serious_injury, usage: hospital, loss_jpy: 5_000_000 }\n"
    "  expect recovery == fatal;\n"
    "  expect economic == limited;\n"
    "  expect requires SH-01 with third_party_certification;\n"
    "  expect not requires SH-99;\n"
    "}\n";

Test(parser, example_pack_top_level) {
  Parsed *p = parse_ok(example);
  Module *m = p->m;
  cr_assert_eq(m->decl_count, 9);
  DeclKind kinds[] = {D_PACK, D_IMPORT, D_FACTS, D_LET, D_RULES, D_RULES,
                      D_REQUIREMENT, D_REQUIREMENT, D_TEST};
  for (size_t i = 0; i < 9; i++) cr_assert_eq(m->decls[i]->kind, kinds[i], "decl %zu", i);

  Decl *pack = m->decls[0];
  cr_assert_str_eq(pack->str.text, "jp.example.smart-home");
  cr_assert_str_eq(pack->str2.text, "1.2.0");
  cr_assert_eq(pack->entry_count, 3);
  cr_assert_str_eq(pack->entries[1].key.name, "authority");
  cr_assert_str_eq(pack->entries[1].value.text, "Example Home Appliance Association");
  cr_assert_str_eq(text_of(p, pack->entries[2].key.span), "framework");
  cr_assert_eq(line_of(p, pack->span), 1);
  cr_assert_eq(pack->span.end, (uint32_t)(strstr(example, "}\n") - example + 1));

  Decl *imp = m->decls[1];
  cr_assert_str_eq(imp->str.text, "ssf");
  cr_assert_null(imp->name.name);
  cr_assert_str_eq(text_of(p, imp->span), "import \"ssf\";");
  done(p);
}

Test(parser, example_pack_facts) {
  Parsed *p = parse_ok(example);
  Decl *f = p->m->decls[2];
  cr_assert_eq(f->fact_count, 8);
  FactDecl *harm = &f->facts[0];
  cr_assert_str_eq(harm->name.name, "harm_life");
  cr_assert_eq(harm->type->kind, TE_ENUM);
  cr_assert_eq(harm->type->value_count, 4);
  cr_assert_str_eq(harm->type->values[3].name, "death");
  cr_assert_eq(harm->deflt->kind, EX_NAME);
  cr_assert_str_eq(harm->deflt->name.name, "none");
  cr_assert_str_eq(harm->doc.text,
                   "Worst plausible harm to a person if the device is misused or attacked");
  cr_assert_eq(line_of(p, harm->span), 10);
  cr_assert_eq(p->sources.items[0]->text[harm->span.end - 1], ';');

  cr_assert_eq(f->facts[2].type->kind, TE_INT);
  cr_assert_eq(f->facts[2].deflt->kind, EX_INT);
  cr_assert_null(f->facts[2].doc.text);
  FactDecl *usage = &f->facts[4];
  cr_assert_str_eq(usage->name.name, "usage");
  cr_assert_null(usage->deflt, "usage is required");
  cr_assert_eq(f->facts[5].type->kind, TE_BOOL);
  cr_assert_eq(f->facts[5].deflt->kind, EX_BOOL);
  cr_assert_eq(f->facts[5].deflt->b, false);
  FactDecl *radios = &f->facts[6];
  cr_assert_eq(radios->type->kind, TE_SET);
  cr_assert_eq(radios->type->elem->kind, TE_ENUM);
  cr_assert_eq(radios->type->elem->value_count, 4);
  cr_assert_eq(radios->deflt->kind, EX_SET);
  cr_assert_eq(radios->deflt->item_count, 0);
  cr_assert_str_eq(text_of(p, radios->type->span), "set of enum { wifi, ble, zigbee, cellular }");
  cr_assert_eq(f->facts[7].type->kind, TE_STRING);
  cr_assert_str_eq(f->facts[7].deflt->str, "");
  done(p);
}

Test(parser, example_pack_let_and_rules) {
  Parsed *p = parse_ok(example);
  Decl *let = p->m->decls[3];
  cr_assert_str_eq(let->name.name, "safety_critical");
  Expr *e = let->value;
  cr_assert_eq(e->kind, EX_BINARY);
  cr_assert_eq(e->op, OP_AND);
  cr_assert_eq(e->a->op, OP_IN);
  cr_assert_eq(e->a->b2->kind, EX_SET);
  cr_assert_eq(e->a->b2->item_count, 2);
  cr_assert_str_eq(e->a->b2->items[1]->name.name, "vehicle");
  cr_assert_str_eq(e->b2->name.name, "remote_control");
  cr_assert_str_eq(text_of(p, e->span),
                   "usage in { hospital, vehicle } and remote_control");

  Decl *rec = p->m->decls[4];
  cr_assert_str_eq(rec->name.name, "recovery");
  cr_assert_null(rec->policy.name);
  cr_assert_eq(rec->rule_count, 4);
  cr_assert_str_eq(rec->rules[0].level.name, "fatal");
  cr_assert_str_eq(rec->rules[0].because.text, "irreversible harm to life or body");
  cr_assert_eq(rec->rules[0].cond->op, OP_GE);
  cr_assert_null(rec->rules[1].because.text);
  cr_assert_str_eq(rec->otherwise.name, "limited");
  cr_assert_eq(line_of(p, rec->otherwise.span), 28);
  cr_assert_str_eq(text_of(p, rec->rules[2].span), "serious when harm_life == minor_injury;");

  Decl *eco = p->m->decls[5];
  cr_assert_eq(eco->rule_count, 2);
  Expr *c = eco->rules[0].cond;
  cr_assert_eq(c->op, OP_OR);
  cr_assert_eq(c->a->b2->kind, EX_INT);
  cr_assert_eq(c->a->b2->i, 10000000000LL);
  cr_assert_eq(c->b2->b2->i, 1000000);
  done(p);
}

Test(parser, example_pack_requirements_and_test) {
  Parsed *p = parse_ok(example);
  Decl *r = p->m->decls[6];
  cr_assert_str_eq(r->name.name, "SH-01");
  cr_assert_str_eq(r->str.text, "No universal default passwords");
  cr_assert_eq(r->item_count, 5);
  ReqItemKind kinds[] = {RI_VIEWPOINT, RI_REF, RI_APPLIES, RI_CONFIRM, RI_CONFIRM};
  for (size_t i = 0; i < 5; i++) cr_assert_eq(r->items[i].kind, kinds[i]);
  cr_assert_str_eq(r->items[0].ident.name, "pre_operation");
  cr_assert_str_eq(r->items[1].str.text, "ETSI EN 303 645 5.1-1");
  cr_assert_null(r->items[2].expr, "applies always");
  cr_assert_null(r->items[3].expr);
  cr_assert_eq(r->items[3].every, 0);
  cr_assert_str_eq(r->items[4].ident.name, "third_party_certification");
  cr_assert_eq(r->items[4].expr->op, OP_OR);
  cr_assert_str_eq(text_of(p, r->items[2].span), "applies always;");

  Decl *r2 = p->m->decls[7];
  cr_assert_str_eq(r2->name.name, "SH-20");
  cr_assert_eq(r2->items[1].expr->op, OP_GE);
  cr_assert_eq(r2->items[2].every, 12);
  cr_assert_str_eq(text_of(p, r2->items[2].every_span), "every 12 months");

  Decl *t = p->m->decls[8];
  cr_assert_str_eq(t->str.text, "care-facility lock is fatal");
  cr_assert_eq(t->given_count, 3);
  cr_assert_str_eq(t->givens[2].fact.name, "loss_jpy");
  cr_assert_eq(t->givens[2].value->i, 5000000);
  cr_assert_null(t->profile.text);
  cr_assert_eq(t->expect_count, 4);
  cr_assert_eq(t->expects[0].kind, EXPECT_EXPR);
  cr_assert_eq(t->expects[0].expr->op, OP_EQ);
  cr_assert_eq(t->expects[2].kind, EXPECT_REQUIRES);
  cr_assert_str_eq(t->expects[2].id.name, "SH-01");
  cr_assert_str_eq(t->expects[2].method.name, "third_party_certification");
  cr_assert_eq(t->expects[3].kind, EXPECT_NOT_REQUIRES);
  cr_assert_str_eq(t->expects[3].id.name, "SH-99");
  cr_assert_null(t->expects[3].method.name);
  done(p);
}

Test(parser, stdlib_style_axes_and_viewpoints) {
  Parsed *p = parse_ok(
      "// ssf\n"
      "axis 1 recovery { limited, serious, fatal }\n"
      "axis 2 economic { limited, significant, catastrophic, }\n"
      "scale assurance { basic, substantial, high }\n"
      "viewpoint pre_operation \"Confirmation before operation\" {\n"
      "  self_declaration, third_party_certification\n"
      "}\n"
      "viewpoint social { voluntary_insurance, compulsory_insurance }\n");
  Module *m = p->m;
  cr_assert_eq(m->decl_count, 5);
  Decl *a1 = m->decls[0];
  cr_assert_eq(a1->kind, D_SCALE);
  cr_assert_eq(a1->axis, 1);
  cr_assert_str_eq(a1->name.name, "recovery");
  cr_assert_eq(a1->value_count, 3);
  cr_assert_str_eq(a1->values[2].name, "fatal");
  cr_assert_str_eq(text_of(p, a1->span), "axis 1 recovery { limited, serious, fatal }");
  cr_assert_eq(m->decls[1]->axis, 2);
  cr_assert_eq(m->decls[1]->value_count, 3, "a trailing comma is allowed");
  cr_assert_eq(m->decls[2]->axis, 0);
  Decl *vp = m->decls[3];
  cr_assert_eq(vp->kind, D_VIEWPOINT);
  cr_assert_str_eq(vp->name.name, "pre_operation");
  cr_assert_str_eq(vp->str.text, "Confirmation before operation");
  cr_assert_eq(vp->value_count, 2);
  cr_assert_str_eq(vp->values[1].name, "third_party_certification");
  cr_assert_eq(line_of(p, vp->values[1].span), 6);
  cr_assert_null(m->decls[4]->str.text);
  done(p);
}

Test(parser, other_declaration_kinds) {
  Parsed *p = parse_ok(
      "import \"catalog/etsi.ipsf\" as etsi;\n"
      ";\n"
      "type harm = enum { none, minor, death };\n"
      "fn worst(a: int, b: set of harm) -> int = if a > 2 then a else max(a, 2);\n"
      "fn zero() -> number = 0.0;\n"
      "rules assurance policy first { high when etsi.R_5_1_1; }\n"
      "extern \"libm.so.6\" fn cbrt(number) -> number as \"cbrt\";\n"
      "extern \"libx\" fn f() -> bool;\n"
      "test \"t\" {\n"
      "  given { }\n"
      "  profile \"care-facility\"\n"
      "  expect viewpoint operator;\n"
      "  expect error \"cycle\";\n"
      "  expect count(radios) == 0;\n"
      "}\n"
      "test \"u\" { given { a: 1, } profile \"p\"; }\n");
  Module *m = p->m;
  cr_assert_eq(m->decl_count, 9, "the stray ';' adds nothing");
  Decl *imp = m->decls[0];
  cr_assert_str_eq(imp->name.name, "etsi");
  cr_assert_str_eq(imp->str.text, "catalog/etsi.ipsf");

  Decl *ty = m->decls[1];
  cr_assert_eq(ty->kind, D_TYPE);
  cr_assert_str_eq(ty->name.name, "harm");
  cr_assert_eq(ty->type->value_count, 3);

  Decl *fn = m->decls[2];
  cr_assert_eq(fn->kind, D_FN);
  cr_assert_eq(fn->param_count, 2);
  cr_assert_str_eq(fn->params[1].name.name, "b");
  cr_assert_eq(fn->params[1].type->kind, TE_SET);
  cr_assert_eq(fn->params[1].type->elem->kind, TE_NAMED);
  cr_assert_str_eq(fn->params[1].type->elem->name.name, "harm");
  cr_assert_eq(fn->type->kind, TE_INT);
  cr_assert_eq(fn->value->kind, EX_IF);
  cr_assert_eq(fn->value->c->kind, EX_CALL);
  cr_assert_str_eq(fn->value->c->name.name, "max");
  cr_assert_eq(fn->value->c->item_count, 2);
  cr_assert_eq(m->decls[3]->param_count, 0);
  cr_assert_eq(m->decls[3]->value->kind, EX_NUMBER);

  Decl *rules = m->decls[4];
  cr_assert_str_eq(rules->policy.name, "first");
  cr_assert_str_eq(rules->rules[0].cond->name.name, "etsi.R_5_1_1");
  cr_assert_null(rules->otherwise.name);

  Decl *ext = m->decls[5];
  cr_assert_eq(ext->kind, D_EXTERN);
  cr_assert_str_eq(ext->str.text, "libm.so.6");
  cr_assert_str_eq(ext->name.name, "cbrt");
  cr_assert_eq(ext->param_count, 1);
  cr_assert_null(ext->params[0].name.name);
  cr_assert_eq(ext->params[0].type->kind, TE_NUMBER);
  cr_assert_str_eq(ext->str2.text, "cbrt");
  cr_assert_null(m->decls[6]->str2.text);
  cr_assert_eq(m->decls[6]->param_count, 0);

  Decl *t = m->decls[7];
  cr_assert_eq(t->given_count, 0);
  cr_assert_str_eq(t->profile.text, "care-facility");
  cr_assert_eq(t->expect_count, 3);
  cr_assert_eq(t->expects[0].kind, EXPECT_VIEWPOINT);
  cr_assert_str_eq(t->expects[0].id.name, "operator");
  cr_assert_eq(t->expects[1].kind, EXPECT_ERROR);
  cr_assert_str_eq(t->expects[1].str.text, "cycle");
  cr_assert_eq(t->expects[2].kind, EXPECT_EXPR);
  cr_assert_eq(m->decls[8]->given_count, 1);
  cr_assert_str_eq(m->decls[8]->profile.text, "p");
  done(p);
}

Test(parser, precedence_and_associativity) {
  Parsed *p = parse_ok("let x = not a == 1 + 2 * -3 % 4 or b and c - d - e;\n"
                       "let y = -5;\nlet z = -(5);\nlet w = - -2.5;\nlet v = -q;\n");
  Expr *e = p->m->decls[0]->value;
  /* or(not(==(a, +(1, %(*(2, -3), 4)))), and(b, -(-(c, d), e))) */
  cr_assert_eq(e->op, OP_OR);
  Expr *n = e->a;
  cr_assert_eq(n->kind, EX_UNARY);
  cr_assert_eq(n->op, OP_NOT);
  cr_assert_eq(n->a->op, OP_EQ);
  Expr *sum = n->a->b2;
  cr_assert_eq(sum->op, OP_ADD);
  cr_assert_eq(sum->b2->op, OP_MOD);
  cr_assert_eq(sum->b2->a->op, OP_MUL);
  cr_assert_eq(sum->b2->a->b2->kind, EX_INT);
  cr_assert_eq(sum->b2->a->b2->i, -3, "a negated literal is folded");
  Expr *and = e->b2;
  cr_assert_eq(and->op, OP_AND);
  cr_assert_eq(and->b2->op, OP_SUB);
  cr_assert_eq(and->b2->a->op, OP_SUB, "'-' is left-associative");
  cr_assert_str_eq(and->b2->b2->name.name, "e");
  cr_assert_eq(p->m->decls[1]->value->i, -5);
  cr_assert_str_eq(text_of(p, p->m->decls[1]->value->span), "-5");
  cr_assert_eq(p->m->decls[2]->value->i, -5);
  cr_assert_eq(p->m->decls[3]->value->kind, EX_NUMBER);
  cr_assert_float_eq(p->m->decls[3]->value->n, 2.5, 1e-12);
  cr_assert_eq(p->m->decls[4]->value->kind, EX_UNARY);
  cr_assert_eq(p->m->decls[4]->value->op, OP_NEG);
  done(p);
}

Test(parser, comparisons_do_not_chain) {
  Parsed *p = parse("let x = a < b < c;");
  cr_assert_eq(p->diags.errors, 1);
  cr_assert_str_eq(diag_at(p, 0), "1:15: expected ';', found '<'");
  done(p);
}

Test(parser, empty_file_is_an_empty_module) {
  Parsed *p = parse_ok("  // nothing here\n");
  cr_assert_eq(p->m->decl_count, 0);
  cr_assert_eq(p->m->source, 0);
  done(p);
}

Test(parser, three_independent_errors_are_three_diagnostics) {
  Parsed *p = parse(
      "facts {\n"
      "  a: int = ;\n"               /* 2: missing default */
      "  b: bool;\n"
      "}\n"
      "rules recovery {\n"
      "  fatal when a > 1 when;\n"   /* 6: when twice */
      "  otherwise limited;\n"
      "}\n"
      "requirement R-1 \"x\" {\n"
      "  applies sometimes;\n"       /* 10: not always/when */
      "  confirm m;\n"
      "}\n"
      "let ok = 1;\n");
  cr_assert_eq(p->diags.errors, 3);
  cr_assert_str_eq(diag_at(p, 0), "2:12: expected an expression, found ';'");
  cr_assert_str_eq(diag_at(p, 1), "6:20: expected 'because' or ';', found 'when'");
  cr_assert_str_eq(diag_at(p, 2), "10:11: expected 'when' or 'always', found 'sometimes'");
  /* Everything around the errors is still there. */
  cr_assert_eq(p->m->decl_count, 4);
  cr_assert_eq(p->m->decls[0]->fact_count, 1);
  cr_assert_str_eq(p->m->decls[0]->facts[0].name.name, "b");
  cr_assert_eq(p->m->decls[1]->rule_count, 0);
  cr_assert_str_eq(p->m->decls[1]->otherwise.name, "limited");
  cr_assert_eq(p->m->decls[2]->item_count, 1);
  cr_assert_str_eq(p->m->decls[3]->name.name, "ok");
  done(p);
}

Test(parser, errors_on_adjacent_lines_are_all_reported) {
  Parsed *p = parse("facts {\n  a: int = ;\n  type: int;\n  c: enum { x y };\n  d: bool;\n}\n");
  cr_assert_eq(p->diags.errors, 3);
  cr_assert_str_eq(diag_at(p, 0), "2:12: expected an expression, found ';'");
  cr_assert_str_eq(diag_at(p, 1),
                   "3:3: expected a fact name or '}', found 'type' ('type' is a reserved word)");
  cr_assert_str_eq(diag_at(p, 2), "4:15: expected ',' or '}', found 'y'");
  cr_assert_eq(p->m->decls[0]->fact_count, 1);
  done(p);
}

Test(parser, message_wording) {
  static const struct { const char *src, *msg; } cases[] = {
      {"fatal when x;", "1:1: expected a declaration, found 'fatal'"},
      {"axis 1 recovery { }", "1:19: expected a level name, found '}'"},
      {"rules r { when", "1:11: expected a level name, 'otherwise' or '}', found 'when'"},
      {"rules r { otherwise ; }", "1:21: expected a level name, found ';'"},
      {"rules r polcy first { }", "1:9: expected 'policy' or '{', found 'polcy'"},
      {"import ssf;", "1:8: expected a string, found 'ssf'"},
      {"requirement 5 \"x\" { }", "1:13: expected a requirement id, found '5'"},
      {"requirement R \"x\" { 5; }", "1:21: expected a requirement item or '}', found '5'"},
      {"facts { a: }", "1:12: expected a type, found '}'"},
      {"let x = 1", "1:10: expected ';', found end of file"},
      {"let x = (1 + 2;", "1:15: expected ')', found ';'"},
      {"test \"t\" { given { a 1 } }", "1:22: expected ':', found '1'"},
      {"test \"t\" { expect requires; }", "1:27: expected a requirement id, found ';'"},
      {"scale s { a, \"b\" }", "1:14: expected a level name or '}', found a string"},
      {"pack \"p\" version \"1\" { title; }", "1:29: expected a string, found ';'"},
      {"let let = 1;", "1:5: expected a name, found 'let' ('let' is a reserved word)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    Parsed *p = parse(cases[i].src);
    cr_assert_eq(p->diags.errors, 1, "%s: %zu errors", cases[i].src, p->diags.errors);
    cr_assert_str_eq(diag_at(p, 0), cases[i].msg, "for %s", cases[i].src);
    done(p);
  }
}

Test(parser, semantic_checks_of_the_grammar) {
  Parsed *p = parse("axis 3 r { a }\n"
                    "rules r { otherwise a; otherwise b; }\n"
                    "requirement R \"x\" { confirm m every 0 months; }\n"
                    "test \"t\" { expect warning \"x\"; expect a; given { a: 1 } }\n");
  cr_assert_eq(p->diags.errors, 5);
  cr_assert_str_eq(diag_at(p, 0), "1:6: an axis is 1 (recovery) or 2 (economic), not 3");
  cr_assert_str_eq(diag_at(p, 1), "2:24: a rules block has at most one 'otherwise'");
  cr_assert_eq(p->diags.items[2].level, DIAG_NOTE);
  cr_assert_str_eq(diag_at(p, 2), "2:21: the first 'otherwise' is here");
  cr_assert_str_eq(diag_at(p, 3), "3:37: 'every' needs a positive number of months");
  cr_assert_str_eq(diag_at(p, 4),
                   "4:19: unknown expectation 'warning' before a string (did you mean 'error'?)");
  cr_assert_str_eq(diag_at(p, 5), "4:42: 'given' comes once, first in a test");
  cr_assert_str_eq(p->m->decls[1]->otherwise.name, "a");
  done(p);
}

Test(parser, lexical_errors_do_not_cascade) {
  Parsed *p = parse("let y = \"x\" @ 3;\nlet z = \"open\nlet w = 1;\n/* never closed");
  cr_assert_eq(p->diags.errors, 3);
  cr_assert_str_eq(diag_at(p, 0), "1:13: unexpected character '@'");
  cr_assert_str_eq(diag_at(p, 1),
                   "2:9: unterminated string: missing '\"' before the end of the line");
  cr_assert_str_eq(diag_at(p, 2), "4:1: unterminated comment: '/*' has no matching '*/'");
  done(p);
}

Test(parser, broken_header_keeps_the_body_checked) {
  Parsed *p = parse("rules r polcy { fatal when x when; }\nlet ok = 1;\n");
  cr_assert_eq(p->diags.errors, 2);
  cr_assert_str_eq(diag_at(p, 0), "1:9: expected 'policy' or '{', found 'polcy'");
  cr_assert_str_eq(diag_at(p, 1), "1:30: expected 'because' or ';', found 'when'");
  cr_assert_eq(p->m->decl_count, 1);
  cr_assert_str_eq(p->m->decls[0]->name.name, "ok");
  done(p);
}

Test(parser, unclosed_block_at_end_of_file) {
  Parsed *p = parse("let a = 1;\nfacts {\n  x: int;\n");
  cr_assert_eq(p->diags.errors, 1);
  cr_assert_str_eq(diag_at(p, 0), "4:1: expected '}' at the end of the file: a block is not closed");
  cr_assert_eq(p->m->decl_count, 2, "what parsed before is kept, and the block is closed there");
  done(p);
}

Test(parser, deep_nesting_is_an_error_not_a_crash) {
  size_t depth = 30000;
  char *src = malloc(2 * depth + 32);
  strcpy(src, "let x = ");
  size_t k = strlen(src);
  for (size_t i = 0; i < depth; i++) src[k++] = '(';
  src[k++] = '1';
  for (size_t i = 0; i < depth; i++) src[k++] = ')';
  strcpy(src + k, ";");
  Parsed *p = parse(src);
  free(src);
  cr_assert_eq(p->diags.errors, 1);
  cr_assert(strstr(p->diags.items[0].message, "nested too deeply") != NULL,
            "%s", p->diags.items[0].message);
  done(p);
}

Test(parser, moderate_nesting_is_fine) {
  size_t depth = 1000;
  char *src = malloc(2 * depth + 32);
  strcpy(src, "let x = ");
  size_t k = strlen(src);
  for (size_t i = 0; i < depth; i++) src[k++] = '(';
  src[k++] = '1';
  for (size_t i = 0; i < depth; i++) src[k++] = ')';
  strcpy(src + k, ";");
  Parsed *p = parse_ok(src);
  free(src);
  cr_assert_eq(p->m->decls[0]->value->i, 1);
  done(p);
}

Test(parser, long_lists_cost_no_stack) {
  size_t n = 50000;
  char *src = malloc(n * 12 + 64);
  strcpy(src, "scale big { ");
  size_t k = strlen(src);
  for (size_t i = 0; i < n; i++) k += (size_t)sprintf(src + k, "l%zu, ", i);
  strcpy(src + k, "}");
  Parsed *p = parse_ok(src);
  free(src);
  cr_assert_eq(p->m->decls[0]->value_count, n);
  cr_assert_str_eq(p->m->decls[0]->values[n - 1].name, "l49999");
  done(p);
}
