/*
 * schema.c -- `ipsfc schema PACK [-o FILE]`: the JSON Schema of a pack's
 * fact sheets, for manufacturers' own tools and forms.
 *
 * The schema (draft 2020-12) is generated from the compiled pack, so it
 * says exactly what the sheet binder (runtime/sheet.c) accepts for this
 * pack: the four top-level keys, each fact's JSON type (int as "integer",
 * which also admits 1e9 as the binder does), enum values, sets as arrays of
 * enum values, required facts (no default) and `additionalProperties:
 * false` wherever the binder refuses unknown keys.  Profiles take the same
 * facts, none required (they override the base facts); evidence maps each
 * requirement id to the methods of its viewpoint.
 *
 * Where JSON Schema cannot say what the evaluator checks, the schema is
 * looser and docs/cli.md says so: the 64 KiB limit of a string fact is in
 * bytes, maxLength counts characters; a required fact may also come from
 * every profile.  Where it is stricter: a set's members must be unique.
 * The output is deterministic: pack order, no clock, no path.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pack.h"
#include "report.h"

static const char help[] =
    "usage: ipsfc schema PACK [-o FILE] [-I DIR]...\n\n"
    "Print the JSON Schema (draft 2020-12) of the fact sheets of a pack (.ipsf\n"
    "source or .ipsb bytecode): each fact's type, enum values, default and\n"
    "doc text, which facts are required, profiles, and the evidence methods\n"
    "of each requirement.  Validate sheets with any JSON Schema validator\n"
    "before sending them for evaluation.\n\n"
    "options:\n"
    "  -o, --output FILE   write the schema to FILE (default: standard output)\n"
    "  -I, --import DIR    look for imported modules in DIR (source packs)\n"
    "  -h, --help          this text\n\n"
    "exit: 0 written; 2 usage; 3 the pack cannot be compiled or loaded, or\n"
    "      FILE cannot be written; 4 standard output cannot be written.\n\n"
    "example:\n"
    "  ipsfc schema examples/smart-home/pack.ipsf -o smart-home.schema.json\n";

/* Indentation of the pretty JSON: two spaces a level. */
static void indent(IpsfBuf *b, int level) {
  for (int i = 0; i < level; i++) ipsf_buf_puts(b, "  ");
}

static void key(IpsfBuf *b, int level, const char *k) {
  indent(b, level);
  ipsf_buf_json_string(b, k);
  ipsf_buf_puts(b, ": ");
}

/* ["a", "b", ...] of an enum's value names. */
static void enum_values(IpsfBuf *b, const IpsfPack *p, uint32_t enum_type) {
  const IpsfEnum *e = &p->enums[enum_type];
  ipsf_buf_puts(b, "[");
  for (uint32_t k = 0; k < e->value_count; k++) {
    if (k) ipsf_buf_puts(b, ", ");
    ipsf_buf_json_string(b, ipsf_str(p, e->values[k]));
  }
  ipsf_buf_puts(b, "]");
}

/* A constant as the JSON value a sheet would give for it. */
static void json_value(IpsfBuf *b, const IpsfPack *p, const IpsfConst *c) {
  switch (c->type.kind) {
  case IPSF_K_BOOL: ipsf_buf_puts(b, c->value.i ? "true" : "false"); break;
  case IPSF_K_INT: ipsf_buf_printf(b, "%lld", (long long)c->value.i); break;
  case IPSF_K_NUMBER: {
    /* %.17g round-trips; an integral value keeps a ".0" so it stays a real */
    char num[40];
    snprintf(num, sizeof num, "%.17g", c->value.n);
    ipsf_buf_puts(b, num);
    if (!strpbrk(num, ".eE")) ipsf_buf_puts(b, ".0");
    break;
  }
  case IPSF_K_STRING: ipsf_buf_json_string(b, ipsf_str(p, c->str)); break;
  case IPSF_K_ENUM:
    ipsf_buf_json_string(b, ipsf_str(p, p->enums[c->type.enum_type].values[c->value.i]));
    break;
  default: { /* a set */
    const IpsfEnum *e = &p->enums[c->type.enum_type];
    bool first = true;
    ipsf_buf_puts(b, "[");
    for (uint32_t k = 0; k < e->value_count; k++) {
      if (!((c->value.m >> k) & 1u)) continue;
      if (!first) ipsf_buf_puts(b, ", ");
      first = false;
      ipsf_buf_json_string(b, ipsf_str(p, e->values[k]));
    }
    ipsf_buf_puts(b, "]");
  }
  }
}

