/*
 * resolve.c -- declare every symbol of a compilation and check what can be
 * checked without types: duplicates, the pack header, the shape of scales,
 * viewpoints, rules blocks and requirements.
 *
 * Declarations may appear in any order, so this runs in passes over the
 * modules (imports first): types, scales and viewpoints; then facts, lets,
 * fns and requirements (whose types name the former); then rules blocks.
 * A name declared in a module imported `as p` is known as `p.name`.
 */
#include <string.h>

#include "date.h"
#include "sema.h"

/* A previous declaration's location, for "first declared here" notes. */
static Span value_span(Compilation *c, const SymEntry *e) {
  switch (e->kind) {
  case SYM_FACT: return c->facts[e->index].span;
  case SYM_LET: return c->lets[e->index].span;
  case SYM_SCALE: return c->scales[e->index].span;
  case SYM_NATIVE: return c->natives[e->index].span;
  default: return c->fns[e->index].span;
  }
}

/* Facts, lets, scales, fns and externs share one namespace: a bare name in
 * an expression must mean one thing before its type is known. */
static bool declare_value(Compilation *c, const char *name, Span span, int kind, uint32_t index) {
  SymEntry *had = symmap_put(&c->arena, &c->values, name, kind, index);
  if (!had) return true;
  diag_error(&c->diags, span, "'%s' is already declared", name);
  diag_note(&c->diags, value_span(c, had), "'%s' was first declared here", name);
  return false;
}

/* Declared names are plain: a dot only ever comes from an import prefix. */
static bool plain_name(Compilation *c, const Ident *id) {
  if (!id->name || !strchr(id->name, '.')) return true;
  diag_error(&c->diags, id->span,
             "'%s': a declared name cannot contain '.' (dots come from `import ... as`)", id->name);
  return false;
}

static void plain_names(Compilation *c, const Ident *ids, size_t n) {
  for (size_t i = 0; i < n; i++) plain_name(c, &ids[i]);
}

/* ---- enums ------------------------------------------------------------------ */

/* Every enum (named type, scale levels, an anonymous `enum {...}` of a
 * fact) gets an id, so the checker compares enums by id: two enums with
 * the same values are still different types. */
static uint32_t add_enum(Compilation *c, const char *name, Span span, const Ident *values,
                         size_t count, int scale) {
  EnumSym *e = PUSH(c, c->enums, c->enum_count, c->enum_cap);
  *e = (EnumSym){name, span, values, count, scale};
  uint32_t id = (uint32_t)(c->enum_count - 1);
  plain_names(c, values, count);
  if (count == 0) diag_error(&c->diags, span, "'%s' has no values", name);
  if (count > IPSF_MAX_ENUM_VALUES)
    diag_error(&c->diags, span, "'%s' has %zu values; at most %u are allowed", name, count,
               IPSF_MAX_ENUM_VALUES);
  for (size_t i = 0; i < count; i++) {
    for (size_t j = 0; j < i; j++)
      if (strcmp(values[i].name, values[j].name) == 0) {
        diag_error(&c->diags, values[i].span, "'%s' is listed twice", values[i].name);
        break;
      }
    SymEntry *seen = symmap_get(&c->enum_values, values[i].name);
    if (seen) seen->kind++;
    else symmap_put(&c->arena, &c->enum_values, values[i].name, 1, id);
  }
  return id;
}

static void declare_type(Compilation *c, uint32_t module, Decl *d) {
  plain_name(c, &d->name);
  if (d->type->kind != TE_ENUM) {
    diag_error(&c->diags, d->type->span,
               "only enum types can be named: write `type %s = enum { ... };`", d->name.name);
    return;
  }
  const char *name = qualify(c, module, d->name.name);
  uint32_t id = add_enum(c, name, d->name.span, d->type->values, d->type->value_count, -1);
  if (symmap_put(&c->arena, &c->types, name, 0, id))
    diag_error(&c->diags, d->name.span, "type '%s' is already declared", name);
}

static void declare_scale(Compilation *c, uint32_t module, Decl *d) {
  plain_name(c, &d->name);
  const char *name = qualify(c, module, d->name.name);
  uint32_t index = (uint32_t)c->scale_count;
  uint32_t id = add_enum(c, name, d->name.span, d->values, d->value_count, (int)index);
  ScaleSym *s = PUSH(c, c->scales, c->scale_count, c->scale_cap);
  memset(s, 0, sizeof *s);
  *s = (ScaleSym){.name = name, .span = d->name.span, .decl = d, .enum_id = id,
                  .axis = d->axis, .otherwise = UINT32_MAX, .module = module};
  if (symmap_put(&c->arena, &c->types, name, 0, id))
    diag_error(&c->diags, d->name.span, "type '%s' is already declared", name);
  declare_value(c, name, d->name.span, SYM_SCALE, index);
  if (d->axis == 0) return;
  for (size_t i = 0; i + 1 < c->scale_count; i++)
    if (c->scales[i].axis == d->axis) {
      diag_error(&c->diags, d->span, "axis %d is declared twice: '%s' and '%s'", d->axis,
                 c->scales[i].name, name);
      diag_note(&c->diags, c->scales[i].span, "axis %d '%s' is declared here", d->axis,
                c->scales[i].name);
    }
}

