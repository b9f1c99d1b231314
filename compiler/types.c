/*
 * types.c -- type checking, name resolution by type, evaluation order.
 *
 * Every expression gets a Ty and every name a referent (LANGUAGE.md §4.7).
 * A bare name compared with, tested for membership against, or assigned to
 * a value of an enum is first looked up among that enum's values; so for a
 * comparison the side that is not such a name is checked first and its type
 * becomes the hint for the other side.  Otherwise names are looked up among
 * fn parameters, then facts, lets and scales, then the values of all enums
 * (an error if more than one enum has the value).
 *
 * Lets and fns are checked on demand, so a let may use a let declared after
 * it; a let reached again while it is being checked is a cycle, a fn
 * reached again is recursion.  Each let, fn and scale records which lets
 * and scales it reads; order_units sorts lets and scales so that each comes
 * after what it reads, and reports cycles through scales.
 */
#include <string.h>

#include "arith.h"
#include "sema.h"

typedef struct {
  OrderItem *items;
  size_t count, cap;
} Deps;

typedef struct {
  Compilation *c;
  Deps *let_deps, *fn_deps, *scale_deps; /* per symbol */
  bool in_rhs;       /* checking the set literal right of `in` */
  /* The unit being checked */
  uint32_t module;
  const FnSym *fn;   /* fn whose body is being checked, or NULL */
  Deps *deps;        /* where reads are recorded */
  /* The chain of lets/fns being checked, for cycle messages */
  const char **chain;
  size_t chain_count, chain_cap;
} Checker;

static const Ty TY_ERR = {TY_ERROR, 0};

static Ty check_expr(Checker *x, Expr *e, Ty hint);

static bool ty_equal(Ty a, Ty b) {
  if (a.kind != b.kind) return false;
  return (a.kind != TY_ENUM && a.kind != TY_SET) || a.enum_id == b.enum_id;
}

/* Can a value of type `from` be used where `to` is expected? */
static bool assignable(Ty from, Ty to) {
  if (from.kind == TY_ERROR || to.kind == TY_ERROR) return true;
  if (from.kind == TY_INT && to.kind == TY_NUMBER) return true;
  if (from.kind == TY_EMPTY_SET && to.kind == TY_SET) return true;
  return ty_equal(from, to);
}

/* Record that the unit being checked reads a let or scale: order_units
 * sorts by these edges.  Linear search: a unit reads a handful. */
static void add_dep(Checker *x, int kind, uint32_t index) {
  if (!x->deps) return;
  for (size_t i = 0; i < x->deps->count; i++)
    if (x->deps->items[i].kind == kind && x->deps->items[i].index == index) return;
  *PUSH(x->c, x->deps->items, x->deps->count, x->deps->cap) = (OrderItem){kind, index};
}

static void add_deps_of(Checker *x, const Deps *d) {
  for (size_t i = 0; i < d->count; i++) add_dep(x, d->items[i].kind, d->items[i].index);
}

static const char *chain_text(Checker *x, size_t from, const char *last) {
  const char *s = "";
  for (size_t i = from; i < x->chain_count; i++)
    s = arena_printf(&x->c->arena, "%s%s -> ", s, x->chain[i]);
  return arena_printf(&x->c->arena, "%s%s", s, last);
}

static size_t chain_find(Checker *x, const char *name) {
  for (size_t i = 0; i < x->chain_count; i++)
    if (strcmp(x->chain[i], name) == 0) return i;
  return 0;
}

/* ---- lets and fns, on demand ----------------------------------------------- */

/* Save the unit context, check another unit, restore. */
typedef struct {
  uint32_t module;
  const FnSym *fn;
  Deps *deps;
} Saved;

static Saved enter_unit(Checker *x, uint32_t module, const FnSym *fn, Deps *deps,
                        const char *name) {
  Saved s = {x->module, x->fn, x->deps};
  x->module = module;
  x->fn = fn;
  x->deps = deps;
  *PUSH(x->c, x->chain, x->chain_count, x->chain_cap) = name;
  return s;
}

static void leave_unit(Checker *x, Saved s) {
  x->module = s.module;
  x->fn = s.fn;
  x->deps = s.deps;
  x->chain_count--;
}

/* Lets are checked when first used, not in declaration order, so a let
 * may use one declared later; state 1 (on the chain being checked) marks
 * a cycle, and the chain names it in the message. */
static Ty check_let(Checker *x, uint32_t index, Span use) {
  LetSym *l = &x->c->lets[index];
  if (l->state == 2) return l->ty;
  if (l->state == 1) {
    diag_error(&x->c->diags, use, "let '%s' depends on itself: %s", l->name,
               chain_text(x, chain_find(x, l->name), l->name));
    return TY_ERR;
  }
  l->state = 1;
  Saved s = enter_unit(x, l->module, NULL, &x->let_deps[index], l->name);
  Ty t = check_expr(x, l->decl->value, TY_ERR);
  leave_unit(x, s);
  if (t.kind == TY_EMPTY_SET) {
    diag_error(&x->c->diags, l->decl->value->span,
               "cannot tell which set `{}` is here: give it a context, e.g. a fact's default");
    t = TY_ERR;
  }
  l->ty = t;
  l->state = 2;
  return t;
}

