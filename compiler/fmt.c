/*
 * fmt.c -- the canonical layout of a source file (fmt.h, `ipsfc fmt`).
 *
 * How it works.  The file is parsed with parse_module; the tree is printed
 * again from scratch, so every construct has one layout whatever the
 * author's spacing was.  The tree has no comments, so they come from a
 * small scanner of our own (fmt_comments.c: it skips strings as the real
 * one does, which discards comments), and are put back by byte offset:
 *
 *   * The printer cuts the file into *chunks*: a chunk is what is printed
 *     as one unit, a declaration that fits on a line, the header line of a
 *     block (`facts {`), one item of a block (a fact, a rule, a requirement
 *     item, a test item), a block's closing brace.  A chunk owns the source
 *     from its first byte to the first byte of the next chunk.
 *   * A comment after a chunk's last token on the same line is a trailing
 *     comment of that chunk, printed at the end of its (last) line.  Other
 *     comments after a chunk's last token lead the next chunk and are
 *     printed above it, on their own lines; at the end of a block they
 *     stand before its `}`, at the end of the file after everything.
 *   * A comment inside a chunk (in the middle of an expression that is
 *     printed on one line) cannot stay where it was: it is printed on its
 *     own line above the chunk.  Nothing is ever dropped.
 *
 * Placing comments needs each chunk's first offset before printing, so the
 * printer runs twice over the tree: first collecting chunk offsets (output
 * thrown away), then printing for real with the comments assigned.
 *
 * Blank lines: one blank line where the source had one or more (between
 * items of a block, between comments), none after `{`, before `}` or at the
 * start of the file; between two top-level declarations always one when
 * either of them takes more than one line.  Alignment (fact types, the
 * `when` of rules, pack entry values, trailing comments) is done within a
 * *group*: consecutive lines not separated by a blank line.
 *
 * Lines are filled to FMT_WIDTH columns by a greedy breaker over "pieces"
 * (text, optional breaks with a continuation column, forced breaks); see
 * fmt_lines.c.  Strings are never split.
 *
 * Finally fmt_source checks its own result (fmt.h): it parses again, to an
 * equal tree, with as many comments.  The layout depends only on the tree,
 * the comments and the blank lines, all of which a second run sees
 * unchanged, hence formatting twice equals formatting once (tested over
 * every .ipsf of the repository by tests/fmt/check_all.sh).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_internal.h"

/* ---- strings and literals -------------------------------------------------------- */

/* Characters that do not show (or look like others) are written as
 * \u{...} so that the source says what the string holds. */
static bool invisible(uint32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0xA0) || cp == 0xAD || cp == 0x34F ||
         cp == 0x61C || (cp >= 0x115F && cp <= 0x1160) || (cp >= 0x17B4 && cp <= 0x17B5) ||
         (cp >= 0x180B && cp <= 0x180E) || (cp >= 0x2000 && cp <= 0x200F) ||
         (cp >= 0x2028 && cp <= 0x202F) || (cp >= 0x205F && cp <= 0x206F) || cp == 0x3164 ||
         (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF || cp == 0xFFA0 ||
         (cp >= 0xFFF0 && cp <= 0xFFFB) || (cp >= 0xE0000 && cp <= 0xE0FFF);
}

/* A string literal, escaped canonically: \" \\ \n \t, \u{XXXX} for the
 * invisible characters, everything else as itself. */
static char *quote(const char *s) {
  IpsfBuf b = {0};
  fmt_putc(&b, '"');
  size_t n = strlen(s);
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)s[i];
    size_t len;
    uint32_t cp = utf8_decode((const unsigned char *)s + i, n - i, &len);
    if (c == '"') ipsf_buf_puts(&b, "\\\"");
    else if (c == '\\') ipsf_buf_puts(&b, "\\\\");
    else if (c == '\n') ipsf_buf_puts(&b, "\\n");
    else if (c == '\t') ipsf_buf_puts(&b, "\\t");
    else if (invisible(cp)) ipsf_buf_printf(&b, "\\u{%04x}", (unsigned)cp);
    else ipsf_buf_put(&b, s + i, len);
    i += len;
  }
  fmt_putc(&b, '"');
  return fmt_take(&b);
}

static void lquote(Line *l, const char *s) { lt_take(l, quote(s)); }

/* An int or number literal as written: its own digits (1_000_000, 0x1F,
 * 2.5e-3), and a '-' when the parser folded an odd number of minus signs
 * into it (its span then covers them, and maybe parentheses). */
