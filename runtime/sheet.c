/*
 * sheet.c -- what a fact sheet means: its format, its shape, its profiles,
 * and binding its facts to an evaluation context.
 *
 * A sheet (LANGUAGE.md §8) is an object with at most these keys:
 *   "device"    a string, the device's name for reports;
 *   "facts"     an object: fact name -> value (the base facts);
 *   "profiles"  an object: profile name -> object of facts that override
 *               the base facts for that profile;
 *   "evidence"  an object: requirement id -> confirmation method name, or
 *               an object {method, date, expires, issuer, accreditation,
 *               certificate, scope} (dated evidence).
 * Anything else is an error: a misspelt "fact" must not silently leave the
 * facts at their defaults.  The readers (sheet_json.c, sheet_yaml.c) have
 * already refused duplicate keys, NaN, infinities and (YAML) nulls.
 *
 * Binding converts each JSON value by the declared type of its fact; the
 * setters of eval.c check the rest (enum names, set members, evidence ids
 * and methods).  Strings are not copied: ev points into the document.
 *
 * When the pack declares usage profiles (profile.c), a sheet's profile
 * names must be among them, and binding under profile P goes: base facts,
 * what the pack's P sets, the sheet's own P object, then P's check
 * (profile_constraint).  A sheet bound with no profile is untouched by
 * them, which is why the JSON Lines fast path (sheet_fast.c, no profiles
 * and no --profile) needs no knowledge of them.
 */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "sheet.h"

/* ---- format, profiles, device -------------------------------------------- */

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

IpsfSheetFormat ipsf_sheet_format_of(const char *path) {
  if (strcmp(path, "-") == 0) return IPSF_SHEET_JSONL;
  if (ends_with(path, ".jsonl") || ends_with(path, ".ndjson")) return IPSF_SHEET_JSONL;
  if (ends_with(path, ".yaml") || ends_with(path, ".yml")) return IPSF_SHEET_YAML;
  return IPSF_SHEET_JSON;
}

static json_t *profiles_of(json_t *doc) {
  json_t *p = json_is_object(doc) ? json_object_get(doc, "profiles") : NULL;
  return json_is_object(p) ? p : NULL;
}

size_t ipsf_sheet_profile_count(json_t *doc) {
  json_t *p = profiles_of(doc);
  return p ? json_object_size(p) : 0;
}

/* jansson (2.8 on) iterates an object in insertion order, which for a
 * parsed document is document order. */
const char *ipsf_sheet_profile_name(json_t *doc, size_t i) {
  json_t *p = profiles_of(doc);
  if (!p) return NULL;
  void *it = json_object_iter(p);
  for (; it && i; i--) it = json_object_iter_next(p, it);
  return it ? json_object_iter_key(it) : NULL;
}

const char *ipsf_sheet_device(json_t *doc) {
  json_t *d = json_is_object(doc) ? json_object_get(doc, "device") : NULL;
  return json_is_string(d) ? json_string_value(d) : NULL;
}

/* ---- messages ------------------------------------------------------------ */

IpsfShownName ipsf_shown_name(const char *text) {
  IpsfShownName q;
  size_t n = 0;
  for (; text[n] && n < 64; n++) {
    unsigned char c = (unsigned char)text[n];
    q.s[n] = (c < 0x20 || c == 0x7F) ? '?' : (char)c;
  }
  q.s[n] = '\0';
  if (text[n]) memcpy(q.s + n, "...", 4);
  return q;
}

/* "a string", "an integer", ... for "got ..." in type errors. */
static const char *json_kind(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: return "an object";
  case JSON_ARRAY: return "an array";
  case JSON_STRING: return "a string";
  case JSON_INTEGER: return "an integer";
  case JSON_REAL: return "a number";
  case JSON_TRUE:
  case JSON_FALSE: return "a boolean";
  case JSON_NULL: return "null";
  }
  return "a value";
}

static bool has_nul(const json_t *s) { return strlen(json_string_value(s)) != json_string_length(s); }