static void declare_viewpoint(Compilation *c, Decl *d) {
  /* Viewpoints and methods are the framework's vocabulary: never prefixed. */
  plain_name(c, &d->name);
  plain_names(c, d->values, d->value_count);
  uint32_t index = (uint32_t)c->viewpoint_count;
  ViewpointSym *v = PUSH(c, c->viewpoints, c->viewpoint_count, c->viewpoint_cap);
  *v = (ViewpointSym){d->name.name, d->name.span, d};
  if (symmap_put(&c->arena, &c->viewpoint_map, d->name.name, 0, index))
    diag_error(&c->diags, d->name.span, "viewpoint '%s' is already declared", d->name.name);
  if (d->value_count == 0)
    diag_error(&c->diags, d->name.span, "viewpoint '%s' has no methods", d->name.name);
  for (size_t i = 0; i < d->value_count; i++)
    for (size_t j = 0; j < i; j++)
      if (strcmp(d->values[i].name, d->values[j].name) == 0)
        diag_error(&c->diags, d->values[i].span, "method '%s' is listed twice",
                   d->values[i].name);
}

/* ---- types as written -> Ty --------------------------------------------------- */

static Ty resolve_type_expr(Compilation *c, uint32_t module, TypeExpr *t, const char *anon_name) {
  switch (t->kind) {
  case TE_BOOL: return (Ty){TY_BOOL, 0};
  case TE_INT: return (Ty){TY_INT, 0};
  case TE_NUMBER: return (Ty){TY_NUMBER, 0};
  case TE_STRING: return (Ty){TY_STRING, 0};
  case TE_ENUM:
    return (Ty){TY_ENUM, add_enum(c, anon_name, t->span, t->values, t->value_count, -1)};
  case TE_SET: {
    Ty elem = resolve_type_expr(c, module, t->elem, anon_name);
    if (elem.kind == TY_ERROR) return elem;
    if (elem.kind != TY_ENUM) {
      diag_error(&c->diags, t->elem->span, "a set must be a set of an enum, not of %s",
                 ty_name(c, elem));
      return (Ty){TY_ERROR, 0};
    }
    return (Ty){TY_SET, elem.enum_id};
  }
  case TE_NAMED: {
    SymEntry *e = lookup_type(c, module, t->name.name);
    if (!e) {
      if (!diag_is_poisoned(&c->diags, t->name.name)) {
        Suggest sg;
        suggest_init(&sg, t->name.name);
        suggest_map(&sg, &c->types);
        diag_error(&c->diags, t->name.span, "unknown type '%s'%s", t->name.name,
                   suggest_hint(c, &sg));
      }
      return (Ty){TY_ERROR, 0};
    }
    return (Ty){TY_ENUM, e->index};
  }
  }
  return (Ty){TY_ERROR, 0};
}

/* ---- facts, lets, fns ---------------------------------------------------------- */

static void declare_facts(Compilation *c, uint32_t module, Decl *d) {
  for (size_t i = 0; i < d->fact_count; i++) {
    FactDecl *f = &d->facts[i];
    plain_name(c, &f->name);
    const char *name = qualify(c, module, f->name.name);
    uint32_t index = (uint32_t)c->fact_count;
    FactSym *s = PUSH(c, c->facts, c->fact_count, c->fact_cap);
    *s = (FactSym){.name = name, .span = f->name.span, .decl = f, .module = module};
    s->ty = resolve_type_expr(c, module, f->type, name);
    declare_value(c, name, f->name.span, SYM_FACT, index);
  }
}

static void declare_let(Compilation *c, uint32_t module, Decl *d) {
  plain_name(c, &d->name);
  const char *name = qualify(c, module, d->name.name);
  uint32_t index = (uint32_t)c->let_count;
  LetSym *s = PUSH(c, c->lets, c->let_count, c->let_cap);
  *s = (LetSym){.name = name, .span = d->name.span, .decl = d, .module = module};
  declare_value(c, name, d->name.span, SYM_LET, index);
}

static void declare_fn(Compilation *c, uint32_t module, Decl *d) {
  plain_name(c, &d->name);
  if (is_builtin_name(d->name.name))
    diag_error(&c->diags, d->name.span, "fn %s would hide the built-in %s(): choose another name",
               d->name.name, d->name.name);
  const char *name = qualify(c, module, d->name.name);
  uint32_t index = (uint32_t)c->fn_count;
  FnSym *s = PUSH(c, c->fns, c->fn_count, c->fn_cap);
  *s = (FnSym){.name = name, .span = d->name.span, .decl = d, .module = module};
  s->params = arena_array(&c->arena, d->param_count ? d->param_count : 1, sizeof *s->params);
  for (size_t i = 0; i < d->param_count; i++) {
    plain_name(c, &d->params[i].name);
    s->params[i] = resolve_type_expr(c, module, d->params[i].type, d->params[i].name.name);
    for (size_t j = 0; j < i; j++)
      if (strcmp(d->params[i].name.name, d->params[j].name.name) == 0)
        diag_error(&c->diags, d->params[i].name.span, "parameter '%s' is listed twice",
                   d->params[i].name.name);
  }
  s->result = resolve_type_expr(c, module, d->type, name);
  declare_value(c, name, d->name.span, SYM_FN, index);
}

