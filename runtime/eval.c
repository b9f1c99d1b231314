/*
 * eval.c -- evaluation contexts: the "evaluation" and "results" sections
 * of ipsf.h.
 *
 * A context is sized from its pack once, in ipsf_eval_new; evaluating
 * allocates nothing more (but for the VM's scratch area).  The setters are
 * where fact values enter, so they are where values are checked: the fact's
 * type must match the setter, an enum value must be one of the enum's names,
 * a number must be finite, a string non-NULL.  With that, every FACT slot
 * holds a value of its type when the code runs, which is what the
 * verifier's proof assumes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "native.h"
#include "util.h"

static size_t words(uint32_t bits) { return ((size_t)bits + 63u) / 64u; }


/* Round n up to a multiple of a (a power of two). */
static size_t align_up(size_t n, size_t a) { return (n + a - 1) & ~(a - 1); }

/* The run's state block and its reset image: rule_hit words, then the
 * uint32_t arrays (scale_level, scale_rule, req_confirm), then the bytes
 * (req_applies, vp_used).  The image holds "no hit, no level, no confirm,
 * nothing applies"; the block starts as a copy of it. */
static bool state_new(IpsfEval *ev) {
  const IpsfPack *p = ev->pack;
  size_t sc = p->scale_count, rq = p->requirement_count;
  size_t o_level = words(p->rule_count) * sizeof(uint64_t);
  size_t o_rule = o_level + sc * sizeof(uint32_t);
  size_t o_confirm = o_rule + sc * sizeof(uint32_t);
  size_t o_applies = o_confirm + rq * sizeof(uint32_t);
  size_t o_vp = o_applies + rq;
  size_t size = align_up(o_vp + p->viewpoint_count, sizeof(uint64_t));
  if (size == 0) size = sizeof(uint64_t);
  ev->state = calloc(1, size);
  ev->state_reset = calloc(1, size);
  if (!ev->state || !ev->state_reset) return false;
  ev->state_size = size;
  char *r = ev->state_reset;
  memset(r + o_level, 0xFF, o_applies - o_level); /* IPSF_NONE is all ones */
  memcpy(ev->state, r, size);
  char *b = ev->state;
  ev->rule_hit = (uint64_t *)(void *)b;
  ev->scale_level = (uint32_t *)(void *)(b + o_level);
  ev->scale_rule = (uint32_t *)(void *)(b + o_rule);
  ev->req_confirm = (uint32_t *)(void *)(b + o_confirm);
  ev->req_applies = (uint8_t *)(b + o_applies);
  ev->vp_used = (uint8_t *)(b + o_vp);
  return true;
}

/* The reset value of every non-fact slot, and whether they all follow the
 * facts (one memcpy per run) or not (a loop per run, in vm.c). */
static void slot_reset_new(IpsfEval *ev) {
  const IpsfPack *p = ev->pack;
  static const char empty[1] = "";
  uint32_t from = p->slot_count;
  while (from > 0 && p->slots[from - 1].role != IPSF_SLOT_FACT) from--;
  ev->slot_reset_from = from;
  ev->slots_contiguous = true;
  for (uint32_t i = 0; i < p->slot_count; i++) {
    const IpsfSlot *s = &p->slots[i];
    if (s->role == IPSF_SLOT_FACT) {
      if (i >= from) ev->slots_contiguous = false;
      continue;
    }
    if (i < from) ev->slots_contiguous = false;
    if (s->type.kind == IPSF_K_STRING)
      ev->slot_reset[i].s = empty;
    else if (s->type.kind == IPSF_K_NUMBER)
      ev->slot_reset[i].n = 0.0;
    else
      ev->slot_reset[i].m = 0;
  }
  /* The facts' defaults, where ipsf_eval_run finds them without going
   * through the fact and constant tables (a required fact has none). */
  ev->facts_in_order = true;
  for (uint32_t f = 0; f < p->fact_count; f++) {
    const IpsfFact *fact = &p->facts[f];
    if (fact->slot != f) ev->facts_in_order = false;
    if (fact->default_const != IPSF_NONE)
      ev->slot_reset[fact->slot] = p->consts[fact->default_const].value;
  }
}

