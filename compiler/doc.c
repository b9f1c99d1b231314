/*
 * doc.c -- the model of a pack's guideline (doc.h): gathered from the
 * loaded pack, then, from source, completed with what only the source
 * has, and the devices placed on the category matrix.
 *
 * ONE PATH FOR BOTH INPUTS.  A source pack is compiled to bytecode and
 * loaded through the verifier like any .ipsb; the model's common part
 * (header, facts, scales and rules, viewpoints, requirements, confirm
 * lines, refs) is read from that IpsfPack, so a guideline made from the
 * source and one made from its .ipsb say the same about everything the
 * bytecode carries.  From source, doc_from_source then adds: condition
 * texts (rules, applies, confirm lines), `unordered` marks, named types,
 * the catalogs a ref names (clause, title, status) and their
 * traceability, the test blocks' devices, and the matrix analysis
 * (doc_cells.c).  Which source item goes with which pack item: rules by
 * their position in their scale's block, requirements by id, confirm
 * lines by position; a count that does not match leaves the item as the
 * bytecode has it (never a wrong pairing).
 *
 * DEVICES.  A test's `given` facts and a sheet's facts are evaluated by
 * the VM on the loaded pack; the device lands in the cell of its two axis
 * levels.  Strings are the pack's and sheets' own, unescaped (the
 * writers escape).  Order is declaration order throughout: deterministic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "doc.h"
#include "pack.h"
#include "sema.h"

DocModel *doc_new(void) {
  DocModel *m = xcalloc(1, sizeof *m);
  arena_init(&m->arena);
  return m;
}

void doc_free(DocModel *m) {
  if (!m) return;
  ipsf_pack_free(m->pack);
  if (m->compilation) compilation_free(m->compilation);
  free(m->devices);
  arena_free(&m->arena);
  free(m);
}

/* ---- from the bytecode ------------------------------------------------------------ */

static const char *value_text(DocModel *m, const IpsfPack *p, IpsfType t, uint32_t k) {
  const IpsfConst *cst = &p->consts[k];
  IpsfValue v = cst->value;
  switch (t.kind) {
  case IPSF_K_BOOL: return v.i ? "true" : "false";
  case IPSF_K_INT: return arena_printf(&m->arena, "%lld", (long long)v.i);
  case IPSF_K_NUMBER: return arena_printf(&m->arena, "%.17g", v.n);
  case IPSF_K_STRING: return arena_printf(&m->arena, "\"%s\"", ipsf_str(p, cst->str));
  case IPSF_K_ENUM: return ipsf_str(p, p->enums[t.enum_type].values[v.i]);
  default: {
    const IpsfEnum *e = &p->enums[t.enum_type];
    const char *s = "[";
    bool first = true;
    for (uint32_t i = 0; i < e->value_count; i++)
      if (v.m >> i & 1u) {
        s = arena_printf(&m->arena, "%s%s%s", s, first ? "" : ", ", ipsf_str(p, e->values[i]));
        first = false;
      }
    return arena_printf(&m->arena, "%s]", s);
  }
  }
}

static const char *loc_text(DocModel *m, const IpsfPack *p, IpsfLoc l) {
  return arena_printf(&m->arena, "%s:%u", ipsf_str(p, l.file), l.line);
}

static void read_facts(DocModel *m, const IpsfPack *p) {
  m->fact_count = p->fact_count;
  m->facts = arena_array(&m->arena, p->fact_count + 1, sizeof *m->facts);
  for (uint32_t i = 0; i < p->fact_count; i++) {
    const IpsfFact *f = &p->facts[i];
    DocFact *d = &m->facts[i];
    d->name = ipsf_str(p, f->name);
    d->type = ipsf_pack_fact_type(p, i);
    d->doc = ipsf_str(p, f->doc);
    d->deflt = f->default_const == IPSF_NONE ? NULL : value_text(m, p, f->type, f->default_const);
    d->value_count = ipsf_pack_fact_value_count(p, i);
    d->values = arena_array(&m->arena, d->value_count + 1, sizeof *d->values);
    for (uint32_t k = 0; k < d->value_count; k++) d->values[k] = ipsf_pack_fact_value(p, i, k);
  }
}

static const char *const policy_names[] = {"worst", "first", "unique"};

