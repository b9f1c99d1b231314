/*
 * ipsb.c -- the .ipsb file format: writing and reading a compiled pack.
 *
 * docs/bytecode.md describes the layout byte by byte.  In brief (all
 * integers little-endian):
 *
 *   magic "\x89IPSB\r\n\x1a" (8 bytes)  u32 format version  u32 section count
 *   section table: count x { u32 id, u32 offset, u32 length }, ids in
 *     increasing order, the sections contiguous from the end of the table
 *   the required sections, ids 1..13: meta, strings, enums, consts, slots,
 *     facts, scales, rules, viewpoints, requirements, confirms, code, lines
 *   then the optional sections (ids 14 and up: natives, ...), each written
 *     only when the pack has something to put in it
 *   32 bytes: SHA-256 of every byte before it
 *   optionally, a signature trailer (100 bytes): "SIG1", the signer's
 *     Ed25519 public key (32), the signature (64) over
 *     "ipsfc pack signature v1\0" || the digest
 *
 * The trailer is not covered by the digest (it signs the digest), so a
 * pack signed or re-signed keeps its digest.  The loader records whether
 * the signature verifies under the key in the trailer; whether that key is
 * one the caller trusts is ipsf_pack_check_signature's question (sign.c).
 *
 * Reading never casts bytes to structs: every field is decoded explicitly,
 * every count is checked against the bytes that remain before anything is
 * allocated (a small file cannot ask for a huge allocation), and every
 * section must be consumed exactly.  Structural parsing only checks what
 * the bytes themselves can get wrong (bounds, UTF-8, sizes); what the
 * indices mean is ipsf_verify's job (verify.c), and it runs before the pack
 * is returned.  The writer serialises the in-memory image as it is, without
 * looking through any index, so it is deterministic and safe on packs the
 * verifier would reject (the tests rely on that).
 *
 * The file reads top-down: the section list (IPSB_SECTIONS), the write and
 * read primitives, one dump/load pair per section, the section table that
 * binds them, then the frame (header, table, digest, trailer) around them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pack.h"
#include "util.h"

/* PNG-style: a high-bit byte (catches 7-bit channels), the name, CR LF
 * (catches line-ending conversion either way), ^Z (stops DOS `type`). */
static const uint8_t ipsb_magic[8] = {0x89, 'I', 'P', 'S', 'B', '\r', '\n', 0x1a};

/* The sections, in file order: X(ID, name).  The id in the section table
 * is the position here, from 1; `name` is the section in messages and the
 * dump_<name> / load_<name> pair below that writes and reads it. */
#define IPSB_SECTIONS(X)                                                                    \
  X(META, meta) X(STRINGS, strings) X(ENUMS, enums) X(CONSTS, consts) X(SLOTS, slots)      \
  X(FACTS, facts) X(SCALES, scales) X(RULES, rules) X(VIEWPOINTS, viewpoints)               \
  X(REQUIREMENTS, requirements) X(CONFIRMS, confirms) X(CODE, code) X(LINES, lines)         \
  /* optional sections from here: present_<name>(pack) says whether one is written */ \
  X(NATIVES, natives) X(PROFILES, profiles) X(COMPENSATIONS, compensations) X(CATALOGS, catalogs) X(TESTS, tests) \
  X(TABLES, tables)

enum {
  SEC__NONE, /* ids start at 1 */
#define SEC_ENUM(ID, name) SEC_##ID,
  IPSB_SECTIONS(SEC_ENUM)
#undef SEC_ENUM
  SEC__END
};
#define SEC_COUNT (SEC__END - 1)
/* Sections before SEC_NATIVES are in every pack, in id order; the optional
 * ones follow, each only when the pack has something to put in it, so a
 * pack that uses no optional feature has the same bytes (and digest) as
 * before the feature existed. */
#define SEC_FIRST_OPTIONAL SEC_NATIVES
#define SEC_COUNT_PLAIN (SEC_FIRST_OPTIONAL - 1)
#define HEADER_SIZE (8u + 4u + 4u)
#define TABLE_SIZE(count) ((count) * 12u)
#define DIGEST_SIZE 32u
#define SIG_MAGIC_SIZE 4u
#define SIG_TRAILER_SIZE (SIG_MAGIC_SIZE + IPSF_SIGN_KEY_SIZE + IPSF_SIGNATURE_SIZE)

static const uint8_t sig_magic[SIG_MAGIC_SIZE] = {'S', 'I', 'G', '1'};

/* ---- writing: the primitives --------------------------------------------- */

typedef struct {
  uint8_t *data;
  size_t len, cap;
  bool failed;
} Out;

/* Room for n more bytes; on failure `failed` is set and every later put is
 * dropped, so the writer checks once, at the end. */
static void out_reserve(Out *o, size_t n) {
  if (o->failed || o->cap - o->len >= n) return;
  uint8_t *d = n > SIZE_MAX - o->len ? NULL
                                     : ipsf_grow(o->data, &o->cap, o->len + n, 1, 1024, SIZE_MAX);
  if (!d) {
    o->failed = true;
    return;
  }
  o->data = d;
}

static void put_bytes(Out *o, const void *p, size_t n) {
  out_reserve(o, n);
  if (o->failed || n == 0) return;
  memcpy(o->data + o->len, p, n);
  o->len += n;
}

static void put_u8(Out *o, uint8_t v) { put_bytes(o, &v, 1); }

static void put_u32(Out *o, uint32_t v) {
  uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  put_bytes(o, b, 4);
}

static void put_u64(Out *o, uint64_t v) {
  put_u32(o, (uint32_t)v);
  put_u32(o, (uint32_t)(v >> 32));
}

static void set_u32_at(Out *o, size_t at, uint32_t v) {
  if (o->failed) return;
  o->data[at] = (uint8_t)v;
  o->data[at + 1] = (uint8_t)(v >> 8);
  o->data[at + 2] = (uint8_t)(v >> 16);
  o->data[at + 3] = (uint8_t)(v >> 24);
}

static void put_type(Out *o, IpsfType t) {
  put_u8(o, t.kind);
  put_u32(o, t.enum_type);
}