IpsfEval *ipsf_eval_new(const IpsfPack *pack) {
  if (!pack) return NULL;
  IpsfEval *ev = calloc(1, sizeof *ev);
  if (!ev) return NULL;
  ev->pack = pack;
  /* calloc(n ? n : 1, ...) so that NULL always means out of memory. */
#define ALLOC(field, n) (ev->field = calloc((n) ? (size_t)(n) : 1u, sizeof *ev->field))
  if (!ALLOC(slots, pack->slot_count) || !ALLOC(stack, pack->max_stack) ||
      !ALLOC(fact_set, words(pack->fact_count)) ||
      !ALLOC(fact_required, words(pack->fact_count)) ||
      !ALLOC(evidence, pack->requirement_count) || !ALLOC(slot_reset, pack->slot_count) ||
      !ALLOC(evidence_date, pack->requirement_count) ||
      !ALLOC(evidence_expires, pack->requirement_count) || !state_new(ev)) {
    ipsf_eval_free(ev);
    return NULL;
  }
#undef ALLOC
  slot_reset_new(ev);
  uint32_t nargs = 1;
  for (uint32_t i = 0; i < pack->native_count; i++)
    if (pack->natives[i].param_count > nargs) nargs = pack->natives[i].param_count;
  IpsfNativeArg *args = calloc(nargs, sizeof *args);
  ev->native_args = args;
  ev->native_avalues = calloc(nargs, sizeof *ev->native_avalues);
  if (!args || !ev->native_avalues) {
    ipsf_eval_free(ev);
    return NULL;
  }
  for (uint32_t k = 0; k < nargs; k++) ev->native_avalues[k] = &args[k];
  memset(ev->evidence, 0xFF, pack->requirement_count * sizeof *ev->evidence);
  for (uint32_t r = 0; r < pack->requirement_count; r++)
    ev->evidence_date[r] = ev->evidence_expires[r] = IPSF_NO_DATE;
  ev->as_of = ipsf_date_today();
  for (uint32_t f = 0; f < pack->fact_count; f++)
    if (pack->facts[f].default_const == IPSF_NONE)
      ev->fact_required[f / 64] |= UINT64_C(1) << (f % 64);
  ipsf_eval_begin(ev);
  return ev;
}

void ipsf_eval_free(IpsfEval *ev) {
  if (!ev) return;
  free(ev->slots);
  free(ev->stack);
  free(ev->fact_set);
  free(ev->fact_required);
  free(ev->state);
  free(ev->state_reset);
  free(ev->slot_reset);
  free(ev->evidence);
  free(ev->evidence_date);
  free(ev->evidence_expires);
  free(ev->native_args);
  free(ev->native_avalues);
  ipsf_vm_scratch_free(ev);
  free(ev);
}

void ipsf_eval_begin(IpsfEval *ev) {
  const IpsfPack *p = ev->pack;
  size_t nw = words(p->fact_count);
  if (nw == 1) /* (a call for eight bytes costs more than the store) */
    ev->fact_set[0] = 0;
  else
    memset(ev->fact_set, 0, nw * sizeof *ev->fact_set);
  /* Evidence is written only after evidence_present is set (the setters,
   * the fast binder), so a sheet without it left the array as it was:
   * all IPSF_NONE (all ones), from ipsf_eval_new or an earlier reset. */
  if (ev->evidence_present)
    memset(ev->evidence, 0xFF, p->requirement_count * sizeof *ev->evidence);
  if (ev->evidence_dated)
    for (uint32_t r = 0; r < p->requirement_count; r++)
      ev->evidence_date[r] = ev->evidence_expires[r] = IPSF_NO_DATE;
  ev->evidence_present = ev->evidence_dated = false;
  ev->test_number = 0;
}

/* ---- setters ------------------------------------------------------------ */

/* Append s to buf (size bytes, NUL-terminated), truncating with "...". */
static void append(char *buf, size_t size, const char *s) {
  size_t len = strlen(buf);
  if (len + 1 >= size) return;
  size_t n = strlen(s);
  if (n > size - len - 1) {
    n = size - len - 1;
    memcpy(buf + len, s, n);
    buf[len + n] = '\0';
    if (size >= 4) memcpy(buf + size - 4, "...", 4);
    return;
  }
  memcpy(buf + len, s, n + 1);
}

/* What a fact expects, in the user's words: "an int", "one of a, b, c",
 * "a set of a, b, c". */