/* ---- shape --------------------------------------------------------------- */

/* An evidence entry as an object (docs/sheets.md, "Evidence"): only
 * "method" is required; every value is a string; "scope" is one of three
 * words.  The dates are checked by ipsf_eval_set_evidence_entry, which
 * knows the requirement to name. */
static bool check_evidence_entry(const char *id, json_t *entry, IpsfError *err) {
  static const char *const keys[] = {"method", "date", "expires", "issuer", "accreditation",
                                     "certificate", "scope"};
  const char *key;
  json_t *v;
  json_object_foreach(entry, key, v) {
    size_t k = 0;
    while (k < sizeof keys / sizeof *keys && strcmp(keys[k], key) != 0) k++;
    if (k == sizeof keys / sizeof *keys)
      return ipsf_fail(err, IPSF_ERR_TYPE,
                       "evidence for '%s': unknown key '%s' (method, date, expires, issuer, "
                       "accreditation, certificate, scope)",
                       ipsf_shown_name(id).s, ipsf_shown_name(key).s);
    if (!json_is_string(v) || has_nul(v))
      return ipsf_fail(err, IPSF_ERR_TYPE, "evidence for '%s': \"%s\" must be a string, got %s",
                       ipsf_shown_name(id).s, key, json_kind(v));
    if (k == 6 && strcmp(json_string_value(v), "product") != 0 &&
        strcmp(json_string_value(v), "organisation") != 0 &&
        strcmp(json_string_value(v), "process") != 0)
      return ipsf_fail(err, IPSF_ERR_TYPE,
                       "evidence for '%s': scope '%s' is not product, organisation or process",
                       ipsf_shown_name(id).s, ipsf_shown_name(json_string_value(v)).s);
  }
  if (!json_object_get(entry, "method"))
    return ipsf_fail(err, IPSF_ERR_TYPE, "evidence for '%s' has no \"method\"",
                     ipsf_shown_name(id).s);
  return true;
}

static bool check_shape(json_t *doc, IpsfError *err) {
  if (!json_is_object(doc))
    return ipsf_fail(err, IPSF_ERR_TYPE, "a fact sheet must be an object with \"facts\"");
  const char *key;
  json_t *v;
  json_object_foreach(doc, key, v) {
    if (!strcmp(key, "device")) {
      if (!json_is_string(v))
        return ipsf_fail(err, IPSF_ERR_TYPE, "\"device\" must be a string, got %s", json_kind(v));
    } else if (!strcmp(key, "facts")) {
      if (!json_is_object(v))
        return ipsf_fail(err, IPSF_ERR_TYPE, "\"facts\" must be an object, got %s", json_kind(v));
    } else if (!strcmp(key, "profiles")) {
      if (!json_is_object(v))
        return ipsf_fail(err, IPSF_ERR_TYPE, "\"profiles\" must be an object, got %s",
                         json_kind(v));
      const char *pname;
      json_t *pv;
      json_object_foreach(v, pname, pv) {
        if (!json_is_object(pv))
          return ipsf_fail(err, IPSF_ERR_TYPE, "profile '%s' must be an object of facts, got %s",
                           ipsf_shown_name(pname).s, json_kind(pv));
      }
    } else if (!strcmp(key, "evidence")) {
      if (!json_is_object(v))
        return ipsf_fail(err, IPSF_ERR_TYPE, "\"evidence\" must be an object, got %s",
                         json_kind(v));
      const char *id;
      json_t *m;
      json_object_foreach(v, id, m) {
        if (json_is_object(m)) {
          if (!check_evidence_entry(id, m, err)) return false;
        } else if (!json_is_string(m) || has_nul(m)) {
          return ipsf_fail(err, IPSF_ERR_TYPE,
                           "evidence for '%s' must be a method name (a string) or an object "
                           "with a \"method\", got %s",
                           ipsf_shown_name(id).s, json_kind(m));
        }
      }
    } else {
      return ipsf_fail(err, IPSF_ERR_TYPE,
                       "unknown top-level key '%s' (a sheet has device, facts, profiles, evidence)",
                       ipsf_shown_name(key).s);
    }
  }
  return true;
}