/* A fn's body is checked once, against its declared parameter types, and
 * then inlined at every call by codegen: recursion would inline forever,
 * so it is an error here. */
static void check_fn(Checker *x, uint32_t index, Span use) {
  FnSym *f = &x->c->fns[index];
  if (f->state == 2) return;
  if (f->state == 1) {
    diag_error(&x->c->diags, use, "recursion is not allowed: %s",
               chain_text(x, chain_find(x, f->name), f->name));
    return;
  }
  f->state = 1;
  Saved s = enter_unit(x, f->module, f, &x->fn_deps[index], f->name);
  Ty t = check_expr(x, f->decl->value, f->result);
  if (!assignable(t, f->result))
    diag_error(&x->c->diags, f->decl->value->span, "fn %s returns %s, but its body is %s",
               f->name, ty_name(x->c, f->result), ty_name(x->c, t));
  leave_unit(x, s);
  f->state = 2;
}

/* ---- names ---------------------------------------------------------------- */

static int param_index(const Checker *x, const char *name) {
  if (!x->fn) return -1;
  for (size_t i = 0; i < x->fn->decl->param_count; i++)
    if (strcmp(x->fn->decl->params[i].name.name, name) == 0) return (int)i;
  return -1;
}

/* A bare name that is no parameter, fact, let or scale: an enum value whose
 * enum the context must tell. */
static bool is_value_name(Checker *x, const Expr *e) {
  return e->kind == EX_NAME && param_index(x, e->name.name) < 0 &&
         !lookup_value(x->c, x->module, e->name.name);
}

static Ty enum_value(Expr *e, uint32_t enum_id, uint32_t value) {
  e->ref = REF_ENUM_VALUE;
  e->ref_index = value;
  return (Ty){TY_ENUM, enum_id};
}

static Ty check_symbol(Checker *x, Expr *e, const SymEntry *s) {
  Compilation *c = x->c;
  e->ref_index = s->index;
  switch (s->kind) {
  case SYM_FACT:
    e->ref = REF_FACT;
    c->facts[s->index].used = true;
    return c->facts[s->index].ty;
  case SYM_LET:
    e->ref = REF_LET;
    add_dep(x, SYM_LET, s->index);
    return check_let(x, s->index, e->span);
  case SYM_SCALE:
    e->ref = REF_SCALE;
    add_dep(x, SYM_SCALE, s->index);
    return (Ty){TY_ENUM, c->scales[s->index].enum_id};
  default:
    diag_error(&c->diags, e->span, "'%s' is a function: call it as %s(...)", e->name.name,
               e->name.name);
    return TY_ERR;
  }
}

/* Name resolution by type (LANGUAGE.md §4.7): the hint (the enum the
 * context expects) is tried first, so `usage == home` finds `home` among
 * usage's values even when another enum has a value `home` too. */
static Ty check_name(Checker *x, Expr *e, Ty hint) {
  Compilation *c = x->c;
  const char *name = e->name.name;
  if (hint.kind == TY_ENUM) {
    uint32_t v = enum_value_index(&c->enums[hint.enum_id], name);
    if (v != UINT32_MAX) return enum_value(e, hint.enum_id, v);
  }
  int p = param_index(x, name);
  if (p >= 0) {
    e->ref = REF_PARAM;
    e->ref_index = (uint32_t)p;
    return x->fn->params[p];
  }
  SymEntry *s = lookup_value(c, x->module, name);
  if (s) return check_symbol(x, e, s);
  SymEntry *v = symmap_get(&c->enum_values, name);
  if (!v || hint.kind == TY_ENUM) {
    /* A name whose declaration did not parse was reported there. */
    if (diag_is_poisoned(&c->diags, name)) return TY_ERR;
    Suggest sg;
    suggest_init(&sg, name);
    if (hint.kind != TY_ENUM) {
      suggest_map(&sg, &c->values);
      for (size_t i = 0; x->fn && i < x->fn->decl->param_count; i++)
        suggest_add(&sg, x->fn->decl->params[i].name.name);
      diag_error(&c->diags, e->span, "unknown name '%s'%s", name, suggest_hint(c, &sg));
      return TY_ERR;
    }
    const EnumSym *en = &c->enums[hint.enum_id];
    for (size_t i = 0; i < en->value_count; i++) suggest_add(&sg, en->values[i].name);
    diag_error(&c->diags, e->span, "'%s' is not a value of %s (%s)%s", name, en->name,
               enum_value_list(c, en), suggest_hint(c, &sg));
    return TY_ERR;
  }
  if (v->kind > 1) {
    const char *owners = "";
    for (size_t i = 0; i < c->enum_count; i++)
      if (enum_value_index(&c->enums[i], name) != UINT32_MAX)
        owners = arena_printf(&c->arena, "%s%s%s", owners, *owners ? ", " : "", c->enums[i].name);
    diag_error(&c->diags, e->span,
               "'%s' is ambiguous: it is a value of %s; compare it with one of them", name, owners);
    return TY_ERR;
  }
  return enum_value(e, v->index, enum_value_index(&c->enums[v->index], name));
}

/* ---- operators ----------------------------------------------------------------- */