static const char *expected(const IpsfPack *p, const IpsfFact *f, char *buf, size_t size) {
  buf[0] = '\0';
  switch (f->type.kind) {
  case IPSF_K_BOOL: append(buf, size, "a bool"); break;
  case IPSF_K_INT: append(buf, size, "an int"); break;
  case IPSF_K_NUMBER: append(buf, size, "a number"); break;
  case IPSF_K_STRING: append(buf, size, "a string"); break;
  default: {
    const IpsfEnum *e = &p->enums[f->type.enum_type];
    append(buf, size, f->type.kind == IPSF_K_ENUM ? "one of " : "a set of ");
    for (uint32_t k = 0; k < e->value_count; k++) {
      if (k) append(buf, size, ", ");
      append(buf, size, p->strings[e->values[k]]);
    }
  }
  }
  return buf;
}

/* The fact, if in range and of kind `kind`; else NULL, and setter_fail
 * says why.  The setters run for every fact of every sheet: the text of an
 * error is made only when there is one. */
static const IpsfFact *fact_of_kind(const IpsfEval *ev, uint32_t fact, uint8_t kind) {
  if (fact >= ev->pack->fact_count) return NULL;
  const IpsfFact *f = &ev->pack->facts[fact];
  return f->type.kind == kind ? f : NULL;
}

/* Why fact_of_kind refused `fact` (got: the value offered, as text). */
static bool setter_fail(const IpsfEval *ev, uint32_t fact, const char *got, IpsfError *err) {
  const IpsfPack *p = ev->pack;
  if (fact >= p->fact_count) {
    if (fact == IPSF_NONE)
      return ipsf_fail(err, IPSF_ERR_UNKNOWN_FACT, "unknown fact: the pack does not declare it");
    return ipsf_fail(err, IPSF_ERR_UNKNOWN_FACT,
                     "fact index %u out of range (the pack has %u facts)", fact, p->fact_count);
  }
  const IpsfFact *f = &p->facts[fact];
  char buf[400];
  return ipsf_fail(err, IPSF_ERR_TYPE, "fact '%s': expected %s; got %s", p->strings[f->name],
                   expected(p, f, buf, sizeof buf), got);
}

static void mark(IpsfEval *ev, uint32_t fact) {
  ev->fact_set[fact / 64] |= UINT64_C(1) << (fact % 64);
}

bool ipsf_eval_set_bool(IpsfEval *ev, uint32_t fact, bool v, IpsfError *err) {
  const IpsfFact *f = fact_of_kind(ev, fact, IPSF_K_BOOL);
  if (!f) return setter_fail(ev, fact, v ? "true" : "false", err);
  ev->slots[f->slot].i = v ? 1 : 0;
  mark(ev, fact);
  return true;
}

bool ipsf_eval_set_int(IpsfEval *ev, uint32_t fact, int64_t v, IpsfError *err) {
  /* An integer is a fine value for a number fact (JSON does not tell
   * 3 from 3.0 reliably). */
  if (fact < ev->pack->fact_count && ev->pack->facts[fact].type.kind == IPSF_K_NUMBER)
    return ipsf_eval_set_number(ev, fact, (double)v, err);
  const IpsfFact *f = fact_of_kind(ev, fact, IPSF_K_INT);
  if (!f) {
    char got[48];
    snprintf(got, sizeof got, "the int %lld", (long long)v);
    return setter_fail(ev, fact, got, err);
  }
  ev->slots[f->slot].i = v;
  mark(ev, fact);
  return true;
}