static char *literal_text(const Fmt *F, const Expr *e) {
  uint32_t i = e->span.start, end = e->span.end;
  int minus = 0;
  IpsfBuf b = {0};
  while (i < end) {
    long c = comment_starting_at(F, i);
    if (c >= 0) {
      i = F->cm.items[c].end;
      continue;
    }
    char ch = F->src[i];
    if (ch == '-') minus++;
    if (ch >= '0' && ch <= '9') break;
    i++;
  }
  if (minus % 2) fmt_putc(&b, '-');
  uint32_t j = i;
  while (j < end && !is_space(F->src[j]) && F->src[j] != ')' && F->src[j] != '/') j++;
  ipsf_buf_put(&b, F->src + i, j - i);
  if (j == i) { /* cannot happen for a literal that parsed; keep the value */
    if (e->kind == EX_INT) ipsf_buf_printf(&b, "%lld", (long long)(minus % 2 ? -e->i : e->i));
    else ipsf_buf_printf(&b, "%.17g", e->n);
  }
  return fmt_take(&b);
}

/* ---- expressions ---------------------------------------------------------------------- */

/* Binding strength, loosest first, as in the grammar (docs/language.md 11). */
enum { P_IF = 1, P_OR, P_AND, P_NOT, P_CMP, P_ADD, P_MUL, P_NEG, P_PRIMARY };

static bool negative_literal(const Fmt *F, const Expr *e) {
  if (e->kind != EX_INT && e->kind != EX_NUMBER) return false;
  char *t = literal_text(F, e);
  bool neg = t[0] == '-';
  free(t);
  return neg;
}

static int prec(const Fmt *F, const Expr *e) {
  switch (e->kind) {
  case EX_IF: return P_IF;
  case EX_UNARY: return e->op == OP_NOT ? P_NOT : P_NEG;
  case EX_BINARY:
    switch (e->op) {
    case OP_OR: return P_OR;
    case OP_AND: return P_AND;
    case OP_ADD: case OP_SUB: return P_ADD;
    case OP_MUL: case OP_DIV: case OP_MOD: return P_MUL;
    default: return P_CMP;
    }
  case EX_INT: case EX_NUMBER: return negative_literal(F, e) ? P_NEG : P_PRIMARY;
  default: return P_PRIMARY;
  }
}

static const char *op_text(ExprOp op) {
  switch (op) {
  case OP_NOT: return "not";
  case OP_NEG: return "-";
  case OP_OR: return "or";
  case OP_AND: return "and";
  case OP_EQ: return "==";
  case OP_NE: return "!=";
  case OP_LT: return "<";
  case OP_LE: return "<=";
  case OP_GT: return ">";
  case OP_GE: return ">=";
  case OP_IN: return "in";
  case OP_ADD: return "+";
  case OP_SUB: return "-";
  case OP_MUL: return "*";
  case OP_DIV: return "/";
  case OP_MOD: return "%";
  }
  return "?";
}

/* Print e, in parentheses if it binds less tightly than min.  Lines may
 * break before `or`, `and`, `then` and `else`, continuing at column cont. */
static void lexpr(const Fmt *F, Line *l, const Expr *e, int min, int cont) {
  bool paren = prec(F, e) < min;
  if (paren) lt(l, "(");
  switch (e->kind) {
  case EX_INT:
  case EX_NUMBER: lt_take(l, literal_text(F, e)); break;
  case EX_STRING: lquote(l, e->str); break;
  case EX_BOOL: lt(l, e->b ? "true" : "false"); break;
  case EX_NAME: lt(l, e->name.name); break;
  case EX_SET:
    if (e->item_count == 0) {
      lt(l, "{}");
      break;
    }
    lt(l, "{ ");
    for (size_t i = 0; i < e->item_count; i++) {
      if (i) lt(l, ", ");
      lexpr(F, l, e->items[i], P_IF, cont);
    }
    lt(l, " }");
    break;
  case EX_CALL:
    lt(l, e->name.name);
    lt(l, "(");
    for (size_t i = 0; i < e->item_count; i++) {
      if (i) lt(l, ", ");
      lexpr(F, l, e->items[i], P_IF, cont);
    }
    lt(l, ")");
    break;
  case EX_UNARY:
    if (e->op == OP_NOT) {
      lt(l, "not ");
      lexpr(F, l, e->a, P_NOT, cont);
    } else {
      lt(l, "-");
      lexpr(F, l, e->a, P_NEG, cont);
    }
    break;
  case EX_BINARY: {
    int p = prec(F, e);
    if (p == P_CMP) { /* not associative */
      lexpr(F, l, e->a, P_ADD, cont);
      lt(l, " ");
      lt(l, op_text(e->op));
      lt(l, " ");
      lexpr(F, l, e->b2, P_ADD, cont);
    } else { /* left-associative */
      lexpr(F, l, e->a, p, cont);
      if (e->op == OP_OR || e->op == OP_AND) {
        lbreak(l, cont);
        lt(l, op_text(e->op));
        lt(l, " ");
      } else {
        lt(l, " ");
        lt(l, op_text(e->op));
        lt(l, " ");
      }
      lexpr(F, l, e->b2, p + 1, cont);
    }
    break;
  }
  case EX_IF:
    /* an `if` inside the condition or the `then` branch of another keeps
     * its parentheses (an `else if` chain reads well without) */
    lt(l, "if ");
    lexpr(F, l, e->a, P_OR, cont);
    lbreak(l, cont);
    lt(l, "then ");
    lexpr(F, l, e->b2, P_OR, cont);
    lbreak(l, cont);
    lt(l, "else ");
    lexpr(F, l, e->c, P_IF, cont);
    break;
  }
  if (paren) lt(l, ")");
}