static bool is_numeric(Ty t) { return t.kind == TY_INT || t.kind == TY_NUMBER; }
static bool is_ordered(Ty t) { return is_numeric(t) || t.kind == TY_ENUM; }

/* The common type of two operands of a comparison, or TY_ERROR (reported). */
static Ty unify(Checker *x, Ty a, Ty b, Span at, const char *what) {
  if (a.kind == TY_ERROR || b.kind == TY_ERROR) return TY_ERR;
  if (is_numeric(a) && is_numeric(b))
    return (a.kind == TY_NUMBER || b.kind == TY_NUMBER) ? (Ty){TY_NUMBER, 0} : a;
  if (a.kind == TY_EMPTY_SET && b.kind == TY_SET) return b;
  if (b.kind == TY_EMPTY_SET && a.kind == TY_SET) return a;
  if (ty_equal(a, b)) return a;
  if (a.kind == TY_ENUM && b.kind == TY_ENUM)
    diag_error(&x->c->diags, at, "cannot %s %s with %s: they are different enums", what,
               ty_name(x->c, a), ty_name(x->c, b));
  else
    diag_error(&x->c->diags, at, "cannot %s %s with %s", what, ty_name(x->c, a),
               ty_name(x->c, b));
  return TY_ERR;
}

static Ty expect_bool(Checker *x, Expr *e) {
  Ty t = check_expr(x, e, TY_ERR);
  if (t.kind != TY_BOOL && t.kind != TY_ERROR)
    diag_error(&x->c->diags, e->span, "expected a condition (bool), found %s", ty_name(x->c, t));
  return (Ty){TY_BOOL, 0};
}

/* Could this bare name be an enum value (so the other side should be
 * checked first, to tell which enum)? */
static bool may_be_value(Checker *x, const Expr *e) {
  return e->kind == EX_NAME && (is_value_name(x, e) || symmap_get(&x->c->enum_values, e->name.name));
}

/* Check both operands, the one that can tell the other's enum first: the
 * left one, unless only the left one may be an enum value. */
static void check_pair(Checker *x, Expr *e, Ty *ta, Ty *tb) {
  if (may_be_value(x, e->a) && !may_be_value(x, e->b2)) {
    *tb = check_expr(x, e->b2, TY_ERR);
    Ty hint = tb->kind == TY_SET ? (Ty){TY_ENUM, tb->enum_id} : *tb;
    *ta = check_expr(x, e->a, hint);
  } else {
    *ta = check_expr(x, e->a, TY_ERR);
    Ty hint = *ta;
    if (e->op == OP_IN && ta->kind == TY_ENUM) hint = (Ty){TY_SET, ta->enum_id};
    *tb = check_expr(x, e->b2, hint);
  }
}

/* `site == "home"` where site is an enum: one error that shows the
 * comparison without quotes (or the enum's values).  False when the
 * operands are not an enum and a string literal. */
static bool quoted_enum_value(Checker *x, const Expr *e, Ty ta, Ty tb) {
  const Expr *lit = NULL;
  Ty en = ta;
  if (ta.kind == TY_ENUM && tb.kind == TY_STRING && e->b2->kind == EX_STRING) lit = e->b2;
  else if (tb.kind == TY_ENUM && ta.kind == TY_STRING && e->a->kind == EX_STRING) lit = e->a, en = tb;
  if (!lit) return false;
  Compilation *c = x->c;
  /* 'depot' was reported by the scanner (strings are written in double
   * quotes): its fix is the one wanted here too, so one error is enough */
  if (lit->span.file < c->sources.count && lit->span.start < c->sources.items[lit->span.file]->len &&
      c->sources.items[lit->span.file]->text[lit->span.start] == '\'')
    return true;
  const EnumSym *es = &c->enums[en.enum_id];
  if (enum_value_index(es, lit->str) != UINT32_MAX)
    diag_error(&c->diags, lit->span,
               "cannot compare %s with string: an enum value is written without quotes: %s",
               ty_name(c, en), lit->str);
  else
    diag_error(&c->diags, lit->span,
               "cannot compare %s with string: its values are written without quotes (%s)",
               ty_name(c, en), enum_value_list(c, es));
  return true;
}

static Ty check_membership(Checker *x, Expr *e, Ty ta, Ty tb) {
  Compilation *c = x->c;
  if (ta.kind == TY_ERROR || tb.kind == TY_ERROR) return (Ty){TY_BOOL, 0};
  if (tb.kind == TY_SET) {
    if (ta.kind != TY_ENUM || ta.enum_id != tb.enum_id)
      diag_error(&c->diags, e->a->span, "cannot test %s for membership in a %s",
                 ty_name(c, ta), ty_name(c, tb));
    return (Ty){TY_BOOL, 0};
  }
  if (tb.kind == TY_EMPTY_SET) return (Ty){TY_BOOL, 0};
  diag_error(&c->diags, e->b2->span, "the right side of 'in' must be a set, not %s",
             ty_name(c, tb));
  return (Ty){TY_BOOL, 0};
}