/* ---- facts --------------------------------------------------------------- */

static bool wrong_type(const char *fact, const char *want, const json_t *v, IpsfError *err) {
  return ipsf_fail(err, IPSF_ERR_TYPE, "fact '%s' must be %s, got %s", ipsf_shown_name(fact).s, want,
                   json_kind(v));
}

/* A string value without NUL bytes (a C string would silently end there). */
static bool string_value(const char *fact, const char *want, const json_t *v, const char **out,
                         IpsfError *err) {
  if (!json_is_string(v)) return wrong_type(fact, want, v, err);
  if (has_nul(v))
    return ipsf_fail(err, IPSF_ERR_TYPE, "fact '%s' must not contain a NUL character",
                     ipsf_shown_name(fact).s);
  *out = json_string_value(v);
  return true;
}

static bool bind_fact(IpsfEval *ev, uint32_t f, const char *name, json_t *v, IpsfError *err) {
  const IpsfFact *fact = &ev->pack->facts[f];
  const char *s;
  switch (fact->type.kind) {
  case IPSF_K_BOOL:
    if (!json_is_boolean(v)) return wrong_type(name, "a boolean", v, err);
    return ipsf_eval_set_bool(ev, f, json_is_true(v), err);
  case IPSF_K_INT:
    if (json_is_integer(v)) return ipsf_eval_set_int(ev, f, (int64_t)json_integer_value(v), err);
    if (json_is_real(v)) {
      /* 1e9 is an integer written as a real: accept integral values that fit. */
      double d = json_real_value(v);
      if (isfinite(d) && d == trunc(d) && d >= -9223372036854775808.0 &&
          d < 9223372036854775808.0)
        return ipsf_eval_set_int(ev, f, (int64_t)d, err);
      return ipsf_fail(err, IPSF_ERR_TYPE, "fact '%s' must be an integer, got %s",
                       ipsf_shown_name(name).s,
                       d == trunc(d) ? "a number out of the 64-bit range" : "a number with a fraction");
    }
    return wrong_type(name, "an integer", v, err);
  case IPSF_K_NUMBER:
    if (json_is_integer(v)) return ipsf_eval_set_number(ev, f, (double)json_integer_value(v), err);
    if (json_is_real(v)) {
      double d = json_real_value(v);
      if (!isfinite(d))
        return ipsf_fail(err, IPSF_ERR_TYPE, "fact '%s' must be a finite number", ipsf_shown_name(name).s);
      return ipsf_eval_set_number(ev, f, d, err);
    }
    return wrong_type(name, "a number", v, err);
  case IPSF_K_STRING:
    if (!string_value(name, "a string", v, &s, err)) return false;
    return ipsf_eval_set_string(ev, f, s, err);
  case IPSF_K_ENUM:
    if (!string_value(name, "a string (one of its enum values)", v, &s, err)) return false;
    return ipsf_eval_set_enum(ev, f, s, err);
  case IPSF_K_SET: {
    if (!json_is_array(v)) return wrong_type(name, "an array of strings", v, err);
    if (!ipsf_eval_set_clear(ev, f, err)) return false;
    size_t i;
    json_t *m;
    json_array_foreach(v, i, m) {
      if (!json_is_string(m))
        return ipsf_fail(err, IPSF_ERR_TYPE,
                         "fact '%s' must be an array of strings, got %s at index %zu",
                         ipsf_shown_name(name).s, json_kind(m), i);
      if (!string_value(name, "an array of strings", m, &s, err)) return false;
      if (!ipsf_eval_set_add(ev, f, s, err)) return false;
    }
    return true;
  }
  default:
    return ipsf_fail(err, IPSF_ERR_INTERNAL, "fact '%s' has an unknown kind %u", ipsf_shown_name(name).s,
                     (unsigned)fact->type.kind);
  }
}