/* ---- catalogs ---------------------------------------------------------------------- */

static const char *const catalog_keys[] = {"source", "publisher", "date", "url", "note"};
static const char *const provision_statuses[] = {"mandatory", "recommended", "conditional",
                                                 "informative"};

static bool one_of(const char *s, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(s, list[i]) == 0) return true;
  return false;
}

static void check_catalog_entries(Compilation *c, const Decl *d) {
  bool has_source = false;
  for (size_t i = 0; i < d->entry_count; i++) {
    const Ident *k = &d->entries[i].key;
    has_source |= strcmp(k->name, "source") == 0;
    if (!one_of(k->name, catalog_keys, sizeof catalog_keys / sizeof catalog_keys[0]))
      diag_error(&c->diags, k->span,
                 "unknown catalog entry '%s' (source, publisher, date, url, note)", k->name);
  }
  if (!has_source)
    diag_error(&c->diags, d->str.span,
               "catalog \"%s\" has no source entry: name the document it was written from",
               d->str.text ? d->str.text : "");
}

/* `catalog "TITLE" version "V" { source "..."; provision ID "clause" "title" status; }` */
static void declare_catalog(Compilation *c, uint32_t module, Decl *d) {
  check_catalog_entries(c, d);
  for (size_t i = 0; i < d->provision_count; i++) {
    const Provision *p = &d->provisions[i];
    if (!one_of(p->status.name, provision_statuses,
                sizeof provision_statuses / sizeof provision_statuses[0]))
      diag_error(&c->diags, p->status.span,
                 "unknown status '%s' (mandatory, recommended, conditional, informative)",
                 p->status.name);
    const char *id = qualify(c, module, p->id.name);
    uint32_t index = (uint32_t)c->provision_count;
    ProvisionSym *s = PUSH(c, c->provisions, c->provision_count, c->provision_cap);
    *s = (ProvisionSym){.id = id, .span = p->id.span, .decl = p, .catalog = d, .module = module};
    s->text = arena_printf(&c->arena, "%s %s %s: %s", d->str.text, d->str2.text, p->clause.text,
                           p->title.text);
    SymEntry *had = symmap_put(&c->arena, &c->provision_map, id, 0, index);
    if (had) {
      diag_error(&c->diags, p->id.span, "provision %s is already declared", id);
      diag_note(&c->diags, c->provisions[had->index].span, "provision %s was first declared here",
                id);
    }
  }
}

/* A provision named from `module`: its own (prefixed) ids first. */
static ProvisionSym *lookup_provision(Compilation *c, uint32_t module, const Ident *id) {
  SymEntry *e = lookup_name(c, &c->provision_map, module, id->name);
  if (!e) {
    diag_error(&c->diags, id->span,
               "unknown provision %s (import the catalog that declares it)", id->name);
    return NULL;
  }
  c->provisions[e->index].used = true;
  return &c->provisions[e->index];
}

static const char *provision_text(Compilation *c, uint32_t module, const Ident *id) {
  ProvisionSym *p = lookup_provision(c, module, id);
  return p ? p->text : id->name;
}

/* satisfied_by lists name provisions of any catalog declared so far. */
static void check_satisfied_by(Compilation *c, uint32_t module, Decl *d) {
  if (d->kind != D_CATALOG) return;
  for (size_t i = 0; i < d->provision_count; i++)
    for (size_t k = 0; k < d->provisions[i].satisfied_count; k++)
      lookup_provision(c, module, &d->provisions[i].satisfied_by[k]);
}

/* ---- externs (native functions) -------------------------------------------------- */

/* The types a native takes and returns: those with a C type libffi passes. */
static bool extern_type(Compilation *c, const char *fn, const TypeExpr *t, Ty *out,
                        const char *what) {
  switch (t->kind) {
  case TE_BOOL: *out = (Ty){TY_BOOL, 0}; return true;
  case TE_INT: *out = (Ty){TY_INT, 0}; return true;
  case TE_NUMBER: *out = (Ty){TY_NUMBER, 0}; return true;
  case TE_STRING: *out = (Ty){TY_STRING, 0}; return true;
  default: break;
  }
  const char *given = t->kind == TE_ENUM ? "an enum"
                      : t->kind == TE_SET ? "a set"
                                          : arena_printf(&c->arena, "'%s'", t->name.name);
  diag_error(&c->diags, t->span,
             "extern fn %s: %s is %s; a native function %s only int, number, bool or string",
             fn, what, given, strcmp(what, "the result") == 0 ? "returns" : "takes");
  *out = (Ty){TY_ERROR, 0};
  return false;
}