static Ty check_binary(Checker *x, Expr *e) {
  Compilation *c = x->c;
  Ty ta, tb;
  switch (e->op) {
  case OP_OR:
  case OP_AND:
    expect_bool(x, e->a);
    expect_bool(x, e->b2);
    return (Ty){TY_BOOL, 0};
  case OP_IN:
    /* `x in {1, 2}` with ints or strings: the literal takes x's type */
    if (e->b2->kind == EX_SET && !is_value_name(x, e->a)) {
      ta = check_expr(x, e->a, TY_ERR);
      if (ta.kind == TY_INT || ta.kind == TY_NUMBER || ta.kind == TY_STRING) {
        for (size_t i = 0; i < e->b2->item_count; i++) {
          Ty ti = check_expr(x, e->b2->items[i], ta);
          unify(x, ta, ti, e->b2->items[i]->span, "compare");
        }
        e->b2->ty = ta; /* marks a literal list, not a set of enum */
        return (Ty){TY_BOOL, 0};
      }
      x->in_rhs = true;
      tb = check_expr(x, e->b2, ta.kind == TY_ENUM ? (Ty){TY_SET, ta.enum_id} : TY_ERR);
      x->in_rhs = false;
      return check_membership(x, e, ta, tb);
    }
    /* `wifi in { main, backup }`: the set literal (right of `in`, so its
     * members may be variable) tells the value's enum */
    if (e->b2->kind == EX_SET) {
      x->in_rhs = true;
      tb = check_expr(x, e->b2, TY_ERR);
      x->in_rhs = false;
      ta = check_expr(x, e->a, tb.kind == TY_SET ? (Ty){TY_ENUM, tb.enum_id} : TY_ERR);
      return check_membership(x, e, ta, tb);
    }
    check_pair(x, e, &ta, &tb);
    return check_membership(x, e, ta, tb);
  case OP_EQ:
  case OP_NE:
    check_pair(x, e, &ta, &tb);
    if (!quoted_enum_value(x, e, ta, tb)) unify(x, ta, tb, e->span, "compare");
    return (Ty){TY_BOOL, 0};
  case OP_LT:
  case OP_LE:
  case OP_GT:
  case OP_GE: {
    check_pair(x, e, &ta, &tb);
    Ty u = unify(x, ta, tb, e->span, "compare");
    if (u.kind != TY_ERROR && !is_ordered(u))
      diag_error(&c->diags, e->span, "%s values have no order: use == or !=", ty_name(c, u));
    return (Ty){TY_BOOL, 0};
  }
  default: {
    ta = check_expr(x, e->a, TY_ERR);
    tb = check_expr(x, e->b2, TY_ERR);
    if (ta.kind == TY_ERROR || tb.kind == TY_ERROR) return TY_ERR;
    if (!is_numeric(ta) || !is_numeric(tb)) {
      diag_error(&c->diags, e->span, "arithmetic needs int or number operands, not %s and %s",
                 ty_name(c, ta), ty_name(c, tb));
      return TY_ERR;
    }
    return (ta.kind == TY_NUMBER || tb.kind == TY_NUMBER) ? (Ty){TY_NUMBER, 0} : ta;
  }
  }
}

static Ty check_unary(Checker *x, Expr *e) {
  if (e->op == OP_NOT) return expect_bool(x, e->a);
  Ty t = check_expr(x, e->a, TY_ERR);
  if (t.kind != TY_ERROR && !is_numeric(t)) {
    diag_error(&x->c->diags, e->span, "'-' needs an int or number, not %s", ty_name(x->c, t));
    return TY_ERR;
  }
  return t;
}

static bool is_constant(const Expr *e);

static Ty check_set(Checker *x, Expr *e, Ty hint) {
  bool in_rhs = x->in_rhs;
  x->in_rhs = false;
  if (e->item_count == 0) return hint.kind == TY_SET ? hint : (Ty){TY_EMPTY_SET, 0};
  Ty elem = hint.kind == TY_SET ? (Ty){TY_ENUM, hint.enum_id} : TY_ERR;
  for (size_t i = 0; i < e->item_count; i++) {
    Ty t = check_expr(x, e->items[i], elem);
    if (t.kind == TY_ERROR) return TY_ERR;
    if (t.kind != TY_ENUM) {
      diag_error(&x->c->diags, e->items[i]->span, "a set holds enum values, not %s",
                 ty_name(x->c, t));
      return TY_ERR;
    }
    if (elem.kind == TY_ERROR) elem = t;
    else if (!ty_equal(t, elem)) {
      unify(x, elem, t, e->items[i]->span, "put together");
      return TY_ERR;
    }
    /* A set value is a constant bit mask; `x in {a, b}` with variable
     * members is compiled as comparisons instead. */
    if (!in_rhs && !is_constant(e->items[i])) {
      diag_error(&x->c->diags, e->items[i]->span,
                 "a set value holds enum values written out; a fact or let is a member "
                 "only of the braces right of 'in' (x in { a, b })");
      return TY_ERR;
    }
  }
  return (Ty){TY_SET, elem.enum_id};
}

static Ty check_if(Checker *x, Expr *e, Ty hint) {
  expect_bool(x, e->a);
  Ty tb = check_expr(x, e->b2, hint);
  Ty tc = check_expr(x, e->c, tb.kind == TY_ERROR ? hint : tb);
  return unify(x, tb, tc, e->span, "combine the branches of `if`:");
}