/* ---- types --------------------------------------------------------------------------- */

/* A list of names in braces, `{ a, b, c }`, continuing after the brace. */
static void lnames(Line *l, const Ident *ids, size_t n) {
  lt(l, "{ ");
  int cont = l->col;
  for (size_t i = 0; i < n; i++) {
    if (i) {
      lt(l, ",");
      lbreak(l, cont);
    }
    lt(l, ids[i].name);
  }
  lt(l, " }");
}

static void ltype(Line *l, const TypeExpr *t) {
  switch (t->kind) {
  case TE_BOOL: lt(l, "bool"); break;
  case TE_INT: lt(l, "int"); break;
  case TE_NUMBER: lt(l, "number"); break;
  case TE_STRING: lt(l, "string"); break;
  case TE_ENUM:
    lt(l, "enum ");
    lnames(l, t->values, t->value_count);
    break;
  case TE_SET:
    lt(l, "set of ");
    ltype(l, t->elem);
    break;
  case TE_NAMED: lt(l, t->name.name); break;
  }
}

/* ---- blocks ------------------------------------------------------------------------- */

#define INDENT 2
#define CONT 4 /* continuation lines of a block item: its indent + 4 */

/* The closing brace of a block declaration (its span ends with it). */
static void close_brace(Fmt *F, const Decl *d) {
  chunk_begin(F, d->span.end - 1, INDENT);
  F->pending_blank = false; /* never a blank line before `}` */
  emit_text(F, 0, "}");
  chunk_end(F);
}

/* A block's header line, `KEYWORD ... {`; after it, no blank line. */
static void open_block(Fmt *F, const Decl *d, Line *l) {
  chunk_begin(F, d->span.start, 0);
  lt(l, " {");
  emit_line(F, l);
  chunk_end(F);
  F->suppress_blank = true;
}

/* The offset of a block declaration's `{`: the first one after its
 * keyword that is in no string or comment. */
static uint32_t open_brace(const Fmt *F, const Decl *d) {
  uint32_t i = d->span.start;
  while (i < d->span.end) {
    i = skip_fwd(F, i);
    if (i >= d->span.end || F->src[i] == '{') break;
    if (F->src[i] == '"') {
      i++;
      while (i < d->span.end && F->src[i] != '"') i += F->src[i] == '\\' ? 2 : 1;
    }
    i++;
  }
  return i;
}

/* Comments between the braces of a block: then it is never written on one
 * line (`HEAD { }`, `rules S { otherwise L; }`). */
static bool block_has_comments(const Fmt *F, const Decl *d) {
  return comment_within(F, open_brace(F, d) + 1, d->span.end);
}

/* A block with nothing in it and no comment inside: the header and ` { }`
 * on one line.  True when it printed that (the caller is done). */
static bool print_empty_block(Fmt *F, const Decl *d, Line *l, bool empty) {
  if (!empty || block_has_comments(F, d)) return false;
  chunk_begin(F, d->span.start, 0);
  lt(l, " { }");
  emit_line(F, l);
  chunk_end(F);
  return true;
}

/* Entries `key "value";` (pack header, catalog) with aligned values. */
typedef struct {
  uint32_t off;
  const PackEntry *entry;     /* or */
  const Provision *provision;
} CatItem;

static int cmp_catitem(const void *a, const void *b) {
  uint32_t x = ((const CatItem *)a)->off, y = ((const CatItem *)b)->off;
  return x < y ? -1 : x > y;
}

static void print_provision(Fmt *F, const Provision *p) {
  Line l = {0};
  lspaces(&l, INDENT);
  lt(&l, "provision ");
  lt(&l, p->id.name);
  lt(&l, " ");
  lquote(&l, p->clause.text);
  lt(&l, " ");
  lquote(&l, p->title.text);
  lt(&l, " ");
  lt(&l, p->status.name);
  if (p->satisfied_count) {
    lbreak(&l, INDENT + CONT);
    lt(&l, "satisfied_by ");
    for (size_t i = 0; i < p->satisfied_count; i++) {
      if (i) lt(&l, ", ");
      lt(&l, p->satisfied_by[i].name);
    }
  }
  lt(&l, ";");
  emit_line(F, &l);
}