bool ipsf_eval_set_number(IpsfEval *ev, uint32_t fact, double v, IpsfError *err) {
  const IpsfFact *f = fact_of_kind(ev, fact, IPSF_K_NUMBER);
  if (!f) {
    char got[48];
    snprintf(got, sizeof got, "the number %.17g", v);
    return setter_fail(ev, fact, got, err);
  }
  if (!isfinite(v))
    return ipsf_fail(err, IPSF_ERR_TYPE, "fact '%s': expected a finite number; got %s",
                     ev->pack->strings[f->name], isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
  ev->slots[f->slot].n = v;
  mark(ev, fact);
  return true;
}

static void quoted(const char *s, char *buf, size_t size) {
  if (!s) {
    snprintf(buf, size, "null");
    return;
  }
  snprintf(buf, size, "\"%.200s%s\"", s, strlen(s) > 200 ? "..." : "");
}

bool ipsf_eval_set_string(IpsfEval *ev, uint32_t fact, const char *v, IpsfError *err) {
  const IpsfFact *f = fact_of_kind(ev, fact, IPSF_K_STRING);
  if (!f) {
    char got[220];
    quoted(v, got, sizeof got);
    return setter_fail(ev, fact, got, err);
  }
  if (!v)
    return ipsf_fail(err, IPSF_ERR_TYPE, "fact '%s': expected a string; got null",
                     ev->pack->strings[f->name]);
  /* The verifier's cost bound assumes this limit (docs/limits.md). */
  if (strnlen(v, IPSF_MAX_FACT_STRING + 1u) > IPSF_MAX_FACT_STRING)
    return ipsf_fail(err, IPSF_ERR_LIMIT, "fact '%s': string longer than %u bytes (the limit)",
                     ev->pack->strings[f->name], IPSF_MAX_FACT_STRING);
  ev->slots[f->slot].s = v;
  mark(ev, fact);
  return true;
}

/* Index of `value` among the fact's enum values, or IPSF_NONE with err. */
static uint32_t enum_value(const IpsfEval *ev, const IpsfFact *f, const char *value,
                           IpsfError *err) {
  const IpsfPack *p = ev->pack;
  const IpsfEnum *e = &p->enums[f->type.enum_type];
  if (value)
    for (uint32_t k = 0; k < e->value_count; k++)
      if (strcmp(p->strings[e->values[k]], value) == 0) return k;
  char buf[400], got[220];
  quoted(value, got, sizeof got);
  IpsfFact as_enum = *f;
  as_enum.type.kind = IPSF_K_ENUM; /* a set's members: "one of ..." */
  ipsf_fail(err, IPSF_ERR_TYPE, "fact '%s': expected one of %s; got %s", p->strings[f->name],
            expected(p, &as_enum, buf, sizeof buf) + strlen("one of "), got);
  return IPSF_NONE;
}

bool ipsf_eval_set_enum(IpsfEval *ev, uint32_t fact, const char *value, IpsfError *err) {
  const IpsfFact *f = fact_of_kind(ev, fact, IPSF_K_ENUM);
  if (!f) {
    char got[220];
    quoted(value, got, sizeof got);
    return setter_fail(ev, fact, got, err);
  }
  uint32_t k = enum_value(ev, f, value, err);
  if (k == IPSF_NONE) return false;
  ev->slots[f->slot].i = k;
  mark(ev, fact);
  return true;
}

bool ipsf_eval_set_clear(IpsfEval *ev, uint32_t fact, IpsfError *err) {
  const IpsfFact *f = fact_of_kind(ev, fact, IPSF_K_SET);
  if (!f) return setter_fail(ev, fact, "a set", err);
  ev->slots[f->slot].m = 0;
  mark(ev, fact);
  return true;
}

bool ipsf_eval_set_add(IpsfEval *ev, uint32_t fact, const char *value, IpsfError *err) {
  const IpsfFact *f = fact_of_kind(ev, fact, IPSF_K_SET);
  if (!f) return setter_fail(ev, fact, "a set member", err);
  uint32_t k = enum_value(ev, f, value, err);
  if (k == IPSF_NONE) return false;
  if (!(ev->fact_set[fact / 64] >> (fact % 64) & 1u)) ev->slots[f->slot].m = 0;
  ev->slots[f->slot].m |= UINT64_C(1) << k;
  mark(ev, fact);
  return true;
}

/* ---- evidence ----------------------------------------------------------- */

void ipsf_eval_evidence_present(IpsfEval *ev) { ev->evidence_present = true; }

/* The requirement named by an evidence key, or IPSF_NONE with err. */
static uint32_t evidence_requirement(const IpsfPack *p, const char *requirement_id,
                                     IpsfError *err) {
  if (requirement_id)
    for (uint32_t r = 0; r < p->requirement_count; r++)
      if (strcmp(p->strings[p->requirements[r].id], requirement_id) == 0) return r;
  ipsf_fail(err, IPSF_ERR_TYPE,
            "evidence names requirement '%.200s', which the pack does not declare",
            requirement_id ? requirement_id : "(null)");
  return IPSF_NONE;
}

static bool evidence_method(IpsfEval *ev, uint32_t q, const char *method, IpsfError *err) {
  const IpsfPack *p = ev->pack;
  const IpsfViewpoint *vp = &p->viewpoints[p->requirements[q].viewpoint];
  if (method)
    for (uint32_t m = 0; m < vp->method_count; m++)
      if (strcmp(p->strings[vp->methods[m]], method) == 0) {
        ev->evidence[q] = m;
        return true;
      }
  char list[300] = "";
  for (uint32_t m = 0; m < vp->method_count; m++) {
    if (m) append(list, sizeof list, ", ");
    append(list, sizeof list, p->strings[vp->methods[m]]);
  }
  return ipsf_fail(err, IPSF_ERR_TYPE,
                   "evidence for requirement %s: '%.100s' is not a method of viewpoint %s "
                   "(expected one of %s)",
                   p->strings[p->requirements[q].id], method ? method : "(null)",
                   p->strings[vp->name], list);
}

bool ipsf_eval_set_evidence(IpsfEval *ev, const char *requirement_id, const char *method,
                            IpsfError *err) {
  ev->evidence_present = true;
  uint32_t q = evidence_requirement(ev->pack, requirement_id, err);
  return q != IPSF_NONE && evidence_method(ev, q, method, err);
}

static bool evidence_date(const IpsfEval *ev, uint32_t q, const char *key, const char *text,
                          int32_t *out, IpsfError *err) {
  if (!text) return true;
  if (ipsf_date_parse(text, out)) return true;
  return ipsf_fail(err, IPSF_ERR_TYPE,
                   "evidence for requirement %s: \"%s\" '%.40s' is not a calendar date "
                   "(YYYY-MM-DD)",
                   ev->pack->strings[ev->pack->requirements[q].id], key, text);
}

bool ipsf_eval_set_evidence_entry(IpsfEval *ev, const char *requirement_id,
                                  const IpsfEvidence *e, IpsfError *err) {
  ev->evidence_present = true;
  uint32_t q = evidence_requirement(ev->pack, requirement_id, err);
  if (q == IPSF_NONE || !evidence_method(ev, q, e ? e->method : NULL, err)) return false;
  int32_t date = IPSF_NO_DATE, expires = IPSF_NO_DATE;
  if (!evidence_date(ev, q, "date", e->date, &date, err) ||
      !evidence_date(ev, q, "expires", e->expires, &expires, err))
    return false;
  if (date != IPSF_NO_DATE && expires != IPSF_NO_DATE && expires < date)
    return ipsf_fail(err, IPSF_ERR_TYPE,
                     "evidence for requirement %s: it expires (%s) before its date (%s)",
                     ev->pack->strings[ev->pack->requirements[q].id], e->expires, e->date);
  if (date != IPSF_NO_DATE || expires != IPSF_NO_DATE) {
    ev->evidence_dated = true;
    ev->evidence_date[q] = date;
    ev->evidence_expires[q] = expires;
  }
  return true;
}

bool ipsf_eval_set_as_of(IpsfEval *ev, const char *date, IpsfError *err) {
  int32_t day;
  if (!ipsf_date_parse(date, &day))
    return ipsf_fail(err, IPSF_ERR_TYPE, "as-of date '%.40s' is not a calendar date (YYYY-MM-DD)",
                     date ? date : "(null)");
  ev->as_of = day;
  return true;
}

void ipsf_eval_as_of(const IpsfEval *ev, char out[11]) { ipsf_date_format(ev->as_of, out); }

/* ---- running ------------------------------------------------------------ */

bool ipsf_eval_run(IpsfEval *ev, IpsfError *err) {
  const IpsfPack *p = ev->pack;
  if (p->natives_unbound)
    return ipsf_fail(err, IPSF_ERR_NATIVE,
                     "the pack calls native functions that are not bound: it cannot be "
                     "evaluated until their libraries are allowed (ipsf_pack_bind_natives, "
                     "--allow-native)");
  /* Word by word over the facts the sheet did not set: a required one is an
   * error (the first in pack order), the others take their defaults. */
  size_t nw = words(p->fact_count);
  for (size_t w = 0; w < nw; w++) {
    uint64_t unset = ~ev->fact_set[w];
    if (w == nw - 1 && p->fact_count % 64) unset &= (UINT64_C(1) << (p->fact_count % 64)) - 1;
    uint64_t missing = unset & ev->fact_required[w];
    if (missing) {
      const IpsfFact *f = &p->facts[w * 64 + ipsf_lowest_bit(missing)];
      return ipsf_fail(err, IPSF_ERR_MISSING_FACT, "required fact '%s' is missing",
                       p->strings[f->name]);
    }
    const IpsfValue *dflt = ev->slot_reset;
    if (ev->facts_in_order)
      for (; unset; unset &= unset - 1) {
        uint32_t f = (uint32_t)(w * 64 + ipsf_lowest_bit(unset));
        ev->slots[f] = dflt[f];
      }
    else
      for (; unset; unset &= unset - 1) {
        uint32_t slot = p->facts[w * 64 + ipsf_lowest_bit(unset)].slot;
        ev->slots[slot] = dflt[slot];
      }
  }
  /* the hidden test gate: 0 (no test's expectations run) unless tests.c runs one */
  if (p->tests && p->tests->gate != IPSF_NONE) ev->slots[p->tests->gate].i = ev->test_number;
  return ipsf_vm_run(ev, err);
}

/* ---- results ------------------------------------------------------------ */

uint32_t ipsf_eval_level(const IpsfEval *ev, uint32_t scale) {
  if (!ev || scale >= ev->pack->scale_count) return IPSF_NONE;
  return ev->scale_level[scale];
}

const char *ipsf_eval_level_name(const IpsfEval *ev, uint32_t scale) {
  uint32_t level = ipsf_eval_level(ev, scale);
  if (level == IPSF_NONE) return NULL;
  const IpsfPack *p = ev->pack;
  return p->strings[p->enums[p->scales[scale].enum_type].values[level]];
}

bool ipsf_eval_applies(const IpsfEval *ev, uint32_t requirement) {
  if (!ev || requirement >= ev->pack->requirement_count) return false;
  return ev->req_applies[requirement] != 0;
}

const char *ipsf_eval_method(const IpsfEval *ev, uint32_t requirement) {
  if (!ipsf_eval_applies(ev, requirement)) return NULL;
  uint32_t c = ev->req_confirm[requirement];
  if (c == IPSF_NONE) return NULL;
  const IpsfPack *p = ev->pack;
  const IpsfViewpoint *vp = &p->viewpoints[p->requirements[requirement].viewpoint];
  return p->strings[vp->methods[p->confirms[c].method]];
}

/* The last day requirement r's evidence counts for the chosen confirm line
 * (its date plus the line's period, or its expiry, whichever is earlier);
 * IPSF_NO_DATE when the evidence has neither. */
static int32_t due_day(const IpsfEval *ev, uint32_t r, const IpsfConfirm *cf, bool *by_age) {
  int32_t due = IPSF_NO_DATE;
  *by_age = false;
  if (cf->every_months && ev->evidence_date[r] != IPSF_NO_DATE) {
    due = ipsf_date_add_months(ev->evidence_date[r], cf->every_months);
    *by_age = true;
  }
  int32_t exp = ev->evidence_expires[r];
  if (exp != IPSF_NO_DATE && (due == IPSF_NO_DATE || exp < due)) {
    due = exp;
    *by_age = false;
  }
  return due;
}

/* A requirement that does not apply has no status: IPSF_UNKNOWN.  Evidence
 * of a strong enough method counts from its date (evidence dated after
 * as_of does not count yet) through its due day (due_day).  The status
 * before compensation (ipsf_eval_shortfall). */
static IpsfStatus base_status(const IpsfEval *ev, uint32_t requirement) {
  if (!ev || !ev->evidence_present || !ipsf_eval_applies(ev, requirement)) return IPSF_UNKNOWN;
  uint32_t c = ev->req_confirm[requirement];
  if (c == IPSF_NONE) return IPSF_UNKNOWN;
  uint32_t given = ev->evidence[requirement];
  if (given == IPSF_NONE || given < ev->pack->confirms[c].method) return IPSF_UNMET;
  if (!ev->evidence_dated) return IPSF_MET;
  if (ev->evidence_date[requirement] != IPSF_NO_DATE && ev->evidence_date[requirement] > ev->as_of)
    return IPSF_UNMET;
  bool by_age;
  int32_t due = due_day(ev, requirement, &ev->pack->confirms[c], &by_age);
  return due != IPSF_NO_DATE && ev->as_of > due ? IPSF_EXPIRED : IPSF_MET;
}

/* ---- compensating measures (docs/language.md, "Compensating measures") -- */

/* The first entry of requirement r in the sorted COMPENSATIONS section
 * (the verifier checked the order), or compensation_count. */
static uint32_t first_compensation(const IpsfPack *p, uint32_t r) {
  uint32_t lo = 0, hi = p->compensation_count;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (p->compensations[mid].requirement < r) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* Whether entry c compensates on the as-of day: its requirement `by`
 * applies and is met (before any compensation of its own: compensation
 * does not chain), and its bound holds.  *last is the last day it counts,
 * IPSF_NO_DATE when unbounded.  `for N months` counts from the date of
 * by's evidence; undated evidence cannot bound it, so it does not hold. */
static bool compensation_holds(const IpsfEval *ev, const IpsfCompensation *c, int32_t *last) {
  *last = IPSF_NO_DATE;
  if (!ipsf_eval_applies(ev, c->by) || base_status(ev, c->by) != IPSF_MET) return false;
  if (c->until != IPSF_NONE) {
    if (!ipsf_date_parse(ev->pack->strings[c->until], last)) return false; /* verified */
  } else if (c->months) {
    if (!ev->evidence_dated || ev->evidence_date[c->by] == IPSF_NO_DATE) return false;
    *last = ipsf_date_add_months(ev->evidence_date[c->by], c->months);
  }
  return *last == IPSF_NO_DATE || ev->as_of <= *last;
}

IpsfStatus ipsf_eval_status(const IpsfEval *ev, uint32_t requirement) {
  IpsfStatus st = base_status(ev, requirement);
  if ((st != IPSF_UNMET && st != IPSF_EXPIRED) || !ev->pack->compensation_count) return st;
  const IpsfPack *p = ev->pack;
  for (uint32_t i = first_compensation(p, requirement);
       i < p->compensation_count && p->compensations[i].requirement == requirement; i++) {
    int32_t last;
    if (compensation_holds(ev, &p->compensations[i], &last)) return IPSF_COMPENSATED;
  }
  return st;
}

IpsfStatus ipsf_eval_shortfall(const IpsfEval *ev, uint32_t requirement) {
  return base_status(ev, requirement);
}

uint32_t ipsf_eval_compensated_by(const IpsfEval *ev, uint32_t requirement, uint32_t *pos) {
  if (!ev || !pos) return IPSF_NONE;
  /* the first call checks the status; later ones go on from *pos */
  if (!*pos && ipsf_eval_status(ev, requirement) != IPSF_COMPENSATED) return IPSF_NONE;
  const IpsfPack *p = ev->pack;
  if (*pos > p->compensation_count) return IPSF_NONE;
  uint32_t i = *pos ? *pos : first_compensation(p, requirement);
  for (; i < p->compensation_count && p->compensations[i].requirement == requirement; i++) {
    int32_t last;
    if (compensation_holds(ev, &p->compensations[i], &last)) {
      *pos = i + 1;
      return p->compensations[i].by;
    }
  }
  *pos = i;
  return IPSF_NONE;
}

bool ipsf_eval_compensated_until(const IpsfEval *ev, uint32_t requirement, char out[11]) {
  if (!ev || ipsf_eval_status(ev, requirement) != IPSF_COMPENSATED) return false;
  const IpsfPack *p = ev->pack;
  int32_t latest = IPSF_NO_DATE;
  for (uint32_t i = first_compensation(p, requirement);
       i < p->compensation_count && p->compensations[i].requirement == requirement; i++) {
    int32_t last;
    if (!compensation_holds(ev, &p->compensations[i], &last)) continue;
    if (last == IPSF_NO_DATE) return false; /* one without a bound: no end */
    if (latest == IPSF_NO_DATE || last > latest) latest = last;
  }
  if (latest == IPSF_NO_DATE) return false;
  ipsf_date_format(latest, out);
  return true;
}

/* Due and expired_by describe the evidence itself: a compensated
 * requirement keeps them (its shortfall may be expired). */
bool ipsf_eval_due(const IpsfEval *ev, uint32_t requirement, char out[11]) {
  IpsfStatus st = base_status(ev, requirement);
  if ((st != IPSF_MET && st != IPSF_EXPIRED) || !ev->evidence_dated) return false;
  bool by_age;
  int32_t due = due_day(ev, requirement, &ev->pack->confirms[ev->req_confirm[requirement]], &by_age);
  if (due == IPSF_NO_DATE) return false;
  ipsf_date_format(due, out);
  return true;
}

const char *ipsf_eval_expired_by(const IpsfEval *ev, uint32_t requirement) {
  if (base_status(ev, requirement) != IPSF_EXPIRED) return NULL;
  bool by_age;
  due_day(ev, requirement, &ev->pack->confirms[ev->req_confirm[requirement]], &by_age);
  return by_age ? "age" : "expiry";
}