/* ---- calls ------------------------------------------------------------------------ */

/* Built-ins are the rows of runtime/builtins.h, shared with the verifier
 * and the VM: names, arities and, for those on the native call path, the
 * signature checked here. */

/* The type of a fixed-signature letter of builtins.h (b, i, n, s). */
static Ty letter_ty(char l) {
  switch (l) {
  case 'b': return (Ty){TY_BOOL, 0};
  case 'i': return (Ty){TY_INT, 0};
  case 'n': return (Ty){TY_NUMBER, 0};
  default: return (Ty){TY_STRING, 0};
  }
}

/* Arguments against declared parameter types (a fn's, an extern's, a
 * built-in's on the native path): an int may be given for a number. */
static void check_args(Checker *x, Expr *e, const Ty *params, const char *fn) {
  for (size_t i = 0; i < e->item_count; i++) {
    Ty t = check_expr(x, e->items[i], params[i]);
    if (!assignable(t, params[i]))
      diag_error(&x->c->diags, e->items[i]->span, "argument %zu of %s() must be %s, not %s",
                 i + 1, fn, ty_name(x->c, params[i]), ty_name(x->c, t));
  }
}

static Ty want(Checker *x, Expr *arg, TyKind kind, const char *fn) {
  Ty t = check_expr(x, arg, TY_ERR);
  if (t.kind != TY_ERROR && t.kind != kind)
    diag_error(&x->c->diags, arg->span, "%s() needs %s here, not %s", fn,
               kind == TY_SET ? "a set" : "a string", ty_name(x->c, t));
  return t;
}

static Ty check_builtin(Checker *x, Expr *e, Builtin b, Ty hint) {
  Compilation *c = x->c;
  const char *fn = ipsf_builtins[b].name;
  switch (b) {
  case BI_MIN:
  case BI_MAX: {
    Ty t = check_expr(x, e->items[0], hint);
    for (size_t i = 1; i < e->item_count; i++) {
      Ty ti = check_expr(x, e->items[i], t.kind == TY_ENUM ? t : hint);
      t = unify(x, t, ti, e->items[i]->span, "compare");
    }
    if (t.kind != TY_ERROR && !is_ordered(t)) {
      diag_error(&c->diags, e->span, "%s() needs ordered values, not %s", fn, ty_name(c, t));
      return TY_ERR;
    }
    return t;
  }
  case BI_ABS: {
    Ty t = check_expr(x, e->items[0], TY_ERR);
    if (t.kind != TY_ERROR && !is_numeric(t)) {
      diag_error(&c->diags, e->items[0]->span, "abs() needs an int or number, not %s",
                 ty_name(c, t));
      return TY_ERR;
    }
    return t;
  }
  case BI_COUNT:
    want(x, e->items[0], TY_SET, fn);
    return (Ty){TY_INT, 0};
  case BI_LOWER:
    want(x, e->items[0], TY_STRING, fn);
    return (Ty){TY_STRING, 0};
  case BI_STARTS_WITH:
  case BI_ENDS_WITH:
  case BI_CONTAINS:
    want(x, e->items[0], TY_STRING, fn);
    want(x, e->items[1], TY_STRING, fn);
    return (Ty){TY_BOOL, 0};
  default: {
    /* on the native call path: a fixed signature of b, i, n, s */
    Ty params[IPSF_MAX_NATIVE_PARAMS];
    for (size_t i = 0; i < e->item_count; i++) params[i] = letter_ty(ipsf_builtins[b].params[i]);
    check_args(x, e, params, fn);
    return letter_ty(ipsf_builtins[b].result);
  }
  }
}

static Ty check_native_call(Checker *x, Expr *e, uint32_t index) {
  const NativeSym *n = &x->c->natives[index];
  e->ref = REF_NATIVE;
  e->ref_index = index;
  if (e->item_count != n->decl->param_count) {
    diag_error(&x->c->diags, e->span, "%s() takes %zu argument%s, not %zu", n->name,
               n->decl->param_count, n->decl->param_count == 1 ? "" : "s", e->item_count);
    for (size_t i = 0; i < e->item_count; i++) check_expr(x, e->items[i], TY_ERR);
    return n->result;
  }
  check_args(x, e, n->params, n->name);
  return n->result;
}

static Ty check_fn_call(Checker *x, Expr *e, uint32_t index) {
  Compilation *c = x->c;
  check_fn(x, index, e->name.span);
  FnSym *f = &c->fns[index];
  add_deps_of(x, &x->fn_deps[index]);
  e->ref = REF_FN;
  e->ref_index = index;
  if (e->item_count != f->decl->param_count) {
    diag_error(&c->diags, e->span, "%s() takes %zu argument%s, not %zu", f->name,
               f->decl->param_count, f->decl->param_count == 1 ? "" : "s", e->item_count);
    return f->result;
  }
  check_args(x, e, f->params, f->name);
  return f->result;
}