static void read_scales(DocModel *m, const IpsfPack *p) {
  m->blocks = arena_array(&m->arena, p->scale_count + 1, sizeof *m->blocks);
  for (uint32_t s = 0; s < p->scale_count; s++) {
    const IpsfScale *sc = &p->scales[s];
    const IpsfEnum *e = &p->enums[sc->enum_type];
    DocRules *b = &m->blocks[m->block_count++];
    b->scale = ipsf_str(p, sc->name);
    b->axis = sc->axis;
    b->policy = sc->policy < 3 ? policy_names[sc->policy] : "?";
    b->otherwise = sc->otherwise == IPSF_NONE ? NULL : ipsf_str(p, e->values[sc->otherwise]);
    b->at = sc->rule_count ? loc_text(m, p, p->rules[sc->first_rule].loc) : NULL;
    b->rule_count = sc->rule_count;
    b->rules = arena_array(&m->arena, sc->rule_count + 1, sizeof *b->rules);
    for (uint32_t r = 0; r < sc->rule_count; r++) {
      const IpsfRule *ru = &p->rules[sc->first_rule + r];
      b->rules[r] = (DocRule){ipsf_str(p, e->values[ru->level]), NULL, ipsf_str(p, ru->because),
                              loc_text(m, p, ru->loc)};
    }
  }
  for (int x = 0; x < 2; x++) {
    uint32_t s = x == 0 ? p->axis1 : p->axis2;
    if (s == IPSF_NONE) continue;
    const IpsfEnum *e = &p->enums[p->scales[s].enum_type];
    m->axis_name[x] = ipsf_str(p, p->scales[s].name);
    m->level_count[x] = e->value_count;
    m->levels[x] = arena_array(&m->arena, e->value_count + 1, sizeof(char *));
    for (uint32_t k = 0; k < e->value_count; k++) m->levels[x][k] = ipsf_str(p, e->values[k]);
  }
  m->has_matrix = m->axis_name[0] && m->axis_name[1];
  /* from bytecode, the types are the scales' (named enums are source-only) */
  m->types = arena_array(&m->arena, p->scale_count + 1, sizeof *m->types);
  for (uint32_t s = 0; s < p->scale_count; s++) {
    const IpsfEnum *e = &p->enums[p->scales[s].enum_type];
    DocType *t = &m->types[m->type_count++];
    t->name = ipsf_str(p, p->scales[s].name);
    t->kind = p->scales[s].axis == 1 ? "axis 1" : p->scales[s].axis == 2 ? "axis 2" : "scale";
    t->value_count = e->value_count;
    t->values = arena_array(&m->arena, e->value_count + 1, sizeof *t->values);
    for (uint32_t k = 0; k < e->value_count; k++) t->values[k] = ipsf_str(p, e->values[k]);
  }
}

/* Who acts, who confirms, on what basis, and what is confirmed, in one
 * cell: "owner; confirmed by insurer; law: Act …, Art. 5; subject product"
 * (NULL when the requirement says none of them). */
/* "compensated by CM-20 until 2027-03-31, CM-30 for 6 months" (docs/
 * language.md, "Compensating measures"), or NULL. */
static const char *compensations_text(DocModel *m, const IpsfPack *p, uint32_t r) {
  const char *out = NULL;
  for (uint32_t i = 0; i < p->compensation_count; i++) {
    const IpsfCompensation *c = &p->compensations[i];
    if (c->requirement != r) continue;
    const char *one = ipsf_str(p, p->requirements[c->by].id);
    if (c->until != IPSF_NONE) one = arena_printf(&m->arena, "%s until %s", one, ipsf_str(p, c->until));
    if (c->months)
      one = arena_printf(&m->arena, "%s for %u month%s", one, (unsigned)c->months,
                         c->months == 1 ? "" : "s");
    out = out ? arena_printf(&m->arena, "%s, %s", out, one)
              : arena_printf(&m->arena, "compensated by %s", one);
  }
  return out;
}

static const char *party_and_basis(DocModel *m, const IpsfPack *p, const IpsfRequirement *q) {
  const char *parts[5] = {NULL, NULL, NULL, NULL, NULL};
  parts[4] = compensations_text(m, p, (uint32_t)(q - p->requirements));
  if (q->party != IPSF_NONE) parts[0] = ipsf_str(p, q->party);
  if (q->confirmed_by != IPSF_NONE)
    parts[1] = arena_printf(&m->arena, "confirmed by %s", ipsf_str(p, q->confirmed_by));
  if (q->basis != IPSF_NONE)
    parts[2] = q->citation != IPSF_NONE
                   ? arena_printf(&m->arena, "%s: %s", ipsf_str(p, q->basis), ipsf_str(p, q->citation))
                   : arena_printf(&m->arena, "basis %s", ipsf_str(p, q->basis));
  if (q->subject != IPSF_NONE)
    parts[3] = arena_printf(&m->arena, "subject %s", ipsf_str(p, q->subject));
  const char *out = NULL;
  for (int k = 0; k < 5; k++)
    if (parts[k]) out = out ? arena_printf(&m->arena, "%s; %s", out, parts[k]) : parts[k];
  return out;
}