static bool c_identifier(const char *s) {
  if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          *s == '_'))
      return false;
  return true;
}

/* Two modules may declare the same extern (library and symbol): it is one
 * native, but only if they agree on its signature, which the loader binds
 * once. */
static bool same_signature(const NativeSym *a, const NativeSym *b) {
  if (a->decl->param_count != b->decl->param_count || a->result.kind != b->result.kind)
    return false;
  for (size_t i = 0; i < a->decl->param_count; i++)
    if (a->params[i].kind != b->params[i].kind) return false;
  return true;
}

static void declare_extern(Compilation *c, uint32_t module, Decl *d) {
  plain_name(c, &d->name);
  if (is_builtin_name(d->name.name))
    diag_error(&c->diags, d->name.span,
               "extern fn %s would hide the built-in %s(): choose another name (and bind the "
               "symbol with `as \"%s\"`)",
               d->name.name, d->name.name, d->name.name);
  const char *name = qualify(c, module, d->name.name);
  uint32_t index = (uint32_t)c->native_count;
  NativeSym *s = PUSH(c, c->natives, c->native_count, c->native_cap);
  *s = (NativeSym){.name = name, .span = d->name.span, .decl = d, .library = d->str.text,
                   .symbol = d->str2.text ? d->str2.text : d->name.name, .module = module};
  s->params = arena_array(&c->arena, d->param_count ? d->param_count : 1, sizeof *s->params);
  if (!*s->library)
    diag_error(&c->diags, d->str.span, "extern fn %s: the library name is empty", name);
  if (!c_identifier(s->symbol))
    diag_error(&c->diags, d->str2.text ? d->str2.span : d->name.span,
               "extern fn %s: '%s' is not a C symbol (letters, digits and '_', not starting "
               "with a digit)",
               name, s->symbol);
  if (d->param_count > IPSF_MAX_NATIVE_PARAMS)
    diag_error(&c->diags, d->span, "extern fn %s has %zu parameters; at most %u are allowed",
               name, d->param_count, IPSF_MAX_NATIVE_PARAMS);
  bool typed = true;
  for (size_t i = 0; i < d->param_count; i++)
    typed &= extern_type(c, name, d->params[i].type, &s->params[i],
                         arena_printf(&c->arena, "parameter %zu", i + 1));
  typed &= extern_type(c, name, d->type, &s->result, "the result");
  for (size_t i = 0; typed && i < index; i++) {
    const NativeSym *o = &c->natives[i];
    if (strcmp(o->library, s->library) != 0 || strcmp(o->symbol, s->symbol) != 0 ||
        same_signature(o, s))
      continue;
    diag_error(&c->diags, d->span,
               "extern fn %s and extern fn %s bind the same symbol '%s' of \"%s\" with "
               "different types",
               name, o->name, s->symbol, s->library);
    diag_note(&c->diags, o->decl->span, "extern fn %s is declared here", o->name);
    break;
  }
  declare_value(c, name, d->name.span, SYM_NATIVE, index);
}

/* ---- requirements --------------------------------------------------------------- */

/* The word of a closed list, or NULL with an error listing them. */
static const char *attr_word(Compilation *c, const ReqSym *r, const ReqItem *it,
                          const char *const *words, const char *list) {
  for (size_t i = 0; words[i]; i++)
    if (strcmp(words[i], it->value.name) == 0) return words[i];
  diag_error(&c->diags, it->value.span, "requirement %s: unknown %s '%s' (%s)", r->id,
             it->ident.name, it->value.name, list);
  return NULL;
}

/* `basis law "…";` / `basis regulation "…";` / `basis contract ["…"];` /
 * `basis voluntary;`, `confirmed_by ROLE;`, `subject WHAT;` (docs/language.md,
 * "Who confirms, on what basis"). */