/* Pack header and catalog: entries and provisions in source order. */
static void print_entries(Fmt *F, const Decl *d) {
  size_t n = d->entry_count + d->provision_count;
  CatItem *items = xcalloc(n ? n : 1, sizeof *items);
  for (size_t i = 0; i < d->entry_count; i++)
    items[i] = (CatItem){d->entries[i].key.span.start, &d->entries[i], NULL};
  for (size_t i = 0; i < d->provision_count; i++)
    items[d->entry_count + i] =
        (CatItem){word_before(F, d->provisions[i].id.span.start), NULL, &d->provisions[i]};
  qsort(items, n, sizeof *items, cmp_catitem);
  size_t i = 0;
  while (i < n) {
    if (!items[i].entry) {
      chunk_begin(F, items[i].off, INDENT);
      print_provision(F, items[i].provision);
      chunk_end(F);
      i++;
      continue;
    }
    /* a group of entries: consecutive, no blank line between */
    size_t j = i + 1;
    while (j < n && items[j].entry && !chunk_has_blank(F, items[j].off)) j++;
    int w = 0;
    for (size_t k = i; k < j; k++) {
      int kw = dwidth(items[k].entry->key.name);
      if (kw > w) w = kw;
    }
    for (size_t k = i; k < j; k++) {
      const PackEntry *e = items[k].entry;
      chunk_begin(F, items[k].off, INDENT);
      Line l = {0};
      lspaces(&l, INDENT);
      lt(&l, e->key.name);
      lspaces(&l, w - dwidth(e->key.name) + 1);
      lquote(&l, e->value.text);
      lt(&l, ";");
      emit_line(F, &l);
      chunk_end(F);
    }
    i = j;
  }
  free(items);
}

static void print_header_block(Fmt *F, const Decl *d, const char *keyword) {
  Line l = {0};
  lt(&l, keyword);
  lt(&l, " ");
  lquote(&l, d->str.text);
  lt(&l, " version ");
  lquote(&l, d->str2.text);
  if (print_empty_block(F, d, &l, d->entry_count + d->provision_count == 0)) return;
  open_block(F, d, &l);
  print_entries(F, d);
  close_brace(F, d);
}

/* facts { name: TYPE [unordered] [= DEFAULT] ["doc"]; } with the types
 * aligned within a group. */
static void print_facts(Fmt *F, const Decl *d) {
  Line l = {0};
  lt(&l, "facts");
  if (print_empty_block(F, d, &l, d->fact_count == 0)) return;
  open_block(F, d, &l);
  size_t i = 0;
  while (i < d->fact_count) {
    size_t j = i + 1;
    while (j < d->fact_count && !chunk_has_blank(F, d->facts[j].name.span.start)) j++;
    int w = 0;
    for (size_t k = i; k < j; k++) {
      int kw = dwidth(d->facts[k].name.name);
      if (kw > w) w = kw;
    }
    for (size_t k = i; k < j; k++) {
      const FactDecl *f = &d->facts[k];
      chunk_begin(F, f->name.span.start, INDENT);
      Line fl = {0};
      lspaces(&fl, INDENT);
      lt(&fl, f->name.name);
      lt(&fl, ":");
      lspaces(&fl, w - dwidth(f->name.name) + 1);
      ltype(&fl, f->type);
      if (f->unordered) lt(&fl, " unordered");
      if (f->likelihood) lt(&fl, " likelihood");
      if (f->deflt) {
        lt(&fl, " = ");
        lexpr(F, &fl, f->deflt, P_IF, fl.col);
      }
      if (f->doc.text) {
        lbreak(&fl, INDENT + CONT);
        lquote(&fl, f->doc.text);
      }
      lt(&fl, ";");
      emit_line(F, &fl);
      chunk_end(F);
    }
    i = j;
  }
  close_brace(F, d);
}

/* The part of a rule before `because`: `LEVEL when COND`, the level padded
 * to width w. */
static void rule_head(const Fmt *F, Line *l, const RuleDecl *r, int w) {
  lspaces(l, INDENT);
  lt(l, r->level.name);
  lspaces(l, w - dwidth(r->level.name) + 1);
  lt(l, "when ");
  lexpr(F, l, r->cond, P_IF, l->col);
}

static int rule_head_width(const Fmt *F, const RuleDecl *r, int w) {
  Line l = {0};
  rule_head(F, &l, r, w);
  int col = l.col;
  line_free(&l);
  return col;
}

static void print_rules_header(Line *l, const Decl *d) {
  lt(l, "rules ");
  lt(l, d->name.name);
  if (d->policy.name) {
    lt(l, " policy ");
    lt(l, d->policy.name);
    if (d->allow_nonmonotone) lt(l, " allow nonmonotone");
  }
}

/* One group of rules (no blank line between them): `when` aligned; the
 * `because` strings either all on their rule's line, aligned, when every
 * such line then fits, or all on a continuation line under `when`. */