/* One fact's subschema, as the binder converts values (docs/sheets.md). */
static void fact_schema(IpsfBuf *b, const IpsfPack *p, const IpsfFact *f, int level,
                        bool with_default) {
  ipsf_buf_puts(b, "{");
  switch (f->type.kind) {
  case IPSF_K_BOOL: ipsf_buf_puts(b, "\"type\": \"boolean\""); break;
  case IPSF_K_INT:
    ipsf_buf_puts(b, "\"type\": \"integer\", \"minimum\": -9223372036854775808, "
                     "\"maximum\": 9223372036854775807");
    break;
  case IPSF_K_NUMBER: ipsf_buf_puts(b, "\"type\": \"number\""); break;
  case IPSF_K_STRING:
    /* The binder refuses a NUL (\u0000) inside a string. */
    ipsf_buf_puts(b, "\"type\": \"string\", \"pattern\": \"^[^\\\\u0000]*$\"");
    break;
  case IPSF_K_ENUM:
    ipsf_buf_puts(b, "\"type\": \"string\", \"enum\": ");
    enum_values(b, p, f->type.enum_type);
    break;
  default:
    ipsf_buf_puts(b, "\"type\": \"array\", \"uniqueItems\": true, \"items\": {\"enum\": ");
    enum_values(b, p, f->type.enum_type);
    ipsf_buf_puts(b, "}");
    break;
  }
  if (f->doc != IPSF_NONE) {
    ipsf_buf_puts(b, ",\n");
    key(b, level + 1, "description");
    ipsf_buf_json_string(b, ipsf_str(p, f->doc));
  }
  if (with_default && f->default_const != IPSF_NONE) {
    ipsf_buf_puts(b, ",\n");
    key(b, level + 1, "default");
    json_value(b, p, &p->consts[f->default_const]);
  }
  ipsf_buf_puts(b, "}");
}

/* The object of facts (base or profile; the base one gives defaults). */
static void facts_schema(IpsfBuf *b, const IpsfPack *p, int level, bool base) {
  ipsf_buf_puts(b, "{\n");
  key(b, level + 1, "type");
  ipsf_buf_puts(b, "\"object\",\n");
  key(b, level + 1, "properties");
  ipsf_buf_puts(b, "{");
  for (uint32_t i = 0; i < p->fact_count; i++) {
    ipsf_buf_puts(b, i ? ",\n" : "\n");
    key(b, level + 2, ipsf_str(p, p->facts[i].name));
    fact_schema(b, p, &p->facts[i], level + 2, base);
  }
  ipsf_buf_puts(b, p->fact_count ? "\n" : "");
  if (p->fact_count) indent(b, level + 1);
  ipsf_buf_puts(b, "},\n");
  key(b, level + 1, "additionalProperties");
  ipsf_buf_puts(b, "false\n");
  indent(b, level);
  ipsf_buf_puts(b, "}");
}

/* Dated evidence (docs/sheets.md): exactly the calendar dates eval
 * accepts (runtime/date.c), month lengths and leap years included, so
 * that the schema and eval agree on "2026-02-29" (tests/schema/run.py). */
#define DATE_SCHEMA                                                            \
  "{\"type\": \"string\", \"format\": \"date\", \"pattern\": \"^(?!0000)(?:"          \
  "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)" \
  "-02-29|[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|"            \
  "(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8])))$\"}"
#define TEXT_SCHEMA "{\"type\": \"string\", \"pattern\": \"^[^\\\\u0000]*$\"}"

static void methods(IpsfBuf *b, const IpsfPack *p, const IpsfViewpoint *v) {
  ipsf_buf_puts(b, "[");
  for (uint32_t m = 0; m < v->method_count; m++) {
    if (m) ipsf_buf_puts(b, ", ");
    ipsf_buf_json_string(b, ipsf_str(p, v->methods[m]));
  }
  ipsf_buf_puts(b, "]");
}