static void requirement_attr(Compilation *c, ReqSym *r, const ReqItem *it) {
  static const char *const bases[] = {"law", "regulation", "contract", "voluntary", NULL};
  static const char *const roles[] = {"supplier", "third_party", "operator", "user",
                                      "insurer",  "authority",   NULL};
  static const char *const subjects[] = {"product", "organisation", "process", NULL};
  const char *word = it->ident.name;
  const char **slot = !strcmp(word, "basis")          ? &r->basis
                      : !strcmp(word, "confirmed_by") ? &r->confirmed_by
                      : !strcmp(word, "subject")      ? &r->subject
                                                      : NULL;
  if (!slot) {
    diag_error(&c->diags, it->ident.span,
               "unknown requirement item '%s' (viewpoint, applies, confirm, ref, party, doc, "
               "basis, confirmed_by, subject)",
               word);
    return;
  }
  if (*slot) {
    diag_error(&c->diags, it->span, "requirement %s has more than one %s line", r->id, word);
    return;
  }
  if (!it->value.name) {
    diag_error(&c->diags, it->span, "requirement %s: %s needs a value (%s)", r->id, word,
               slot == &r->basis          ? "law, regulation, contract, voluntary"
               : slot == &r->confirmed_by ? "supplier, third_party, operator, user, insurer, authority"
                                          : "product, organisation, process");
    return;
  }
  const char *v;
  if (slot == &r->basis)
    v = attr_word(c, r, it, bases, "law, regulation, contract, voluntary");
  else if (slot == &r->confirmed_by)
    v = attr_word(c, r, it, roles, "supplier, third_party, operator, user, insurer, authority");
  else
    v = attr_word(c, r, it, subjects, "product, organisation, process");
  if (!v) return;
  bool cites = slot == &r->basis && (!strcmp(v, "law") || !strcmp(v, "regulation"));
  bool may_cite = cites || (slot == &r->basis && !strcmp(v, "contract"));
  if (cites && !it->str.text) {
    diag_error(&c->diags, it->span,
               "requirement %s: basis %s needs its citation (basis %s \"Act or regulation, "
               "article\";)",
               r->id, v, v);
    return;
  }
  if (!may_cite && it->str.text) {
    diag_error(&c->diags, it->str.span, "requirement %s: %s %s takes no text", r->id, word, v);
    return;
  }
  *slot = v;
  if (slot == &r->basis) r->citation = it->str.text;
}

/* `compensated_by ID, ... [until "YYYY-MM-DD" | for N months];`: the bound
 * is checked here, the ids once every requirement is declared
 * (resolve_compensations). */
static void requirement_compensated(Compilation *c, ReqSym *r, const ReqItem *it) {
  const char *until = NULL;
  int64_t months = 0;
  bool ok = true;
  if (it->value.name && it->str.text) {
    int32_t day;
    if (strcmp(it->value.name, "until") != 0) {
      diag_error(&c->diags, it->value.span,
                 "requirement %s: write `until \"YYYY-MM-DD\"` or `for N months` after "
                 "compensated_by's list, not '%s'",
                 r->id, it->value.name);
      ok = false;
    } else if (!ipsf_date_parse(it->str.text, &day)) {
      diag_error(&c->diags, it->str.span,
                 "requirement %s: '%s' is not a calendar date (YYYY-MM-DD)", r->id,
                 it->str.text);
      ok = false;
    }
    until = it->str.text;
  } else if (it->value.name) {
    if (strcmp(it->value.name, "for") != 0) {
      diag_error(&c->diags, it->value.span,
                 "requirement %s: write `until \"YYYY-MM-DD\"` or `for N months` after "
                 "compensated_by's list, not '%s'",
                 r->id, it->value.name);
      ok = false;
    } else if (it->every < 1 || it->every > 1200) {
      diag_error(&c->diags, it->every_span, "a period must be 1 to 1200 months, not %lld",
                 (long long)it->every);
      ok = false;
    }
    months = it->every;
  }
  if (!ok) return;
  for (size_t k = 0; k < it->id_count; k++) {
    r->comps = grow_array(&c->arena, r->comps, &(size_t){r->comp_count}, r->comp_count,
                          sizeof *r->comps);
    r->comps[r->comp_count++] = (CompensationSym){UINT32_MAX, &it->ids[k], until, months,
                                                  it->span};
  }
}

static void requirement_item(Compilation *c, ReqSym *r, ReqItem *it, Span *seen) {
  switch (it->kind) {
  case RI_VIEWPOINT: {
    if (seen[RI_VIEWPOINT].file != SPAN_NO_FILE) {
      diag_error(&c->diags, it->span, "requirement %s has more than one viewpoint", r->id);
      return;
    }
    seen[RI_VIEWPOINT] = it->span;
    SymEntry *v = symmap_get(&c->viewpoint_map, it->ident.name);
    if (!v) {
      Suggest sg;
      suggest_init(&sg, it->ident.name);
      suggest_map(&sg, &c->viewpoint_map);
      if (c->viewpoint_map.count == 0)
        diag_error(&c->diags, it->ident.span,
                   "unknown viewpoint '%s': the pack has no viewpoints (did you import \"ssf\"?)",
                   it->ident.name);
      else
        diag_error(&c->diags, it->ident.span, "unknown viewpoint '%s'%s", it->ident.name,
                   suggest_hint(c, &sg));
      return;
    }
    r->viewpoint = v->index;
    return;
  }
  case RI_REF:
    r->refs = grow_array(&c->arena, r->refs, &(size_t){r->ref_count}, r->ref_count,
                         sizeof *r->refs);
    r->refs[r->ref_count++] = it->ident.name ? provision_text(c, r->module, &it->ident)
                                             : it->str.text;
    return;
  case RI_APPLIES:
    if (r->has_applies) {
      diag_error(&c->diags, it->span, "requirement %s has more than one applies line", r->id);
      return;
    }
    r->has_applies = true;
    r->applies = it->expr;
    return;
  case RI_CONFIRM: {
    r->confirms = grow_array(&c->arena, r->confirms, &(size_t){r->confirm_count},
                             r->confirm_count, sizeof *r->confirms);
    ConfirmSym *cf = &r->confirms[r->confirm_count++];
    *cf = (ConfirmSym){UINT32_MAX, it->every, it->expr, it->span};
    if (it->every_span.end > it->every_span.start && (it->every < 1 || it->every > 1200))
      diag_error(&c->diags, it->every_span, "a period must be 1 to 1200 months, not %lld",
                 (long long)it->every);
    return;
  }
  case RI_PARTY:
  case RI_DOC:
    if (seen[it->kind].file != SPAN_NO_FILE) {
      diag_error(&c->diags, it->span, "requirement %s has more than one %s line", r->id,
                 it->kind == RI_PARTY ? "party" : "doc");
      return;
    }
    seen[it->kind] = it->span;
    if (it->kind == RI_PARTY) r->party = it->ident.name;
    else r->doc = it->str.text;
    return;
  case RI_ATTR: requirement_attr(c, r, it); return;
  case RI_COMPENSATED: requirement_compensated(c, r, it); return;
  }
}