static bool bind_facts(IpsfEval *ev, json_t *facts, const IpsfBindOptions *opt, IpsfError *err) {
  const char *key;
  json_t *v;
  json_object_foreach(facts, key, v) {
    uint32_t f = ipsf_pack_find_fact(ev->pack, key, strlen(key));
    if (f == IPSF_NONE) {
      if (opt && opt->allow_unknown_facts) continue;
      return ipsf_fail(err, IPSF_ERR_UNKNOWN_FACT, "unknown fact '%s'", ipsf_shown_name(key).s);
    }
    if (!bind_fact(ev, f, key, v, err)) return false;
  }
  return true;
}

/* ---- usage profiles the pack declares (profile.c) ----------------------- */

static bool undeclared_profile(const IpsfPack *pk, const char *name, IpsfError *err) {
  char names[512];
  ipsf_profile_names(pk, names, sizeof names);
  return ipsf_fail(err, IPSF_ERR_UNKNOWN_PROFILE,
                   "profile '%s' is not declared by the pack (it declares %s)",
                   ipsf_shown_name(name).s, names);
}

/* When the pack declares profiles, every profile a sheet lists is one of
 * them: checked for the whole sheet, like its shape, so the mistake is
 * reported whichever profile is evaluated. */
static bool check_declared_profiles(const IpsfPack *pk, json_t *doc, IpsfError *err) {
  json_t *profiles = pk->profile_count ? json_object_get(doc, "profiles") : NULL;
  const char *name;
  json_t *v;
  if (profiles)
    json_object_foreach(profiles, name, v) {
      if (ipsf_pack_find_profile(pk, name) == IPSF_NONE) return undeclared_profile(pk, name, err);
    }
  return true;
}

/* Bind profile `profile`: the pack's settings for it (if it declares it),
 * then the sheet's own object for it (if it has one), then check the
 * result against the pack's profile (docs/sheets.md, "Profiles"). */
static bool bind_profile(IpsfEval *ev, json_t *doc, const char *profile,
                         const IpsfBindOptions *opt, IpsfError *err) {
  const IpsfPack *pk = ev->pack;
  uint32_t declared = ipsf_pack_find_profile(pk, profile);
  if (pk->profile_count && declared == IPSF_NONE) return undeclared_profile(pk, profile, err);
  json_t *profiles = json_object_get(doc, "profiles");
  json_t *pf = profiles ? json_object_get(profiles, profile) : NULL;
  if (!pf && declared == IPSF_NONE)
    return ipsf_fail(err, IPSF_ERR_UNKNOWN_PROFILE, "sheet has no profile '%s'",
                     ipsf_shown_name(profile).s);
  if (declared != IPSF_NONE) ipsf_eval_apply_profile(ev, declared);
  if (pf && !bind_facts(ev, pf, opt, err)) return false;
  return declared == IPSF_NONE || ipsf_eval_check_profile(ev, declared, err);
}

bool ipsf_sheet_bind(IpsfEval *ev, json_t *doc, const char *profile,
                     const IpsfBindOptions *opt, IpsfError *err) {
  if (!check_shape(doc, err)) return false;
  if (!check_declared_profiles(ev->pack, doc, err)) return false;
  json_t *facts = json_object_get(doc, "facts");
  if (facts && !bind_facts(ev, facts, opt, err)) return false;
  if (profile && !bind_profile(ev, doc, profile, opt, err)) return false;
  json_t *evidence = json_object_get(doc, "evidence");
  if (evidence) {
    ipsf_eval_evidence_present(ev);
    const char *id;
    json_t *m;
    json_object_foreach(evidence, id, m) {
      if (json_is_object(m)) {
        IpsfEvidence e = {json_string_value(json_object_get(m, "method")),
                          json_string_value(json_object_get(m, "date")),
                          json_string_value(json_object_get(m, "expires"))};
        if (!ipsf_eval_set_evidence_entry(ev, id, &e, err)) return false;
      } else if (!ipsf_eval_set_evidence(ev, id, json_string_value(m), err)) {
        return false;
      }
    }
  }
  return true;
}