static void evidence_schema(IpsfBuf *b, const IpsfPack *p, int level) {
  ipsf_buf_puts(b, "{\n");
  key(b, level + 1, "type");
  ipsf_buf_puts(b, "\"object\",\n");
  key(b, level + 1, "description");
  ipsf_buf_puts(b, "\"requirement id -> the confirmation method the device has evidence "
                   "for, or an object with the method and its date, expiry, issuer, "
                   "accreditation, certificate and scope\",\n");
  key(b, level + 1, "properties");
  ipsf_buf_puts(b, "{");
  for (uint32_t r = 0; r < p->requirement_count; r++) {
    const IpsfRequirement *q = &p->requirements[r];
    const IpsfViewpoint *v = &p->viewpoints[q->viewpoint];
    ipsf_buf_puts(b, r ? ",\n" : "\n");
    key(b, level + 2, ipsf_str(p, q->id));
    ipsf_buf_puts(b, "{\"anyOf\": [{\"type\": \"string\", \"enum\": ");
    methods(b, p, v);
    ipsf_buf_puts(b, "}, {\"type\": \"object\", \"properties\": {\"method\": {\"enum\": ");
    methods(b, p, v);
    ipsf_buf_puts(b, "}, \"date\": " DATE_SCHEMA ", \"expires\": " DATE_SCHEMA
                     ", \"issuer\": " TEXT_SCHEMA ", \"accreditation\": " TEXT_SCHEMA
                     ", \"certificate\": " TEXT_SCHEMA ", \"scope\": {\"enum\": [\"product\", "
                     "\"organisation\", \"process\"]}}, \"required\": [\"method\"], "
                     "\"additionalProperties\": false}]");
    if (q->title != IPSF_NONE) {
      ipsf_buf_puts(b, ", \"description\": ");
      ipsf_buf_json_string(b, ipsf_str(p, q->title));
    }
    ipsf_buf_puts(b, "}");
  }
  ipsf_buf_puts(b, p->requirement_count ? "\n" : "");
  if (p->requirement_count) indent(b, level + 1);
  ipsf_buf_puts(b, "},\n");
  key(b, level + 1, "additionalProperties");
  ipsf_buf_puts(b, "false\n");
  indent(b, level);
  ipsf_buf_puts(b, "}");
}

/* A fact without a default must be given by the base facts, or by every
 * profile when there are profiles (each profile is evaluated as the base
 * facts overridden by its own): one anyOf per required fact. */
static void required_facts(IpsfBuf *b, const IpsfPack *p) {
  bool first = true;
  for (uint32_t i = 0; i < p->fact_count; i++) {
    if (p->facts[i].default_const != IPSF_NONE) continue;
    if (first) key(b, 1, "allOf");
    ipsf_buf_puts(b, first ? "[\n" : ",\n");
    first = false;
    const char *name = ipsf_str(p, p->facts[i].name);
    indent(b, 2);
    ipsf_buf_puts(b, "{\"anyOf\": [{\"required\": [\"facts\"], \"properties\": {\"facts\": "
                     "{\"required\": [");
    ipsf_buf_json_string(b, name);
    ipsf_buf_puts(b, "]}}}, {\"required\": [\"profiles\"], \"properties\": {\"profiles\": "
                     "{\"minProperties\": 1, \"additionalProperties\": {\"required\": [");
    ipsf_buf_json_string(b, name);
    ipsf_buf_puts(b, "]}}}}]}");
  }
  if (!first) ipsf_buf_puts(b, "\n  ],\n");
}

/* ---- usage profiles the pack declares ------------------------------------- *
 * The sheet's "profiles" may name only them ("additionalProperties":
 * false), each with its own facts object ("$defs"/"profile:NAME"): a fact
 * the profile sets may only repeat its value ("const"), a fact it
 * constrains only take the values (or members) it allows.  Looser than
 * eval in one way (docs/cli.md): a base fact outside a profile's `in`, not
 * overridden by the sheet's profile object, is an error eval reports
 * (profile_constraint) and the schema does not see. */
static void declared_profiles(IpsfBuf *b, const IpsfPack *p) {
  ipsf_buf_puts(b, "{\"type\": \"object\", \"description\": \"usage profiles the pack "
                   "declares -> facts that override the base facts\", \"properties\": {");
  for (uint32_t i = 0; i < p->profile_count; i++) {
    const char *name = ipsf_str(p, p->profiles[i].name);
    ipsf_buf_puts(b, i ? ", " : "");
    ipsf_buf_json_string(b, name);
    IpsfBuf ref;
    ipsf_buf_init(&ref);
    ipsf_buf_printf(&ref, "#/$defs/profile:%s", name);
    ipsf_buf_puts(b, ": {\"$ref\": ");
    ipsf_buf_json_string(b, ref.failed ? "" : ref.data);
    ipsf_buf_free(&ref);
    ipsf_buf_puts(b, "}");
  }
  ipsf_buf_puts(b, "}, \"additionalProperties\": false},\n");
}