/* Methods name the viewpoint's methods; resolved once the viewpoint is known. */
static void requirement_methods(Compilation *c, ReqSym *r) {
  if (r->viewpoint == UINT32_MAX) return;
  Decl *v = c->viewpoints[r->viewpoint].decl;
  size_t k = 0;
  for (size_t i = 0; i < r->decl->item_count; i++) {
    ReqItem *it = &r->decl->items[i];
    if (it->kind != RI_CONFIRM) continue;
    ConfirmSym *cf = &r->confirms[k++];
    for (size_t m = 0; m < v->value_count; m++)
      if (strcmp(v->values[m].name, it->ident.name) == 0) cf->method = (uint32_t)m;
    if (cf->method != UINT32_MAX) continue;
    const char *list = "";
    for (size_t m = 0; m < v->value_count; m++)
      list = arena_printf(&c->arena, "%s%s%s", list, m ? ", " : "", v->values[m].name);
    diag_error(&c->diags, it->ident.span,
               "'%s' is not a confirmation method of viewpoint %s (%s)", it->ident.name,
               v->name.name, list);
  }
}

static void declare_requirement(Compilation *c, uint32_t module, Decl *d) {
  const char *id = qualify(c, module, d->name.name);
  uint32_t index = (uint32_t)c->req_count;
  ReqSym *r = PUSH(c, c->reqs, c->req_count, c->req_cap);
  *r = (ReqSym){.id = id, .span = d->name.span, .decl = d, .viewpoint = UINT32_MAX,
                .module = module};
  if (symmap_put(&c->arena, &c->req_map, id, 0, index)) {
    diag_error(&c->diags, d->name.span, "requirement %s is already declared", id);
    diag_note(&c->diags, c->reqs[symmap_get(&c->req_map, id)->index].span,
              "requirement %s was first declared here", id);
  }
  Span seen[RI_ATTR + 1];
  for (size_t i = 0; i <= RI_ATTR; i++) seen[i] = NO_SPAN;
  for (size_t i = 0; i < d->item_count; i++) requirement_item(c, r, &d->items[i], seen);
  /* A line with a syntax error was dropped (and reported): the line the
   * requirement lacks is probably that one. */
  if (seen[RI_VIEWPOINT].file == SPAN_NO_FILE && !d->had_error)
    diag_error(&c->diags, d->name.span, "requirement %s has no viewpoint line", id);
  if (!r->has_applies && !d->had_error)
    diag_error(&c->diags, d->name.span,
               "requirement %s has no applies line (write `applies always;` or `applies when ...;`)",
               id);
  if (r->confirm_count == 0 && !d->had_error)
    diag_error(&c->diags, d->name.span, "requirement %s has no confirm line", id);
  requirement_methods(c, r);
}

/* ---- usage profiles ------------------------------------------------------------------ */

/* A profile's name and doc; its facts are resolved and checked by types.c
 * (facts are declared in this same pass, possibly after the profile). */
static void declare_profile(Compilation *c, uint32_t module, Decl *d) {
  const char *name = qualify(c, module, d->name.name);
  uint32_t index = (uint32_t)c->profile_count;
  ProfileSym *p = PUSH(c, c->profiles, c->profile_count, c->profile_cap);
  *p = (ProfileSym){.name = name, .span = d->name.span, .decl = d, .module = module};
  if (symmap_put(&c->arena, &c->profile_map, name, 0, index)) {
    diag_error(&c->diags, d->name.span, "profile '%s' is already declared", name);
    diag_note(&c->diags, c->profiles[symmap_get(&c->profile_map, name)->index].span,
              "profile '%s' was first declared here", name);
  }
  Span doc = NO_SPAN;
  for (size_t i = 0; i < d->pitem_count; i++) {
    const ProfileItem *it = &d->pitems[i];
    if (it->kind != PI_DOC) continue;
    if (doc.file != SPAN_NO_FILE) {
      diag_error(&c->diags, it->span, "profile '%s' has more than one doc line", name);
      diag_note(&c->diags, doc, "the first doc line is here");
      continue;
    }
    doc = it->span;
    p->doc = it->str.text;
  }
}