static void print_rule_group(Fmt *F, const RuleDecl *rules, size_t n) {
  int w = 0;
  for (size_t k = 0; k < n; k++) {
    int kw = dwidth(rules[k].level.name);
    if (kw > w) w = kw;
  }
  int bcol = 0;
  bool inline_because = true;
  for (size_t k = 0; k < n; k++) {
    if (!rules[k].because.text) continue;
    int hw = rule_head_width(F, &rules[k], w);
    if (hw > bcol) bcol = hw;
  }
  for (size_t k = 0; k < n && inline_because; k++) {
    if (!rules[k].because.text) continue;
    char *q = quote(rules[k].because.text);
    if (bcol + 1 + 8 + dwidth(q) + 1 > FMT_WIDTH) inline_because = false;
    free(q);
  }
  for (size_t k = 0; k < n; k++) {
    const RuleDecl *r = &rules[k];
    chunk_begin(F, r->level.span.start, INDENT);
    Line l = {0};
    rule_head(F, &l, r, w);
    if (r->because.text) {
      if (inline_because) {
        lspaces(&l, bcol - l.col + 1);
      } else {
        lhard(&l, INDENT + w + 1);
      }
      lt(&l, "because ");
      lquote(&l, r->because.text);
    }
    lt(&l, ";");
    emit_line(F, &l);
    chunk_end(F);
  }
}

static void print_rules(Fmt *F, const Decl *d) {
  Line l = {0};
  print_rules_header(&l, d);
  if (d->rule_count == 0 && !block_has_comments(F, d)) {
    chunk_begin(F, d->span.start, 0);
    if (d->otherwise.name) {
      lt(&l, " { otherwise ");
      lt(&l, d->otherwise.name);
      lt(&l, "; }");
    } else {
      lt(&l, " { }");
    }
    emit_line(F, &l);
    chunk_end(F);
    return;
  }
  open_block(F, d, &l);
  size_t i = 0;
  while (i < d->rule_count) {
    size_t j = i + 1;
    while (j < d->rule_count && !chunk_has_blank(F, d->rules[j].level.span.start)) j++;
    print_rule_group(F, d->rules + i, j - i);
    i = j;
  }
  if (d->otherwise.name) { /* last, wherever it was written */
    chunk_begin(F, word_before(F, d->otherwise.span.start), INDENT);
    Line ol = {0};
    lspaces(&ol, INDENT);
    lt(&ol, "otherwise ");
    lt(&ol, d->otherwise.name);
    lt(&ol, ";");
    emit_line(F, &ol);
    chunk_end(F);
  }
  close_brace(F, d);
}

/* The digits of `every N months` as written. */
static char *every_text(const Fmt *F, const ReqItem *it) {
  uint32_t i = it->every_span.start + 5; /* after `every` */
  uint32_t end = it->every_span.end;
  i = skip_fwd(F, i);
  uint32_t j = i;
  while (j < end && !is_space(F->src[j]) && F->src[j] != '/') j++;
  if (j == i || j > end) {
    IpsfBuf b = {0};
    ipsf_buf_printf(&b, "%lld", (long long)it->every);
    return fmt_take(&b);
  }
  char *t = xmalloc(j - i + 1);
  memcpy(t, F->src + i, j - i);
  t[j - i] = '\0';
  return t;
}

/* The start of a `let`/`fn` body: on the declaration's line if it all
 * fits, else alone on the next line, indented by CONT. */
static void lbody(const Fmt *F, Line *l, const Expr *e, const char *end) {
  Line flat = {0};
  lexpr(F, &flat, e, P_IF, 0);
  bool fits = line_fits_flat(l) && l->col + 1 + flat.col + dwidth(end) <= FMT_WIDTH;
  line_free(&flat);
  if (fits) {
    lt(l, " ");
    lexpr(F, l, e, P_IF, l->col);
  } else {
    lhard(l, CONT);
    lexpr(F, l, e, P_IF, CONT);
  }
  lt(l, end);
}

/* The digits of `for N months` as written (every_span starts at N). */
static char *compensation_months_text(const Fmt *F, const ReqItem *it) {
  uint32_t i = it->every_span.start, j = i;
  while (j < it->every_span.end && !is_space(F->src[j]) && F->src[j] != '/') j++;
  if (j == i) {
    IpsfBuf b = {0};
    ipsf_buf_printf(&b, "%lld", (long long)it->every);
    return fmt_take(&b);
  }
  char *t = xmalloc(j - i + 1);
  memcpy(t, F->src + i, j - i);
  t[j - i] = '\0';
  return t;
}

