/*
 * framework.c -- what a pack owes the framework it declares.
 *
 * A pack header may say `framework "IoT-SSF 1.0";`.  The framework places
 * a device by the impact of an incident, never by its likelihood (IoT-SSF
 * 1.0, 3-2-1: "do not consider [the likelihood of occurrence], and take an
 * approach to categorize based on the degree of impact"), and leaves
 * likelihood to the choice of measures.  So, for such a pack:
 *
 *   - it imports ssf, so axis 1 and axis 2 are ssf's `recovery` and
 *     `economic` and the four viewpoints are ssf's (resolve.c refuses a
 *     second axis 1 or a viewpoint declared twice): a pack that declares
 *     the framework cannot bring its own axes or reorder the methods;
 *   - no fact marked `likelihood` can influence axis 1 or axis 2, by data
 *     flow: read by a rule of the axis directly, or through a let, a fn or
 *     another scale that the axis's rules read.  Requirements may read such
 *     facts freely (that is where the framework puts likelihood).
 *
 * These are errors, not analysis findings: a pack that breaks them says
 * something about the framework that is false, and `compile` refuses it as
 * `check` does.  The data flow is exact over names (it does not ask whether
 * a condition could really change the level), which errs on the side of
 * keeping likelihood out.  A pack that declares no framework, or another
 * one, is not checked here.
 */
#include <stdlib.h>
#include <string.h>

#include "sema.h"

/* The memo of one question, "does X read fact f?", per let, fn and scale:
 * 0 not asked, 1 being asked (a cycle, already an error elsewhere: no), 2
 * no, 3 yes. */
typedef struct {
  Compilation *c;
  uint32_t fact;
  uint8_t *let, *fn, *scale;
} Flow;

static bool reads(Flow *f, const Expr *e);

static bool memo(Flow *f, uint8_t *state, const Expr *value) {
  if (*state == 0) {
    *state = 1;
    *state = reads(f, value) ? 3 : 2;
  }
  return *state == 3;
}

static bool scale_reads(Flow *f, uint32_t si) {
  const ScaleSym *s = &f->c->scales[si];
  if (f->scale[si] == 0) {
    f->scale[si] = 1;
    bool any = false;
    for (size_t r = 0; s->rules && r < s->rules->rule_count && !any; r++)
      any = reads(f, s->rules->rules[r].cond);
    f->scale[si] = any ? 3 : 2;
  }
  return f->scale[si] == 3;
}

static bool reads(Flow *f, const Expr *e) {
  if (!e) return false;
  switch (e->kind) {
  case EX_NAME:
    switch (e->ref) {
    case REF_FACT: return e->ref_index == f->fact;
    case REF_LET: return memo(f, &f->let[e->ref_index], f->c->lets[e->ref_index].decl->value);
    case REF_SCALE: return scale_reads(f, e->ref_index);
    default: return false;
    }
  case EX_CALL:
    if (e->ref == REF_FN && memo(f, &f->fn[e->ref_index], f->c->fns[e->ref_index].decl->value))
      return true;
    for (size_t i = 0; i < e->item_count; i++)
      if (reads(f, e->items[i])) return true;
    return false;
  case EX_SET:
    for (size_t i = 0; i < e->item_count; i++)
      if (reads(f, e->items[i])) return true;
    return false;
  default:
    return reads(f, e->a) || reads(f, e->b2) || reads(f, e->c);
  }
}

/* The first name in e through which it reads the fact: how the message
 * says the influence flows ("through let 'x'"). */
static const Expr *carrier(Flow *f, const Expr *e) {
  if (!e) return NULL;
  if (e->kind == EX_NAME || (e->kind == EX_CALL && e->ref == REF_FN)) {
    Expr bare = *e;
    bare.item_count = 0; /* a call: the fn's body, not its arguments */
    if (reads(f, &bare)) return e;
  }
  if (e->kind == EX_CALL || e->kind == EX_SET) {
    for (size_t i = 0; i < e->item_count; i++) {
      const Expr *k = carrier(f, e->items[i]);
      if (k) return k;
    }
    return NULL;
  }
  const Expr *k = carrier(f, e->a);
  if (!k) k = carrier(f, e->b2);
  if (!k) k = carrier(f, e->c);
  return k;
}

static const char *how(Compilation *c, const Expr *k) {
  switch (k->ref) {
  case REF_FACT: return "reads it";
  case REF_LET: return arena_printf(&c->arena, "reads it through let '%s'", k->name.name);
  case REF_SCALE: return arena_printf(&c->arena, "reads it through scale '%s'", k->name.name);
  case REF_FN: return arena_printf(&c->arena, "reads it through fn '%s'", k->name.name);
  default: return "reads it";
  }
}

static void check_likelihood(Compilation *c, const ScaleSym *axis) {
  for (uint32_t fi = 0; fi < c->fact_count; fi++) {
    if (!c->facts[fi].decl || !c->facts[fi].decl->likelihood) continue;
    Flow f = {c, fi, arena_array(&c->arena, c->let_count + 1, 1),
              arena_array(&c->arena, c->fn_count + 1, 1),
              arena_array(&c->arena, c->scale_count + 1, 1)};
    for (size_t r = 0; axis->rules && r < axis->rules->rule_count; r++) {
      const Expr *cond = axis->rules->rules[r].cond;
      if (!reads(&f, cond)) continue;
      const Expr *k = carrier(&f, cond);
      diag_error(&c->diags, cond->span,
                 "axis %d '%s' depends on '%s', a likelihood fact: this rule %s; the "
                 "framework places a device by the impact of an incident, not its likelihood "
                 "(IoT-SSF 1.0, 3-2-1): use the fact in requirements instead",
                 axis->axis, axis->name, c->facts[fi].name, k ? how(c, k) : "reads it");
      diag_note(&c->diags, c->facts[fi].span, "'%s' is marked `likelihood` here",
                c->facts[fi].name);
      break; /* one error per fact and axis */
    }
  }
}

static const char *framework_entry(const Compilation *c, Span *at) {
  for (size_t i = 0; c->pack && i < c->pack->entry_count; i++) {
    const PackEntry *e = &c->pack->entries[i];
    if (e->key.name && strcmp(e->key.name, "framework") == 0 && e->value.text) {
      *at = e->value.span;
      return e->value.text;
    }
  }
  return NULL;
}

static int ssf_module(const Compilation *c) {
  for (size_t m = 0; m < c->module_count; m++)
    if (strcmp(c->modules[m].key, "<stdlib>/ssf.ipsf") == 0) return (int)m;
  return -1;
}

void check_framework(Compilation *c) {
  Span at;
  const char *fw = framework_entry(c, &at);
  if (!fw || strncmp(fw, "IoT-SSF", 7) != 0) return;
  /* With ssf imported, its axes and viewpoints are the pack's: a second
   * axis 1 or a viewpoint of the same name is already an error of
   * resolve.c, so importing ssf is what the framework asks here. */
  if (ssf_module(c) < 0) {
    diag_error(&c->diags, at,
               "the pack declares framework \"%s\" but does not import \"ssf\": the "
               "framework's axes (recovery, economic) and viewpoints are ssf's",
               fw);
    return;
  }
  for (size_t i = 0; i < c->scale_count; i++)
    if (c->scales[i].axis == 1 || c->scales[i].axis == 2) check_likelihood(c, &c->scales[i]);
}