static void read_requirements(DocModel *m, const IpsfPack *p) {
  m->viewpoint_count = p->viewpoint_count;
  m->viewpoints = arena_array(&m->arena, p->viewpoint_count + 1, sizeof(char *));
  m->methods = arena_array(&m->arena, p->viewpoint_count + 1, sizeof(char **));
  m->method_count = arena_array(&m->arena, p->viewpoint_count + 1, sizeof(size_t));
  for (uint32_t v = 0; v < p->viewpoint_count; v++) {
    const IpsfViewpoint *vp = &p->viewpoints[v];
    m->viewpoints[v] = ipsf_str(p, vp->name);
    m->method_count[v] = vp->method_count;
    m->methods[v] = arena_array(&m->arena, vp->method_count + 1, sizeof(char *));
    for (uint32_t k = 0; k < vp->method_count; k++) m->methods[v][k] = ipsf_str(p, vp->methods[k]);
  }
  m->req_count = p->requirement_count;
  m->reqs = arena_array(&m->arena, p->requirement_count + 1, sizeof *m->reqs);
  for (uint32_t i = 0; i < p->requirement_count; i++) {
    const IpsfRequirement *q = &p->requirements[i];
    DocReq *d = &m->reqs[i];
    d->id = ipsf_str(p, q->id);
    d->title = ipsf_str(p, q->title);
    d->viewpoint = q->viewpoint < p->viewpoint_count ? m->viewpoints[q->viewpoint] : "?";
    d->party = party_and_basis(m, p, q);
    d->doc = ipsf_str(p, q->doc);
    d->at = loc_text(m, p, q->loc);
    d->ref_count = q->ref_count;
    d->refs = arena_array(&m->arena, q->ref_count + 1, sizeof *d->refs);
    for (uint32_t k = 0; k < q->ref_count; k++) d->refs[k].text = ipsf_str(p, q->refs[k]);
    d->confirm_count = q->confirm_count;
    d->confirms = arena_array(&m->arena, q->confirm_count + 1, sizeof *d->confirms);
    for (uint32_t k = 0; k < q->confirm_count; k++) {
      const IpsfConfirm *cf = &p->confirms[q->first_confirm + k];
      const char *method = q->viewpoint < p->viewpoint_count &&
                                   cf->method < p->viewpoints[q->viewpoint].method_count
                               ? m->methods[q->viewpoint][cf->method]
                               : "?";
      d->confirms[k].text =
          cf->every_months ? arena_printf(&m->arena, "%s every %u months", method, cf->every_months)
                           : method;
    }
  }
}

static void read_profiles(DocModel *m, const IpsfPack *p) {
  m->profile_count = p->profile_count;
  m->profiles = arena_array(&m->arena, p->profile_count + 1, sizeof *m->profiles);
  for (uint32_t i = 0; i < p->profile_count; i++) {
    const IpsfProfile *pr = &p->profiles[i];
    DocProfile *d = &m->profiles[i];
    d->name = ipsf_str(p, pr->name);
    d->title = ipsf_str(p, pr->title);
    d->doc = ipsf_str(p, pr->doc);
    d->item_count = pr->item_count;
    d->items = arena_array(&m->arena, pr->item_count + 1, sizeof *d->items);
    for (uint32_t k = 0; k < pr->item_count; k++) {
      const IpsfProfileItem *it = &p->profile_items[pr->first_item + k];
      d->items[k] = arena_printf(&m->arena, "%s %s %s", ipsf_str(p, p->facts[it->fact].name),
                                 it->kind == IPSF_PROFILE_SETS ? "=" : "in",
                                 value_text(m, p, p->consts[it->value].type, it->value));
    }
  }
}