/* The item of profile `pr` about fact f, of kind `kind`, or NULL. */
static const IpsfProfileItem *profile_item(const IpsfPack *p, const IpsfProfile *pr, uint32_t f,
                                           uint8_t kind) {
  for (uint32_t k = 0; k < pr->item_count; k++) {
    const IpsfProfileItem *it = &p->profile_items[pr->first_item + k];
    if (it->fact == f && it->kind == kind) return it;
  }
  return NULL;
}

/* The enum values a mask allows, as a JSON array. */
static void allowed_values(IpsfBuf *b, const IpsfPack *p, uint32_t enum_type, uint64_t mask) {
  const IpsfEnum *e = &p->enums[enum_type];
  bool first = true;
  ipsf_buf_puts(b, "[");
  for (uint32_t k = 0; k < e->value_count; k++) {
    if (!(mask >> k & 1u)) continue;
    ipsf_buf_puts(b, first ? "" : ", ");
    first = false;
    ipsf_buf_json_string(b, ipsf_str(p, e->values[k]));
  }
  ipsf_buf_puts(b, "]");
}

static void profile_schema(IpsfBuf *b, const IpsfPack *p, uint32_t index, int level) {
  const IpsfProfile *pr = &p->profiles[index];
  ipsf_buf_puts(b, "{\n");
  key(b, level + 1, "title");
  ipsf_buf_json_string(b, ipsf_str(p, pr->title));
  ipsf_buf_puts(b, ",\n");
  if (pr->doc != IPSF_NONE) {
    key(b, level + 1, "description");
    ipsf_buf_json_string(b, ipsf_str(p, pr->doc));
    ipsf_buf_puts(b, ",\n");
  }
  key(b, level + 1, "type");
  ipsf_buf_puts(b, "\"object\",\n");
  key(b, level + 1, "properties");
  ipsf_buf_puts(b, "{");
  for (uint32_t i = 0; i < p->fact_count; i++) {
    const IpsfFact *f = &p->facts[i];
    ipsf_buf_puts(b, i ? ",\n" : "\n");
    key(b, level + 2, ipsf_str(p, f->name));
    const IpsfProfileItem *sets = profile_item(p, pr, i, IPSF_PROFILE_SETS);
    const IpsfProfileItem *allows = profile_item(p, pr, i, IPSF_PROFILE_ALLOWS);
    if (sets) {
      ipsf_buf_puts(b, "{\"const\": ");
      json_value(b, p, &p->consts[sets->value]);
      ipsf_buf_puts(b, ", \"description\": \"set by the profile\"}");
    } else if (allows && f->type.kind == IPSF_K_ENUM) {
      ipsf_buf_puts(b, "{\"type\": \"string\", \"enum\": ");
      allowed_values(b, p, f->type.enum_type, p->consts[allows->value].value.m);
      ipsf_buf_puts(b, "}");
    } else if (allows) {
      ipsf_buf_puts(b, "{\"type\": \"array\", \"uniqueItems\": true, \"items\": {\"enum\": ");
      allowed_values(b, p, f->type.enum_type, p->consts[allows->value].value.m);
      ipsf_buf_puts(b, "}}");
    } else {
      fact_schema(b, p, f, level + 2, false);
    }
  }
  ipsf_buf_puts(b, p->fact_count ? "\n" : "");
  if (p->fact_count) indent(b, level + 1);
  ipsf_buf_puts(b, "},\n");
  key(b, level + 1, "additionalProperties");
  ipsf_buf_puts(b, "false\n");
  indent(b, level);
  ipsf_buf_puts(b, "}");
}