/* A requirement item (a long condition continues at the item's indent + 4). */
static void print_req_item(Fmt *F, const ReqItem *it) {
  Line l = {0};
  lspaces(&l, INDENT);
  switch (it->kind) {
  case RI_VIEWPOINT:
    lt(&l, "viewpoint ");
    lt(&l, it->ident.name);
    break;
  case RI_REF:
    lt(&l, "ref ");
    if (it->str.text) lquote(&l, it->str.text);
    else lt(&l, it->ident.name);
    break;
  case RI_APPLIES:
    if (it->expr) {
      lt(&l, "applies when ");
      lexpr(F, &l, it->expr, P_IF, INDENT + CONT);
    } else {
      lt(&l, "applies always");
    }
    break;
  case RI_CONFIRM:
    lt(&l, "confirm ");
    lt(&l, it->ident.name);
    if (it->every) {
      lt(&l, " every ");
      lt_take(&l, every_text(F, it));
      lt(&l, it->every == 1 ? " month" : " months");
    }
    if (it->expr) {
      lt(&l, " when ");
      lexpr(F, &l, it->expr, P_IF, INDENT + CONT);
    }
    break;
  case RI_PARTY:
    lt(&l, "party ");
    lt(&l, it->ident.name);
    break;
  case RI_DOC:
    lt(&l, "doc ");
    lquote(&l, it->str.text);
    break;
  case RI_COMPENSATED:
    lt(&l, "compensated_by ");
    for (size_t i = 0; i < it->id_count; i++) {
      if (i) lt(&l, ", ");
      lt(&l, it->ids[i].name);
    }
    if (it->value.name) {
      lt(&l, " ");
      lt(&l, it->value.name);
      lt(&l, " ");
      if (it->str.text) {
        lquote(&l, it->str.text);
      } else {
        lt_take(&l, compensation_months_text(F, it));
        lt(&l, it->every == 1 ? " month" : " months");
      }
    }
    break;
  case RI_ATTR: /* `basis law "…"`, or a word with no value (`subject;`, `g;`) */
    lt(&l, it->ident.name);
    if (it->value.name) {
      lt(&l, " ");
      lt(&l, it->value.name);
    }
    if (it->str.text) {
      lt(&l, " ");
      lquote(&l, it->str.text);
    }
    break;
  }
  lt(&l, ";");
  emit_line(F, &l);
}

static void print_requirement(Fmt *F, const Decl *d) {
  Line l = {0};
  lt(&l, "requirement ");
  lt(&l, d->name.name);
  lt(&l, " ");
  lquote(&l, d->str.text);
  if (print_empty_block(F, d, &l, d->item_count == 0)) return;
  open_block(F, d, &l);
  for (size_t i = 0; i < d->item_count; i++) {
    chunk_begin(F, d->items[i].span.start, INDENT);
    print_req_item(F, &d->items[i]);
    chunk_end(F);
  }
  close_brace(F, d);
}

/* A usage profile: `profile NAME "title" {`, one item a line, in source
 * order (a long value continues at the item's indent + 4). */
static void print_profile(Fmt *F, const Decl *d) {
  Line l = {0};
  lt(&l, "profile ");
  lt(&l, d->name.name);
  if (d->str.text) {
    lt(&l, " ");
    lquote(&l, d->str.text);
  }
  if (print_empty_block(F, d, &l, d->pitem_count == 0)) return;
  open_block(F, d, &l);
  for (size_t i = 0; i < d->pitem_count; i++) {
    const ProfileItem *it = &d->pitems[i];
    chunk_begin(F, it->span.start, INDENT);
    Line m = {0};
    lspaces(&m, INDENT);
    if (it->kind == PI_DOC) {
      lt(&m, "doc ");
      lquote(&m, it->str.text);
    } else {
      lt(&m, it->fact.name);
      lt(&m, it->kind == PI_SETS ? " = " : " in ");
      lexpr(F, &m, it->value, P_IF, INDENT + CONT);
    }
    lt(&m, ";");
    emit_line(F, &m);
    chunk_end(F);
  }
  close_brace(F, d);
}

static void print_expect(Fmt *F, const Expect *x) {
  Line l = {0};
  lspaces(&l, INDENT);
  lt(&l, "expect ");
  switch (x->kind) {
  case EXPECT_EXPR: lexpr(F, &l, x->expr, P_IF, INDENT + CONT); break;
  case EXPECT_REQUIRES:
    lt(&l, "requires ");
    lt(&l, x->id.name);
    if (x->method.name) {
      lt(&l, " with ");
      lt(&l, x->method.name);
    }
    break;
  case EXPECT_NOT_REQUIRES:
    lt(&l, "not requires ");
    lt(&l, x->id.name);
    break;
  case EXPECT_VIEWPOINT:
    lt(&l, "viewpoint ");
    lt(&l, x->id.name);
    break;
  case EXPECT_ERROR:
    lt(&l, "error ");
    lquote(&l, x->str.text);
    break;
  }
  lt(&l, ";");
  emit_line(F, &l);
}