static void read_pack(DocModel *m, IpsfPack *p, const char *path) {
  m->pack = p;
  m->input = arena_strdup(&m->arena, path);
  m->name = ipsf_str(p, p->meta.name);
  m->version = ipsf_str(p, p->meta.version);
  m->title = ipsf_str(p, p->meta.title);
  m->authority = ipsf_str(p, p->meta.authority);
  m->framework = ipsf_str(p, p->meta.framework);
  m->description = ipsf_str(p, p->meta.description);
  char hex[65];
  for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", p->digest[i]);
  m->digest = arena_printf(&m->arena, "sha256:%s", hex);
  if (ipsf_pack_is_signed(p)) {
    char id[IPSF_KEY_ID_SIZE];
    ipsf_key_id(ipsf_pack_signer(p), id);
    m->key_id = arena_strdup(&m->arena, id);
    m->signature = ipsf_pack_signature_valid(p) ? "signed, signature valid"
                                                : "signed, signature does NOT verify";
  } else {
    m->signature = "unsigned";
  }
  read_facts(m, p);
  read_scales(m, p);
  read_requirements(m, p);
  read_profiles(m, p);
}

/* From a .ipsb: the catalogs it keeps (those it cites, whole), with each
 * provision's citing requirements and, for one cited by none, the cited
 * provisions of its satisfied_by (as note_deemed does from source). */
static void read_catalogs(DocModel *m, const IpsfPack *p) {
  uint32_t n = ipsf_pack_catalog_count(p);
  m->catalogs = arena_array(&m->arena, n + 1, sizeof *m->catalogs);
  for (uint32_t c = 0; c < n; c++) {
    DocCatalog *cat = &m->catalogs[m->catalog_count++];
    cat->title = ipsf_pack_catalog_name(p, c);
    cat->version = ipsf_pack_catalog_version(p, c);
    uint32_t count = ipsf_pack_provision_count(p, c);
    cat->provisions = arena_array(&m->arena, count + 1, sizeof *cat->provisions);
    for (uint32_t k = 0; k < count; k++) {
      DocProvision *d = &cat->provisions[cat->provision_count++];
      d->id = ipsf_pack_provision_id(p, c, k);
      d->clause = ipsf_pack_provision_clause(p, c, k);
      d->title = ipsf_pack_provision_title(p, c, k);
      d->status = ipsf_pack_provision_status(p, c, k);
      d->by_count = ipsf_pack_provision_cited_count(p, c, k);
      d->by = arena_array(&m->arena, d->by_count + 1, sizeof *d->by);
      for (uint32_t r = 0; r < d->by_count; r++)
        d->by[r] = ipsf_pack_requirement_id(p, ipsf_pack_provision_cited_by(p, c, k, r));
    }
  }
  for (uint32_t c = 0; c < n; c++)
    for (uint32_t k = 0; k < m->catalogs[c].provision_count; k++) {
      DocProvision *d = &m->catalogs[c].provisions[k];
      for (uint32_t i = 0; !d->by_count && i < ipsf_pack_provision_satisfied_by_count(p, c, k); i++) {
        uint32_t qc, qk;
        if (!ipsf_pack_provision_find(p, ipsf_pack_provision_satisfied_by(p, c, k, i), &qc, &qk))
          continue;
        const DocProvision *q = &m->catalogs[qc].provisions[qk];
        if (!q->by_count) continue;
        const char *text = arena_printf(&m->arena, "%s (%s", q->id, q->by[0]);
        for (size_t r = 1; r < q->by_count; r++) text = arena_printf(&m->arena, "%s, %s", text, q->by[r]);
        d->deemed = d->deemed ? arena_printf(&m->arena, "%s; %s)", d->deemed, text)
                              : arena_printf(&m->arena, "%s)", text);
      }
    }
}

void doc_from_pack(DocModel *m, IpsfPack *pack, const char *path) {
  read_pack(m, pack, path);
  read_catalogs(m, pack);
  m->from_source = false;
}

/* ---- devices ---------------------------------------------------------------------- */

static void add_device(DocModel *m, const char *name, const char *source, uint32_t l1,
                       uint32_t l2) {
  if (m->device_count == m->device_cap) {
    m->device_cap = m->device_cap ? m->device_cap * 2 : 8;
    DocDevice *d = xmalloc_array(m->device_cap, sizeof *d);
    if (m->device_count) memcpy(d, m->devices, m->device_count * sizeof *d);
    free(m->devices);
    m->devices = d;
  }
  m->devices[m->device_count++] =
      (DocDevice){arena_strdup(&m->arena, name), arena_strdup(&m->arena, source), {l1, l2}};
}