static Ty check_call(Checker *x, Expr *e, Ty hint) {
  SymEntry *s = lookup_value(x->c, x->module, e->name.name);
  if (s && s->kind == SYM_FN) return check_fn_call(x, e, s->index);
  if (s && s->kind == SYM_NATIVE) return check_native_call(x, e, s->index);
  int b = (int)ipsf_builtin_find(e->name.name);
  if (b != BI__COUNT) {
    int min = ipsf_builtins[b].min_args, max = ipsf_builtins[b].max_args;
    if ((int)e->item_count < min || (int)e->item_count > max) {
      if (max > min)
        diag_error(&x->c->diags, e->span, "%s() takes %d to %d arguments, not %zu",
                   ipsf_builtins[b].name, min, max, e->item_count);
      else
        diag_error(&x->c->diags, e->span, "%s() takes %d argument%s, not %zu",
                   ipsf_builtins[b].name, min, min == 1 ? "" : "s", e->item_count);
      return TY_ERR;
    }
    e->ref = REF_BUILTIN;
    e->ref_index = (uint32_t)b;
    return check_builtin(x, e, (Builtin)b, hint);
  }
  if (!diag_is_poisoned(&x->c->diags, e->name.name)) {
    Suggest sg;
    suggest_init(&sg, e->name.name);
    suggest_map(&sg, &x->c->values);
    for (int i = 0; i < (int)BI__COUNT; i++) suggest_add(&sg, ipsf_builtins[i].name);
    diag_error(&x->c->diags, e->name.span, "unknown function '%s'%s", e->name.name,
               suggest_hint(x->c, &sg));
  }
  for (size_t i = 0; i < e->item_count; i++) check_expr(x, e->items[i], TY_ERR);
  return TY_ERR;
}

static Ty check_expr(Checker *x, Expr *e, Ty hint) {
  Ty t = TY_ERR;
  switch (e->kind) {
  case EX_INT: t = (Ty){TY_INT, 0}; break;
  case EX_NUMBER: t = (Ty){TY_NUMBER, 0}; break;
  case EX_STRING: t = (Ty){TY_STRING, 0}; break;
  case EX_BOOL: t = (Ty){TY_BOOL, 0}; break;
  case EX_NAME: t = check_name(x, e, hint); break;
  case EX_SET: t = check_set(x, e, hint); break;
  case EX_UNARY: t = check_unary(x, e); break;
  case EX_BINARY: t = check_binary(x, e); break;
  case EX_IF: t = check_if(x, e, hint); break;
  case EX_CALL: t = check_call(x, e, hint); break;
  }
  e->ty = t;
  return t;
}

/* ---- declarations ------------------------------------------------------------------ */

/* Literals, enum values, sets of them, and arithmetic on them. */
static bool is_constant(const Expr *e) {
  switch (e->kind) {
  case EX_INT: case EX_NUMBER: case EX_STRING: case EX_BOOL: return true;
  case EX_NAME: return e->ref == REF_ENUM_VALUE;
  case EX_SET:
    for (size_t i = 0; i < e->item_count; i++)
      if (!is_constant(e->items[i])) return false;
    return true;
  case EX_UNARY: return is_constant(e->a);
  case EX_BINARY: return is_constant(e->a) && is_constant(e->b2);
  default: return false;
  }
}

static void check_value_for(Checker *x, Expr *value, Ty want_ty, const char *what) {
  Ty t = check_expr(x, value, want_ty);
  if (!assignable(t, want_ty))
    diag_error(&x->c->diags, value->span, "%s must be %s, not %s", what, ty_name(x->c, want_ty),
               ty_name(x->c, t));
  else if (t.kind != TY_ERROR && !is_constant(value))
    diag_error(&x->c->diags, value->span, "%s must be a constant", what);
  else if (t.kind != TY_ERROR) {
    /* Elsewhere a constant that raises is left to run time (fold.c); a
     * default or a given is needed before any code runs. */
    Folded k;
    FoldRaise why;
    if (fold_expr(value, &k, &why) == FOLD_RAISES)
      diag_error(&x->c->diags, why.at->span, "%s: %s in a constant expression", what,
                 ipsf_arith_message((IpsfArithStatus)why.why));
  }
}

static void check_fact_defaults(Checker *x) {
  for (size_t i = 0; i < x->c->fact_count; i++) {
    FactSym *f = &x->c->facts[i];
    if (!f->decl->deflt || f->ty.kind == TY_ERROR) continue;
    x->module = f->module;
    const char *what = arena_printf(&x->c->arena, "the default of fact '%s'", f->name);
    check_value_for(x, f->decl->deflt, f->ty, what);
  }
}

static void check_scale_rules(Checker *x, uint32_t index) {
  ScaleSym *s = &x->c->scales[index];
  if (!s->rules) return;
  x->module = s->module;
  x->deps = &x->scale_deps[index];
  for (size_t i = 0; i < s->rules->rule_count; i++) expect_bool(x, s->rules->rules[i].cond);
  x->deps = NULL;
}

static void check_requirement(Checker *x, ReqSym *r) {
  x->module = r->module;
  if (r->applies) expect_bool(x, r->applies);
  for (size_t i = 0; i < r->confirm_count; i++)
    if (r->confirms[i].when) expect_bool(x, r->confirms[i].when);
}