/* test "name" { given { f: v, ... } profile "p"; expect ...; } */
static void print_test(Fmt *F, const Decl *d) {
  Line l = {0};
  lt(&l, "test ");
  lquote(&l, d->str.text);
  if (print_empty_block(F, d, &l,
                        d->given_count == 0 && !d->profile.text && d->expect_count == 0))
    return;
  open_block(F, d, &l);
  if (d->given_count) {
    uint32_t brace = punct_before(F, d->givens[0].fact.span.start);
    chunk_begin(F, word_before(F, brace), INDENT);
    Line g = {0};
    lspaces(&g, INDENT);
    lt(&g, "given { ");
    int cont = g.col;
    for (size_t i = 0; i < d->given_count; i++) {
      if (i) {
        lt(&g, ",");
        lbreak(&g, cont);
      }
      lt(&g, d->givens[i].fact.name);
      lt(&g, ": ");
      lexpr(F, &g, d->givens[i].value, P_IF, cont);
    }
    lt(&g, " }");
    emit_line(F, &g);
    chunk_end(F);
  }
  if (d->profile.text) {
    chunk_begin(F, word_before(F, d->profile.span.start), INDENT);
    Line p = {0};
    lspaces(&p, INDENT);
    lt(&p, "profile ");
    lquote(&p, d->profile.text);
    lt(&p, ";");
    emit_line(F, &p);
    chunk_end(F);
  }
  for (size_t i = 0; i < d->expect_count; i++) {
    chunk_begin(F, d->expects[i].span.start, INDENT);
    print_expect(F, &d->expects[i]);
    chunk_end(F);
  }
  close_brace(F, d);
}

/* viewpoint NAME ["title"] {
 *   method, method
 * } */
static void print_viewpoint(Fmt *F, const Decl *d) {
  Line l = {0};
  lt(&l, "viewpoint ");
  lt(&l, d->name.name);
  if (d->str.text) {
    lt(&l, " ");
    lquote(&l, d->str.text);
  }
  open_block(F, d, &l);
  chunk_begin(F, d->values[0].span.start, INDENT);
  Line m = {0};
  lspaces(&m, INDENT);
  for (size_t i = 0; i < d->value_count; i++) {
    if (i) {
      lt(&m, ",");
      lbreak(&m, INDENT);
    }
    lt(&m, d->values[i].name);
  }
  emit_line(F, &m);
  chunk_end(F);
  close_brace(F, d);
}

static void print_params(Line *l, const Decl *d) {
  lt(l, "(");
  for (size_t i = 0; i < d->param_count; i++) {
    if (i) lt(l, ", ");
    if (d->params[i].name.name) {
      lt(l, d->params[i].name.name);
      lt(l, ": ");
    }
    ltype(l, d->params[i].type);
  }
  lt(l, ") -> ");
  ltype(l, d->type);
}

/* A declaration printed as one chunk (on one line unless too long). */
static void print_simple(Fmt *F, const Decl *d) {
  Line l = {0};
  chunk_begin(F, d->span.start, 0);
  switch (d->kind) {
  case D_IMPORT:
    lt(&l, "import ");
    lquote(&l, d->str.text);
    if (d->name.name) {
      lt(&l, " as ");
      lt(&l, d->name.name);
    }
    lt(&l, ";");
    break;
  case D_TYPE:
    lt(&l, "type ");
    lt(&l, d->name.name);
    lt(&l, " = ");
    ltype(&l, d->type);
    lt(&l, ";");
    break;
  case D_LET:
    lt(&l, "let ");
    lt(&l, d->name.name);
    lt(&l, " =");
    lbody(F, &l, d->value, ";");
    break;
  case D_FN:
    lt(&l, "fn ");
    lt(&l, d->name.name);
    print_params(&l, d);
    lt(&l, " =");
    lbody(F, &l, d->value, ";");
    break;
  case D_SCALE:
    if (d->axis) {
      char buf[32];
      snprintf(buf, sizeof buf, "axis %d ", d->axis);
      lt(&l, buf);
    } else {
      lt(&l, "scale ");
    }
    lt(&l, d->name.name);
    lt(&l, " ");
    lnames(&l, d->values, d->value_count);
    break;
  case D_EXTERN:
    lt(&l, "extern ");
    lquote(&l, d->str.text);
    lt(&l, " fn ");
    lt(&l, d->name.name);
    print_params(&l, d);
    if (d->str2.text) {
      lt(&l, " as ");
      lquote(&l, d->str2.text);
    }
    lt(&l, ";");
    break;
  default: break;
  }
  emit_line(F, &l);
  chunk_end(F);
}

static void print_decl(Fmt *F, const Decl *d) {
  switch (d->kind) {
  case D_PACK: print_header_block(F, d, "pack"); break;
  case D_CATALOG: print_header_block(F, d, "catalog"); break;
  case D_FACTS: print_facts(F, d); break;
  case D_RULES: print_rules(F, d); break;
  case D_VIEWPOINT: print_viewpoint(F, d); break;
  case D_REQUIREMENT: print_requirement(F, d); break;
  case D_TEST: print_test(F, d); break;
  case D_PROFILE: print_profile(F, d); break;
  default: print_simple(F, d); break;
  }
}

/* The whole module.  Between two declarations: a blank line if the source
 * had one, and always when either takes more than one line. */