static uint32_t level_index(const DocModel *m, int x, const char *name) {
  for (uint32_t k = 0; name && k < m->level_count[x]; k++)
    if (strcmp(m->levels[x][k], name) == 0) return k;
  return UINT32_MAX;
}

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* One document (or JSON Lines line) of a sheet: its records placed. */
static bool add_records(DocModel *m, const char *name, const char *text, size_t len,
                        IpsfSheetSyntax syntax, IpsfError *err) {
  IpsfEval *ev = ipsf_eval_new(m->pack);
  if (!ev) return ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory");
  size_t out_len = 0, records = 0, errors = 0;
  char *out = ipsf_evaluate_text(ev, text, len, syntax, NULL, IPSF_RECORDS_JSON, 0, &out_len,
                                 &records, &errors);
  ipsf_eval_free(ev);
  if (!out) return ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory");
  json_error_t jerr;
  json_t *all = json_loadb(out, out_len, 0, &jerr);
  ipsf_free(out);
  bool ok = json_is_array(all);
  if (!ok) ipsf_fail(err, IPSF_ERR_INTERNAL, "unreadable records");
  for (size_t i = 0; ok && i < json_array_size(all); i++) {
    json_t *rec = json_array_get(all, i);
    json_t *error = json_object_get(rec, "error");
    if (error) {
      json_t *msg = json_object_get(error, "message");
      ipsf_fail(err, IPSF_ERR_SYNTAX, "%s", json_is_string(msg) ? json_string_value(msg) : "error");
      ok = false;
      break;
    }
    json_t *cat = json_object_get(rec, "category");
    const char *dev = json_string_value(json_object_get(rec, "device"));
    const char *profile = json_string_value(json_object_get(rec, "profile"));
    uint32_t l1 = level_index(m, 0, json_string_value(json_object_get(cat, "axis1")));
    uint32_t l2 = level_index(m, 1, json_string_value(json_object_get(cat, "axis2")));
    if (l1 == UINT32_MAX || l2 == UINT32_MAX) continue;
    const char *label = dev ? dev : name;
    if (profile) label = arena_printf(&m->arena, "%s (%s)", label, profile);
    add_device(m, label, name, l1, l2);
  }
  json_decref(all);
  return ok;
}

bool doc_add_sheet(DocModel *m, const char *name, const char *text, size_t len, IpsfError *err) {
  if (!m->has_matrix) return true;
  if (ends_with(name, ".yaml") || ends_with(name, ".yml"))
    return add_records(m, name, text, len, IPSF_SYNTAX_YAML, err);
  if (strcmp(name, "-") != 0 && !ends_with(name, ".jsonl") && !ends_with(name, ".ndjson"))
    return add_records(m, name, text, len, IPSF_SYNTAX_JSON, err);
  /* JSON Lines: each non-blank line a sheet */
  size_t line = 0;
  for (size_t at = 0; at < len;) {
    const char *nl = memchr(text + at, '\n', len - at);
    size_t end = nl ? (size_t)(nl - text) : len;
    line++;
    bool blank = true;
    for (size_t i = at; i < end && blank; i++) blank = text[i] == ' ' || text[i] == '\t' || text[i] == '\r';
    if (!blank && !add_records(m, name, text + at, end - at, IPSF_SYNTAX_JSONL, err)) {
      char msg[sizeof err->message];
      snprintf(msg, sizeof msg, "%s", err->message);
      return ipsf_fail(err, err->kind, "line %zu: %s", line, msg);
    }
    at = end + 1;
  }
  return true;
}

/* ---- from source ---------------------------------------------------------------------- */

/* An expression or text as written, on one line. */
static const char *span_text(DocModel *m, Compilation *c, Span s) {
  return sources_span_text(&c->sources, &m->arena, s);
}

static void enrich_facts(DocModel *m, Compilation *c) {
  for (size_t i = 0; i < m->fact_count; i++)
    for (size_t f = 0; f < c->fact_count; f++)
      if (strcmp(c->facts[f].name, m->facts[i].name) == 0) {
        Ty ty = c->facts[f].ty;
        m->facts[i].unordered = c->facts[f].decl->unordered;
        m->facts[i].likelihood = c->facts[f].decl->likelihood;
        /* a named enum by its name; an anonymous one stays "enum" */
        if ((ty.kind == TY_ENUM || ty.kind == TY_SET) && symmap_get(&c->types, c->enums[ty.enum_id].name))
          m->facts[i].type = arena_printf(&m->arena, "%s%s", ty.kind == TY_SET ? "set of " : "",
                                          c->enums[ty.enum_id].name);
        else if (ty.kind == TY_SET)
          m->facts[i].type = "set of enum";
        break;
      }
  /* named types: `type` declarations and scales, in declaration order */
  m->type_count = 0;
  m->types = arena_array(&m->arena, c->enum_count + 1, sizeof *m->types);
  for (size_t e = 0; e < c->enum_count; e++) {
    const EnumSym *en = &c->enums[e];
    const char *kind = NULL;
    if (en->scale >= 0) {
      int axis = c->scales[en->scale].axis;
      kind = axis == 1 ? "axis 1" : axis == 2 ? "axis 2" : "scale";
    } else if (symmap_get(&c->types, en->name)) {
      kind = "type";
    }
    if (!kind) continue;
    DocType *t = &m->types[m->type_count++];
    t->name = en->name;
    t->kind = kind;
    t->value_count = en->value_count;
    t->values = arena_array(&m->arena, en->value_count + 1, sizeof *t->values);
    for (size_t k = 0; k < en->value_count; k++) t->values[k] = en->values[k].name;
  }
}