static void write_schema(IpsfBuf *b, const IpsfPack *p) {
  const char *name = ipsf_str(p, p->meta.name), *version = ipsf_str(p, p->meta.version);
  const char *title = p->meta.title != IPSF_NONE ? ipsf_str(p, p->meta.title) : name;
  ipsf_buf_puts(b, "{\n");
  key(b, 1, "$schema");
  ipsf_buf_puts(b, "\"https://json-schema.org/draft/2020-12/schema\",\n");
  /* A URN: an identifier, never fetched. */
  IpsfBuf id;
  ipsf_buf_init(&id);
  ipsf_buf_printf(&id, "urn:ipsfc:sheet:%s:%s", name ? name : "", version ? version : "");
  key(b, 1, "$id");
  ipsf_buf_json_string(b, id.failed ? "" : id.data);
  ipsf_buf_free(&id);
  ipsf_buf_puts(b, ",\n");
  key(b, 1, "title");
  IpsfBuf t;
  ipsf_buf_init(&t);
  ipsf_buf_printf(&t, "Fact sheet for %s %s", title ? title : "", version ? version : "");
  ipsf_buf_json_string(b, t.failed ? "" : t.data);
  ipsf_buf_free(&t);
  ipsf_buf_puts(b, ",\n");
  key(b, 1, "type");
  ipsf_buf_puts(b, "\"object\",\n");
  key(b, 1, "properties");
  ipsf_buf_puts(b, "{\n");
  key(b, 2, "device");
  ipsf_buf_puts(b, "{\"type\": \"string\", \"description\": \"the device's name, shown in "
                   "records\"},\n");
  key(b, 2, "facts");
  ipsf_buf_puts(b, "{\"$ref\": \"#/$defs/facts\"},\n");
  key(b, 2, "profiles");
  if (p->profile_count) declared_profiles(b, p);
  else
    ipsf_buf_puts(b, "{\"type\": \"object\", \"description\": \"profile name -> facts that "
                     "override the base facts\", \"additionalProperties\": {\"$ref\": "
                     "\"#/$defs/profile\"}},\n");
  key(b, 2, "evidence");
  evidence_schema(b, p, 2);
  ipsf_buf_puts(b, "\n");
  indent(b, 1);
  ipsf_buf_puts(b, "},\n");
  required_facts(b, p);
  key(b, 1, "additionalProperties");
  ipsf_buf_puts(b, "false,\n");
  key(b, 1, "$defs");
  ipsf_buf_puts(b, "{\n");
  key(b, 2, "facts");
  facts_schema(b, p, 2, true);
  ipsf_buf_puts(b, ",\n");
  key(b, 2, "profile");
  facts_schema(b, p, 2, false);
  for (uint32_t i = 0; i < p->profile_count; i++) {
    ipsf_buf_puts(b, ",\n");
    char def[300];
    snprintf(def, sizeof def, "profile:%s", ipsf_str(p, p->profiles[i].name));
    key(b, 2, def);
    profile_schema(b, p, i, 2);
  }
  ipsf_buf_puts(b, "\n  }\n}\n");
}

int cmd_schema(int argc, char **argv) {
  static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                       {"import", required_argument, 0, 'I'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  StrList dirs = {0};
  const char *output = NULL;
  int c, status = EXIT_OK;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":o:I:h", opts, NULL)) != -1) {
    switch (c) {
    case 'o': output = optarg; break;
    case 'I': strlist_push(&dirs, optarg); break;
    case 'h': strlist_free(&dirs); return cli_help(help);
    case ':':
      strlist_free(&dirs);
      return cli_usage("schema", "%s needs an argument", argv[optind - 1]);
    default:
      strlist_free(&dirs);
      return cli_usage("schema", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind != argc - 1) {
    strlist_free(&dirs);
    return cli_usage("schema", "expected one PACK");
  }
  IpsfPack *p = cli_load_pack(argv[optind], &dirs, &status);
  strlist_free(&dirs);
  if (!p) return status;
  IpsfBuf b;
  ipsf_buf_init(&b);
  write_schema(&b, p);
  ipsf_pack_free(p);
  if (b.failed) {
    ipsf_buf_free(&b);
    fprintf(stderr, "ipsfc schema: out of memory\n");
    return EXIT_INTERNAL;
  }
  /* Standard output is checked once the verb returns (cli_finish_stdout);
   * a file is written whole or not at all. */
  if (!output)
    fwrite(b.data, 1, b.len, stdout);
  else if (!cli_write_file("schema", output, b.data, b.len, 0666, false))
    status = EXIT_INPUT; /* as compile -o: the output cannot be written */
  ipsf_buf_free(&b);
  return status;
}