/* ---- rules blocks ------------------------------------------------------------------ */

static int policy_of(Compilation *c, const Decl *d) {
  if (!d->policy.name || strcmp(d->policy.name, "worst") == 0) return IPSF_POLICY_WORST;
  if (strcmp(d->policy.name, "first") == 0) return IPSF_POLICY_FIRST;
  if (strcmp(d->policy.name, "unique") == 0) return IPSF_POLICY_UNIQUE;
  diag_error(&c->diags, d->policy.span,
             "unknown policy '%s' (a rules block has policy worst, first or unique)",
             d->policy.name);
  return IPSF_POLICY_WORST;
}

static uint32_t level_of(Compilation *c, const ScaleSym *s, const Ident *level) {
  const EnumSym *e = &c->enums[s->enum_id];
  uint32_t i = enum_value_index(e, level->name);
  if (i == UINT32_MAX)
    diag_error(&c->diags, level->span, "'%s' is not a level of scale %s (%s)", level->name,
               s->name, enum_value_list(c, e));
  return i;
}

/* A rules block is attached in the last pass: the scale it names may be
 * declared anywhere, in any module loaded before. */
static void attach_rules(Compilation *c, uint32_t module, Decl *d) {
  SymEntry *e = lookup_value(c, module, d->name.name);
  if (!e || e->kind != SYM_SCALE) {
    diag_error(&c->diags, d->name.span, "'%s' is not a scale (declare it with `scale %s { ... }`)",
               d->name.name, d->name.name);
    return;
  }
  ScaleSym *s = &c->scales[e->index];
  if (s->rules) {
    diag_error(&c->diags, d->name.span, "scale %s already has a rules block", s->name);
    diag_note(&c->diags, s->rules->name.span, "the first rules block of %s is here", s->name);
    return;
  }
  s->rules = d;
  s->policy = policy_of(c, d);
  s->rule_levels = arena_array(&c->arena, d->rule_count ? d->rule_count : 1, sizeof(uint32_t));
  for (size_t i = 0; i < d->rule_count; i++) s->rule_levels[i] = level_of(c, s, &d->rules[i].level);
  if (d->otherwise.name) s->otherwise = level_of(c, s, &d->otherwise);
}

/* ---- the pack header ---------------------------------------------------------------- */

static bool valid_pack_name(const char *s) {
  if (!*s) return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' ||
          *s == '_'))
      return false;
  return true;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool is_ident_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* Dot-separated non-empty identifiers of [0-9A-Za-z-] (semver 2.0.0). */
static const char *skip_identifiers(const char *s) {
  do {
    if (!is_ident_char(*s)) return NULL;
    while (is_ident_char(*s)) s++;
  } while (*s == '.' && *++s);
  return s;
}

/* MAJOR.MINOR.PATCH[-pre.release][+build] as semver 2.0.0 defines it:
 * numbers without leading zeros. */
static bool valid_version(const char *s) {
  for (int part = 0; part < 3; part++) {
    if (!is_digit(*s) || (*s == '0' && is_digit(s[1]))) return false;
    while (is_digit(*s)) s++;
    if (part < 2 && *s++ != '.') return false;
  }
  if (*s == '-' && !(s = skip_identifiers(s + 1))) return false;
  if (*s == '+' && !(s = skip_identifiers(s + 1))) return false;
  return *s == '\0';
}

static void check_pack_header(Compilation *c, uint32_t module, Decl *d) {
  if (module != c->root) {
    diag_error(&c->diags, d->span, "only the file being compiled may have a pack header");
    return;
  }
  if (c->pack) {
    diag_error(&c->diags, d->span, "a file has at most one pack header");
    return;
  }
  c->pack = d;
  if (d->str.text && !valid_pack_name(d->str.text))
    diag_error(&c->diags, d->str.span,
               "pack name \"%s\" should be reverse-DNS style (lowercase letters, digits, '.', '-', '_')",
               d->str.text);
  if (d->str2.text && !valid_version(d->str2.text))
    diag_error(&c->diags, d->str2.span,
               "version \"%s\" is not a semantic version (MAJOR.MINOR.PATCH)", d->str2.text);
  static const char *const keys[] = {"title", "authority", "framework", "description",
                                     "currency"};
  for (size_t i = 0; i < d->entry_count; i++) {
    const Ident *k = &d->entries[i].key;
    bool known = false;
    for (size_t j = 0; j < sizeof keys / sizeof keys[0]; j++) known |= strcmp(k->name, keys[j]) == 0;
    if (!known)
      diag_error(&c->diags, k->span,
                 "unknown pack entry '%s' (title, authority, framework, description, currency)",
                 k->name);
    for (size_t j = 0; j < i; j++)
      if (strcmp(d->entries[j].key.name, k->name) == 0)
        diag_error(&c->diags, k->span, "pack entry '%s' is given twice", k->name);
  }
}