static void enrich_rules(DocModel *m, Compilation *c) {
  for (size_t b = 0; b < m->block_count; b++) {
    DocRules *blk = &m->blocks[b];
    for (size_t s = 0; s < c->scale_count; s++) {
      const ScaleSym *sc = &c->scales[s];
      if (strcmp(sc->name, blk->scale) != 0 || !sc->rules) continue;
      if (sc->rules->rule_count != blk->rule_count) break;
      for (size_t r = 0; r < blk->rule_count; r++)
        blk->rules[r].cond = span_text(m, c, sc->rules->rules[r].cond->span);
      break;
    }
  }
}

/* Unreferenced provisions that a referenced one satisfies (deemed
 * compliance): shown, never counted as referenced (language.md: a ref to
 * one provision does not stand for another). */
static void note_deemed(DocModel *m, Compilation *c, const size_t *cat_of, const size_t *index_of) {
  for (size_t i = 0; i < c->provision_count; i++) {
    DocProvision *p = &m->catalogs[cat_of[i]].provisions[index_of[i]];
    const Provision *d = c->provisions[i].decl;
    if (p->by_count) continue;
    for (size_t k = 0; k < d->satisfied_count; k++) {
      SymEntry *e = lookup_name(c, &c->provision_map, c->provisions[i].module, d->satisfied_by[k].name);
      if (!e) continue;
      const DocProvision *q = &m->catalogs[cat_of[e->index]].provisions[index_of[e->index]];
      if (!q->by_count) continue;
      const char *text = arena_printf(&m->arena, "%s (%s", q->id, q->by[0]);
      for (size_t r = 1; r < q->by_count; r++) text = arena_printf(&m->arena, "%s, %s", text, q->by[r]);
      p->deemed = p->deemed ? arena_printf(&m->arena, "%s; %s)", p->deemed, text)
                            : arena_printf(&m->arena, "%s)", text);
    }
  }
}

/* The catalogs, in load order, and each requirement's refs to them. */
static void enrich_catalogs(DocModel *m, Compilation *c) {
  m->catalogs = arena_array(&m->arena, c->provision_count + 1, sizeof *m->catalogs);
  /* where each provision went: its catalog and its index there */
  size_t *cat_of = arena_array(&m->arena, c->provision_count + 1, sizeof *cat_of);
  size_t *index_of = arena_array(&m->arena, c->provision_count + 1, sizeof *index_of);
  const Decl **decl_of = arena_array(&m->arena, c->provision_count + 1, sizeof *decl_of);
  for (size_t i = 0; i < c->provision_count; i++) {
    const ProvisionSym *ps = &c->provisions[i];
    size_t at = 0;
    while (at < m->catalog_count && decl_of[at] != ps->catalog) at++;
    if (at == m->catalog_count) {
      decl_of[at] = ps->catalog;
      DocCatalog *cat = &m->catalogs[m->catalog_count++];
      cat->title = ps->catalog->str.text;
      cat->version = ps->catalog->str2.text;
      cat->path = c->modules[ps->module].path;
      cat->provisions = arena_array(&m->arena, ps->catalog->provision_count + 1,
                                    sizeof *cat->provisions);
    }
    DocCatalog *cat = &m->catalogs[at];
    cat_of[i] = at;
    index_of[i] = cat->provision_count;
    DocProvision *p = &cat->provisions[cat->provision_count++];
    p->id = ps->id;
    p->clause = ps->decl->clause.text;
    p->title = ps->decl->title.text;
    p->status = ps->decl->status.name;
    p->by = arena_array(&m->arena, c->req_count + 1, sizeof *p->by);
  }
  for (size_t i = 0; i < c->req_count; i++) {
    const ReqSym *r = &c->reqs[i];
    DocReq *d = NULL;
    for (size_t k = 0; k < m->req_count && !d; k++)
      if (strcmp(m->reqs[k].id, r->id) == 0) d = &m->reqs[k];
    if (!d) continue;
    size_t ref = 0;
    for (size_t k = 0; k < r->decl->item_count; k++) {
      const ReqItem *it = &r->decl->items[k];
      if (it->kind != RI_REF) continue;
      size_t at = ref++;
      if (!it->ident.name || at >= d->ref_count) continue;
      SymEntry *e = lookup_name(c, &c->provision_map, r->module, it->ident.name);
      if (!e) continue;
      DocProvision *p = &m->catalogs[cat_of[e->index]].provisions[index_of[e->index]];
      d->refs[at].clause = p->clause;
      d->refs[at].title = p->title;
      d->refs[at].status = p->status;
      if (p->by_count == 0 || strcmp(p->by[p->by_count - 1], d->id) != 0) p->by[p->by_count++] = d->id;
    }
  }
  note_deemed(m, c, cat_of, index_of);
}