static void put_loc(Out *o, IpsfLoc l) {
  put_u32(o, l.file);
  put_u32(o, l.line);
  put_u32(o, l.col);
}

/* ---- reading: the primitives --------------------------------------------- */

typedef struct {
  const uint8_t *b; /* the whole file */
  size_t pos, end;  /* the current section: [pos, end) */
  const char *section;
  IpsfError *err;
  bool failed;
} In;

static bool in_fail_truncated(In *in, size_t need) {
  if (!in->failed)
    ipsf_fail(in->err, IPSF_ERR_BYTECODE,
              "section '%s' is truncated: needs %zu more bytes at byte %zu, "
              "but it ends at byte %zu",
              in->section, need, in->pos, in->end);
  in->failed = true;
  return false;
}

static bool in_has(In *in, size_t n) {
  if (in->failed) return false;
  if (in->end - in->pos < n) return in_fail_truncated(in, n);
  return true;
}

static uint8_t get_u8(In *in) {
  if (!in_has(in, 1)) return 0;
  return in->b[in->pos++];
}

static uint32_t rd_u32(const uint8_t *b) {
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint32_t get_u32(In *in) {
  if (!in_has(in, 4)) return 0;
  uint32_t v = rd_u32(in->b + in->pos);
  in->pos += 4;
  return v;
}

static uint64_t get_u64(In *in) {
  uint64_t lo = get_u32(in);
  uint64_t hi = get_u32(in);
  return lo | hi << 32;
}

static IpsfType get_type(In *in) {
  IpsfType t;
  t.kind = get_u8(in);
  t.enum_type = get_u32(in);
  return t;
}

static IpsfLoc get_loc(In *in) {
  IpsfLoc l;
  l.file = get_u32(in);
  l.line = get_u32(in);
  l.col = get_u32(in);
  return l;
}

/* Read a count of items each at least `min_size` bytes long and check that
 * the section has room for them before anything is allocated. */
static uint32_t get_count(In *in, const char *what, size_t min_size) {
  uint32_t n = get_u32(in);
  if (in->failed) return 0;
  size_t left = in->end - in->pos;
  if ((uint64_t)n * min_size > left) {
    ipsf_fail(in->err, IPSF_ERR_BYTECODE,
              "section '%s': %u %s need at least %llu bytes, but only %zu remain",
              in->section, n, what, (unsigned long long)((uint64_t)n * min_size), left);
    in->failed = true;
    return 0;
  }
  return n;
}

static void *alloc_array(In *in, uint32_t n, size_t size) {
  if (in->failed || n == 0) return NULL;
  void *p = calloc(n, size);
  if (!p) {
    ipsf_fail(in->err, IPSF_ERR_NOMEM, "out of memory reading section '%s'", in->section);
    in->failed = true;
  }
  return p;
}

/* ---- the sections: one dump/load pair each ------------------------------- */

/* As in Lua's ldump.c / lundump.c, each section has a dump_X that writes it
 * and a load_X that reads it back.  Here the fixed part of every record is
 * listed once, as F(kind, field) in file order, and both directions are
 * generated from that list (RECORD), so the writer and the reader cannot
 * drift apart; only what has a variable part (strings, constants, the
 * lists inside enums, viewpoints and requirements, natives) is written by
 * hand, as a pair.  docs/bytecode.md gives the layout. */

/* The kinds of field: how many bytes each takes in the file.  A record's
 * fixed size is the floor load_array checks its count against. */
#define SIZE_u8 1
#define SIZE_u32 4
#define SIZE_type 5 /* u8 kind, u32 enum type */
#define SIZE_loc 12 /* u32 file, line, col */

#define PUT_FIELD(kind, field) put_##kind(o, rec->field);
#define GET_FIELD(kind, field) rec->field = get_##kind(in);
#define FIELD_SIZE(kind, field) +SIZE_##kind

/* dump_<name>, load_<name> and <name>_size for a record of fixed fields. */
#define RECORD(Type, name, FIELDS)                                            \
  static void dump_##name(Out *o, const Type *rec) { FIELDS(PUT_FIELD) }     \
  static void load_##name(In *in, Type *rec) { FIELDS(GET_FIELD) }          \
  enum { name##_size = 0 FIELDS(FIELD_SIZE) };

/* The count of an array section and the array, zeroed; *count is set only
 * once the array exists, so a failed load leaves nothing half-counted. */
static void *load_array(In *in, const char *what, size_t min_size, size_t elem,
                        uint32_t *count) {
  uint32_t n = get_count(in, what, min_size);
  void *a = alloc_array(in, n, elem);
  if (!in->failed) *count = n;
  return a;
}

/* A section that is a count and then `count` records of one type: the
 * pack's array `section` and its `<record>_count`; `what` names the
 * records in the message about a count too large for the section. */
#define ARRAY_SECTION(section, record, what)                                           \
  static void dump_##section(Out *o, const IpsfPack *p) {                              \
    put_u32(o, p->record##_count);                                                     \
    for (uint32_t i = 0; i < p->record##_count; i++) dump_##record(o, &p->section[i]); \
  }                                                                                    \
  static void load_##section(In *in, IpsfPack *p) {                                    \
    p->section = load_array(in, what, record##_size, sizeof *p->section,               \
                            &p->record##_count);                                       \
    for (uint32_t i = 0; i < p->record##_count && !in->failed; i++)                    \
      load_##record(in, &p->section[i]);                                               \
  }

static void dump_u32_list(Out *o, const uint32_t *a, uint32_t n) {
  put_u32(o, n);
  for (uint32_t k = 0; k < n; k++) put_u32(o, a[k]);
}

/* A u32 count and that many u32s (enum values, methods, refs, code). */
static uint32_t *load_u32_list(In *in, const char *what, uint32_t *count) {
  uint32_t *a = load_array(in, what, 4, sizeof *a, count);
  for (uint32_t k = 0; k < *count && !in->failed; k++) a[k] = get_u32(in);
  return a;
}

/* meta: the IPSF_META strings (pack.h), then the two axis bindings. */
static void dump_meta(Out *o, const IpsfPack *p) {
#define PUT_META(field, from_entry) put_u32(o, p->meta.field);
  IPSF_META(PUT_META)
#undef PUT_META
  put_u32(o, p->axis1);
  put_u32(o, p->axis2);
}

static void load_meta(In *in, IpsfPack *p) {
#define GET_META(field, from_entry) p->meta.field = get_u32(in);
  IPSF_META(GET_META)
#undef GET_META
  p->axis1 = get_u32(in);
  p->axis2 = get_u32(in);
}

/* strings: a count, then each as a u32 length and its bytes (no NUL). */
static void dump_strings(Out *o, const IpsfPack *p) {
  put_u32(o, p->string_count);
  for (uint32_t i = 0; i < p->string_count; i++) {
    put_u32(o, p->string_lens[i]);
    put_bytes(o, p->strings[i], p->string_lens[i]);
  }
}

/* Each string is checked (ipsf_utf8_bad_at) before it is copied, because
 * everything downstream (reports, JSON output, natives) takes pack strings
 * to be UTF-8 C strings: a NUL inside one would cut it short unseen. */
static void load_strings(In *in, IpsfPack *p) {
  uint32_t n = get_count(in, "strings", 4);
  p->strings = alloc_array(in, n, sizeof *p->strings);
  p->string_lens = alloc_array(in, n, sizeof *p->string_lens);
  if (in->failed) return;
  p->string_count = n;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t len = get_u32(in);
    if (!in_has(in, len)) return;
    const uint8_t *s = in->b + in->pos;
    size_t bad = ipsf_utf8_bad_at(s, len);
    if (bad != len) {
      ipsf_fail(in->err, IPSF_ERR_BYTECODE,
                "string %u is not valid UTF-8 without NUL (bad byte 0x%02x at offset %zu, "
                "file byte %zu)",
                i, s[bad], bad, in->pos + bad);
      in->failed = true;
      return;
    }
    char *c = malloc((size_t)len + 1);
    if (!c) {
      ipsf_fail(in->err, IPSF_ERR_NOMEM, "out of memory reading string %u", i);
      in->failed = true;
      return;
    }
    memcpy(c, s, len);
    c[len] = '\0';
    p->strings[i] = c;
    p->string_lens[i] = len;
    in->pos += len;
  }
}

/* enums and viewpoints: a name, then a list of strings (values, methods);
 * `what` names the list in the message about a count too large. */
#define NAMED_LIST(Type, record, list, count, what)                           \
  static void dump_##record(Out *o, const Type *rec) {                        \
    put_u32(o, rec->name);                                                    \
    dump_u32_list(o, rec->list, rec->count);                                  \
  }                                                                           \
  static void load_##record(In *in, Type *rec) {                              \
    rec->name = get_u32(in);                                                  \
    rec->list = load_u32_list(in, what, &rec->count);                         \
  }                                                                           \
  enum { record##_size = SIZE_u32 + SIZE_u32 };

NAMED_LIST(IpsfEnum, enum, values, value_count, "enum values")
ARRAY_SECTION(enums, enum, "enums")

NAMED_LIST(IpsfViewpoint, viewpoint, methods, method_count, "methods")
ARRAY_SECTION(viewpoints, viewpoint, "viewpoints")

/* A constant's value is 8 bytes whatever its kind, so the record size is
 * fixed: a number's IEEE-754 bits, a string's pool index, a set's mask,
 * else the integer (bool, int, enum index). */
static void dump_const(Out *o, const IpsfConst *c) {
  put_type(o, c->type);
  uint64_t bits;
  switch (c->type.kind) {
  case IPSF_K_NUMBER: memcpy(&bits, &c->value.n, sizeof bits); break;
  case IPSF_K_STRING: bits = c->str; break;
  case IPSF_K_SET: bits = c->value.m; break;
  default: bits = (uint64_t)c->value.i; break;
  }
  put_u64(o, bits);
}

static void load_const(In *in, IpsfConst *c) {
  c->type = get_type(in);
  uint64_t bits = get_u64(in);
  c->str = IPSF_NONE;
  switch (c->type.kind) {
  case IPSF_K_NUMBER: memcpy(&c->value.n, &bits, sizeof c->value.n); break;
  case IPSF_K_STRING:
    /* An index that does not fit 32 bits becomes IPSF_NONE: the verifier
     * rejects it.  value.s is set by ipsf_pack_link, after verification. */
    c->str = bits > UINT32_MAX ? IPSF_NONE : (uint32_t)bits;
    c->value.s = NULL;
    break;
  case IPSF_K_SET: c->value.m = bits; break;
  default: c->value.i = (int64_t)bits; break;
  }
}

enum { const_size = SIZE_type + 8 };
ARRAY_SECTION(consts, const, "constants")

#define SLOT_FIELDS(F) F(type, type) F(u8, role) F(u32, name)
RECORD(IpsfSlot, slot, SLOT_FIELDS)
ARRAY_SECTION(slots, slot, "slots")

#define FACT_FIELDS(F) F(u32, name) F(type, type) F(u32, slot) F(u32, default_const) F(u32, doc)
RECORD(IpsfFact, fact, FACT_FIELDS)
ARRAY_SECTION(facts, fact, "facts")

#define SCALE_FIELDS(F)                                                                      \
  F(u32, name) F(u32, enum_type) F(u8, policy) F(u8, axis) F(u32, slot) F(u32, otherwise)    \
  F(loc, otherwise_loc) F(u32, first_rule) F(u32, rule_count)
RECORD(IpsfScale, scale, SCALE_FIELDS)
ARRAY_SECTION(scales, scale, "scales")

#define RULE_FIELDS(F) F(u32, scale) F(u32, level) F(u32, because) F(loc, loc)
RECORD(IpsfRule, rule, RULE_FIELDS)
ARRAY_SECTION(rules, rule, "rules")

/* A requirement: fixed fields, its refs (a list), more fixed fields. */
#define REQUIREMENT_HEAD(F) F(u32, id) F(u32, title) F(u32, viewpoint)
#define REQUIREMENT_TAIL(F) \
  F(u32, party) F(u32, doc) F(u32, basis) F(u32, citation) F(u32, confirmed_by) \
  F(u32, subject) F(u32, first_confirm) F(u32, confirm_count) F(loc, loc)

static void dump_requirement(Out *o, const IpsfRequirement *rec) {
  REQUIREMENT_HEAD(PUT_FIELD)
  dump_u32_list(o, rec->refs, rec->ref_count);
  REQUIREMENT_TAIL(PUT_FIELD)
}

static void load_requirement(In *in, IpsfRequirement *rec) {
  REQUIREMENT_HEAD(GET_FIELD)
  rec->refs = load_u32_list(in, "refs", &rec->ref_count);
  REQUIREMENT_TAIL(GET_FIELD)
}

enum { requirement_size = 0 REQUIREMENT_HEAD(FIELD_SIZE) + SIZE_u32 REQUIREMENT_TAIL(FIELD_SIZE) };
ARRAY_SECTION(requirements, requirement, "requirements")

#define CONFIRM_FIELDS(F) F(u32, requirement) F(u32, method) F(u32, every_months) F(loc, loc)
RECORD(IpsfConfirm, confirm, CONFIRM_FIELDS)
ARRAY_SECTION(confirms, confirm, "confirms")

/* code: the declared stack depth first, so the verifier has it before it
 * walks the instructions. */
static void dump_code(Out *o, const IpsfPack *p) {
  put_u32(o, p->max_stack);
  dump_u32_list(o, p->code, p->code_count);
}

static void load_code(In *in, IpsfPack *p) {
  p->max_stack = get_u32(in);
  p->code = load_u32_list(in, "instructions", &p->code_count);
}

#define LINE_FIELDS(F) F(u32, pc) F(loc, loc)
RECORD(IpsfLine, line, LINE_FIELDS)
ARRAY_SECTION(lines, line, "line table entries")

/* A native's parameter list is variable, but bounded: the in-memory record
 * has room for IPSF_MAX_NATIVE_PARAMS, so a larger count is refused before
 * any parameter is read (the writer likewise never reads past the array).
 * By hand, not ARRAY_SECTION: the message names the native by its index. */
#define NATIVE_FIELDS(F) F(u32, name) F(u32, library) F(u32, symbol) F(u8, result) F(u32, param_count)
enum { native_size = 0 NATIVE_FIELDS(FIELD_SIZE) };

static void dump_natives(Out *o, const IpsfPack *p) {
  put_u32(o, p->native_count);
  for (uint32_t i = 0; i < p->native_count; i++) {
    const IpsfNative *rec = &p->natives[i];
    NATIVE_FIELDS(PUT_FIELD)
    for (uint32_t k = 0; k < rec->param_count && k < IPSF_MAX_NATIVE_PARAMS; k++)
      put_u8(o, rec->params[k]);
  }
}

static void load_natives(In *in, IpsfPack *p) {
  p->natives = load_array(in, "natives", native_size, sizeof *p->natives, &p->native_count);
  for (uint32_t i = 0; i < p->native_count && !in->failed; i++) {
    IpsfNative *rec = &p->natives[i];
    NATIVE_FIELDS(GET_FIELD)
    if (!in->failed && rec->param_count > IPSF_MAX_NATIVE_PARAMS) {
      ipsf_fail(in->err, IPSF_ERR_BYTECODE, "native %u has %u parameters (at most %u)", i,
                rec->param_count, IPSF_MAX_NATIVE_PARAMS);
      in->failed = true;
    }
    for (uint32_t k = 0; k < rec->param_count && !in->failed; k++) rec->params[k] = get_u8(in);
  }
}

/* profiles: the usage profiles, then their items (each profile's a
 * contiguous range of the item table; the verifier checks the ranges). */
#define PROFILE_FIELDS(F) F(u32, name) F(u32, title) F(u32, doc) F(u32, first_item) F(u32, item_count)
RECORD(IpsfProfile, profile, PROFILE_FIELDS)
#define PROFILE_ITEM_FIELDS(F) F(u8, kind) F(u32, fact) F(u32, value)
RECORD(IpsfProfileItem, profile_item, PROFILE_ITEM_FIELDS)

static void dump_profiles(Out *o, const IpsfPack *p) {
  put_u32(o, p->profile_count);
  for (uint32_t i = 0; i < p->profile_count; i++) dump_profile(o, &p->profiles[i]);
  put_u32(o, p->profile_item_count);
  for (uint32_t i = 0; i < p->profile_item_count; i++) dump_profile_item(o, &p->profile_items[i]);
}

static void load_profiles(In *in, IpsfPack *p) {
  p->profiles = load_array(in, "profiles", profile_size, sizeof *p->profiles, &p->profile_count);
  for (uint32_t i = 0; i < p->profile_count && !in->failed; i++) load_profile(in, &p->profiles[i]);
  if (in->failed) return;
  p->profile_items = load_array(in, "profile items", profile_item_size, sizeof *p->profile_items,
                                &p->profile_item_count);
  for (uint32_t i = 0; i < p->profile_item_count && !in->failed; i++)
    load_profile_item(in, &p->profile_items[i]);
}

/* compensations: a count, then {requirement, by, until, months} each. */
#define COMPENSATION_FIELDS(F) F(u32, requirement) F(u32, by) F(u32, until) F(u32, months)
RECORD(IpsfCompensation, compensation, COMPENSATION_FIELDS)
ARRAY_SECTION(compensations, compensation, "compensations")


/* tests (compile --with-tests; pack.h IpsfTests): the gate slot, then
 * each test with its givens and expectations.  By hand: two variable lists
 * per test and one per expectation. */
#define TEST_FIELDS(F) F(u32, name) F(u32, profile) F(loc, loc) F(u8, flags)
#define GIVEN_FIELDS(F) F(u8, kind) F(u32, fact) F(u32, value) F(u32, title)
#define EXPECT_FIELDS(F) \
  F(u8, kind) F(u32, index) F(u32, method) F(u32, text) F(u32, value) F(loc, loc)
enum {
  test_size = 0 TEST_FIELDS(FIELD_SIZE) + 2 * SIZE_u32, /* and the two counts */
  given_size = 0 GIVEN_FIELDS(FIELD_SIZE),
  expect_size = 0 EXPECT_FIELDS(FIELD_SIZE) + SIZE_u32
};

static void dump_tests(Out *o, const IpsfPack *p) {
  const IpsfTests *t = p->tests;
  put_u32(o, t->gate);
  put_u32(o, t->count);
  for (uint32_t i = 0; i < t->count; i++) {
    const IpsfTest *rec = &t->items[i];
    TEST_FIELDS(PUT_FIELD)
    put_u32(o, rec->given_count);
    for (uint32_t k = 0; k < rec->given_count; k++) {
      const IpsfTestGiven *g = &rec->givens[k];
#define PUT_GIVEN(kind, field) put_##kind(o, g->field);
      GIVEN_FIELDS(PUT_GIVEN)
#undef PUT_GIVEN
    }
    put_u32(o, rec->expect_count);
    for (uint32_t k = 0; k < rec->expect_count; k++) {
      const IpsfTestExpect *x = &rec->expects[k];
#define PUT_EXPECT(kind, field) put_##kind(o, x->field);
      EXPECT_FIELDS(PUT_EXPECT)
#undef PUT_EXPECT
      dump_u32_list(o, x->names, x->name_count);
    }
  }
}

static void load_tests(In *in, IpsfPack *p) {
  IpsfTests *t = alloc_array(in, 1, sizeof *t);
  if (!t) return;
  p->tests = t;
  t->gate = get_u32(in);
  t->items = load_array(in, "tests", test_size, sizeof *t->items, &t->count);
  for (uint32_t i = 0; i < t->count && !in->failed; i++) {
    IpsfTest *rec = &t->items[i];
    TEST_FIELDS(GET_FIELD)
    rec->givens = load_array(in, "givens", given_size, sizeof *rec->givens, &rec->given_count);
    for (uint32_t k = 0; k < rec->given_count && !in->failed; k++) {
      IpsfTestGiven *g = &rec->givens[k];
#define GET_GIVEN(kind, field) g->field = get_##kind(in);
      GIVEN_FIELDS(GET_GIVEN)
#undef GET_GIVEN
    }
    rec->expects = load_array(in, "expectations", expect_size, sizeof *rec->expects,
                              &rec->expect_count);
    for (uint32_t k = 0; k < rec->expect_count && !in->failed; k++) {
      IpsfTestExpect *x = &rec->expects[k];
#define GET_EXPECT(kind, field) x->field = get_##kind(in);
      EXPECT_FIELDS(GET_EXPECT)
#undef GET_EXPECT
      x->names = load_u32_list(in, "names", &x->name_count);
    }
  }
}

/* catalogs: the catalogs (fixed records), then every provision: fixed
 * fields with its satisfied_by ids and cited_by requirements as lists.
 * That the catalogs' blocks tile the provisions is the verifier's job. */
#define CATALOG_FIELDS(F) \
  F(u32, name) F(u32, version) F(u32, date) F(u32, first_provision) F(u32, provision_count)
RECORD(IpsfCatalog, catalog, CATALOG_FIELDS)
#define PROVISION_FIELDS(F) F(u32, id) F(u32, clause) F(u32, title) F(u8, status)
enum { provision_size = 0 PROVISION_FIELDS(FIELD_SIZE) + SIZE_u32 + SIZE_u32 };

static void dump_catalogs(Out *o, const IpsfPack *p) {
  put_u32(o, p->catalog_count);
  for (uint32_t i = 0; i < p->catalog_count; i++) dump_catalog(o, &p->catalogs[i]);
  put_u32(o, p->provision_count);
  for (uint32_t i = 0; i < p->provision_count; i++) {
    const IpsfProvision *rec = &p->provisions[i];
    PROVISION_FIELDS(PUT_FIELD)
    dump_u32_list(o, rec->satisfied_by, rec->satisfied_count);
    dump_u32_list(o, rec->cited_by, rec->cited_count);
  }
}

static void load_catalogs(In *in, IpsfPack *p) {
  p->catalogs = load_array(in, "catalogs", catalog_size, sizeof *p->catalogs, &p->catalog_count);
  for (uint32_t i = 0; i < p->catalog_count && !in->failed; i++)
    load_catalog(in, &p->catalogs[i]);
  if (in->failed) return;
  p->provisions =
      load_array(in, "provisions", provision_size, sizeof *p->provisions, &p->provision_count);
  for (uint32_t i = 0; i < p->provision_count && !in->failed; i++) {
    IpsfProvision *rec = &p->provisions[i];
    PROVISION_FIELDS(GET_FIELD)
    rec->satisfied_by = load_u32_list(in, "satisfied_by ids", &rec->satisfied_count);
    if (!in->failed) rec->cited_by = load_u32_list(in, "cited_by requirements", &rec->cited_count);
  }
}

/* tables (decision tables, pack.h IpsfTable): a count, then each table:
 * kind, owner (scale or first requirement), span, its dims (slot, kind, class count, stride, the ENUM map as a u32
 * count and a byte per value, the INT thresholds as a u32 count and an
 * i64 each), then its cell count, and its masks as a u32 count and a
 * u64 each (span per cell).  That the
 * numbers agree (kinds, classes, strides, bits) is the verifier's job. */
#define TABLE_DIM_FIELDS(F) F(u32, slot) F(u8, kind) F(u32, class_count) F(u32, stride)
enum {
  table_dim_size = 0 TABLE_DIM_FIELDS(FIELD_SIZE) + 2 * SIZE_u32,
  table_size = SIZE_u8 + 5 * SIZE_u32
};

static void dump_tables(Out *o, const IpsfPack *p) {
  put_u32(o, p->table_count);
  for (uint32_t i = 0; i < p->table_count; i++) {
    const IpsfTable *t = &p->tables[i];
    put_u8(o, t->kind);
    put_u32(o, t->owner);
    put_u32(o, t->span);
    put_u32(o, t->dim_count);
    for (uint32_t d = 0; d < t->dim_count; d++) {
      const IpsfTableDim *rec = &t->dims[d];
      TABLE_DIM_FIELDS(PUT_FIELD)
      put_u32(o, rec->map_count);
      put_bytes(o, rec->map, rec->map_count);
      put_u32(o, rec->threshold_count);
      for (uint32_t k = 0; k < rec->threshold_count; k++) put_u64(o, (uint64_t)rec->thresholds[k]);
    }
    put_u32(o, t->cell_count);
    put_u32(o, t->mask_count);
    for (uint32_t c = 0; c < t->mask_count; c++) put_u64(o, t->masks[c]);
  }
}

static void load_tables(In *in, IpsfPack *p) {
  p->tables = load_array(in, "tables", table_size, sizeof *p->tables, &p->table_count);
  for (uint32_t i = 0; i < p->table_count && !in->failed; i++) {
    IpsfTable *t = &p->tables[i];
    t->kind = get_u8(in);
    t->owner = get_u32(in);
    t->span = get_u32(in);
    t->dims = load_array(in, "table dims", table_dim_size, sizeof *t->dims, &t->dim_count);
    for (uint32_t d = 0; d < t->dim_count && !in->failed; d++) {
      IpsfTableDim *rec = &t->dims[d];
      TABLE_DIM_FIELDS(GET_FIELD)
      rec->map = load_array(in, "table map entries", 1, 1, &rec->map_count);
      for (uint32_t k = 0; k < rec->map_count && !in->failed; k++) rec->map[k] = get_u8(in);
      if (in->failed) break;
      rec->thresholds =
          load_array(in, "table thresholds", 8, sizeof *rec->thresholds, &rec->threshold_count);
      for (uint32_t k = 0; k < rec->threshold_count && !in->failed; k++)
        rec->thresholds[k] = (int64_t)get_u64(in);
    }
    if (in->failed) break;
    t->cell_count = get_u32(in);
    t->masks = load_array(in, "table masks", 8, sizeof *t->masks, &t->mask_count);
    for (uint32_t c = 0; c < t->mask_count && !in->failed; c++) t->masks[c] = get_u64(in);
  }
}

/* Whether an optional section is written (required ones always are). */
static bool present_natives(const IpsfPack *p) { return p->native_count > 0; }
static bool present_profiles(const IpsfPack *p) { return p->profile_count > 0; }
static bool present_compensations(const IpsfPack *p) { return p->compensation_count > 0; }
/* A pack compiled with tests but that has none is the pack without them. */
static bool present_tests(const IpsfPack *p) {
  return p->tests && (p->tests->count > 0 || p->tests->gate != IPSF_NONE);
}
static bool present_catalogs(const IpsfPack *p) { return p->catalog_count > 0; }
static bool present_tables(const IpsfPack *p) { return p->table_count > 0; }
#define present_meta NULL
#define present_strings NULL
#define present_enums NULL
#define present_consts NULL
#define present_slots NULL
#define present_facts NULL
#define present_scales NULL
#define present_rules NULL
#define present_viewpoints NULL
#define present_requirements NULL
#define present_confirms NULL
#define present_code NULL
#define present_lines NULL

/* The section table of the format: id -> name, the pair, and (optional
 * sections only) whether the pack has one. */
typedef struct {
  const char *name;
  void (*dump)(Out *o, const IpsfPack *p);
  void (*load)(In *in, IpsfPack *p);
  bool (*present)(const IpsfPack *p);
} Section;

static const Section sections[SEC__END] = {
#define SEC_ROW(ID, name) [SEC_##ID] = {#name, dump_##name, load_##name, present_##name},
    IPSB_SECTIONS(SEC_ROW)
#undef SEC_ROW
};

/* ---- the file ------------------------------------------------------------- */

/* SHA-256 needs no initialisation in libsodium, but sodium_init() is cheap,
 * idempotent and thread-safe, and makes that independent of the version. */
static bool sodium_ready(void) { return sodium_init() >= 0; }

bool ipsb_write(IpsfPack *pack, uint8_t **out, size_t *out_len) {
  Out o = {0};
  if (!sodium_ready()) o.failed = true;
  put_bytes(&o, ipsb_magic, sizeof ipsb_magic);
  put_u32(&o, IPSB_FORMAT_VERSION);
  int ids[SEC__END], nsec = 0;
  for (int id = 1; id <= SEC_COUNT; id++)
    if (id < SEC_FIRST_OPTIONAL || sections[id].present(pack)) ids[nsec++] = id;
  put_u32(&o, (uint32_t)nsec);
  size_t table = o.len;
  for (int i = 0; i < nsec; i++) {
    put_u32(&o, (uint32_t)ids[i]);
    put_u32(&o, 0); /* offset and length, filled below */
    put_u32(&o, 0);
  }
  for (int i = 0; i < nsec; i++) {
    size_t start = o.len;
    sections[ids[i]].dump(&o, pack);
    if (o.failed) break;
    if (o.len > UINT32_MAX) { /* cannot be described by the format */
      o.failed = true;
      break;
    }
    size_t at = table + (size_t)i * 12u;
    set_u32_at(&o, at + 4, (uint32_t)start);
    set_u32_at(&o, at + 8, (uint32_t)(o.len - start));
  }
  /* The digest's room is reserved before hashing, so that no failure can
   * come after pack->digest has been set. */
  out_reserve(&o, DIGEST_SIZE);
  if (o.failed) {
    free(o.data);
    *out = NULL;
    *out_len = 0;
    return false;
  }
  crypto_hash_sha256(pack->digest, o.data, o.len);
  put_bytes(&o, pack->digest, DIGEST_SIZE);
  *out = o.data;
  *out_len = o.len;
  return true;
}

/* Magic, version, size, section table and digest: the frame around the
 * sections.  On success *sections_end is where the digest starts. */
static bool check_frame(const uint8_t *b, size_t len, IpsfError *err, size_t *sections_end) {
  /* The magic first, even on a short file: "not a pack" says more than
   * "truncated" about a JSON sheet passed where a pack was expected. */
  size_t m = len < 8 ? len : 8;
  if (memcmp(b, ipsb_magic, m) != 0)
    return ipsf_fail(err, IPSF_ERR_BYTECODE, "bad magic: not a compiled IPSF pack (.ipsb)");
  if (len < HEADER_SIZE)
    return ipsf_fail(err, IPSF_ERR_BYTECODE,
                     "truncated file: %zu bytes, shorter than the %u-byte header", len,
                     HEADER_SIZE);
  uint32_t version = rd_u32(b + 8);
#if IPSB_FORMAT_VERSION_MIN == IPSB_FORMAT_VERSION
  if (version != IPSB_FORMAT_VERSION)
    return ipsf_fail(err, IPSF_ERR_BYTECODE,
                     "unsupported format version %u (this ipsfc reads %u: compile the pack "
                     "again)",
                     version, IPSB_FORMAT_VERSION);
#else
  if (version < IPSB_FORMAT_VERSION_MIN || version > IPSB_FORMAT_VERSION)
    return ipsf_fail(err, IPSF_ERR_BYTECODE,
                     "unsupported format version %u (this ipsfc reads %u to %u: compile the "
                     "pack again)",
                     version, IPSB_FORMAT_VERSION_MIN, IPSB_FORMAT_VERSION);
#endif
  if (len > IPSF_MAX_FILE_SIZE)
    return ipsf_fail(err, IPSF_ERR_BYTECODE, "file too large: %zu bytes (the limit is %u)",
                     len, IPSF_MAX_FILE_SIZE);
  uint32_t count = rd_u32(b + 12);
  if (count < SEC_COUNT_PLAIN || count > SEC_COUNT)
    return ipsf_fail(err, IPSF_ERR_BYTECODE,
                     "bad section count %u (format version %u has %u required sections and "
                     "%u optional ones)",
                     count, IPSB_FORMAT_VERSION, SEC_COUNT_PLAIN, SEC_COUNT - SEC_COUNT_PLAIN);
  if (len < HEADER_SIZE + TABLE_SIZE(count))
    return ipsf_fail(err, IPSF_ERR_BYTECODE,
                     "truncated file: the section table ends at byte %u of %zu",
                     HEADER_SIZE + TABLE_SIZE(count), len);
  uint64_t expect = HEADER_SIZE + TABLE_SIZE(count);
  uint32_t prev = 0;
  for (uint32_t i = 0; i < count; i++) {
    const uint8_t *e = b + HEADER_SIZE + (size_t)i * 12u;
    uint32_t id = rd_u32(e), off = rd_u32(e + 4), slen = rd_u32(e + 8);
    if (i < SEC_COUNT_PLAIN && id != i + 1)
      return ipsf_fail(err, IPSF_ERR_BYTECODE,
                       "section table entry %u has id %u, expected %u ('%s')", i, id, i + 1,
                       sections[i + 1].name);
    if (id <= prev || id > SEC_COUNT)
      return ipsf_fail(err, IPSF_ERR_BYTECODE,
                       "section table entry %u has id %u, expected an optional section id "
                       "from %u to %u, after %u",
                       i, id, prev + 1, SEC_COUNT, prev);
    prev = id;
    if (off != expect)
      return ipsf_fail(err, IPSF_ERR_BYTECODE,
                       "section '%s' starts at byte %u, expected %llu (sections are "
                       "contiguous)",
                       sections[id].name, off, (unsigned long long)expect);
    expect = (uint64_t)off + slen;
    if (expect > len)
      return ipsf_fail(err, IPSF_ERR_BYTECODE,
                       "truncated file: section '%s' ends at byte %llu of %zu",
                       sections[id].name, (unsigned long long)expect, len);
  }
  if (expect + DIGEST_SIZE > len)
    return ipsf_fail(err, IPSF_ERR_BYTECODE,
                     "truncated file: the digest ends at byte %llu of %zu",
                     (unsigned long long)(expect + DIGEST_SIZE), len);
  uint64_t after = len - expect - DIGEST_SIZE;
  if (after != 0 && after != SIG_TRAILER_SIZE)
    return ipsf_fail(err, IPSF_ERR_BYTECODE,
                     "malformed signature trailer: %llu bytes after the digest (a signature "
                     "trailer is %u bytes)",
                     (unsigned long long)after, SIG_TRAILER_SIZE);
  if (after != 0 && memcmp(b + expect + DIGEST_SIZE, sig_magic, SIG_MAGIC_SIZE) != 0)
    return ipsf_fail(err, IPSF_ERR_BYTECODE,
                     "malformed signature trailer: bad magic (expected \"SIG1\")");
  uint8_t digest[DIGEST_SIZE];
  /* The digest is checked before any section is decoded: a corrupted file
   * is then one clear message, never a decoder's guess at what broke.  The
   * compare is constant-time out of habit; the digest is no secret. */
  crypto_hash_sha256(digest, b, (unsigned long long)expect);
  if (sodium_memcmp(digest, b + expect, DIGEST_SIZE) != 0)
    return ipsf_fail(err, IPSF_ERR_BYTECODE, "digest mismatch: the file was altered or corrupted");
  *sections_end = (size_t)expect;
  return true;
}

IpsfPack *ipsb_read(const uint8_t *bytes, size_t len, IpsfError *err) {
  if (!bytes) len = 0;
  /* NULL bytes (with any len) read as an empty file: "bad magic". */
  static const uint8_t empty[1];
  if (!bytes) bytes = empty;
  size_t sections_end = 0;
  if (!sodium_ready()) {
    ipsf_fail(err, IPSF_ERR_INTERNAL, "libsodium failed to initialise");
    return NULL;
  }
  if (!check_frame(bytes, len, err, &sections_end)) return NULL;

  IpsfPack *p = calloc(1, sizeof *p);
  if (!p) {
    ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory loading a pack");
    return NULL;
  }
  p->axis1 = p->axis2 = IPSF_NONE; /* if the meta section fails before them */
  In in = {.b = bytes, .err = err};
  int nsec = (int)rd_u32(bytes + 12); /* checked by check_frame, as the ids */
  for (int i = 0; i < nsec && !in.failed; i++) {
    const uint8_t *e = bytes + HEADER_SIZE + (size_t)i * 12u;
    uint32_t id = rd_u32(e);
    in.pos = rd_u32(e + 4);
    in.end = in.pos + rd_u32(e + 8);
    in.section = sections[id].name;
    sections[id].load(&in, p);
    /* Every section is consumed exactly: trailing bytes would be data no
     * reader looks at, which a digest-preserving edit could hide in. */
    if (!in.failed && in.pos != in.end) {
      ipsf_fail(err, IPSF_ERR_BYTECODE, "section '%s' has %zu unused bytes at its end",
                in.section, in.end - in.pos);
      in.failed = true;
    }
  }
  if (in.failed) goto fail;
  memcpy(p->digest, bytes + sections_end, DIGEST_SIZE);
  if (len - sections_end - DIGEST_SIZE == SIG_TRAILER_SIZE) {
    const uint8_t *t = bytes + sections_end + DIGEST_SIZE + SIG_MAGIC_SIZE;
    p->is_signed = true;
    memcpy(p->signer_key, t, IPSF_SIGN_KEY_SIZE);
    memcpy(p->signature, t + IPSF_SIGN_KEY_SIZE, IPSF_SIGNATURE_SIZE);
    p->signature_ok = ipsf_signature_verify(p->digest, p->signature, p->signer_key);
  }
  /* Verification comes before linking: ipsf_pack_link follows indices
   * (string constants, fact names) that only the verifier has proved. */
  if (!ipsf_verify(p, err)) goto fail;
  if (!ipsf_pack_link(p)) {
    ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory linking a pack");
    goto fail;
  }
  return p;
fail:
  ipsf_pack_free(p);
  return NULL;
}

/* ---- signing --------------------------------------------------------------- */

void ipsf_signature_message(const uint8_t digest[32], uint8_t msg[IPSF_SIGNED_MESSAGE_SIZE]) {
  static const char domain[] = IPSF_SIGNATURE_DOMAIN; /* with its NUL */
  memcpy(msg, domain, sizeof domain);
  memcpy(msg + sizeof domain, digest, DIGEST_SIZE);
}

bool ipsf_signature_verify(const uint8_t digest[32], const uint8_t sig[IPSF_SIGNATURE_SIZE],
                           const uint8_t public_key[IPSF_SIGN_KEY_SIZE]) {
  uint8_t msg[IPSF_SIGNED_MESSAGE_SIZE];
  ipsf_signature_message(digest, msg);
  return crypto_sign_verify_detached(sig, msg, sizeof msg, public_key) == 0;
}

bool ipsb_sign(const uint8_t *bytes, size_t len, const uint8_t secret_key[64], uint8_t **out,
               size_t *out_len, IpsfError *err) {
  *out = NULL;
  *out_len = 0;
  /* Only a pack that loads and verifies is signed: a signature vouches for
   * content, and content the verifier rejects is nothing to vouch for. */
  IpsfPack *p = ipsb_read(bytes, len, err);
  if (!p) return false;
  size_t body = len - (p->is_signed ? SIG_TRAILER_SIZE : 0); /* through the digest */
  uint8_t *o = malloc(body + SIG_TRAILER_SIZE);
  if (!o) {
    ipsf_pack_free(p);
    return ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory signing a pack");
  }
  memcpy(o, bytes, body);
  memcpy(o + body, sig_magic, SIG_MAGIC_SIZE);
  memcpy(o + body + SIG_MAGIC_SIZE, secret_key + 32, IPSF_SIGN_KEY_SIZE); /* sk = seed || pk */
  uint8_t msg[IPSF_SIGNED_MESSAGE_SIZE];
  ipsf_signature_message(p->digest, msg);
  crypto_sign_detached(o + body + SIG_MAGIC_SIZE + IPSF_SIGN_KEY_SIZE, NULL, msg, sizeof msg,
                       secret_key);
  ipsf_pack_free(p);
  *out = o;
  *out_len = body + SIG_TRAILER_SIZE;
  return true;
}

/* ---- public loading ----------------------------------------------------- */

IpsfPack *ipsf_pack_load_limited(const uint8_t *bytes, size_t len, uint64_t max_cost,
                                 IpsfError *err) {
  /* Nothing of `bytes` is kept: every table and string is decoded into the
   * pack's own blocks. */
  IpsfPack *p = ipsb_read(bytes, len, err);
  if (p && !ipsf_pack_check_cost(p, max_cost, err)) {
    ipsf_pack_free(p);
    return NULL;
  }
  return p;
}

IpsfPack *ipsf_pack_load(const uint8_t *bytes, size_t len, IpsfError *err) {
  return ipsf_pack_load_limited(bytes, len, IPSF_DEFAULT_MAX_COST, err);
}

IpsfPack *ipsf_pack_load_file_limited(const char *path, uint64_t max_cost, IpsfError *err) {
  uint8_t *buf;
  size_t len;
  if (!ipsb_read_file(path, &buf, &len, err)) return NULL;
  IpsfPack *p = ipsf_pack_load_limited(buf, len, max_cost, err);
  free(buf);
  return p;
}

IpsfPack *ipsf_pack_load_file(const char *path, IpsfError *err) {
  return ipsf_pack_load_file_limited(path, IPSF_DEFAULT_MAX_COST, err);
}

const IpsfCost *ipsf_pack_cost(const IpsfPack *pack) { return &pack->cost; }

bool ipsb_read_file(const char *path, uint8_t **out, size_t *out_len, IpsfError *err) {
  *out = NULL;
  *out_len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return ipsf_fail(err, IPSF_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
  size_t cap = 64 * 1024, len = 0;
  uint8_t *buf = malloc(cap);
  if (!buf) {
    fclose(f);
    return ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory reading '%s'", path);
  }
  for (;;) {
    if (len == cap) {
      /* One doubling past the limit, so that a file of exactly the limit
       * is read whole and a larger one is known to be larger. */
      if (cap > IPSF_MAX_FILE_SIZE) {
        free(buf);
        fclose(f);
        return ipsf_fail(err, IPSF_ERR_BYTECODE, "'%s' is too large: more than %u bytes",
                         path, IPSF_MAX_FILE_SIZE);
      }
      uint8_t *nb = ipsf_grow(buf, &cap, cap + 1, 1, cap, SIZE_MAX);
      if (!nb) {
        free(buf);
        fclose(f);
        return ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory reading '%s'", path);
      }
      buf = nb;
    }
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (got == 0) break;
  }
  bool bad = ferror(f);
  int saved = errno;
  fclose(f);
  if (bad) {
    free(buf);
    return ipsf_fail(err, IPSF_ERR_IO, "cannot read '%s': %s", path, strerror(saved));
  }
  *out = buf;
  *out_len = len;
  return true;
}