/* A pack (not a module) must be evaluable: both axes, every scale computed. */
static void check_pack_complete(Compilation *c) {
  if (!c->pack) return;
  for (int axis = 1; axis <= 2; axis++) {
    bool found = false;
    for (size_t i = 0; i < c->scale_count; i++) found |= c->scales[i].axis == axis;
    if (!found)
      diag_error(&c->diags, c->pack->span,
                 "the pack has no axis %d (import \"ssf\", or declare `axis %d NAME { ... }`)",
                 axis, axis);
  }
  for (size_t i = 0; i < c->scale_count; i++)
    if (!c->scales[i].rules && !diag_is_poisoned(&c->diags, c->scales[i].name))
      diag_error(&c->diags, c->scales[i].span,
                 "scale %s has no rules block: write `rules %s { ... }`", c->scales[i].name,
                 c->scales[i].name);
}

/* ---- the passes ---------------------------------------------------------------------- */

typedef void (*DeclPass)(Compilation *c, uint32_t module, Decl *d);

static void pass_vocabulary(Compilation *c, uint32_t module, Decl *d) {
  switch (d->kind) {
  case D_TYPE: declare_type(c, module, d); break;
  case D_SCALE: declare_scale(c, module, d); break;
  case D_VIEWPOINT: declare_viewpoint(c, d); break;
  case D_PACK: check_pack_header(c, module, d); break;
  case D_CATALOG: declare_catalog(c, module, d); break;
  default: break;
  }
}

static void pass_symbols(Compilation *c, uint32_t module, Decl *d) {
  switch (d->kind) {
  case D_FACTS: declare_facts(c, module, d); break;
  case D_LET: declare_let(c, module, d); break;
  case D_FN: declare_fn(c, module, d); break;
  case D_REQUIREMENT: declare_requirement(c, module, d); break;
  case D_TEST: *PUSH(c, c->tests, c->test_count, c->test_cap) = d; break;
  case D_EXTERN: declare_extern(c, module, d); break;
  case D_PROFILE: declare_profile(c, module, d); break;
  default: break;
  }
}

/* The ids of a requirement's compensated_by lines, once every requirement
 * is declared: each names a requirement (its module's prefix first, as
 * `expect requires` does), not itself, of another viewpoint, once. */
static void resolve_compensations(Compilation *c, uint32_t module, Decl *d) {
  SymEntry *e = symmap_get(&c->req_map, qualify(c, module, d->name.name));
  if (!e || c->reqs[e->index].decl != d) return; /* a duplicate: reported */
  uint32_t self = e->index;
  ReqSym *r = &c->reqs[self];
  for (size_t k = 0; k < r->comp_count; k++) {
    CompensationSym *cs = &r->comps[k];
    const Ident *id = cs->name;
    SymEntry *o = symmap_get(&c->req_map, qualify(c, module, id->name));
    if (!o) o = symmap_get(&c->req_map, id->name);
    if (!o) {
      Suggest sg;
      suggest_init(&sg, id->name);
      suggest_map(&sg, &c->req_map);
      diag_error(&c->diags, id->span, "requirement %s: compensated_by names unknown requirement %s%s",
                 r->id, id->name, suggest_hint(c, &sg));
      continue;
    }
    const ReqSym *by = &c->reqs[o->index];
    if (o->index == self) {
      diag_error(&c->diags, id->span, "requirement %s cannot compensate for itself", r->id);
      continue;
    }
    if (r->viewpoint != UINT32_MAX && by->viewpoint == r->viewpoint) {
      diag_error(&c->diags, id->span,
                 "requirement %s: %s is of the same viewpoint (%s); a compensating measure "
                 "comes from another viewpoint",
                 r->id, by->id, c->viewpoints[r->viewpoint].name);
      diag_note(&c->diags, by->span, "requirement %s is declared here", by->id);
      continue;
    }
    bool twice = false;
    for (size_t j = 0; j < k; j++) twice |= r->comps[j].by == o->index;
    if (twice) {
      diag_error(&c->diags, id->span, "requirement %s names %s in compensated_by more than once",
                 r->id, by->id);
      continue;
    }
    cs->by = o->index;
  }
}

static void pass_rules(Compilation *c, uint32_t module, Decl *d) {
  if (d->kind == D_RULES) attach_rules(c, module, d);
  if (d->kind == D_REQUIREMENT) resolve_compensations(c, module, d);
  check_satisfied_by(c, module, d);
}

/* Imports first (load_order), so a module's names exist before the
 * modules that import it are declared and duplicates are reported at the
 * importer, whose author can rename. */
static void run_pass(Compilation *c, DeclPass pass) {
  for (size_t i = 0; i < c->load_count; i++) {
    uint32_t m = c->load_order[i];
    Module *ast = c->modules[m].ast;
    for (size_t j = 0; j < ast->decl_count; j++) pass(c, m, ast->decls[j]);
  }
}

void resolve_declarations(Compilation *c) {
  run_pass(c, pass_vocabulary);
  run_pass(c, pass_symbols);
  run_pass(c, pass_rules);
  check_pack_complete(c);
}