static void enrich_requirements(DocModel *m, Compilation *c) {
  for (size_t i = 0; i < c->req_count; i++) {
    const ReqSym *r = &c->reqs[i];
    for (size_t k = 0; k < m->req_count; k++) {
      DocReq *d = &m->reqs[k];
      if (strcmp(d->id, r->id) != 0) continue;
      d->applies = r->applies ? span_text(m, c, r->applies->span) : NULL;
      if (r->confirm_count == d->confirm_count)
        for (size_t l = 0; l < r->confirm_count; l++)
          d->confirms[l].when = r->confirms[l].when ? span_text(m, c, r->confirms[l].when->span) : NULL;
      break;
    }
  }
  enrich_catalogs(m, c);
}

/* A test's given, set as testrun.c sets it; false if it cannot be. */
static bool set_given(Compilation *c, IpsfEval *ev, const IpsfPack *p, uint32_t module,
                      const Given *g) {
  SymEntry *s = lookup_value(c, module, g->fact.name);
  Ty ty;
  IpsfValue v;
  IpsfError err;
  if (!s || s->kind != SYM_FACT || !fold_value(g->value, &ty, &v)) return false;
  uint32_t f = ipsf_fact_index(p, c->facts[s->index].name);
  if (f == IPSF_NONE) return false;
  const IpsfFact *fact = &p->facts[f];
  switch (fact->type.kind) {
  case IPSF_K_BOOL: return ipsf_eval_set_bool(ev, f, v.i != 0, &err);
  case IPSF_K_INT: return ipsf_eval_set_int(ev, f, v.i, &err);
  case IPSF_K_NUMBER: return ipsf_eval_set_number(ev, f, ty.kind == TY_INT ? (double)v.i : v.n, &err);
  case IPSF_K_STRING: return ipsf_eval_set_string(ev, f, v.s, &err);
  case IPSF_K_ENUM:
    return ipsf_eval_set_enum(ev, f, p->strings[p->enums[fact->type.enum_type].values[v.i]], &err);
  default: {
    const IpsfEnum *e = &p->enums[fact->type.enum_type];
    if (!ipsf_eval_set_clear(ev, f, &err)) return false;
    for (uint32_t k = 0; k < e->value_count; k++)
      if (v.m >> k & 1u && !ipsf_eval_set_add(ev, f, p->strings[e->values[k]], &err)) return false;
    return true;
  }
  }
}

/* Each test block of the root file whose evaluation succeeds is a device
 * (a test that expects an error, or whose givens cannot be set, is none). */
void doc_place_tests(DocModel *m) {
  Compilation *c = m->compilation;
  if (!c || !m->has_matrix || !c->test_count) return;
  if (m->pack->natives_unbound) {
    m->devices_note = "The pack calls native functions that were not allowed (--allow-native): "
                      "its test devices are not placed.";
    return;
  }
  IpsfEval *ev = ipsf_eval_new(m->pack);
  if (!ev) return;
  for (size_t t = 0; t < c->test_count; t++) {
    const Decl *d = c->tests[t];
    if (d->span.file != c->modules[c->root].ast->source) continue;
    /* a test of a usage profile is placed as `ipsfc test` evaluates it */
    uint32_t ps = profile_named(c, c->root, d->profile.text);
    uint32_t prof = ps == UINT32_MAX ? IPSF_NONE : ipsf_pack_find_profile(m->pack, c->profiles[ps].name);
    ipsf_eval_begin(ev);
    if (prof != IPSF_NONE) ipsf_eval_apply_profile(ev, prof);
    bool ok = true;
    for (size_t g = 0; ok && g < d->given_count; g++)
      ok = set_given(c, ev, m->pack, c->root, &d->givens[g]);
    IpsfError err;
    if (!ok || (prof != IPSF_NONE && !ipsf_eval_check_profile(ev, prof, &err)) ||
        !ipsf_eval_run(ev, &err))
      continue;
    add_device(m, d->str.text, "test", ipsf_eval_level(ev, m->pack->axis1),
               ipsf_eval_level(ev, m->pack->axis2));
  }
  ipsf_eval_free(ev);
}