static void check_expect(Checker *x, Expect *ex) {
  Compilation *c = x->c;
  switch (ex->kind) {
  case EXPECT_EXPR: expect_bool(x, ex->expr); return;
  case EXPECT_REQUIRES:
  case EXPECT_NOT_REQUIRES: {
    SymEntry *r = symmap_get(&c->req_map, qualify(c, x->module, ex->id.name));
    if (!r) r = symmap_get(&c->req_map, ex->id.name);
    if (!r && ex->kind == EXPECT_NOT_REQUIRES) {
      diag_warning(&c->diags, ex->id.span,
                   "requirement %s is not declared, so this expectation always holds", ex->id.name);
      return;
    }
    if (!r) {
      Suggest sg;
      suggest_init(&sg, ex->id.name);
      suggest_map(&sg, &c->req_map);
      diag_error(&c->diags, ex->id.span, "unknown requirement %s%s", ex->id.name,
                 suggest_hint(c, &sg));
      return;
    }
    if (ex->method.name && c->reqs[r->index].viewpoint != UINT32_MAX) {
      Decl *v = c->viewpoints[c->reqs[r->index].viewpoint].decl;
      bool found = false;
      for (size_t m = 0; m < v->value_count; m++) found |= strcmp(v->values[m].name, ex->method.name) == 0;
      if (!found)
        diag_error(&c->diags, ex->method.span, "'%s' is not a confirmation method of viewpoint %s",
                   ex->method.name, v->name.name);
    }
    return;
  }
  case EXPECT_VIEWPOINT:
    if (!symmap_get(&c->viewpoint_map, ex->id.name))
      diag_error(&c->diags, ex->id.span, "unknown viewpoint '%s'", ex->id.name);
    return;
  case EXPECT_ERROR: return;
  }
}

static void check_test(Checker *x, Decl *t, uint32_t module) {
  Compilation *c = x->c;
  x->module = module;
  for (size_t i = 0; i < t->given_count; i++) {
    Given *g = &t->givens[i];
    SymEntry *s = lookup_value(c, module, g->fact.name);
    if (!s || s->kind != SYM_FACT) {
      diag_error(&c->diags, g->fact.span, "'%s' is not a fact", g->fact.name);
      continue;
    }
    const char *what = arena_printf(&c->arena, "the value of fact '%s'", g->fact.name);
    check_value_for(x, g->value, c->facts[s->index].ty, what);
  }
  for (size_t i = 0; i < t->expect_count; i++) check_expect(x, &t->expects[i]);
}

static void check_test_profile(Compilation *c, const Decl *t, uint32_t module);

/* ---- usage profiles ------------------------------------------------------------------ */

uint32_t profile_named(Compilation *c, uint32_t module, const char *name) {
  SymEntry *e = name ? lookup_name(c, &c->profile_map, module, name) : NULL;
  return e ? e->index : UINT32_MAX;
}

/* "a, b, c": the declared profiles, for messages (arena). */
static const char *profile_list(Compilation *c) {
  const char *list = "";
  for (size_t i = 0; i < c->profile_count; i++)
    if (symmap_get(&c->profile_map, c->profiles[i].name)->index == i) /* not a duplicate */
      list = arena_printf(&c->arena, "%s%s%s", list, *list ? ", " : "", c->profiles[i].name);
  return list;
}

/* One `FACT = VALUE;` or `FACT in {...};` of a profile: the fact exists,
 * is given once per kind of item, and the value has its type (a constant;
 * for `in`, a set of the fact's enum, so only enum and set facts). */
static void check_profile_item(Checker *x, ProfileSym *p, size_t i) {
  Compilation *c = x->c;
  const ProfileItem *it = &p->decl->pitems[i];
  SymEntry *s = lookup_value(c, p->module, it->fact.name);
  if (!s || s->kind != SYM_FACT) {
    Suggest sg;
    suggest_init(&sg, it->fact.name);
    for (size_t k = 0; k < c->fact_count; k++) suggest_add(&sg, c->facts[k].name);
    diag_error(&c->diags, it->fact.span, "'%s' is not a fact%s", it->fact.name,
               suggest_hint(c, &sg));
    return;
  }
  const FactSym *f = &c->facts[s->index];
  if (f->ty.kind == TY_ERROR) return;
  for (size_t j = 0; j < i; j++)
    if (p->fact[j] == s->index && p->decl->pitems[j].kind == it->kind) {
      diag_error(&c->diags, it->fact.span, "profile '%s' %s fact '%s' twice", p->name,
                 it->kind == PI_SETS ? "sets" : "constrains", f->name);
      diag_note(&c->diags, p->decl->pitems[j].span, "the first time is here");
      return;
    }
  Ty want = f->ty;
  if (it->kind == PI_ALLOWS) {
    if (f->ty.kind != TY_ENUM && f->ty.kind != TY_SET) {
      diag_error(&c->diags, it->span,
                 "'in' constrains an enum or a set fact, and '%s' is %s: set it with `%s = ...;`",
                 f->name, ty_name(c, f->ty), it->fact.name);
      return;
    }
    want = (Ty){TY_SET, f->ty.enum_id};
  }
  size_t errors = c->diags.errors;
  const char *what = arena_printf(&c->arena, "the %s of fact '%s' in profile '%s'",
                                  it->kind == PI_SETS ? "value" : "allowed set", f->name, p->name);
  check_value_for(x, it->value, want, what);
  if (c->diags.errors == errors) p->fact[i] = s->index;
}