static void print_module(Fmt *F) {
  F->suppress_blank = true;
  bool prev_multi = false;
  for (size_t i = 0; i < F->m->decl_count; i++) {
    size_t first = F->nout;
    print_decl(F, F->m->decls[i]);
    if (F->collect) continue;
    /* lines of code (after the leading comments) */
    size_t code = first;
    const Chunk *c = find_chunk(F, F->m->decls[i]->span.start);
    if (c)
      for (size_t k = c->first; k < c->first + c->count; k++)
        if (F->cm.items[k].role != ROLE_TRAIL) code++;
    bool multi = F->nout - code > 1 || (code < F->nout && strchr(F->out[code].code, '\n'));
    if (i > 0 && (prev_multi || multi) && first < F->nout) F->out[first].blank = true;
    prev_multi = multi;
  }
  chunk_begin(F, F->len, 0); /* comments after the last declaration */
  chunk_end(F);
}

/* Lines to text; trailing comments of consecutive lines aligned, two
 * spaces after the longest code. */
static char *serialise(Fmt *F) {
  IpsfBuf b = {0};
  size_t i = 0;
  while (i < F->nout) {
    size_t j = i;
    int w = 0;
    while (j < F->nout && F->out[j].trail && (j == i || !F->out[j].blank)) {
      int cw = dwidth(F->out[j].code);
      if (cw > w) w = cw;
      j++;
    }
    if (j == i) j = i + 1;
    for (size_t k = i; k < j; k++) {
      OutLine *o = &F->out[k];
      if (o->blank) fmt_putc(&b, '\n');
      ipsf_buf_puts(&b, o->code);
      if (o->trail) {
        int cw = dwidth(o->code);
        fmt_spaces(&b, o->code[0] ? w - cw + 2 : 0);
        ipsf_buf_puts(&b, o->trail);
      }
      fmt_putc(&b, '\n');
    }
    i = j;
  }
  return fmt_take(&b);
}

static void fmt_free(Fmt *F) {
  for (size_t i = 0; i < F->nout; i++) {
    free(F->out[i].code);
    free(F->out[i].trail);
  }
  free(F->out);
  F->out = NULL;
  F->nout = F->capout = 0;
}

/* ---- the entry points ------------------------------------------------------------------ */

static char *printf_alloc(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static char *printf_alloc(const char *fmt, ...) {
  IpsfBuf b = {0};
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  ipsf_buf_puts(&b, buf);
  return fmt_take(&b);
}

FmtStatus fmt_source(const SourceSet *sources, uint32_t source, Diags *diags, FmtOutput *out) {
  memset(out, 0, sizeof *out);
  const Source *src = sources->items[source];
  size_t errors_before = diags->errors;
  Arena arena;
  arena_init(&arena);
  Module *m = parse_module(&arena, diags, sources, source);
  if (diags->errors > errors_before) {
    arena_free(&arena);
    return FMT_SYNTAX;
  }

  Fmt F = {0};
  F.src = src->text;
  F.len = src->len;
  F.m = m;
  scan_comments(src->text, src->len, &F.cm);
  out->comments = F.cm.count;

  F.collect = true;
  print_module(&F);
  fmt_free(&F);
  F.collect = false;
  assign_comments(&F);
  print_module(&F);
  char *text = serialise(&F);
  bool lost = F.lost;
  fmt_free(&F);
  free(F.offs);
  free(F.chunks);
  free(F.cm.items);

  /* The self-checks: same tree, same number of comments. */
  FmtStatus status = FMT_OK;
  size_t len = strlen(text);
  size_t after = fmt_count_comments(text, len);
  if (lost) {
    out->error = printf_alloc("%s: a part of the file was not placed", src->path);
    status = FMT_INTERNAL;
  } else if (after != out->comments) {
    out->error = printf_alloc("%s: the formatted text has %zu comments instead of %zu", src->path,
                              after, out->comments);
    status = FMT_INTERNAL;
  } else {
    SourceSet again;
    sources_init(&again);
    Diags d2;
    diags_init(&d2, &again);
    uint32_t id = sources_add(&again, src->path, xstrdup(text), (uint32_t)len);
    Module *m2 = parse_module(&arena, &d2, &again, id);
    const char *why = NULL;
    if (d2.errors) {
      out->error = printf_alloc("%s: the formatted text does not parse (%s)", src->path,
                                d2.items[0].message);
      status = FMT_INTERNAL;
    } else if (!ast_equal(m, m2, &why)) {
      out->error = printf_alloc("%s: the formatted text means something else (%s)", src->path, why);
      status = FMT_INTERNAL;
    }
    diags_free(&d2);
    sources_free(&again);
  }
  arena_free(&arena);
  if (status != FMT_OK) {
    free(text);
    return status;
  }
  out->text = text;
  out->len = len;
  return FMT_OK;
}

FmtStatus fmt_text(const char *path, const char *text, size_t len, Diags *diags,
                   SourceSet *sources, FmtOutput *out) {
  char *copy = xmalloc(len + 1);
  memcpy(copy, text, len);
  copy[len] = '\0';
  uint32_t id = sources_add(sources, path, copy, (uint32_t)len);
  return fmt_source(sources, id, diags, out);
}

void fmt_output_free(FmtOutput *out) {
  free(out->text);
  free(out->error);
  memset(out, 0, sizeof *out);
}