/* The analysis' requirement order is the compilation's: map it to the
 * model's (by id). */
static void run_matrix(DocModel *m, Compilation *c) {
  MatrixAnalysis mx;
  if (!m->has_matrix || !analyze_matrix(c, NULL, &mx)) return;
  if (mx.levels[0] != m->level_count[0] || mx.levels[1] != m->level_count[1]) return;
  size_t ncells = (size_t)mx.levels[0] * mx.levels[1];
  m->reachable = arena_array(&m->arena, ncells + 1, 1);
  memcpy(m->reachable, mx.reachable, ncells);
  m->cells = arena_array(&m->arena, ncells * m->req_count + 1, sizeof *m->cells);
  for (size_t r = 0; r < c->req_count; r++)
    for (size_t k = 0; k < m->req_count; k++) {
      if (strcmp(m->reqs[k].id, c->reqs[r].id) != 0) continue;
      for (size_t cell = 0; cell < ncells; cell++)
        m->cells[cell * m->req_count + k] = mx.reqs[cell * c->req_count + r];
      break;
    }
  m->analysed = true;
}

bool doc_from_source(DocModel *m, Compilation *c, const char *path) {
  m->compilation = c;
  uint8_t *bytes = NULL;
  size_t len = 0;
  if (!compile_pack(c, path, &bytes, &len)) return false;
  IpsfError err;
  IpsfPack *p = ipsf_pack_load(bytes, len, &err);
  free(bytes);
  if (!p) {
    diag_error(&c->diags, NO_SPAN, "%s: %s", path, err.message);
    return false;
  }
  read_pack(m, p, path);
  m->from_source = true;
  enrich_facts(m, c);
  enrich_rules(m, c);
  enrich_requirements(m, c);
  run_matrix(m, c);
  return true;
}

void doc_cell_counts(const DocModel *m, uint32_t l1, uint32_t l2, size_t *always, size_t *maybe) {
  *always = *maybe = 0;
  if (!m->analysed) return;
  size_t cell = (size_t)l1 * m->level_count[1] + l2;
  for (size_t r = 0; r < m->req_count; r++) {
    uint8_t a = m->cells[cell * m->req_count + r].applies;
    if (a == MX_ALWAYS) ++*always;
    else if (a != MX_NEVER) ++*maybe;
  }
}

/* What the analysis says of requirement r in cell, as plain text: does it
 * apply, and with which method. */
void doc_cell_texts(const DocModel *m, size_t cell, size_t r, IpsfBuf *applies, IpsfBuf *method) {
  const MatrixReq *x = &m->cells[cell * m->req_count + r];
  const DocReq *q = &m->reqs[r];
  switch (x->applies) {
  case MX_ALWAYS: ipsf_buf_puts(applies, "required"); break;
  case MX_DEPENDS:
    ipsf_buf_printf(applies, "depends on %s", *x->applies_facts ? x->applies_facts : "the device");
    break;
  case MX_NEVER: ipsf_buf_puts(applies, "not required"); break;
  default: ipsf_buf_puts(applies, "not analysed (see ipsfc check, IPSF-W100)"); break;
  }
  if (x->weakest == UINT32_MAX) ipsf_buf_puts(method, x->lines_exact ? "-" : "not analysed");
  else if (x->weakest == x->strongest) ipsf_buf_puts(method, q->confirms[x->weakest].text);
  else
    ipsf_buf_printf(method, "weakest %s, strongest %s: depends on %s", q->confirms[x->weakest].text,
                    q->confirms[x->strongest].text,
                    *x->method_facts ? x->method_facts : "the device");
  if (x->weakest != UINT32_MAX && !x->lines_exact) ipsf_buf_puts(method, " (other lines not analysed)");
}