static void check_profile(Checker *x, ProfileSym *p) {
  Compilation *c = x->c;
  x->module = p->module;
  p->fact = arena_array(&c->arena, p->decl->pitem_count + 1, sizeof *p->fact);
  for (size_t i = 0; i < p->decl->pitem_count; i++) {
    p->fact[i] = UINT32_MAX;
    if (p->decl->pitems[i].kind != PI_DOC) check_profile_item(x, p, i);
  }
}

/* `profile "p";` in a test of a pack that declares profiles names one. */
static void check_test_profile(Compilation *c, const Decl *t, uint32_t module) {
  if (!t->profile.text || c->profile_count == 0) return;
  if (profile_named(c, module, t->profile.text) == UINT32_MAX)
    diag_error(&c->diags, t->profile.span, "unknown profile '%s' (the pack declares %s)",
               t->profile.text, profile_list(c));
}

/* ---- evaluation order --------------------------------------------------------------- */

typedef struct {
  Checker *x;
  uint8_t *let_state, *scale_state; /* 0 new, 1 on the path, 2 placed */
  OrderItem *path; /* the units being placed, outermost first */
  size_t path_count, path_cap;
} Orderer;

static const char *unit_name(Compilation *c, OrderItem u) {
  return u.kind == SYM_LET ? c->lets[u.index].name : c->scales[u.index].name;
}

/* Where to point for a unit on a cycle: a let's name, or the scale's rules
 * block (the scale itself may be declared in a module the author cannot
 * edit, such as the stdlib's axes). */
static Span unit_span(Compilation *c, OrderItem u) {
  if (u.kind == SYM_LET) return c->lets[u.index].span;
  const ScaleSym *s = &c->scales[u.index];
  return s->rules ? s->rules->name.span : s->span;
}

static void place_unit(Orderer *o, OrderItem u) {
  Compilation *c = o->x->c;
  uint8_t *state = u.kind == SYM_LET ? &o->let_state[u.index] : &o->scale_state[u.index];
  if (*state == 2) return;
  if (*state == 1) {
    /* A cycle of lets alone was reported when the lets were checked. */
    const char *chain = "";
    bool on = false, through_scale = u.kind == SYM_SCALE;
    for (size_t i = 0; i < o->path_count; i++) {
      on |= o->path[i].kind == u.kind && o->path[i].index == u.index;
      if (!on) continue;
      through_scale |= o->path[i].kind == SYM_SCALE;
      chain = arena_printf(&c->arena, "%s%s -> ", chain, unit_name(c, o->path[i]));
    }
    if (through_scale)
      diag_error(&c->diags, unit_span(c, u), "dependency cycle: %s%s", chain, unit_name(c, u));
    return;
  }
  *state = 1;
  *PUSH(c, o->path, o->path_count, o->path_cap) = u;
  const Deps *d = u.kind == SYM_LET ? &o->x->let_deps[u.index] : &o->x->scale_deps[u.index];
  for (size_t i = 0; i < d->count; i++) place_unit(o, d->items[i]);
  o->path_count--;
  *state = 2;
  c->order[c->order_count++] = u;
}

static void order_units(Checker *x) {
  Compilation *c = x->c;
  Orderer o = {x, arena_array(&c->arena, c->let_count + 1, 1),
               arena_array(&c->arena, c->scale_count + 1, 1), NULL, 0, 0};
  c->order = arena_array(&c->arena, c->let_count + c->scale_count + 1, sizeof *c->order);
  for (size_t i = 0; i < c->let_count; i++) place_unit(&o, (OrderItem){SYM_LET, (uint32_t)i});
  for (size_t i = 0; i < c->scale_count; i++) place_unit(&o, (OrderItem){SYM_SCALE, (uint32_t)i});
}

void check_types(Compilation *c) {
  Checker x = {.c = c};
  x.let_deps = arena_array(&c->arena, c->let_count + 1, sizeof(Deps));
  x.fn_deps = arena_array(&c->arena, c->fn_count + 1, sizeof(Deps));
  x.scale_deps = arena_array(&c->arena, c->scale_count + 1, sizeof(Deps));
  check_fact_defaults(&x);
  for (size_t i = 0; i < c->fn_count; i++) check_fn(&x, (uint32_t)i, c->fns[i].span);
  for (size_t i = 0; i < c->let_count; i++) check_let(&x, (uint32_t)i, c->lets[i].span);
  for (size_t i = 0; i < c->scale_count; i++) check_scale_rules(&x, (uint32_t)i);
  for (size_t i = 0; i < c->req_count; i++) check_requirement(&x, &c->reqs[i]);
  for (size_t i = 0; i < c->load_count; i++) {
    Module *m = c->modules[c->load_order[i]].ast;
    for (size_t j = 0; j < m->decl_count; j++)
      if (m->decls[j]->kind == D_TEST) {
        check_test(&x, m->decls[j], c->load_order[i]);
        check_test_profile(c, m->decls[j], c->load_order[i]);
      }
  }
  for (size_t i = 0; i < c->profile_count; i++) check_profile(&x, &c->profiles[i]);
  order_units(&x);
}
